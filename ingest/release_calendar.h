// The Census release calendar as pure functions: when the data of a month is expected, the
// polling window around that date, when its release counts as missed, which month to expect next
// and when to poll next. Census publishes a month's goods trade about 35 days after it ends
// (tradewatch.v1.CensusReleaseCalendar). Days are UTC days; no I/O, no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tradewatch/v1/service.pb.h"

namespace tradewatch::ingest {

using TimePoint = std::chrono::system_clock::time_point;

struct ReleaseCalendar {
  int days_after_month_end = 35;
  int window_before_days = 2;
  int window_after_days = 3;
  std::chrono::minutes poll_interval{15};
  std::chrono::minutes late_poll_interval{60};
  // Zero: no poll before the window opens.
  std::chrono::hours idle_poll_interval{24};
  int missed_release_margin_days = 5;

  // From the configuration, defaults applied (see service.proto).
  static ReleaseCalendar FromConfig(const tradewatch::v1::CensusReleaseCalendar& config);
};

// [begin, end) of the polling window of one month's release.
struct PollWindow {
  TimePoint begin;
  TimePoint end;
};

// The expected release day of month `period_yyyymm` (00:00 UTC): its last day plus
// days_after_month_end. December 2025 -> 2026-02-04.
std::chrono::sys_days ExpectedReleaseDate(int32_t period_yyyymm, const ReleaseCalendar& calendar);

// From window_before_days before the expected day to the end of the day window_after_days after
// it.
PollWindow ReleaseWindow(int32_t period_yyyymm, const ReleaseCalendar& calendar);

// The expected day plus missed_release_margin_days (00:00 UTC): after it the release is missed.
TimePoint MissedReleaseDeadline(int32_t period_yyyymm, const ReleaseCalendar& calendar);

// The month whose release comes next: the month after `latest_held_yyyymm`, or with nothing held
// (0) the latest month whose polling window has opened by `now`.
int32_t ExpectedPeriod(int32_t latest_held_yyyymm, TimePoint now, const ReleaseCalendar& calendar);

// When to poll next while waiting for the release of `expected_yyyymm`: before its window, after
// idle_poll_interval but not later than the window's opening (with no idle polls: the opening);
// inside the window, after poll_interval; after it (a late release), after late_poll_interval.
TimePoint NextPollTime(TimePoint now, int32_t expected_yyyymm, const ReleaseCalendar& calendar);

// "2026-02-04" and "2026-02-04T08:30:00Z" (UTC).
std::string FormatDate(std::chrono::sys_days day);
std::string FormatTime(TimePoint time);

}  // namespace tradewatch::ingest
