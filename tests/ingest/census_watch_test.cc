// The watch loop (ingest/census_watch.h) on a fake clock with a scripted poll: when it polls
// around a release, what it awaits, and the missed-release deadline it exports.
#include "ingest/census_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "prometheus/registry.h"
#include "tests/fakes/fake_clock.h"

namespace tradewatch::ingest {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::tradewatch::testing::FakeClock;

TimePoint At(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
         hours(hour) + minutes(minute);
}

double Seconds(TimePoint t) {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

PollResult Held(int32_t latest, PollOutcome outcome = PollOutcome::kUnchanged) {
  PollResult r;
  r.outcome = outcome;
  r.latest_period = latest;
  return r;
}

class CensusPollWatchTest : public ::testing::Test {
 protected:
  prometheus::Registry registry_;
  CensusPollMetrics metrics_{registry_};
  std::vector<TimePoint> polls_;
  std::atomic<bool> stop_{false};
};

TEST_F(CensusPollWatchTest, PollsIdlyBeforeTheWindowThenEveryIntervalUntilTheRelease) {
  FakeClock clock(At(2026, 1, 25, 6));
  // December 2025 (expected 2026-02-04) appears at 13:30 on the expected day.
  const TimePoint published = At(2026, 2, 4, 13, 30);
  CensusWatch watch(
      ReleaseCalendar{}, &clock,
      [&](TimePoint now) -> absl::StatusOr<PollResult> {
        polls_.push_back(now);
        if (now >= published + hours(24)) stop_ = true;
        return now >= published ? Held(202512, PollOutcome::kNewRelease) : Held(202511);
      },
      /*latest_held_yyyymm=*/202511, &metrics_);
  watch.Run(stop_);

  ASSERT_GE(polls_.size(), 10u);
  EXPECT_EQ(polls_[0], At(2026, 1, 25, 6));  // at once
  EXPECT_EQ(polls_[1], At(2026, 1, 26, 6));  // then daily
  // Daily polls until the window opens at 2026-02-02 00:00, then every 15 minutes.
  auto opening = std::find(polls_.begin(), polls_.end(), At(2026, 2, 2));
  ASSERT_NE(opening, polls_.end());
  EXPECT_EQ(*(opening - 1), At(2026, 2, 1, 6));
  EXPECT_EQ(*(opening + 1), At(2026, 2, 2, 0, 15));
  // The release is seen at the first poll at or after its publication; then January 2026 is
  // awaited (expected 2026-03-07, window from 2026-03-05): daily polls again.
  auto seen = std::find(polls_.begin(), polls_.end(), published);
  ASSERT_NE(seen, polls_.end());
  ASSERT_NE(seen + 1, polls_.end());
  EXPECT_EQ(*(seen + 1), published + hours(24));
  EXPECT_EQ(polls_.back(), published + hours(24));
  EXPECT_EQ(watch.latest_period(), 202512);
  // 8 daily polls (Jan 25 .. Feb 1), 4 per hour from Feb 2 00:00 to Feb 4 13:30, one more.
  EXPECT_EQ(polls_.size(), 8u + (2 * 24 + 13) * 4 + 2 + 1 + 1);

  EXPECT_EQ(metrics_.next_period.Value(), 202601);
  EXPECT_EQ(metrics_.next_expected.Value(), Seconds(At(2026, 3, 7)));
  EXPECT_EQ(metrics_.release_deadline.Value(), Seconds(At(2026, 3, 12)));
}

TEST_F(CensusPollWatchTest, LateReleaseIsPolledHourlyAndItsDeadlineExported) {
  FakeClock clock(At(2026, 2, 7, 23));
  CensusWatch watch(
      ReleaseCalendar{}, &clock,
      [&](TimePoint now) -> absl::StatusOr<PollResult> {
        polls_.push_back(now);
        if (polls_.size() == 6) stop_ = true;
        return Held(202511);  // December never comes
      },
      202511, &metrics_);
  watch.Run(stop_);
  // Inside the window (it closes 2026-02-08 00:00): 15 minutes; then hourly.
  ASSERT_EQ(polls_.size(), 6u);
  EXPECT_EQ(polls_[1], At(2026, 2, 7, 23, 15));
  EXPECT_EQ(polls_[4], At(2026, 2, 8, 0, 0));
  EXPECT_EQ(polls_[5], At(2026, 2, 8, 1, 0));
  EXPECT_EQ(metrics_.next_period.Value(), 202512);
  EXPECT_EQ(metrics_.next_expected.Value(), Seconds(At(2026, 2, 4)));
  EXPECT_EQ(metrics_.release_deadline.Value(), Seconds(At(2026, 2, 9)));
}

TEST_F(CensusPollWatchTest, FailedPollIsRetriedWithinTheLateIntervalNotTheIdleOne) {
  FakeClock clock(At(2026, 1, 10, 12));
  CensusWatch watch(
      ReleaseCalendar{}, &clock,
      [&](TimePoint now) -> absl::StatusOr<PollResult> {
        polls_.push_back(now);
        if (polls_.size() == 3) stop_ = true;
        if (polls_.size() == 1) return PollError(PollErrorKind::kHttpServer, "HTTP 503");
        return Held(202511);
      },
      202511, &metrics_);
  watch.Run(stop_);
  ASSERT_EQ(polls_.size(), 3u);
  EXPECT_EQ(polls_[1], At(2026, 1, 10, 13));  // an hour after the failure
  EXPECT_EQ(polls_[2], At(2026, 1, 11, 13));  // then daily again
}

TEST_F(CensusPollWatchTest, NothingHeldAwaitsTheLatestMonthWhoseWindowOpened) {
  FakeClock clock(At(2026, 2, 3, 9));
  CensusWatch watch(
      ReleaseCalendar{}, &clock,
      [&](TimePoint now) -> absl::StatusOr<PollResult> {
        polls_.push_back(now);
        stop_ = true;
        return Held(0, PollOutcome::kNoData);
      },
      0, &metrics_);
  watch.Run(stop_);
  ASSERT_EQ(polls_.size(), 1u);
  EXPECT_EQ(metrics_.next_period.Value(), 202512);
}

TEST_F(CensusPollWatchTest, CancelledPollEndsTheWatch) {
  FakeClock clock(At(2026, 2, 3, 9));
  CensusWatch watch(
      ReleaseCalendar{}, &clock,
      [&](TimePoint now) -> absl::StatusOr<PollResult> {
        polls_.push_back(now);
        return PollError(PollErrorKind::kCancelled, "stopped");
      },
      202511, &metrics_);
  watch.Run(stop_);
  EXPECT_EQ(polls_.size(), 1u);
  EXPECT_TRUE(clock.sleeps().empty());
}

}  // namespace
}  // namespace tradewatch::ingest
