// The shipping partition: what a consumed transit must hold (CheckTransit), the day statuses a
// release marker returns (every day at first, then only the days a restatement changed), the
// earliest changed day per chokepoint, and the latest status of every chokepoint at the horizon.
#include "processors/shipping_processor.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/period.h"
#include "gmock/gmock.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

using ::testing::HasSubstr;

constexpr int32_t kStart = 20230101;

// The date `i` days after kStart.
int32_t Day(int i) { return AddDays(kStart, i); }

v1::ChokepointTransit Transit(const std::string& id, int day, int64_t total) {
  v1::ChokepointTransit t;
  t.set_chokepoint_id(id);
  t.set_chokepoint_name(id == "chokepoint1" ? "Suez Canal" : "Malacca Strait");
  t.set_date_yyyymmdd(Day(day));
  t.set_n_total(static_cast<int32_t>(total));
  t.set_n_tanker(static_cast<int32_t>(total / 4));
  t.set_n_cargo(static_cast<int32_t>(total - total / 4));
  t.set_capacity_dwt(total * 40000);
  return t;
}

v1::ShippingReleaseMarker Marker(int32_t through) {
  v1::ShippingReleaseMarker m;
  m.set_release_id("portwatch");
  m.set_through_yyyymmdd(through);
  return m;
}

// ----- CheckTransit --------------------------------------------------------------------------

TEST(CheckTransitTest, AcceptsAWellFormedTransit) {
  EXPECT_FALSE(CheckTransit(Transit("chokepoint1", 0, 50)).has_value());
  v1::ChokepointTransit leap = Transit("chokepoint1", 0, 0);  // zero transits are data
  leap.set_date_yyyymmdd(20240229);
  EXPECT_FALSE(CheckTransit(leap).has_value());
}

TEST(CheckTransitTest, ATransitWithoutChokepointIdMissesItsIdentity) {
  v1::ChokepointTransit t = Transit("chokepoint1", 0, 50);
  t.clear_chokepoint_id();
  const auto problem = CheckTransit(t);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->first, v1::REJECT_REASON_MISSING_IDENTITY);
  EXPECT_THAT(problem->second, HasSubstr("without a chokepoint id"));
  EXPECT_THAT(problem->second, HasSubstr("Suez Canal"));
}

TEST(CheckTransitTest, ADateThatIsNotARealDayIsABadPeriod) {
  v1::ChokepointTransit t = Transit("chokepoint1", 0, 50);
  t.set_date_yyyymmdd(20250230);
  auto problem = CheckTransit(t);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->first, v1::REJECT_REASON_BAD_PERIOD);
  EXPECT_THAT(problem->second, HasSubstr("20250230"));
  EXPECT_THAT(problem->second, HasSubstr("chokepoint1"));
  t.set_date_yyyymmdd(202502);  // a period, not a day
  problem = CheckTransit(t);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->first, v1::REJECT_REASON_BAD_PERIOD);
}

TEST(CheckTransitTest, ANegativeCountIsANegativeValueNamingTheField) {
  v1::ChokepointTransit t = Transit("chokepoint1", 0, 50);
  t.set_n_tanker(-1);
  auto problem = CheckTransit(t);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->first, v1::REJECT_REASON_NEGATIVE_VALUE);
  EXPECT_THAT(problem->second, HasSubstr("n_tanker = -1"));
  EXPECT_THAT(problem->second, HasSubstr("2023-01-01"));

  t = Transit("chokepoint1", 0, 50);
  t.set_capacity_dwt(-5);
  problem = CheckTransit(t);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->first, v1::REJECT_REASON_NEGATIVE_VALUE);
  EXPECT_THAT(problem->second, HasSubstr("capacity_dwt = -5"));
}

// ----- ShippingPartition ---------------------------------------------------------------------

// Suez: days 0..799 with 1000 + i transits on day i, so the 7-day sum of the window ending on day
// E is S(E) = 7 * (997 + E): it grows by 49 a week. From day 377 on, every day has the
// same-week-last-year baseline, the median of S(D-371) < S(D-364) < S(D-357): S(D-364).
// Malacca: days 0..29, steady.
constexpr int kSuezDays = 800;
constexpr int kMalaccaDays = 30;

int64_t SuezTotal(int day) { return 1000 + day; }
int64_t WindowSum(int end) { return 7 * (997 + static_cast<int64_t>(end)); }

void LoadFixture(ShippingPartition* partition) {
  for (int i = 0; i < kSuezDays; ++i) {
    ASSERT_TRUE(partition->Apply(Transit("chokepoint1", i, SuezTotal(i))));
  }
  for (int i = 0; i < kMalaccaDays; ++i) {
    ASSERT_TRUE(partition->Apply(Transit("chokepoint5", i, 100)));
  }
}

std::vector<int32_t> Dates(const std::vector<v1::ChokepointStatus>& statuses,
                           const std::string& id) {
  std::vector<int32_t> out;
  for (const auto& s : statuses) {
    if (s.chokepoint_id() == id) out.push_back(s.date_yyyymmdd());
  }
  return out;
}

TEST(ShippingPartitionTest, TheFirstReleaseReturnsEveryDayAndTheLatestStatusOfEachChokepoint) {
  ShippingPartition partition{ChokepointOptions{}};
  LoadFixture(&partition);
  const ShippingReleaseResults r = partition.CloseRelease(Marker(Day(kSuezDays - 1)));

  ASSERT_EQ(r.statuses.size(), static_cast<size_t>(kSuezDays + kMalaccaDays));
  // By chokepoint id, then date.
  for (int i = 0; i < kSuezDays; ++i) {
    EXPECT_EQ(r.statuses[i].chokepoint_id(), "chokepoint1");
    EXPECT_EQ(r.statuses[i].date_yyyymmdd(), Day(i));
  }
  for (int i = 0; i < kMalaccaDays; ++i) {
    EXPECT_EQ(r.statuses[kSuezDays + i].chokepoint_id(), "chokepoint5");
    EXPECT_EQ(r.statuses[kSuezDays + i].date_yyyymmdd(), Day(i));
  }
  EXPECT_EQ(r.changed_from, (std::map<std::string, int32_t>{{"chokepoint1", Day(0)},
                                                           {"chokepoint5", Day(0)}}));

  // Suez, day 500: S(500) against S(136).
  const v1::ChokepointStatus& d500 = r.statuses[500];
  EXPECT_EQ(d500.transits_7d(), WindowSum(500));
  EXPECT_DOUBLE_EQ(d500.baseline_7d(), static_cast<double>(WindowSum(136)));
  EXPECT_EQ(d500.baseline_kind(), v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR);

  ASSERT_EQ(r.latest.size(), 2u);
  const v1::ChokepointStatus& suez = r.latest[0];
  EXPECT_EQ(suez.chokepoint_id(), "chokepoint1");
  EXPECT_EQ(suez.date_yyyymmdd(), Day(kSuezDays - 1));
  EXPECT_EQ(suez.as_of_yyyymmdd(), Day(kSuezDays - 1));
  EXPECT_EQ(suez.status(), v1::TRANSIT_STATUS_NORMAL);
  EXPECT_EQ(suez.transits_7d(), WindowSum(kSuezDays - 1));
  EXPECT_DOUBLE_EQ(suez.ratio(), static_cast<double>(WindowSum(kSuezDays - 1)) /
                                     static_cast<double>(WindowSum(kSuezDays - 1 - 364)));
  // Malacca's latest day is 770 days before the horizon: STALE, with that day's figures.
  const v1::ChokepointStatus& malacca = r.latest[1];
  EXPECT_EQ(malacca.chokepoint_id(), "chokepoint5");
  EXPECT_EQ(malacca.date_yyyymmdd(), Day(kMalaccaDays - 1));
  EXPECT_EQ(malacca.as_of_yyyymmdd(), Day(kSuezDays - 1));
  EXPECT_EQ(malacca.status(), v1::TRANSIT_STATUS_STALE);
  EXPECT_EQ(malacca.transits_7d(), 700);
}

TEST(ShippingPartitionTest, ARestatedDayReturnsOnlyTheDaysWhoseStatusChanged) {
  ShippingPartition partition{ChokepointOptions{}};
  LoadFixture(&partition);
  partition.CloseRelease(Marker(Day(kSuezDays - 1)));

  // Day 400 restated 3 lower. Its windows are those ending on days 400..406: their sums drop by 3
  // (less than the 49 between weeks, so the order of the sums a year later stands). A year later
  // it lies in S(D-371) for D in 771..777, in S(D-364) for D in 764..770 and in S(D-357) for D
  // in 757..763; only the middle one is the median baseline, so only days 764..770 change.
  // Days before 377 would use the trailing baseline, but none of them reads day 400.
  constexpr int kRestated = 400;
  EXPECT_TRUE(partition.Apply(Transit("chokepoint1", kRestated, SuezTotal(kRestated) - 3)));
  const ShippingReleaseResults r = partition.CloseRelease(Marker(Day(kSuezDays - 1 + 9)));

  std::vector<int32_t> expected;
  for (int d = kRestated; d <= kRestated + 6; ++d) expected.push_back(Day(d));
  for (int d = kRestated + 364; d <= kRestated + 370; ++d) expected.push_back(Day(d));
  EXPECT_EQ(Dates(r.statuses, "chokepoint1"), expected);
  EXPECT_TRUE(Dates(r.statuses, "chokepoint5").empty());
  EXPECT_EQ(r.changed_from, (std::map<std::string, int32_t>{{"chokepoint1", Day(kRestated)}}));
  ASSERT_EQ(r.statuses.size(), 14u);
  for (size_t i = 0; i < 7; ++i) {
    const int end = kRestated + static_cast<int>(i);
    EXPECT_EQ(r.statuses[i].transits_7d(), WindowSum(end) - 3) << end;
  }
  for (size_t i = 7; i < 14; ++i) {
    const int end = kRestated + 364 + static_cast<int>(i - 7);
    EXPECT_EQ(r.statuses[i].transits_7d(), WindowSum(end)) << end;
    EXPECT_DOUBLE_EQ(r.statuses[i].baseline_7d(), static_cast<double>(WindowSum(end - 364) - 3))
        << end;
  }
  // The partition's timeline holds the new statuses.
  const ChokepointTimeline& timeline = partition.chokepoints().at("chokepoint1").timeline;
  EXPECT_EQ(timeline.days.at(kRestated).transits_7d(), WindowSum(kRestated) - 3);

  // Horizon 9 days after Suez's last day: not more than stale_days, so not STALE.
  ASSERT_EQ(r.latest.size(), 2u);
  EXPECT_EQ(r.latest[0].status(), v1::TRANSIT_STATUS_NORMAL);
  EXPECT_EQ(r.latest[0].as_of_yyyymmdd(), Day(kSuezDays - 1 + 9));
  EXPECT_EQ(r.latest[1].status(), v1::TRANSIT_STATUS_STALE);
}

TEST(ShippingPartitionTest, AReleaseWithoutChangesReturnsNoStatusesButAgesTheLatest) {
  ShippingPartition partition{ChokepointOptions{}};
  LoadFixture(&partition);
  partition.CloseRelease(Marker(Day(kSuezDays - 1)));

  // The same counts again are no change.
  EXPECT_FALSE(partition.Apply(Transit("chokepoint1", 10, SuezTotal(10))));
  const ShippingReleaseResults r = partition.CloseRelease(Marker(Day(kSuezDays - 1 + 10)));
  EXPECT_TRUE(r.statuses.empty());
  EXPECT_TRUE(r.changed_from.empty());
  ASSERT_EQ(r.latest.size(), 2u);
  // Ten days after the last day: more than stale_days (9).
  EXPECT_EQ(r.latest[0].chokepoint_id(), "chokepoint1");
  EXPECT_EQ(r.latest[0].status(), v1::TRANSIT_STATUS_STALE);
  EXPECT_EQ(r.latest[0].date_yyyymmdd(), Day(kSuezDays - 1));
  EXPECT_EQ(r.latest[0].as_of_yyyymmdd(), Day(kSuezDays - 1 + 10));
  EXPECT_TRUE(r.latest[0].has_ratio());  // the figures of that last day stay
}

TEST(ShippingPartitionTest, NewDaysAppendedReturnOnlyThemselves) {
  ShippingPartition partition{ChokepointOptions{}};
  LoadFixture(&partition);
  partition.CloseRelease(Marker(Day(kSuezDays - 1)));
  // Two more days: a status depends only on days up to it, so no earlier day changes.
  partition.Apply(Transit("chokepoint1", kSuezDays, SuezTotal(kSuezDays)));
  partition.Apply(Transit("chokepoint1", kSuezDays + 1, SuezTotal(kSuezDays + 1)));
  const ShippingReleaseResults r = partition.CloseRelease(Marker(0));
  EXPECT_EQ(Dates(r.statuses, "chokepoint1"),
            (std::vector<int32_t>{Day(kSuezDays), Day(kSuezDays + 1)}));
  EXPECT_EQ(r.changed_from.at("chokepoint1"), Day(kSuezDays));
  // Without a horizon each chokepoint is taken at its own latest day: none is STALE.
  ASSERT_EQ(r.latest.size(), 2u);
  EXPECT_EQ(r.latest[0].as_of_yyyymmdd(), Day(kSuezDays + 1));
  EXPECT_EQ(r.latest[1].as_of_yyyymmdd(), Day(kMalaccaDays - 1));
  EXPECT_NE(r.latest[1].status(), v1::TRANSIT_STATUS_STALE);
}

}  // namespace
}  // namespace tradewatch::processors
