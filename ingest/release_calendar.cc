#include "ingest/release_calendar.h"

#include <algorithm>

#include "common/period.h"
#include "fmt/format.h"

namespace tradewatch::ingest {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

sys_days LastDayOfMonth(int32_t period_yyyymm) {
  const std::chrono::year_month_day_last last{
      std::chrono::year{period_yyyymm / 100} /
      std::chrono::month{static_cast<unsigned>(period_yyyymm % 100)} / std::chrono::last};
  return sys_days{last};
}

}  // namespace

ReleaseCalendar ReleaseCalendar::FromConfig(const tradewatch::v1::CensusReleaseCalendar& c) {
  ReleaseCalendar calendar;
  if (c.days_after_month_end() > 0) calendar.days_after_month_end = c.days_after_month_end();
  if (c.has_window_before_days()) calendar.window_before_days = c.window_before_days();
  if (c.has_window_after_days()) calendar.window_after_days = c.window_after_days();
  if (c.poll_interval_minutes() > 0) {
    calendar.poll_interval = std::chrono::minutes(c.poll_interval_minutes());
  }
  if (c.late_poll_interval_minutes() > 0) {
    calendar.late_poll_interval = std::chrono::minutes(c.late_poll_interval_minutes());
  }
  if (c.has_idle_poll_interval_hours()) {
    calendar.idle_poll_interval = std::chrono::hours(std::max(0, c.idle_poll_interval_hours()));
  }
  if (c.missed_release_margin_days() > 0) {
    calendar.missed_release_margin_days = c.missed_release_margin_days();
  }
  return calendar;
}

sys_days ExpectedReleaseDate(int32_t period_yyyymm, const ReleaseCalendar& calendar) {
  return LastDayOfMonth(period_yyyymm) + days(calendar.days_after_month_end);
}

PollWindow ReleaseWindow(int32_t period_yyyymm, const ReleaseCalendar& calendar) {
  const sys_days expected = ExpectedReleaseDate(period_yyyymm, calendar);
  return {expected - days(calendar.window_before_days),
          expected + days(calendar.window_after_days + 1)};
}

TimePoint MissedReleaseDeadline(int32_t period_yyyymm, const ReleaseCalendar& calendar) {
  return ExpectedReleaseDate(period_yyyymm, calendar) + days(calendar.missed_release_margin_days);
}

int32_t ExpectedPeriod(int32_t latest_held_yyyymm, TimePoint now,
                       const ReleaseCalendar& calendar) {
  if (latest_held_yyyymm > 0) return AddMonths(latest_held_yyyymm, 1);
  // Start from the current month, whose release is always ahead, and go back to the latest month
  // whose window has opened.
  const std::chrono::year_month_day today{std::chrono::floor<days>(now)};
  const int month = static_cast<int>(static_cast<unsigned>(today.month()));
  int32_t period = static_cast<int>(today.year()) * 100 + month;
  while (ReleaseWindow(period, calendar).begin > now) period = AddMonths(period, -1);
  return period;
}

TimePoint NextPollTime(TimePoint now, int32_t expected_yyyymm, const ReleaseCalendar& calendar) {
  const PollWindow window = ReleaseWindow(expected_yyyymm, calendar);
  if (now < window.begin) {
    if (calendar.idle_poll_interval.count() <= 0) return window.begin;
    return std::min<TimePoint>(window.begin, now + calendar.idle_poll_interval);
  }
  if (now < window.end) return now + calendar.poll_interval;
  return now + calendar.late_poll_interval;
}

std::string FormatDate(sys_days day) {
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string FormatTime(TimePoint time) {
  const sys_days day = std::chrono::floor<days>(time);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(time - day).count();
  return fmt::format("{}T{:02d}:{:02d}:{:02d}Z", FormatDate(day), seconds / 3600,
                     (seconds / 60) % 60, seconds % 60);
}

}  // namespace tradewatch::ingest
