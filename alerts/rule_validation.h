// Loading and validating alert rule files (deploy/rules/*.yaml, schema tradewatch.v1.RuleFile).
//
// Every error names the file, the line and column, and the YAML path of the value at fault:
//   deploy/rules/default.yaml:14:5: rules[2].severity: required
// A file with several problems reports all of them, one per line of the status message.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/yaml_config.h"
#include "tradewatch/v1/config.pb.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::alerts {

// Label names a rule may not set: the engine sets them from the rule itself.
const std::vector<std::string>& ReservedLabelNames();

// The names of the regions of a membership table, for region_share rules.
std::vector<std::string> RegionNames(const tradewatch::v1::RegionTable& regions);

// The chokepoint ids of a route table, for route_exposure rules.
std::vector<std::string> ChokepointIds(const tradewatch::v1::RouteTable& routes);

// What rules may name from the reference tables. An empty list is not checked (any name passes).
struct RuleReferences {
  RuleReferences() = default;
  // Region names only, chokepoints not checked: what callers without a route table pass
  // (RegionNames(table), {"USMCA", "ASEAN"}).
  RuleReferences(std::vector<std::string> regions)  // NOLINT: implicit by design
      : region_names(std::move(regions)) {}
  RuleReferences(std::initializer_list<std::string> regions) : region_names(regions) {}
  RuleReferences(std::vector<std::string> regions, std::vector<std::string> chokepoints)
      : region_names(std::move(regions)), chokepoint_ids(std::move(chokepoints)) {}

  // Region names (RegionNames of the region table) region_share rules may select.
  std::vector<std::string> region_names;
  // Chokepoint ids (ChokepointIds of the route table) route_exposure rules may select.
  std::vector<std::string> chokepoint_ids;
};

// Checks the rules of one file:
// - name required, [a-zA-Z_][a-zA-Z0-9_]*, unique in the file;
// - metric, selector.product_code and selector.window required; selector.flow required for
//   partner_share, region_share, route_exposure and hhi rules; selector.measure, when set, of the
//   selected flow (an import measure for balance and deficit_growth rules);
// - selector.partner required for partner_share rules (a Census country code: four digits, the
//   first 1-7 or 9) and empty otherwise; selector.region required for region_share rules, empty
//   otherwise, and one of `references.region_names` (not checked when that is empty);
//   selector.chokepoint required for route_exposure rules, empty otherwise, and one of
//   `references.chokepoint_ids` (not checked when that is empty);
// - transit_ratio and transit_staleness_days rules: selector.chokepoint only (required, known),
//   no route, no include_incomplete_windows;
// - route (composite rules): only on partner_share, region_share, route_exposure and hhi rules;
//   route.chokepoint required and known; route.ratio_below required, in (0, 2]; ratio_clear not
//   below it;
// - exactly one of above and below, finite; clear finite and not beyond the threshold (for above:
//   clear <= above; for below: clear >= below); for_releases 0..24 (0 means 1);
// - severity one of page, warning, info;
// - labels and annotations: valid and unique names, non-empty values; labels not reserved; an
//   annotation `summary`; templates only {{ value }}, {{ threshold }}, {{ clear }}, {{ partner }}
//   (partner_share rules), {{ region }} (region_share rules), {{ chokepoint }} (route_exposure
//   and shipping rules), {{ product_code }}, {{ window }}, {{ period }} (not for shipping metrics),
//   {{ date }} and {{ ratio }} (shipping rules).
// `lines`, when given, positions the messages (its origin starts them); without it they start with
// the path.
absl::Status ValidateRuleFile(const tradewatch::v1::RuleFile& rules,
                              const RuleReferences& references,
                              const YamlLines* lines = nullptr);

// Parses and validates one rules file held in memory; `origin` names it in errors.
absl::StatusOr<tradewatch::v1::RuleFile> ParseRuleFile(std::string_view yaml,
                                                       std::string_view origin,
                                                       const RuleReferences& references);

// Reads, parses and validates the files, and concatenates their rules in the order given. Rule
// names must be unique across all the files. Every problem of every file is reported.
absl::StatusOr<tradewatch::v1::RuleFile> LoadRuleFiles(const std::vector<std::string>& paths,
                                                       const RuleReferences& references);

}  // namespace tradewatch::alerts
