#include "processors/chokepoint_analytics.h"

#include <algorithm>
#include <utility>

#include "common/period.h"
#include "common/record_keys.h"
#include "common/status_macros.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

constexpr int32_t kWindowDays = 7;
// 52 weeks: the same weekdays one year earlier.
constexpr int32_t kYearDays = 364;

// The median of `values` (the mean of the two middle values for an even count). Not empty.
double Median(std::vector<int64_t> values) {
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = static_cast<double>(values[mid]);
  if (values.size() % 2 == 1) return upper;
  const int64_t lower = *std::max_element(values.begin(), values.begin() + mid);
  return (static_cast<double>(lower) + upper) / 2;
}

}  // namespace

ChokepointOptions ChokepointOptionsFromConfig(const v1::ShippingConfig& config) {
  ChokepointOptions options;
  options.disruption_ratio = config.disruption_ratio();
  options.recovery_ratio = config.recovery_ratio();
  options.stale_days = config.stale_days();
  options.baseline_fallback_days = config.baseline_fallback_days();
  return options;
}

ChokepointSeries::ChokepointSeries(std::string id, std::string name)
    : id_(std::move(id)), name_(std::move(name)) {}

bool ChokepointSeries::Upsert(const v1::ChokepointTransit& t) {
  TW_CHECK(t.chokepoint_id() == id_);
  TW_CHECK(IsValidDate(t.date_yyyymmdd()));
  const int32_t day = DayNumber(t.date_yyyymmdd());
  if (days_.empty()) {
    first_day_ = day;
    days_.resize(1);
  } else if (day < first_day_) {
    days_.insert(days_.begin(), static_cast<size_t>(first_day_ - day), Day{});
    first_day_ = day;
  } else if (day >= first_day_ + static_cast<int32_t>(days_.size())) {
    days_.resize(static_cast<size_t>(day - first_day_ + 1));
  }
  if (!t.chokepoint_name().empty()) name_ = t.chokepoint_name();
  const Day value{true,        t.n_total(),  t.n_tanker(),      t.n_container(),
                  t.n_cargo(), t.n_dry_bulk(), t.capacity_dwt()};
  Day& slot = days_[static_cast<size_t>(day - first_day_)];
  const bool same = slot.present && slot.total == value.total && slot.tanker == value.tanker &&
                    slot.container == value.container && slot.cargo == value.cargo &&
                    slot.dry_bulk == value.dry_bulk && slot.capacity_dwt == value.capacity_dwt;
  slot = value;
  return !same;
}

int32_t ChokepointSeries::first_date() const {
  return days_.empty() ? 0 : DateFromDayNumber(first_day_);
}

int32_t ChokepointSeries::last_date() const {
  return days_.empty() ? 0
                       : DateFromDayNumber(first_day_ + static_cast<int32_t>(days_.size()) - 1);
}

int32_t ChokepointSeries::LatestDateOnOrBefore(int32_t date) const {
  if (days_.empty() || !IsValidDate(date)) return 0;
  const int64_t last = static_cast<int64_t>(days_.size()) - 1;
  for (int64_t i = std::min<int64_t>(DayNumber(date) - first_day_, last); i >= 0; --i) {
    if (days_[static_cast<size_t>(i)].present) {
      return DateFromDayNumber(first_day_ + static_cast<int32_t>(i));
    }
  }
  return 0;
}

const ChokepointSeries::Day* ChokepointSeries::At(int32_t day_number) const {
  const int64_t index = static_cast<int64_t>(day_number) - first_day_;
  if (index < 0 || index >= static_cast<int64_t>(days_.size())) return nullptr;
  const Day& day = days_[static_cast<size_t>(index)];
  return day.present ? &day : nullptr;
}

std::optional<int64_t> ChokepointSeries::CompleteSum(int32_t day_number) const {
  int64_t sum = 0;
  for (int32_t d = day_number - kWindowDays + 1; d <= day_number; ++d) {
    const Day* day = At(d);
    if (day == nullptr) return std::nullopt;
    sum += day->total;
  }
  return sum;
}

std::optional<double> ChokepointSeries::Baseline(int32_t day_number,
                                                 const ChokepointOptions& options,
                                                 v1::BaselineKind* kind) const {
  std::vector<int64_t> sums;
  for (int32_t back : {kYearDays + kWindowDays, kYearDays, kYearDays - kWindowDays}) {
    if (auto sum = CompleteSum(day_number - back)) sums.push_back(*sum);
  }
  if (sums.size() == 3 && Median(sums) > 0) {
    *kind = v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR;
    return Median(sums);
  }
  sums.clear();
  for (int32_t k = 0; k < options.baseline_fallback_days; ++k) {
    if (auto sum = CompleteSum(day_number - kWindowDays - k)) sums.push_back(*sum);
  }
  if (!sums.empty() && 2 * static_cast<int64_t>(sums.size()) >= options.baseline_fallback_days &&
      Median(sums) > 0) {
    *kind = v1::BASELINE_KIND_TRAILING_MEDIAN;
    return Median(sums);
  }
  *kind = v1::BASELINE_KIND_UNSPECIFIED;
  return std::nullopt;
}

v1::ChokepointStatus ChokepointSeries::Window(int32_t date,
                                              const ChokepointOptions& options) const {
  v1::ChokepointStatus s;
  s.set_chokepoint_id(id_);
  s.set_chokepoint_name(name_);
  s.set_date_yyyymmdd(date);
  s.set_as_of_yyyymmdd(date);
  const int32_t end = DayNumber(date);
  int32_t missing = 0;
  for (int32_t d = end - kWindowDays + 1; d <= end; ++d) {
    const Day* day = At(d);
    if (day == nullptr) {
      ++missing;
      continue;
    }
    s.set_transits_7d(s.transits_7d() + day->total);
    s.set_tanker_7d(s.tanker_7d() + day->tanker);
    s.set_container_7d(s.container_7d() + day->container);
    s.set_cargo_7d(s.cargo_7d() + day->cargo);
    s.set_dry_bulk_7d(s.dry_bulk_7d() + day->dry_bulk);
    s.set_capacity_7d_dwt(s.capacity_7d_dwt() + day->capacity_dwt);
  }
  s.set_days_missing(missing);
  v1::BaselineKind kind = v1::BASELINE_KIND_UNSPECIFIED;
  const std::optional<double> baseline = Baseline(end, options, &kind);
  if (baseline) s.set_baseline_7d(*baseline);
  s.set_baseline_kind(kind);
  if (missing > 0) {
    s.set_status(v1::TRANSIT_STATUS_GAP);
  } else if (!baseline) {
    s.set_status(v1::TRANSIT_STATUS_NO_BASELINE);
  } else {
    s.set_ratio(static_cast<double>(s.transits_7d()) / *baseline);
    s.set_status(s.ratio() < options.disruption_ratio ? v1::TRANSIT_STATUS_DISRUPTED
                                                      : v1::TRANSIT_STATUS_NORMAL);
  }
  return s;
}

std::optional<v1::DisruptionEpisode> EpisodeTracker::Step(v1::ChokepointStatus* day) {
  std::optional<v1::DisruptionEpisode> ended;
  if (day->has_ratio()) {
    const double ratio = day->ratio();
    if (!open_ && ratio < options_.disruption_ratio) {
      open_.emplace();
      open_->set_chokepoint_id(day->chokepoint_id());
      open_->set_chokepoint_name(day->chokepoint_name());
      open_->set_start_yyyymmdd(day->date_yyyymmdd());
      open_->set_min_ratio(ratio);
      open_->set_min_ratio_yyyymmdd(day->date_yyyymmdd());
    } else if (open_ && ratio >= options_.recovery_ratio) {
      open_->set_end_yyyymmdd(day->date_yyyymmdd());
      ended = std::move(open_);
      open_.reset();
    } else if (open_ && ratio < open_->min_ratio()) {
      open_->set_min_ratio(ratio);
      open_->set_min_ratio_yyyymmdd(day->date_yyyymmdd());
    }
    day->set_status(open_ ? v1::TRANSIT_STATUS_DISRUPTED : v1::TRANSIT_STATUS_NORMAL);
  }
  day->set_episode_start_yyyymmdd(open_ ? open_->start_yyyymmdd() : 0);
  return ended;
}

ChokepointTimeline EvaluateTimeline(const ChokepointSeries& series,
                                    const ChokepointOptions& options) {
  ChokepointTimeline timeline;
  if (series.empty()) return timeline;
  EpisodeTracker tracker(options);
  const int32_t last = DayNumber(series.last_date());
  for (int32_t d = DayNumber(series.first_date()); d <= last; ++d) {
    v1::ChokepointStatus day = series.Window(DateFromDayNumber(d), options);
    if (auto ended = tracker.Step(&day)) timeline.episodes.push_back(*std::move(ended));
    timeline.days.push_back(std::move(day));
  }
  if (tracker.open()) timeline.episodes.push_back(*tracker.open());
  return timeline;
}

std::optional<v1::ChokepointStatus> StatusAsOf(const ChokepointSeries& series,
                                               const ChokepointTimeline& timeline,
                                               int32_t as_of_yyyymmdd,
                                               const ChokepointOptions& options) {
  const int32_t date = series.LatestDateOnOrBefore(as_of_yyyymmdd);
  if (date == 0) return std::nullopt;
  const int64_t index = DayNumber(date) - DayNumber(series.first_date());
  TW_CHECK(index >= 0 && index < static_cast<int64_t>(timeline.days.size()));
  v1::ChokepointStatus status = timeline.days[static_cast<size_t>(index)];
  status.set_as_of_yyyymmdd(as_of_yyyymmdd);
  if (DayNumber(as_of_yyyymmdd) - DayNumber(date) > options.stale_days) {
    status.set_status(v1::TRANSIT_STATUS_STALE);
  }
  return status;
}

std::string TransitStatusName(v1::TransitStatus status) { return ShortName(status); }

}  // namespace tradewatch::processors
