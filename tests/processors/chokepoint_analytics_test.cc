// The chokepoint analytics on hand-made daily series: 7-day sums, gaps (never zeros), the
// disruption episode of six zero days with its hysteresis, a spike that disrupts nothing, a stale
// feed, and both baselines with their values.
#include "processors/chokepoint_analytics.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <vector>

#include "common/period.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

constexpr int32_t kStart = 20240101;

// The date `i` days after kStart.
int32_t Day(int i) { return AddDays(kStart, i); }

v1::ChokepointTransit Transit(int day, int64_t total) {
  v1::ChokepointTransit t;
  t.set_chokepoint_id("chokepoint1");
  t.set_chokepoint_name("Suez Canal");
  t.set_date_yyyymmdd(Day(day));
  t.set_n_total(static_cast<int32_t>(total));
  t.set_n_tanker(static_cast<int32_t>(total / 4));
  t.set_n_cargo(static_cast<int32_t>(total - total / 4));
  t.set_n_container(static_cast<int32_t>(total / 5));
  t.set_n_dry_bulk(static_cast<int32_t>(total / 10));
  t.set_capacity_dwt(total * 40000);
  return t;
}

// Days 0..days-1 with total(i) transits, except those for which present(i) is false.
ChokepointSeries Series(int days, const std::function<int64_t(int)>& total,
                        const std::function<bool(int)>& present = [](int) { return true; }) {
  ChokepointSeries series("chokepoint1", "Suez Canal");
  for (int i = 0; i < days; ++i) {
    if (present(i)) series.Upsert(Transit(i, total(i)));
  }
  return series;
}

const v1::ChokepointStatus& At(const ChokepointTimeline& t, int day) {
  return t.days.at(static_cast<size_t>(day));
}

TEST(ChokepointAnalyticsTest, SumsSevenDaysByVesselTypeAndCapacity) {
  ChokepointSeries series = Series(10, [](int i) { return 10 * (i + 1); });
  const v1::ChokepointStatus s = series.Window(Day(9), ChokepointOptions{});
  // Days 3..9 carry 40, 50, ..., 100.
  EXPECT_EQ(s.transits_7d(), 490);
  EXPECT_EQ(s.tanker_7d(), 10 + 12 + 15 + 17 + 20 + 22 + 25);
  EXPECT_EQ(s.cargo_7d(), 490 - s.tanker_7d());
  EXPECT_EQ(s.container_7d(), 8 + 10 + 12 + 14 + 16 + 18 + 20);
  EXPECT_EQ(s.dry_bulk_7d(), 4 + 5 + 6 + 7 + 8 + 9 + 10);
  EXPECT_EQ(s.capacity_7d_dwt(), 490 * 40000);
  EXPECT_EQ(s.days_missing(), 0);
  EXPECT_EQ(s.chokepoint_id(), "chokepoint1");
  EXPECT_EQ(s.date_yyyymmdd(), 20240110);
}

TEST(ChokepointAnalyticsTest, ThreeMissingDaysAreGapsAndStartNoEpisode) {
  auto steady = [](int) -> int64_t { return 100; };
  const ChokepointSeries series = Series(200, steady, [](int i) { return i < 150 || i > 152; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  ASSERT_EQ(t.days.size(), 200u);
  const int missing[] = {1, 2, 3, 3, 3, 3, 3, 2, 1};  // windows ending on days 150..158
  for (int d = 150; d <= 158; ++d) {
    EXPECT_EQ(At(t, d).status(), v1::TRANSIT_STATUS_GAP) << d;
    EXPECT_EQ(At(t, d).days_missing(), missing[d - 150]) << d;
    EXPECT_FALSE(At(t, d).has_ratio()) << d;
  }
  EXPECT_EQ(At(t, 149).status(), v1::TRANSIT_STATUS_NORMAL);
  EXPECT_EQ(At(t, 159).status(), v1::TRANSIT_STATUS_NORMAL);
  EXPECT_DOUBLE_EQ(At(t, 159).ratio(), 1.0);
  EXPECT_TRUE(t.episodes.empty());

  // Read as zeros, the same three days would have been a disruption.
  const ChokepointSeries zeros =
      Series(200, [](int i) -> int64_t { return i >= 150 && i <= 152 ? 0 : 100; });
  EXPECT_EQ(EvaluateTimeline(zeros, ChokepointOptions{}).episodes.size(), 1u);
}

TEST(ChokepointAnalyticsTest, SixDaysOfZeroTransitsAreOneEpisodeWithStartEndAndMinRatio) {
  constexpr int k = 200;  // zeros on days k..k+5 of a steady 100 a day
  const ChokepointSeries series =
      Series(240, [](int i) -> int64_t { return i >= k && i <= k + 5 ? 0 : 100; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  ASSERT_EQ(t.episodes.size(), 1u);
  const v1::DisruptionEpisode& e = t.episodes[0];
  EXPECT_EQ(e.chokepoint_id(), "chokepoint1");
  EXPECT_EQ(e.chokepoint_name(), "Suez Canal");
  // Ratios of the windows ending k..k+11: 6/7, 5/7, 4/7 (< 0.7: start), ..., 1/7, 1/7, 2/7, ...,
  // 5/7 (>= 0.7 but < 0.8: still disrupted), 6/7 (>= 0.8: the end).
  EXPECT_EQ(e.start_yyyymmdd(), Day(k + 2));
  EXPECT_EQ(e.end_yyyymmdd(), Day(k + 11));
  EXPECT_DOUBLE_EQ(e.min_ratio(), 1.0 / 7);
  EXPECT_EQ(e.min_ratio_yyyymmdd(), Day(k + 5));  // the first day at the minimum
  EXPECT_EQ(At(t, k + 1).status(), v1::TRANSIT_STATUS_NORMAL);
  EXPECT_DOUBLE_EQ(At(t, k + 1).ratio(), 5.0 / 7);
  EXPECT_EQ(At(t, k + 2).status(), v1::TRANSIT_STATUS_DISRUPTED);
  EXPECT_EQ(At(t, k + 2).episode_start_yyyymmdd(), Day(k + 2));
  EXPECT_DOUBLE_EQ(At(t, k + 10).ratio(), 5.0 / 7);
  EXPECT_EQ(At(t, k + 10).status(), v1::TRANSIT_STATUS_DISRUPTED);
  EXPECT_EQ(At(t, k + 11).status(), v1::TRANSIT_STATUS_NORMAL);
  EXPECT_EQ(At(t, k + 11).episode_start_yyyymmdd(), 0);
  EXPECT_DOUBLE_EQ(At(t, k + 11).baseline_7d(), 700);
  EXPECT_EQ(At(t, k + 11).baseline_kind(), v1::BASELINE_KIND_TRAILING_MEDIAN);
}

TEST(ChokepointAnalyticsTest, AnEpisodeStillOpenAtTheEndHasNoEnd) {
  const ChokepointSeries series = Series(220, [](int i) -> int64_t { return i >= 210 ? 0 : 100; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  ASSERT_EQ(t.episodes.size(), 1u);
  EXPECT_EQ(t.episodes[0].start_yyyymmdd(), Day(212));
  EXPECT_EQ(t.episodes[0].end_yyyymmdd(), 0);
  EXPECT_DOUBLE_EQ(t.episodes[0].min_ratio(), 0.0);
  EXPECT_EQ(t.days.back().status(), v1::TRANSIT_STATUS_DISRUPTED);
}

TEST(ChokepointAnalyticsTest, DaysWithoutARatioNeitherEndNorExtendAnEpisode) {
  constexpr int k = 200;  // zeros on k..k+5, then three missing days, then 100 a day again
  const ChokepointSeries series = Series(
      240, [](int i) -> int64_t { return i >= k && i <= k + 5 ? 0 : 100; },
      [](int i) { return i < k + 6 || i > k + 8; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  ASSERT_EQ(t.episodes.size(), 1u);
  EXPECT_EQ(t.episodes[0].start_yyyymmdd(), Day(k + 2));
  // Windows ending k+6..k+14 hold a missing day; the first complete one is back at 1.0.
  for (int d = k + 6; d <= k + 14; ++d) {
    EXPECT_EQ(At(t, d).status(), v1::TRANSIT_STATUS_GAP) << d;
    EXPECT_EQ(At(t, d).episode_start_yyyymmdd(), Day(k + 2)) << d;
  }
  EXPECT_EQ(t.episodes[0].end_yyyymmdd(), Day(k + 15));
  EXPECT_DOUBLE_EQ(t.episodes[0].min_ratio(), 1.0 / 7);
}

TEST(ChokepointAnalyticsTest, ASingleTenfoldSpikeIsNoDisruption) {
  // A spike on day 100 (a year later it sits in the baseline week of days 464..470) and one on
  // day 480 (in the current window).
  const ChokepointSeries series =
      Series(520, [](int i) -> int64_t { return i == 100 || i == 480 ? 1000 : 100; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  EXPECT_TRUE(t.episodes.empty());
  for (const v1::ChokepointStatus& day : t.days) {
    EXPECT_NE(day.status(), v1::TRANSIT_STATUS_DISRUPTED) << day.date_yyyymmdd();
  }
  for (int d = 464; d <= 470; ++d) {
    EXPECT_EQ(At(t, d).baseline_kind(), v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR) << d;
    EXPECT_DOUBLE_EQ(At(t, d).baseline_7d(), 700) << d;  // the neighbouring weeks outvote it
    EXPECT_DOUBLE_EQ(At(t, d).ratio(), 1.0) << d;
  }
  EXPECT_DOUBLE_EQ(At(t, 480).ratio(), 1600.0 / 700);
  EXPECT_DOUBLE_EQ(At(t, 115).baseline_7d(), 700);  // 7 of its 90 windows hold the spike
}

TEST(ChokepointAnalyticsTest, AStaleFeedIsStaleOnlyNotDisrupted) {
  const ChokepointSeries series = Series(200, [](int) -> int64_t { return 100; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  const ChokepointOptions options;
  auto at = [&](int as_of) { return StatusAsOf(series, t, Day(as_of), options); };
  ASSERT_TRUE(at(199 + 15).has_value());
  EXPECT_EQ(at(199 + 15)->status(), v1::TRANSIT_STATUS_STALE);
  EXPECT_EQ(at(199 + 15)->date_yyyymmdd(), Day(199));
  EXPECT_EQ(at(199 + 15)->as_of_yyyymmdd(), Day(199 + 15));
  EXPECT_DOUBLE_EQ(at(199 + 15)->ratio(), 1.0);
  EXPECT_EQ(at(199 + 9)->status(), v1::TRANSIT_STATUS_NORMAL);  // 9 days: not yet
  EXPECT_EQ(at(199 + 10)->status(), v1::TRANSIT_STATUS_STALE);
  EXPECT_TRUE(t.episodes.empty());
  EXPECT_FALSE(at(-1).has_value());  // before the first day
}

TEST(ChokepointAnalyticsTest, TheAsOfStatusIsTheLatestDayWithDataNotAMissingDay) {
  const ChokepointSeries series =
      Series(220, [](int) -> int64_t { return 100; }, [](int i) { return i < 150 || i > 200; });
  const ChokepointTimeline t = EvaluateTimeline(series, ChokepointOptions{});
  const auto status = StatusAsOf(series, t, Day(160), ChokepointOptions{});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->date_yyyymmdd(), Day(149));
  EXPECT_EQ(status->status(), v1::TRANSIT_STATUS_STALE);  // 11 days without data
}

TEST(ChokepointAnalyticsTest, WithoutAYearOfHistoryTheBaselineIsTheTrailingNinetyDayMedian) {
  // Day i carries i transits: the window ending e sums to 7e - 21.
  const ChokepointSeries series = Series(100, [](int i) -> int64_t { return i; });
  const ChokepointOptions options;
  // Day 99: the windows ending 92 down to 3, of which those ending 6..92 are complete (87 >= 45);
  // their median is the window ending 49: 7 * 49 - 21 = 322.
  const v1::ChokepointStatus s = series.Window(Day(99), options);
  EXPECT_EQ(s.baseline_kind(), v1::BASELINE_KIND_TRAILING_MEDIAN);
  EXPECT_DOUBLE_EQ(s.baseline_7d(), 322);
  EXPECT_EQ(s.transits_7d(), 672);
  EXPECT_DOUBLE_EQ(s.ratio(), 672.0 / 322);
  EXPECT_EQ(s.status(), v1::TRANSIT_STATUS_NORMAL);
  // Day 57: exactly 45 complete windows (6..50), median at 28: 175. Day 56: 44, too few.
  EXPECT_DOUBLE_EQ(series.Window(Day(57), options).baseline_7d(), 175);
  const v1::ChokepointStatus early = series.Window(Day(56), options);
  EXPECT_EQ(early.status(), v1::TRANSIT_STATUS_NO_BASELINE);
  EXPECT_FALSE(early.has_baseline_7d());
  EXPECT_FALSE(early.has_ratio());
  // An even count of windows takes the mean of the middle two: day 58 has 46 (6..51), so
  // (7 * 28 - 21 + 7 * 29 - 21) / 2 = 178.5.
  EXPECT_DOUBLE_EQ(series.Window(Day(58), options).baseline_7d(), 178.5);
}

TEST(ChokepointAnalyticsTest, WithAYearOfHistoryTheBaselineIsTheSameWeekLastYear) {
  // 100 a day in the first year, 120 after: the trailing median would be 840, last year's 700.
  const ChokepointSeries series = Series(420, [](int i) -> int64_t { return i < 371 ? 100 : 120; });
  const v1::ChokepointStatus s = series.Window(Day(410), ChokepointOptions{});
  EXPECT_EQ(s.baseline_kind(), v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR);
  EXPECT_DOUBLE_EQ(s.baseline_7d(), 700);
  EXPECT_DOUBLE_EQ(s.ratio(), 840.0 / 700);
  // The first day with the three year-ago windows complete is day 377 (windows ending 6, 13, 20).
  EXPECT_EQ(series.Window(Day(376), ChokepointOptions{}).baseline_kind(),
            v1::BASELINE_KIND_TRAILING_MEDIAN);
  EXPECT_EQ(series.Window(Day(377), ChokepointOptions{}).baseline_kind(),
            v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR);
}

TEST(ChokepointAnalyticsTest, ARestatedDayReplacesItsValueAndDaysMayArriveInAnyOrder) {
  ChokepointSeries series("chokepoint1", "Suez Canal");
  for (int i = 6; i >= 0; --i) EXPECT_TRUE(series.Upsert(Transit(i, 100)));
  EXPECT_FALSE(series.Upsert(Transit(3, 100)));  // the same value again
  EXPECT_TRUE(series.Upsert(Transit(3, 40)));
  EXPECT_EQ(series.first_date(), Day(0));
  EXPECT_EQ(series.last_date(), Day(6));
  EXPECT_EQ(series.Window(Day(6), ChokepointOptions{}).transits_7d(), 640);
}

TEST(ChokepointAnalyticsTest, ThresholdsComeFromTheShippingConfig) {
  v1::ShippingConfig config;
  config.set_disruption_ratio(0.5);
  config.set_recovery_ratio(0.6);
  config.set_stale_days(3);
  config.set_baseline_fallback_days(60);
  const ChokepointOptions o = ChokepointOptionsFromConfig(config);
  EXPECT_DOUBLE_EQ(o.disruption_ratio, 0.5);
  EXPECT_DOUBLE_EQ(o.recovery_ratio, 0.6);
  EXPECT_EQ(o.stale_days, 3);
  EXPECT_EQ(o.baseline_fallback_days, 60);
  // Six zero days reach 1/7, so a 0.5 threshold still sees the episode, two days later.
  const ChokepointSeries series =
      Series(240, [](int i) -> int64_t { return i >= 200 && i <= 205 ? 0 : 100; });
  const ChokepointTimeline t = EvaluateTimeline(series, o);
  ASSERT_EQ(t.episodes.size(), 1u);
  EXPECT_EQ(t.episodes[0].start_yyyymmdd(), Day(203));  // 3/7 < 0.5
  EXPECT_EQ(t.episodes[0].end_yyyymmdd(), Day(210));    // 5/7 >= 0.6
  EXPECT_EQ(TransitStatusName(v1::TRANSIT_STATUS_NO_BASELINE), "no_baseline");
}

}  // namespace
}  // namespace tradewatch::processors
