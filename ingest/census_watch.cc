#include "ingest/census_watch.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/period.h"

namespace tradewatch::ingest {
namespace {

double Seconds(TimePoint t) {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

CensusWatch::CensusWatch(ReleaseCalendar calendar, Clock* clock, PollFn poll,
                         int32_t latest_held_yyyymm, CensusPollMetrics* metrics)
    : calendar_(std::move(calendar)),
      clock_(clock),
      poll_(std::move(poll)),
      latest_(latest_held_yyyymm),
      metrics_(metrics) {}

int32_t CensusWatch::Await(TimePoint now) {
  const int32_t expected = ExpectedPeriod(latest_, now, calendar_);
  const TimePoint deadline = MissedReleaseDeadline(expected, calendar_);
  if (metrics_ != nullptr) {
    metrics_->next_period.Set(expected);
    metrics_->next_expected.Set(Seconds(ExpectedReleaseDate(expected, calendar_)));
    metrics_->release_deadline.Set(Seconds(deadline));
  }
  if (now >= deadline && missed_logged_ != expected) {
    missed_logged_ = expected;
    Logger("ingest")->error(
        "the Census release of {} is missed: expected {}, still not published {} days later "
        "(census_api.calendar.missed_release_margin_days); polling every {} minutes",
        FormatPeriod(expected), FormatDate(ExpectedReleaseDate(expected, calendar_)),
        calendar_.missed_release_margin_days, calendar_.late_poll_interval.count());
  }
  return expected;
}

void CensusWatch::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const TimePoint started = clock_->Now();
    absl::StatusOr<PollResult> result = poll_(started);
    ++polls_;
    const TimePoint now = clock_->Now();
    if (result.ok()) {
      latest_ = std::max(latest_, result->latest_period);
      Logger("ingest")->info("census api poll: {}", result->Format());
    } else if (PollErrorKindOf(result.status()) == PollErrorKind::kCancelled) {
      return;
    } else {
      Logger("ingest")->error("census api poll failed ({}): {}",
                              PollErrorKindName(PollErrorKindOf(result.status())),
                              std::string(result.status().message()));
    }
    const int32_t expected = Await(now);
    TimePoint next = NextPollTime(now, expected, calendar_);
    if (!result.ok()) next = std::min(next, now + calendar_.late_poll_interval);
    Logger("ingest")->info("next census api poll at {} (awaiting {}, expected {})",
                           FormatTime(next), FormatPeriod(expected),
                           FormatDate(ExpectedReleaseDate(expected, calendar_)));
    if (!clock_->SleepUntil(next, stop)) return;
  }
}

}  // namespace tradewatch::ingest
