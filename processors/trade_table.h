// The upsert table: per series (flow, measure, classification, product code), partner -> period ->
// value, where a later vintage replaces an earlier value and never adds to it. It also keeps,
// incrementally, each period's sum over individual countries, so window totals need no scan.
//
// Pure and single-threaded: one table per processing thread (per partition in the service).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "common/packed_code.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::processors {

// What an upsert did.
enum class UpsertOutcome {
  kInserted,   // first value of this identity
  kReplaced,   // a later vintage replaced the value (possibly with the same number)
  kDuplicate,  // same vintage, same value: nothing changed
  kConflict,   // same vintage, different value: not applied (the earlier value stays)
  kStale,      // an older vintage than the one held: ignored
};

// Partner codes are at most four characters ("5830", "0003", "5XXX", "-"); packed into 32 bits
// they key cells without allocation.
inline uint32_t PackPartnerCode(std::string_view code) { return PackCode<uint32_t>(code); }
inline std::string UnpackPartnerCode(uint32_t packed) { return UnpackCode(packed); }

struct Cell {
  int64_t value_usd = 0;
  int64_t vintage = 0;
};

// Per-period aggregates kept up to date by every upsert.
struct PeriodAggregate {
  int64_t countries_usd = 0;  // sum over individual countries
  int32_t cells = 0;          // cells of any partner kind in this period
  // Packed partner codes with a cell in this period, in insertion order: windows visit only their
  // own months instead of scanning the whole history.
  std::vector<uint32_t> partners;
  // Whether the period is in the changed list since the last TakeChangedPeriods().
  bool changed = false;
};

class Series {
 public:
  Series(tradewatch::v1::Flow flow, tradewatch::v1::Measure measure,
         tradewatch::v1::Classification classification, std::string product_code);

  UpsertOutcome Upsert(std::string_view partner_code, tradewatch::v1::PartnerKind kind,
                       int32_t period_yyyymm, int64_t value_usd, int64_t vintage);

  // Visits every cell: fn(partner_code_packed, kind, period_yyyymm, const Cell&).
  template <typename Fn>
  void ForEachCell(Fn&& fn) const {
    for (const auto& [key, cell] : cells_) {
      uint32_t partner = static_cast<uint32_t>(key >> 32);
      int32_t period = static_cast<int32_t>(key & 0xffffffffu);
      fn(partner, KindOf(partner), period, cell);
    }
  }

  // Visits the cells of periods first..last (yyyymm, inclusive), period by period.
  template <typename Fn>
  void ForEachCellIn(int32_t first, int32_t last, Fn&& fn) const {
    for (auto it = periods_.lower_bound(first); it != periods_.end() && it->first <= last; ++it) {
      for (uint32_t partner : it->second.partners) {
        const Cell& cell = cells_.find(CellKey(partner, it->first))->second;
        fn(partner, KindOf(partner), it->first, cell);
      }
    }
  }

  // The cell of (partner, period), or nullptr.
  const Cell* Find(std::string_view partner_code, int32_t period_yyyymm) const;

  // Aggregates of periods that have data, in period order.
  const absl::btree_map<int32_t, PeriodAggregate>& periods() const { return periods_; }

  // Periods changed since the last call (for emitting each changed result once per release).
  std::vector<int32_t> TakeChangedPeriods();

  tradewatch::v1::PartnerKind KindOf(uint32_t packed_partner) const;

  static uint64_t CellKey(uint32_t packed_partner, int32_t period_yyyymm) {
    return (static_cast<uint64_t>(packed_partner) << 32) | static_cast<uint32_t>(period_yyyymm);
  }

  tradewatch::v1::Flow flow() const { return flow_; }
  tradewatch::v1::Measure measure() const { return measure_; }
  tradewatch::v1::Classification classification() const { return classification_; }
  const std::string& product_code() const { return product_code_; }
  size_t cell_count() const { return cells_.size(); }
  int64_t max_vintage() const { return max_vintage_; }

 private:
  tradewatch::v1::Flow flow_;
  tradewatch::v1::Measure measure_;
  tradewatch::v1::Classification classification_;
  std::string product_code_;
  // (packed partner << 32) | period -> cell.
  absl::flat_hash_map<uint64_t, Cell> cells_;
  absl::flat_hash_map<uint32_t, tradewatch::v1::PartnerKind> kinds_;
  absl::btree_map<int32_t, PeriodAggregate> periods_;
  std::vector<int32_t> changed_;
  int64_t max_vintage_ = 0;
};

struct SeriesKey {
  tradewatch::v1::Flow flow;
  tradewatch::v1::Measure measure;
  tradewatch::v1::Classification classification;
  std::string product_code;

  bool operator==(const SeriesKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const SeriesKey& k) {
    return H::combine(std::move(h), k.flow, k.measure, k.classification, k.product_code);
  }
};

class TradeTable {
 public:
  // Applies one observation; creates its series on first sight.
  UpsertOutcome Upsert(const tradewatch::v1::TradeObservation& observation);

  // The series, or nullptr.
  const Series* Find(const SeriesKey& key) const;
  Series* FindMutable(const SeriesKey& key);

  // Every series, in no particular order.
  template <typename Fn>
  void ForEachSeries(Fn&& fn) const {
    for (const auto& [key, series] : series_) fn(*series);
  }

  size_t series_count() const { return series_.size(); }
  size_t cell_count() const;

 private:
  absl::flat_hash_map<SeriesKey, std::unique_ptr<Series>> series_;
  // The last series touched: consecutive observations usually share one.
  Series* last_ = nullptr;
  SeriesKey last_key_;
};

}  // namespace tradewatch::processors
