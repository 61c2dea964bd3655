#include "processors/trade_table.h"

#include <algorithm>

namespace tradewatch::processors {

Series::Series(v1::Flow flow, v1::Measure measure, v1::Classification classification,
               std::string product_code)
    : flow_(flow),
      measure_(measure),
      classification_(classification),
      product_code_(std::move(product_code)) {}

UpsertOutcome Series::Upsert(std::string_view partner_code, v1::PartnerKind kind,
                             int32_t period_yyyymm, int64_t value_usd, int64_t vintage) {
  uint32_t partner = PackPartnerCode(partner_code);
  auto [it, inserted] = cells_.try_emplace(CellKey(partner, period_yyyymm), Cell{value_usd, vintage});
  int64_t delta = value_usd;
  UpsertOutcome outcome = UpsertOutcome::kInserted;
  if (!inserted) {
    Cell& cell = it->second;
    if (vintage < cell.vintage) return UpsertOutcome::kStale;
    if (vintage == cell.vintage) {
      return cell.value_usd == value_usd ? UpsertOutcome::kDuplicate : UpsertOutcome::kConflict;
    }
    delta = value_usd - cell.value_usd;
    cell.value_usd = value_usd;
    cell.vintage = vintage;
    outcome = UpsertOutcome::kReplaced;
  }
  PeriodAggregate& aggregate = periods_[period_yyyymm];
  if (inserted) {
    kinds_.try_emplace(partner, kind);
    ++aggregate.cells;
    aggregate.partners.push_back(partner);
  }
  if (kind == v1::PARTNER_KIND_COUNTRY) aggregate.countries_usd += delta;
  if (!aggregate.changed) {
    aggregate.changed = true;
    changed_.push_back(period_yyyymm);
  }
  if (vintage > max_vintage_) max_vintage_ = vintage;
  return outcome;
}

const Cell* Series::Find(std::string_view partner_code, int32_t period_yyyymm) const {
  auto it = cells_.find(CellKey(PackPartnerCode(partner_code), period_yyyymm));
  return it == cells_.end() ? nullptr : &it->second;
}

std::vector<int32_t> Series::TakeChangedPeriods() {
  std::vector<int32_t> out;
  out.swap(changed_);
  for (int32_t period : out) periods_[period].changed = false;
  std::sort(out.begin(), out.end());
  return out;
}

v1::PartnerKind Series::KindOf(uint32_t packed_partner) const {
  auto it = kinds_.find(packed_partner);
  return it == kinds_.end() ? v1::PARTNER_KIND_UNSPECIFIED : it->second;
}

UpsertOutcome TradeTable::Upsert(const v1::TradeObservation& o) {
  if (last_ == nullptr || last_key_.flow != o.flow() || last_key_.measure != o.measure() ||
      last_key_.classification != o.classification() ||
      last_key_.product_code != o.product_code()) {
    SeriesKey key{o.flow(), o.measure(), o.classification(), o.product_code()};
    auto it = series_.find(key);
    if (it == series_.end()) {
      it = series_
               .emplace(key, std::make_unique<Series>(o.flow(), o.measure(), o.classification(),
                                                      o.product_code()))
               .first;
    }
    last_ = it->second.get();
    last_key_ = std::move(key);
  }
  return last_->Upsert(o.partner_code(), o.partner_kind(), o.period_yyyymm(), o.value_usd(),
                       o.vintage());
}

const Series* TradeTable::Find(const SeriesKey& key) const {
  auto it = series_.find(key);
  return it == series_.end() ? nullptr : it->second.get();
}

Series* TradeTable::FindMutable(const SeriesKey& key) {
  auto it = series_.find(key);
  return it == series_.end() ? nullptr : it->second.get();
}

size_t TradeTable::cell_count() const {
  size_t n = 0;
  for (const auto& [key, series] : series_) n += series->cell_count();
  return n;
}

}  // namespace tradewatch::processors
