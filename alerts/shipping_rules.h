// The shipping rule engine (pure): the rules that read chokepoint statuses, evaluated in event
// time at each shipping release marker. Three kinds (IsShippingRule):
//
// - transit_ratio (a disruption rule per chokepoint): one figure per day with a ratio (GAP and
//   NO_BASELINE days are skipped), the chokepoint's 7-day transits over its baseline; the usual
//   threshold, clear and for_releases (counting days).
// - transit_staleness_days: one figure per shipping release, the days between the chokepoint's
//   latest day and the release horizon (ShippingReleaseMarker.through_yyyymmdd); a chokepoint the
//   release does not carry keeps ageing. Event time: replaying history never raises it, a feed
//   that stops does.
// - composite (a trade rule with a `route` condition): one figure per day of the chokepoint with a
//   ratio, joined as of that day to the trade figure in force: the latest window end period at or
//   before the day's month among the PartnerShares given to OnShares. The condition holds when
//   the trade side is beyond its threshold AND the ratio is strictly below route.ratio_below, for
//   for_releases days in a row; a firing rule resolves when the trade side crosses its clear
//   level OR the ratio rises strictly above route.ratio_clear. Events carry both sides: the trade
//   figure in `evidence`, the chokepoint's status in `route`.
//
// The walk is the trade engine's (rule_engine.h): days evaluated for the first time step the state
// machine and emit NEW_DATA transitions at their own day; a change to days already evaluated (a
// PortWatch restatement, a revised trade figure) re-runs the walk from the earliest changed day and
// emits one REVISION transition at the last evaluated day when the state there differs. So one
// release of a whole history and the same history day by day give the same transitions.
//
// Output is deterministic: the same rules and the same inputs in the same order give
// byte-identical events. Not thread-safe: one engine per shipping partition.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "alerts/rule_engine.h"
#include "alerts/rule_validation.h"
#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/rules.pb.h"
#include "tradewatch/v1/shipping.pb.h"

namespace tradewatch::alerts {

// The shipping release whose marker triggers an evaluation.
struct ShippingRelease {
  std::string release_id;
  int64_t vintage = 0;
  // The release horizon, yyyymmdd: event-time "now" of the staleness rules.
  int32_t through_yyyymmdd = 0;
};

// One chokepoint of the partition, as the release leaves it.
struct ChokepointDays {
  std::string id;
  std::string name;
  // Every day from the chokepoint's first to its last day with data, ascending, hysteresis
  // applied (processors::EvaluateTimeline(...).days).
  std::span<const tradewatch::v1::ChokepointStatus> days;
  // The earliest day whose status this release changed, yyyymmdd; 0 when it changed none.
  int32_t changed_from_yyyymmdd = 0;
};

class ShippingRuleEngine {
 public:
  // Validates the rules (see ValidateRuleFile) and keeps the shipping rules among them; the others
  // are the trade engine's and are ignored here.
  static absl::StatusOr<std::unique_ptr<ShippingRuleEngine>> Create(
      const tradewatch::v1::RuleFile& rules, const RuleReferences& references = {});

  ~ShippingRuleEngine();
  ShippingRuleEngine(const ShippingRuleEngine&) = delete;
  ShippingRuleEngine& operator=(const ShippingRuleEngine&) = delete;

  // True when a composite rule reads this series (flow, measure, classification, product code,
  // window kind): what a reader of the shares topic keeps.
  bool WantsShares(const tradewatch::v1::PartnerShares& shares) const;

  // Records the trade side of the composite rules that read `shares` (a later result of the same
  // window end period replaces the earlier one). Takes effect at the next OnRelease. Shares as
  // published (TrimShares) are enough for route_exposure, region_share and hhi rules; a
  // partner_share rule sees its partner only when it is among them.
  void OnShares(const tradewatch::v1::PartnerShares& shares);

  // Evaluates the rules of the chokepoints in `chokepoints` (every chokepoint of the partition,
  // changed or not). Returns the transitions ordered by day, then rule order.
  std::vector<tradewatch::v1::AlertEvent> OnRelease(const ShippingRelease& release,
                                                    std::span<const ChokepointDays> chokepoints);

  // Every shipping rule with an evaluated day, in rule order (period_yyyymm is the day's month).
  void ForEachWatched(const std::function<void(const WatchedValue&)>& fn) const;

  // The shipping rules, in order.
  const tradewatch::v1::RuleFile& rules() const { return rules_; }

  // The chokepoint ids the rules read, sorted, without repeats.
  std::vector<std::string> chokepoints() const;

 private:
  struct RuleState;
  explicit ShippingRuleEngine(const tradewatch::v1::RuleFile& rules);

  tradewatch::v1::RuleFile rules_;  // the shipping rules only
  std::vector<RuleState> states_;
};

}  // namespace tradewatch::alerts
