#include "processors/shipping_processor.h"

#include <algorithm>
#include <utility>

#include "common/period.h"
#include "fmt/format.h"

namespace tradewatch::processors {

namespace v1 = tradewatch::v1;

std::optional<std::pair<v1::RejectReason, std::string>> CheckTransit(
    const v1::ChokepointTransit& t) {
  if (t.chokepoint_id().empty()) {
    return std::make_pair(v1::REJECT_REASON_MISSING_IDENTITY,
                          fmt::format("transit without a chokepoint id (name '{}', date {})",
                                      t.chokepoint_name(), t.date_yyyymmdd()));
  }
  if (!IsValidDate(t.date_yyyymmdd())) {
    return std::make_pair(v1::REJECT_REASON_BAD_PERIOD,
                          fmt::format("transit of {} has date {}, not a yyyymmdd day",
                                      t.chokepoint_id(), t.date_yyyymmdd()));
  }
  const std::pair<const char*, int64_t> counts[] = {
      {"n_total", t.n_total()},     {"n_tanker", t.n_tanker()},   {"n_container", t.n_container()},
      {"n_cargo", t.n_cargo()},     {"n_dry_bulk", t.n_dry_bulk()}, {"capacity_dwt", t.capacity_dwt()}};
  for (const auto& [name, value] : counts) {
    if (value < 0) {
      return std::make_pair(v1::REJECT_REASON_NEGATIVE_VALUE,
                            fmt::format("transit of {} on {} has {} = {}", t.chokepoint_id(),
                                        FormatDate(t.date_yyyymmdd()), name, value));
    }
  }
  return std::nullopt;
}

bool ShippingPartition::Apply(const v1::ChokepointTransit& transit) {
  auto it = chokepoints_.find(transit.chokepoint_id());
  if (it == chokepoints_.end()) {
    it = chokepoints_
             .emplace(transit.chokepoint_id(),
                      ChokepointState{ChokepointSeries(transit.chokepoint_id(),
                                                       transit.chokepoint_name()),
                                      {}, 0})
             .first;
  }
  ChokepointState& state = it->second;
  const bool changed = state.series.Upsert(transit);
  if (changed) {
    const int32_t date = transit.date_yyyymmdd();
    state.dirty_from = state.dirty_from == 0 ? date : std::min(state.dirty_from, date);
  }
  return changed;
}

ShippingReleaseResults ShippingPartition::CloseRelease(const v1::ShippingReleaseMarker& marker) {
  ShippingReleaseResults results;
  for (auto& [id, state] : chokepoints_) {
    if (state.dirty_from != 0) {
      ChokepointTimeline next = EvaluateTimeline(state.series, options_);
      // Index the previous days by date to find what changed.
      const auto& before = state.timeline.days;
      int32_t changed_from = 0;
      for (const v1::ChokepointStatus& day : next.days) {
        const int32_t date = day.date_yyyymmdd();
        if (!before.empty() && date >= before.front().date_yyyymmdd() &&
            date <= before.back().date_yyyymmdd()) {
          const v1::ChokepointStatus& old = before[static_cast<size_t>(
              DayNumber(date) - DayNumber(before.front().date_yyyymmdd()))];
          if (old.SerializeAsString() == day.SerializeAsString()) continue;
        }
        if (changed_from == 0) changed_from = date;
        results.statuses.push_back(day);
      }
      state.timeline = std::move(next);
      state.dirty_from = 0;
      if (changed_from != 0) results.changed_from[id] = changed_from;
    }
    const int32_t as_of =
        marker.through_yyyymmdd() > 0 ? marker.through_yyyymmdd() : state.series.last_date();
    if (auto latest = StatusAsOf(state.series, state.timeline, as_of, options_)) {
      results.latest.push_back(*std::move(latest));
    }
  }
  return results;
}

}  // namespace tradewatch::processors
