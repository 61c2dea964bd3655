#include "processors/partition_processor.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "common/period.h"
#include "processors/window.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

// Series in a deterministic order (the table's hash map has none).
using OrderKey = std::tuple<int, int, int, std::string>;

OrderKey OrderOf(const Series& s) {
  return {s.flow(), s.measure(), s.classification(), s.product_code()};
}

}  // namespace

std::vector<int32_t> AffectedEndPeriods(v1::WindowKind kind, int32_t period, int32_t last) {
  std::vector<int32_t> out;
  switch (kind) {
    case v1::WINDOW_KIND_MONTH:
      if (period <= last) out.push_back(period);
      break;
    case v1::WINDOW_KIND_T12M:
      for (int32_t i = 0; i < 12; ++i) {
        int32_t end = AddMonths(period, i);
        if (end > last) break;
        out.push_back(end);
      }
      break;
    case v1::WINDOW_KIND_YTD:
      for (int32_t end = period; end / 100 == period / 100 && end <= last; end = AddMonths(end, 1)) {
        out.push_back(end);
      }
      break;
    case v1::WINDOW_KIND_YEAR:
      if (period <= last) out.push_back((period / 100) * 100 + 12);
      break;
    default:
      break;
  }
  return out;
}

PartitionProcessor::PartitionProcessor(ProcessorOptions options) : options_(std::move(options)) {
  full_shares_.top_n = 0;
  full_shares_.coverage_threshold = options_.coverage_threshold;
  full_shares_.regions = options_.regions;
  full_shares_.routes = options_.routes;
  full_shares_.namer = options_.namer;
}

UpsertOutcome PartitionProcessor::Apply(const v1::TradeObservation& observation) {
  UpsertOutcome outcome = table_.Upsert(observation);
  switch (outcome) {
    case UpsertOutcome::kInserted: ++counts_.inserted; break;
    case UpsertOutcome::kReplaced: ++counts_.replaced; break;
    case UpsertOutcome::kDuplicate: ++counts_.duplicates; break;
    case UpsertOutcome::kConflict: ++counts_.conflicts; break;
    case UpsertOutcome::kStale: ++counts_.stale; break;
  }
  if (outcome == UpsertOutcome::kInserted || outcome == UpsertOutcome::kReplaced) {
    latest_period_ = std::max(latest_period_, observation.period_yyyymm());
  }
  return outcome;
}

ReleaseResults PartitionProcessor::CloseRelease(const v1::ReleaseMarker& /*marker*/) {
  ReleaseResults results;
  // Changed series in a stable order, each with its changed periods.
  std::map<OrderKey, std::pair<Series*, std::vector<int32_t>>> changed;
  table_.ForEachSeries([&](const Series& series) {
    auto* mutable_series = table_.FindMutable(
        {series.flow(), series.measure(), series.classification(), series.product_code()});
    std::vector<int32_t> periods = mutable_series->TakeChangedPeriods();
    if (!periods.empty()) changed[OrderOf(series)] = {mutable_series, std::move(periods)};
  });

  // Balance codes touched: (classification, product code) -> affected periods.
  std::map<std::pair<int, std::string>, std::vector<int32_t>> balance_periods;

  for (auto& [order, entry] : changed) {
    const Series& series = *entry.first;
    const std::vector<int32_t>& periods = entry.second;
    const int32_t last = series.periods().empty() ? 0 : series.periods().rbegin()->first;
    for (v1::WindowKind kind : options_.windows) {
      std::vector<int32_t> ends;
      for (int32_t p : periods) {
        std::vector<int32_t> affected = AffectedEndPeriods(kind, p, last);
        ends.insert(ends.end(), affected.begin(), affected.end());
      }
      std::sort(ends.begin(), ends.end());
      ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
      for (int32_t end : ends) {
        results.shares.push_back(ComputeShares(series, kind, end, full_shares_));
      }
    }
    const bool balance_input =
        (series.flow() == v1::FLOW_IMPORTS && series.measure() == options_.imports_measure) ||
        (series.flow() == v1::FLOW_EXPORTS && series.measure() == options_.exports_measure);
    if (balance_input) {
      auto& p = balance_periods[{series.classification(), series.product_code()}];
      p.insert(p.end(), periods.begin(), periods.end());
    }
  }

  for (auto& [code, periods] : balance_periods) {
    auto classification = static_cast<v1::Classification>(code.first);
    const Series* imports =
        table_.Find({v1::FLOW_IMPORTS, options_.imports_measure, classification, code.second});
    const Series* exports =
        table_.Find({v1::FLOW_EXPORTS, options_.exports_measure, classification, code.second});
    int32_t last = 0;
    for (const Series* s : {imports, exports}) {
      if (s != nullptr && !s->periods().empty()) {
        last = std::max(last, s->periods().rbegin()->first);
      }
    }
    for (v1::WindowKind kind : options_.windows) {
      std::vector<int32_t> ends;
      for (int32_t p : periods) {
        std::vector<int32_t> affected = AffectedEndPeriods(kind, p, last);
        // A period's balance also feeds the next year's growth.
        std::vector<int32_t> next_year = AffectedEndPeriods(kind, AddMonths(p, 12), last);
        ends.insert(ends.end(), affected.begin(), affected.end());
        ends.insert(ends.end(), next_year.begin(), next_year.end());
      }
      std::sort(ends.begin(), ends.end());
      ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
      for (int32_t end : ends) {
        results.balances.push_back(
            ComputeBalance(imports, exports, kind, end, options_.namer, options_.top_n));
      }
    }
  }
  return results;
}

}  // namespace tradewatch::processors
