// `ingest census --api --watch`: polls at once, then on the release calendar until stopped —
// every idle_poll_interval before the awaited month's window, every poll_interval inside it, every
// late_poll_interval once it has closed without the release — and keeps the awaited month, its
// expected day and its missed-release deadline in the metrics. A failed poll is logged and
// counted (by the poller) and retried within late_poll_interval at the latest; it never ends the
// watch. Time comes from a Clock, so tests run it on a fake one. Not thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/census_poller.h"
#include "ingest/ingest_metrics.h"
#include "ingest/release_calendar.h"

namespace tradewatch::ingest {

class CensusWatch {
 public:
  // One poll at the given time (CensusPoller::Poll in production).
  using PollFn = std::function<absl::StatusOr<PollResult>(TimePoint now)>;

  // `clock` must outlive the watch; `metrics` may be null. `latest_held_yyyymm` is the latest
  // month held before the first poll (0: none).
  CensusWatch(ReleaseCalendar calendar, Clock* clock, PollFn poll, int32_t latest_held_yyyymm,
              CensusPollMetrics* metrics);

  // Runs until `stop` is set (checked between polls and while waiting).
  void Run(const std::atomic<bool>& stop);

  int polls() const { return polls_; }
  int32_t latest_period() const { return latest_; }

 private:
  // Updates the awaited month and its gauges after a poll at `now`; logs a missed release once.
  int32_t Await(TimePoint now);

  ReleaseCalendar calendar_;
  Clock* clock_;
  PollFn poll_;
  int32_t latest_;
  CensusPollMetrics* metrics_;
  int polls_ = 0;
  int32_t missed_logged_ = 0;
};

}  // namespace tradewatch::ingest
