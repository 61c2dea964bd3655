#include "alerts/rule_validation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "alerts/rule_text.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;

constexpr int kMaxForReleases = 24;

using Problems = YamlProblems;

// Census Schedule C individual countries: four digits, the first 1-7 (9 for US territories).
// Only countries have shares, so groups ("0020") and continents ("5XXX") cannot be a partner.
bool IsCountryCode(std::string_view code) {
  if (code.size() != 4) return false;
  if (!std::all_of(code.begin(), code.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return false;
  }
  return (code[0] >= '1' && code[0] <= '7') || code[0] == '9';
}

// Metrics read from PartnerShares: a flow is required, the measure is one of its flow.
bool IsShareMetric(v1::RuleMetric metric) {
  return metric == v1::RULE_METRIC_PARTNER_SHARE || metric == v1::RULE_METRIC_REGION_SHARE ||
         metric == v1::RULE_METRIC_HHI || metric == v1::RULE_METRIC_ROUTE_EXPOSURE;
}

// A selector field only one metric may set: required for it, empty for every other, and one of
// `known` when that list is not empty (`what` names the values: "region", "chokepoint").
void CheckOwnedField(v1::RuleMetric metric, v1::RuleMetric owner, const std::string& value,
                     const std::string& path, const char* what,
                     const std::vector<std::string>& known, Problems* problems) {
  const std::string owner_name = MetricName(owner);
  if (metric == owner) {
    if (value.empty()) {
      problems->Add(path, fmt::format("required for {} rules", owner_name));
    } else if (!known.empty() && std::find(known.begin(), known.end(), value) == known.end()) {
      problems->Add(path, fmt::format("unknown {} \"{}\" (known: {})", what, value,
                                      absl::StrJoin(known, ", ")));
    }
  } else if (!value.empty() && metric != v1::RULE_METRIC_UNSPECIFIED) {
    problems->Add(path, fmt::format("only {} rules select a {}", owner_name, what));
  }
}

bool IsImportMeasure(v1::Measure measure) {
  return measure == v1::MEASURE_GENERAL_IMPORTS || measure == v1::MEASURE_IMPORTS_FOR_CONSUMPTION;
}

std::string MeasureName(v1::Measure measure) {
  return EnumShortName(*v1::Measure_descriptor()->FindValueByNumber(measure));
}

void CheckChokepoint(const std::string& id, const std::string& path,
                     const RuleReferences& references, Problems* problems) {
  const auto& known = references.chokepoint_ids;
  if (id.empty()) {
    problems->Add(path, "required");
  } else if (!known.empty() && std::find(known.begin(), known.end(), id) == known.end()) {
    problems->Add(path, fmt::format("unknown chokepoint \"{}\" (known: {})", id,
                                    absl::StrJoin(known, ", ")));
  }
}

// transit_ratio and transit_staleness_days rules select a chokepoint and nothing else.
void CheckShippingSelector(const v1::Rule& rule, const std::string& at,
                           const RuleReferences& references, Problems* problems) {
  const v1::RuleSelector& s = rule.selector();
  const std::string sel = at + ".selector";
  const std::string metric = MetricName(rule.metric());
  CheckChokepoint(s.chokepoint(), sel + ".chokepoint", references, problems);
  auto refuse = [&](bool set, const char* field) {
    if (set) {
      problems->Add(sel + "." + field,
                    fmt::format("{} rules select a chokepoint only, not a {}", metric, field));
    }
  };
  refuse(s.flow() != v1::FLOW_UNSPECIFIED, "flow");
  refuse(s.measure() != v1::MEASURE_UNSPECIFIED, "measure");
  refuse(s.classification() != v1::CLASSIFICATION_UNSPECIFIED, "classification");
  refuse(!s.product_code().empty(), "product_code");
  refuse(!s.partner().empty(), "partner");
  refuse(!s.region().empty(), "region");
  refuse(s.window() != v1::WINDOW_KIND_UNSPECIFIED, "window");
  if (rule.has_route()) {
    problems->Add(at + ".route", fmt::format("{} rules read the chokepoint already: a route "
                                             "condition is only for trade metrics",
                                             metric));
  }
  if (rule.include_incomplete_windows()) {
    problems->Add(at + ".include_incomplete_windows",
                  fmt::format("{} rules have no windows", metric));
  }
}

// The route condition of a composite rule.
void CheckRoute(const v1::Rule& rule, const std::string& at, const RuleReferences& references,
                Problems* problems) {
  const v1::RouteCondition& route = rule.route();
  const std::string path = at + ".route";
  if (!IsShareMetric(rule.metric()) && rule.metric() != v1::RULE_METRIC_UNSPECIFIED) {
    problems->Add(path, fmt::format("a route condition needs a partner_share, region_share, "
                                    "route_exposure or hhi rule, not {}",
                                    MetricName(rule.metric())));
  }
  CheckChokepoint(route.chokepoint(), path + ".chokepoint", references, problems);
  if (rule.metric() == v1::RULE_METRIC_ROUTE_EXPOSURE && !route.chokepoint().empty() &&
      route.chokepoint() != rule.selector().chokepoint()) {
    problems->Add(path + ".chokepoint",
                  fmt::format("\"{}\" is not the exposure's chokepoint \"{}\" (a route_exposure "
                              "rule watches the route it is exposed to)",
                              route.chokepoint(), rule.selector().chokepoint()));
  }
  if (!route.has_ratio_below()) {
    problems->Add(path + ".ratio_below", "required");
    return;
  }
  if (!std::isfinite(route.ratio_below()) || route.ratio_below() <= 0 ||
      route.ratio_below() > 2) {
    problems->Add(path + ".ratio_below",
                  fmt::format("{} is outside (0, 2] (a fraction of the baseline)",
                              route.ratio_below()));
  } else if (route.has_ratio_clear() &&
             (!std::isfinite(route.ratio_clear()) || route.ratio_clear() < route.ratio_below())) {
    problems->Add(path + ".ratio_clear",
                  fmt::format("{} is below ratio_below {} (the route side clears at or above it)",
                              route.ratio_clear(), route.ratio_below()));
  }
}

void CheckSelector(const v1::Rule& rule, const std::string& at,
                   const RuleReferences& references, Problems* problems) {
  const v1::RuleSelector& s = rule.selector();
  const std::string sel = at + ".selector";
  const v1::RuleMetric metric = rule.metric();
  if (IsShippingMetric(metric)) {
    CheckShippingSelector(rule, at, references, problems);
    return;
  }
  if (s.product_code().empty()) problems->Add(sel + ".product_code", "required");
  if (s.window() == v1::WINDOW_KIND_UNSPECIFIED) problems->Add(sel + ".window", "required");
  if (IsShareMetric(metric) && s.flow() == v1::FLOW_UNSPECIFIED) {
    problems->Add(sel + ".flow", fmt::format("required for {} rules", MetricName(metric)));
  }
  if (s.measure() != v1::MEASURE_UNSPECIFIED) {
    bool imports = IsImportMeasure(s.measure());
    bool ok = IsShareMetric(metric) ? (s.flow() == v1::FLOW_IMPORTS) == imports
                                    : imports || metric == v1::RULE_METRIC_UNSPECIFIED;
    if (!ok) {
      problems->Add(sel + ".measure",
                    fmt::format("{} is not a measure of {}", MeasureName(s.measure()),
                                IsShareMetric(metric) ? FlowName(s.flow()) : "imports"));
    }
  }
  if (metric == v1::RULE_METRIC_PARTNER_SHARE) {
    if (s.partner().empty()) {
      problems->Add(sel + ".partner", "required for partner_share rules");
    } else if (!IsCountryCode(s.partner())) {
      problems->Add(sel + ".partner",
                    fmt::format("\"{}\" is not a Census country code (four digits, the first "
                                "1-7 or 9)",
                                s.partner()));
    }
  } else if (!s.partner().empty() && metric != v1::RULE_METRIC_UNSPECIFIED) {
    problems->Add(sel + ".partner", "only partner_share rules select a partner");
  }
  CheckOwnedField(metric, v1::RULE_METRIC_REGION_SHARE, s.region(), sel + ".region", "region",
                  references.region_names, problems);
  CheckOwnedField(metric, v1::RULE_METRIC_ROUTE_EXPOSURE, s.chokepoint(), sel + ".chokepoint",
                  "chokepoint", references.chokepoint_ids, problems);
  if (rule.has_route()) CheckRoute(rule, at, references, problems);
}

void CheckThresholds(const v1::Rule& rule, const std::string& at, Problems* problems) {
  if (rule.has_above() == rule.has_below()) {
    problems->Add(at, rule.has_above() ? "set only one of above and below"
                                       : "one of above and below is required");
    return;
  }
  const char* side = rule.has_above() ? "above" : "below";
  double threshold = Threshold(rule);
  if (!std::isfinite(threshold)) {
    problems->Add(at + "." + side, "must be a finite number");
    return;
  }
  if (rule.has_clear()) {
    if (!std::isfinite(rule.clear())) {
      problems->Add(at + ".clear", "must be a finite number");
    } else if (rule.has_above() && rule.clear() > threshold) {
      problems->Add(at + ".clear", fmt::format("{} is above the threshold {} (an above rule "
                                               "clears at or below it)",
                                               rule.clear(), threshold));
    } else if (rule.has_below() && rule.clear() < threshold) {
      problems->Add(at + ".clear", fmt::format("{} is below the threshold {} (a below rule "
                                               "clears at or above it)",
                                               rule.clear(), threshold));
    }
  }
}

// Names valid and unique, values non-empty. Returns the names.
std::set<std::string> CheckPairs(const google::protobuf::RepeatedPtrField<v1::Label>& pairs,
                                 const std::string& at, Problems* problems) {
  std::set<std::string> names;
  for (int j = 0; j < pairs.size(); ++j) {
    const std::string item = fmt::format("{}[{}]", at, j);
    const v1::Label& pair = pairs[j];
    if (pair.name().empty()) {
      problems->Add(item + ".name", "required");
    } else if (!IsValidName(pair.name()) || pair.name().rfind("__", 0) == 0) {
      problems->Add(item + ".name",
                    fmt::format("\"{}\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not "
                                "starting with __)",
                                pair.name()));
    } else if (!names.insert(pair.name()).second) {
      problems->Add(item + ".name", fmt::format("\"{}\" given twice", pair.name()));
    }
    if (pair.value().empty()) problems->Add(item + ".value", "required");
  }
  return names;
}

void CheckLabelsAndAnnotations(const v1::Rule& rule, const std::string& at, Problems* problems) {
  CheckPairs(rule.labels(), at + ".labels", problems);
  const auto& reserved = ReservedLabelNames();
  for (int j = 0; j < rule.labels_size(); ++j) {
    const std::string& name = rule.labels(j).name();
    if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
      problems->Add(fmt::format("{}.labels[{}].name", at, j),
                    fmt::format("\"{}\" is reserved (set from the rule: {})", name,
                                absl::StrJoin(reserved, ", ")));
    }
  }
  std::set<std::string> names = CheckPairs(rule.annotations(), at + ".annotations", problems);
  if (names.count("summary") == 0) problems->Add(at + ".annotations", "summary is required");
  for (int j = 0; j < rule.annotations_size(); ++j) {
    const std::string value_path = fmt::format("{}.annotations[{}].value", at, j);
    auto parts = ParseTemplate(rule.annotations(j).value());
    if (!parts.ok()) {
      problems->Add(value_path, std::string(parts.status().message()));
      continue;
    }
    if (rule.metric() == v1::RULE_METRIC_UNSPECIFIED) continue;  // reported once, as metric
    for (const TemplatePart& part : *parts) {
      if (part.placeholder == "partner" && rule.metric() != v1::RULE_METRIC_PARTNER_SHARE) {
        problems->Add(value_path, "{{ partner }} is only known to partner_share rules");
      } else if (part.placeholder == "region" && rule.metric() != v1::RULE_METRIC_REGION_SHARE) {
        problems->Add(value_path, "{{ region }} is only known to region_share rules");
      } else if (part.placeholder == "chokepoint" &&
                 rule.metric() != v1::RULE_METRIC_ROUTE_EXPOSURE && !IsShippingRule(rule)) {
        problems->Add(value_path,
                      "{{ chokepoint }} is only known to route_exposure and shipping rules");
      } else if ((part.placeholder == "date" || part.placeholder == "ratio") &&
                 !IsShippingRule(rule)) {
        problems->Add(value_path, fmt::format("{{{{ {} }}}} is only known to shipping rules "
                                              "(transit_ratio, transit_staleness_days, and rules "
                                              "with a route condition)",
                                              part.placeholder));
      } else if ((part.placeholder == "product_code" || part.placeholder == "window" ||
                  part.placeholder == "period") &&
                 IsShippingMetric(rule.metric())) {
        problems->Add(value_path, fmt::format("{{{{ {} }}}} is not known to {} rules",
                                              part.placeholder, MetricName(rule.metric())));
      }
    }
  }
}

void CheckRule(const v1::Rule& rule, const std::string& at, const RuleReferences& references,
               Problems* problems) {
  if (rule.name().empty()) {
    problems->Add(at + ".name", "required");
  } else if (!IsValidName(rule.name())) {
    problems->Add(at + ".name",
                  fmt::format("\"{}\" is not a valid name ([a-zA-Z_][a-zA-Z0-9_]*)", rule.name()));
  }
  if (rule.metric() == v1::RULE_METRIC_UNSPECIFIED) problems->Add(at + ".metric", "required");
  if (!rule.has_selector()) {
    problems->Add(at + ".selector", "required");
  } else {
    CheckSelector(rule, at, references, problems);
  }
  CheckThresholds(rule, at, problems);
  if (rule.for_releases() < 0 || rule.for_releases() > kMaxForReleases) {
    problems->Add(at + ".for_releases",
                  fmt::format("{} is outside 0..{}", rule.for_releases(), kMaxForReleases));
  }
  if (rule.severity().empty()) {
    problems->Add(at + ".severity", "required");
  } else if (rule.severity() != "page" && rule.severity() != "warning" &&
             rule.severity() != "info") {
    problems->Add(at + ".severity",
                  fmt::format("\"{}\" is not one of page, warning, info", rule.severity()));
  }
  CheckLabelsAndAnnotations(rule, at, problems);
}

void CollectProblems(const v1::RuleFile& rules, const RuleReferences& references,
                     const YamlLines* lines, std::vector<std::string>* out) {
  Problems problems(lines);
  std::map<std::string, int> first_index;
  for (int i = 0; i < rules.rules_size(); ++i) {
    const std::string at = fmt::format("rules[{}]", i);
    const v1::Rule& rule = rules.rules(i);
    CheckRule(rule, at, references, &problems);
    if (rule.name().empty()) continue;
    auto [it, inserted] = first_index.emplace(rule.name(), i);
    if (!inserted) {
      std::string first = fmt::format("rules[{}]", it->second);
      if (lines != nullptr && lines->Find(first).line > 0) {
        first += fmt::format(" at line {}", lines->Find(first).line);
      }
      problems.Add(at + ".name", fmt::format("duplicate rule name \"{}\" (first used by {})",
                                             rule.name(), first));
    }
  }
  for (std::string& p : problems.out()) out->push_back(std::move(p));
}

absl::Status ToStatus(const std::vector<std::string>& problems) {
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
}

}  // namespace

const std::vector<std::string>& ReservedLabelNames() {
  static const auto* const kReserved = new std::vector<std::string>{
      "alertname", "rule",   "severity",   "product_code", "flow",
      "partner",   "region", "chokepoint", "window"};
  return *kReserved;
}

std::vector<std::string> RegionNames(const v1::RegionTable& regions) {
  std::vector<std::string> names;
  for (const v1::Region& region : regions.regions()) names.push_back(region.name());
  return names;
}

std::vector<std::string> ChokepointIds(const v1::RouteTable& routes) {
  std::vector<std::string> ids;
  for (const v1::Chokepoint& chokepoint : routes.chokepoints()) ids.push_back(chokepoint.id());
  return ids;
}

absl::Status ValidateRuleFile(const v1::RuleFile& rules, const RuleReferences& references,
                              const YamlLines* lines) {
  std::vector<std::string> problems;
  CollectProblems(rules, references, lines, &problems);
  return ToStatus(problems);
}

absl::StatusOr<v1::RuleFile> ParseRuleFile(std::string_view yaml, std::string_view origin,
                                           const RuleReferences& references) {
  v1::RuleFile rules;
  YamlLines lines;
  absl::Status parsed = ParseYamlToProto(yaml, origin, &rules, &lines);
  if (!parsed.ok()) return parsed;
  absl::Status valid = ValidateRuleFile(rules, references, &lines);
  if (!valid.ok()) return valid;
  return rules;
}

absl::StatusOr<v1::RuleFile> LoadRuleFiles(const std::vector<std::string>& paths,
                                           const RuleReferences& references) {
  v1::RuleFile all;
  std::vector<std::string> problems;
  // Where each name was first defined: the file's index and "file:line:column".
  std::map<std::string, std::pair<size_t, std::string>> defined_at;
  for (size_t file = 0; file < paths.size(); ++file) {
    const std::string& path = paths[file];
    v1::RuleFile rules;
    YamlLines lines;
    absl::Status parsed = LoadYamlFile(path, &rules, &lines);
    if (!parsed.ok()) {
      problems.emplace_back(parsed.message());
      continue;
    }
    CollectProblems(rules, references, &lines, &problems);
    for (int i = 0; i < rules.rules_size(); ++i) {
      const std::string& name = rules.rules(i).name();
      const std::string name_path = fmt::format("rules[{}].name", i);
      YamlPosition at = lines.Find(name_path);
      std::string here = fmt::format("{}:{}:{}", path, at.line, at.column);
      auto [it, inserted] = defined_at.emplace(name, std::make_pair(file, here));
      // Duplicates within one file are reported by CollectProblems.
      if (!inserted && it->second.first != file && !name.empty()) {
        problems.push_back(lines.Format(
            name_path,
            fmt::format("rule name \"{}\" already defined at {}", name, it->second.second)));
      }
      *all.add_rules() = rules.rules(i);
    }
  }
  TW_RETURN_IF_ERROR(ToStatus(problems));
  return all;
}

}  // namespace tradewatch::alerts
