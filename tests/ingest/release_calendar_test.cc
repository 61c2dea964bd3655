// The release calendar (ingest/release_calendar.h): expected days, windows, deadlines, the month
// awaited and the next poll time, as pure functions.
#include "ingest/release_calendar.h"

#include <gtest/gtest.h>

namespace tradewatch::ingest {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;

sys_days Day(int y, unsigned m, unsigned d) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

TimePoint At(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
  return Day(y, m, d) + hours(hour) + minutes(minute);
}

TEST(PollCalendarTest, DecemberIsExpectedThirtyFiveDaysAfterItsLastDay) {
  ReleaseCalendar calendar;
  EXPECT_EQ(FormatDate(ExpectedReleaseDate(202512, calendar)), "2026-02-04");
  EXPECT_EQ(FormatDate(ExpectedReleaseDate(202511, calendar)), "2026-01-04");
}

TEST(PollCalendarTest, ExpectedDayFollowsTheLengthOfTheMonthsInBetween) {
  ReleaseCalendar calendar;
  // January 31 + 35 days: February has 29 days in 2024 and 28 in 2026.
  EXPECT_EQ(FormatDate(ExpectedReleaseDate(202401, calendar)), "2024-03-06");
  EXPECT_EQ(FormatDate(ExpectedReleaseDate(202601, calendar)), "2026-03-07");
  calendar.days_after_month_end = 40;
  EXPECT_EQ(FormatDate(ExpectedReleaseDate(202512, calendar)), "2026-02-09");
}

TEST(PollCalendarTest, WindowOpensBeforeTheExpectedDayAndClosesAtTheEndOfItsLastDay) {
  ReleaseCalendar calendar;  // 2 days before, 3 after
  const PollWindow window = ReleaseWindow(202512, calendar);
  EXPECT_EQ(FormatTime(window.begin), "2026-02-02T00:00:00Z");
  EXPECT_EQ(FormatTime(window.end), "2026-02-08T00:00:00Z");
}

TEST(PollCalendarTest, ReleaseIsMissedAfterTheMargin) {
  ReleaseCalendar calendar;
  EXPECT_EQ(FormatTime(MissedReleaseDeadline(202512, calendar)), "2026-02-09T00:00:00Z");
  calendar.missed_release_margin_days = 10;
  EXPECT_EQ(FormatTime(MissedReleaseDeadline(202512, calendar)), "2026-02-14T00:00:00Z");
}

TEST(PollCalendarTest, AwaitedMonthIsTheOneAfterTheLatestHeld) {
  ReleaseCalendar calendar;
  EXPECT_EQ(ExpectedPeriod(202511, At(2026, 1, 20), calendar), 202512);
  EXPECT_EQ(ExpectedPeriod(202512, At(2026, 2, 5), calendar), 202601);
  // Held far behind: still the next month, whose release is long overdue.
  EXPECT_EQ(ExpectedPeriod(202406, At(2026, 2, 5), calendar), 202407);
}

TEST(PollCalendarTest, WithNothingHeldTheAwaitedMonthIsTheLatestWhoseWindowHasOpened) {
  ReleaseCalendar calendar;
  // December's window opens on 2026-02-02.
  EXPECT_EQ(ExpectedPeriod(0, At(2026, 2, 1, 23, 59), calendar), 202511);
  EXPECT_EQ(ExpectedPeriod(0, At(2026, 2, 2), calendar), 202512);
  EXPECT_EQ(ExpectedPeriod(0, At(2026, 2, 20), calendar), 202512);
}

TEST(PollCalendarTest, BeforeTheWindowPollsIdlyButNotPastTheOpening) {
  ReleaseCalendar calendar;  // idle 24 h
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 1, 20, 9), 202512, calendar)),
            "2026-01-21T09:00:00Z");
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 2, 1, 12), 202512, calendar)),
            "2026-02-02T00:00:00Z");
  calendar.idle_poll_interval = hours(0);
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 1, 20, 9), 202512, calendar)),
            "2026-02-02T00:00:00Z");
}

TEST(PollCalendarTest, InsideTheWindowPollsEveryIntervalAndAfterItEveryLateInterval) {
  ReleaseCalendar calendar;  // 15 min, late 60 min
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 2, 4, 13, 30), 202512, calendar)),
            "2026-02-04T13:45:00Z");
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 2, 7, 23, 50), 202512, calendar)),
            "2026-02-08T00:05:00Z");
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 2, 8), 202512, calendar)), "2026-02-08T01:00:00Z");
  EXPECT_EQ(FormatTime(NextPollTime(At(2026, 3, 1, 10), 202512, calendar)),
            "2026-03-01T11:00:00Z");
}

TEST(PollCalendarTest, FromConfigKeepsDefaultsForUnsetFieldsAndExplicitZeros) {
  tradewatch::v1::CensusReleaseCalendar config;
  ReleaseCalendar defaults = ReleaseCalendar::FromConfig(config);
  EXPECT_EQ(defaults.days_after_month_end, 35);
  EXPECT_EQ(defaults.window_before_days, 2);
  EXPECT_EQ(defaults.window_after_days, 3);
  EXPECT_EQ(defaults.poll_interval, minutes(15));
  EXPECT_EQ(defaults.late_poll_interval, minutes(60));
  EXPECT_EQ(defaults.idle_poll_interval, hours(24));
  EXPECT_EQ(defaults.missed_release_margin_days, 5);

  config.set_window_before_days(0);
  config.set_idle_poll_interval_hours(0);
  config.set_poll_interval_minutes(5);
  ReleaseCalendar set = ReleaseCalendar::FromConfig(config);
  EXPECT_EQ(set.window_before_days, 0);
  EXPECT_EQ(set.idle_poll_interval, hours(0));
  EXPECT_EQ(set.poll_interval, minutes(5));
  EXPECT_EQ(FormatTime(ReleaseWindow(202512, set).begin), "2026-02-04T00:00:00Z");
}

}  // namespace
}  // namespace tradewatch::ingest
