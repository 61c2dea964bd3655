// The rule engine (pure): threshold rules with hysteresis and for_releases, evaluated in event
// time over the results each release emits. Protos in, protos out, no I/O.
//
// Event time: every rule watches one figure per window end period. On each release the engine
// records the values of the periods the release changed, then walks the rule's periods in order.
// Periods never evaluated before step the state machine and emit transitions with cause NEW_DATA,
// at their own period; so one backfill release and the same data replayed month by month give
// the same transitions. Revised values of periods already evaluated re-run the walk from the
// earliest revised period; when the state at the last evaluated period differs from before, one
// transition with cause REVISION is emitted at that period. A revision that changes no state
// emits nothing.
//
// Details of the walk:
// - A rule's state machine: not firing -> FIRING after for_releases consecutive evaluated periods
//   strictly beyond the threshold (above: value > above; below: value < below); FIRING ->
//   RESOLVED at the first period strictly beyond the clear threshold the other way (above rules:
//   value < clear; below rules: value > clear). A value between clear and the threshold keeps a
//   firing rule firing and resets the count of a rule that is not firing.
// - "Consecutive" counts evaluated periods: periods the rule skips (incomplete windows, a
//   deficit growth the result lacks) neither count nor break the run.
// - A period that arrives for the first time but lies before the last evaluated period (a gap
//   filled late) is handled as a revision: the walk re-runs from it.
// - A result for an evaluated period that no longer qualifies (its window became incomplete)
//   leaves the period's figure as it was.
//
// Values per metric: partner_share is the partner's share in PartnerShares.partners (0 when the
// partner is absent from a window with data); region_share the region's share (0 when absent);
// route_exposure the chokepoint's share in PartnerShares.exposures (0 when absent); hhi the
// result's hhi; balance the balance_usd; deficit_growth the deficit_growth (periods
// without it are skipped). Windows with window.complete == false are skipped unless the rule sets
// include_incomplete_windows. A window without any data is never evaluated.
//
// Matching: a PartnerShares result feeds the share, route_exposure and HHI rules of its flow,
// measure (a rule without one takes general imports for imports and total exports for exports),
// classification (default NAICS), product code and window kind. A BalanceResult feeds the balance
// and deficit_growth rules of its classification, product code, window kind and import measure
// (default general imports).
//
// Output is deterministic: the same rules and the same releases give byte-identical events.
//
// Not thread-safe: one engine per processing partition (a rule's figure lives on one partition).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "alerts/rule_validation.h"
#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::alerts {

// The release whose marker triggers an evaluation.
struct ReleaseContext {
  std::string release_id;
  int64_t vintage = 0;
};

// A rule's current figure, for the metrics.
struct WatchedValue {
  const tradewatch::v1::Rule* rule = nullptr;
  // The rule's identifying labels (as in AlertEvent.labels).
  const std::vector<tradewatch::v1::Label>* labels = nullptr;
  int32_t period_yyyymm = 0;  // latest evaluated period
  double value = 0;
  bool firing = false;
};

class RuleEngine {
 public:
  // Validates the rules (see ValidateRuleFile) and builds an engine. Region names and chokepoint
  // ids are not checked: use the overload below when the reference tables are at hand.
  static absl::StatusOr<std::unique_ptr<RuleEngine>> Create(
      const tradewatch::v1::RuleFile& rules);

  // As above, and region_share rules must name one of `references.region_names`
  // (RegionNames(table)), route_exposure rules one of `references.chokepoint_ids`
  // (ChokepointIds(routes)); an empty list is not checked.
  static absl::StatusOr<std::unique_ptr<RuleEngine>> Create(
      const tradewatch::v1::RuleFile& rules, const RuleReferences& references);

  ~RuleEngine();
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  // Records results of one release and evaluates the rules they touch. `shares` must list every
  // partner (top_n = 0) so that a partner rule sees its partner. Returns the transitions, ordered
  // by period, then rule order.
  std::vector<tradewatch::v1::AlertEvent> OnRelease(
      const ReleaseContext& release, std::span<const tradewatch::v1::PartnerShares> shares,
      std::span<const tradewatch::v1::BalanceResult> balances);

  // Every rule with an evaluated period, in rule order. The pointers in WatchedValue live as
  // long as the engine.
  void ForEachWatched(const std::function<void(const WatchedValue&)>& fn) const;

  // The rules, as validated, in order.
  const tradewatch::v1::RuleFile& rules() const { return rules_; }

  // The identifying labels of rule `index` (as in AlertEvent.labels).
  const std::vector<tradewatch::v1::Label>& labels(int index) const;

 private:
  struct RuleState;
  // Rules fed by one kind of result, by the key that matches them.
  using Index = std::map<std::string, std::vector<int>>;

  explicit RuleEngine(const tradewatch::v1::RuleFile& rules);

  tradewatch::v1::RuleFile rules_;
  std::vector<RuleState> states_;
  Index share_rules_;
  Index balance_rules_;
};

}  // namespace tradewatch::alerts
