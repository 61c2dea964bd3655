// The state of one observation-topic partition and what a release marker makes of it (pure: protos
// in, protos out). Observations upsert into the table as they arrive; a release marker closes the
// release: every (series, window, end period) whose inputs changed since the previous marker is
// computed once ("final result only"), shares for every series and balances for every product
// code with imports or exports in the partition.
//
// Both flows of a product code live on one partition (see ProductPartitionKey), so balances are
// local. Not thread-safe: one processor per partition.
#pragma once

#include <cstdint>
#include <vector>

#include "processors/analytics.h"
#include "processors/trade_table.h"
#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::processors {

struct ProcessorOptions {
  // Partners listed by name in emitted shares (TrimShares); 0 lists every country.
  int top_n = 10;
  // Windows computed for each changed period.
  std::vector<tradewatch::v1::WindowKind> windows = {
      tradewatch::v1::WINDOW_KIND_MONTH, tradewatch::v1::WINDOW_KIND_T12M,
      tradewatch::v1::WINDOW_KIND_YTD, tradewatch::v1::WINDOW_KIND_YEAR};
  // See ShareOptions.
  double coverage_threshold = 0.99;
  // Region membership; nullptr for none. Must outlive the processor.
  const tradewatch::v1::RegionTable* regions = nullptr;
  // Route table for the exposures (valid); nullptr for none. Must outlive the processor.
  const tradewatch::v1::RouteTable* routes = nullptr;
  // Partner names; may be empty.
  PartnerNamer namer;
  // Bases of balances.
  tradewatch::v1::Measure imports_measure = tradewatch::v1::MEASURE_GENERAL_IMPORTS;
  tradewatch::v1::Measure exports_measure = tradewatch::v1::MEASURE_TOTAL_EXPORTS;
};

// What one release marker produces, in a deterministic order: series by (flow, measure,
// classification, product code), then window in options order, then end period ascending.
struct ReleaseResults {
  // Full partner lists (every country: what rules read). TrimShares gives the emitted form.
  std::vector<tradewatch::v1::PartnerShares> shares;
  std::vector<tradewatch::v1::BalanceResult> balances;
};

// Counts of what the processor applied since it was created.
struct ApplyCounts {
  int64_t inserted = 0;
  int64_t replaced = 0;
  int64_t duplicates = 0;
  int64_t conflicts = 0;  // same vintage, different value: the earlier value stays
  int64_t stale = 0;      // older vintage than the one held: ignored
};

class PartitionProcessor {
 public:
  explicit PartitionProcessor(ProcessorOptions options);

  // Upserts one observation.
  UpsertOutcome Apply(const tradewatch::v1::TradeObservation& observation);

  // Closes the release: results for everything changed since the previous marker.
  ReleaseResults CloseRelease(const tradewatch::v1::ReleaseMarker& marker);

  const TradeTable& table() const { return table_; }
  const ApplyCounts& counts() const { return counts_; }
  // Latest period with data in any series of the partition, yyyymm (0 when empty).
  int32_t latest_period() const { return latest_period_; }

 private:
  ProcessorOptions options_;
  ShareOptions full_shares_;
  TradeTable table_;
  ApplyCounts counts_;
  int32_t latest_period_ = 0;
};

// The window end periods whose `kind` window contains `period` and end at or before `last`
// (yyyymm), ascending. For WINDOW_KIND_YEAR, the December of the period's year.
std::vector<int32_t> AffectedEndPeriods(tradewatch::v1::WindowKind kind, int32_t period,
                                        int32_t last);

}  // namespace tradewatch::processors
