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
// Not thread-safe: one engine per processing partition (a rule's figure lives on one partition).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
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
  // Validates the rules (see ValidateRuleFile) and builds an engine.
  static absl::StatusOr<std::unique_ptr<RuleEngine>> Create(
      const tradewatch::v1::RuleFile& rules);

  // Records results of one release and evaluates the rules they touch. `shares` must list every
  // partner (top_n = 0) so that a partner rule sees its partner. Returns the transitions, ordered
  // by period, then rule order.
  std::vector<tradewatch::v1::AlertEvent> OnRelease(
      const ReleaseContext& release, std::span<const tradewatch::v1::PartnerShares> shares,
      std::span<const tradewatch::v1::BalanceResult> balances);

  // Every rule with an evaluated period, in rule order.
  void ForEachWatched(const std::function<void(const WatchedValue&)>& fn) const;
};

}  // namespace tradewatch::alerts
