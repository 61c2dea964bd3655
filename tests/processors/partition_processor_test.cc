#include "processors/partition_processor.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "tests/support/observations.h"

namespace tradewatch::processors {
namespace {

using ::tradewatch::testing::Obs;
namespace v1 = tradewatch::v1;

constexpr auto kCountry = v1::PARTNER_KIND_COUNTRY;

v1::ReleaseMarker Marker(const std::string& id, int64_t vintage) {
  v1::ReleaseMarker m;
  m.set_release_id(id);
  m.set_vintage(vintage);
  return m;
}

// (kind, end period) of every shares result of one product code.
std::set<std::pair<int, int32_t>> ShareWindows(const ReleaseResults& r, const std::string& code) {
  std::set<std::pair<int, int32_t>> out;
  for (const auto& s : r.shares) {
    if (s.product_code() == code) out.insert({s.window().kind(), s.window().end_period_yyyymm()});
  }
  return out;
}

TEST(AffectedEndPeriodsTest, MonthIsItselfOnly) {
  EXPECT_EQ(AffectedEndPeriods(v1::WINDOW_KIND_MONTH, 202403, 202412),
            std::vector<int32_t>({202403}));
  EXPECT_TRUE(AffectedEndPeriods(v1::WINDOW_KIND_MONTH, 202403, 202402).empty());
}

TEST(AffectedEndPeriodsTest, TrailingTwelveMonthsReachElevenMonthsAheadUpToTheLastPeriod) {
  auto ends = AffectedEndPeriods(v1::WINDOW_KIND_T12M, 202405, 202512);
  ASSERT_EQ(ends.size(), 12u);
  EXPECT_EQ(ends.front(), 202405);
  EXPECT_EQ(ends.back(), 202504);
  EXPECT_EQ(AffectedEndPeriods(v1::WINDOW_KIND_T12M, 202405, 202407),
            std::vector<int32_t>({202405, 202406, 202407}));
}

TEST(AffectedEndPeriodsTest, YearToDateStopsAtDecemberAndYearIsItsDecember) {
  EXPECT_EQ(AffectedEndPeriods(v1::WINDOW_KIND_YTD, 202410, 202602),
            std::vector<int32_t>({202410, 202411, 202412}));
  EXPECT_EQ(AffectedEndPeriods(v1::WINDOW_KIND_YEAR, 202403, 202405),
            std::vector<int32_t>({202412}));
}

TEST(PartitionProcessorTest, FirstReleaseEmitsEveryWindowOfEveryPeriodOnce) {
  PartitionProcessor p({});
  for (int m = 1; m <= 3; ++m) {
    p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202400 + m, 10 * m));
  }
  ReleaseResults r = p.CloseRelease(Marker("r1", 1));
  // month: 3, t12m: 3, ytd: 3, year: 1.
  EXPECT_EQ(r.shares.size(), 10u);
  EXPECT_EQ(ShareWindows(r, "3344").size(), 10u);  // no result twice
  // Imports alone still make a balance of the code: 10 windows.
  EXPECT_EQ(r.balances.size(), 10u);
}

TEST(PartitionProcessorTest, ReleaseWithoutChangesEmitsNothing) {
  PartitionProcessor p({});
  p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202401, 10));
  p.CloseRelease(Marker("r1", 1));
  // The same value again (same vintage) is a duplicate: nothing changed.
  EXPECT_EQ(p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202401, 10)),
            UpsertOutcome::kDuplicate);
  ReleaseResults r = p.CloseRelease(Marker("r2", 2));
  EXPECT_TRUE(r.shares.empty());
  EXPECT_TRUE(r.balances.empty());
}

TEST(PartitionProcessorTest, RevisionReplacesTheValueAndEmitsOnlyTheWindowsThatContainIt) {
  PartitionProcessor p({});
  for (int m = 1; m <= 6; ++m) {
    p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202400 + m, 100));
    p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5570", kCountry, 202400 + m, 100));
  }
  p.CloseRelease(Marker("r1", 1));
  EXPECT_EQ(p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202405, 300, 2)),
            UpsertOutcome::kReplaced);
  ReleaseResults r = p.CloseRelease(Marker("r2", 2));
  std::set<std::pair<int, int32_t>> expected = {
      {v1::WINDOW_KIND_MONTH, 202405}, {v1::WINDOW_KIND_T12M, 202405},
      {v1::WINDOW_KIND_T12M, 202406},  {v1::WINDOW_KIND_YTD, 202405},
      {v1::WINDOW_KIND_YTD, 202406},   {v1::WINDOW_KIND_YEAR, 202412}};
  EXPECT_EQ(ShareWindows(r, "3344"), expected);
  for (const auto& s : r.shares) {
    if (s.window().kind() == v1::WINDOW_KIND_MONTH) {
      ASSERT_EQ(s.partners(0).code(), "5830");
      EXPECT_DOUBLE_EQ(s.partners(0).share(), 0.75);  // 300 of 400: replaced, not added
      EXPECT_EQ(s.vintage(), 2);
    }
  }
  EXPECT_EQ(p.counts().replaced, 1);
}

TEST(PartitionProcessorTest, BalanceJoinsBothFlowsOfACodeAndRecomputesNextYearsGrowth) {
  PartitionProcessor p({});
  for (int y : {2023, 2024}) {
    for (int m = 1; m <= 12; ++m) {
      p.Apply(Obs(v1::FLOW_IMPORTS, "334", "5830", kCountry, y * 100 + m, y == 2023 ? 100 : 150));
      p.Apply(Obs(v1::FLOW_EXPORTS, "334", "5830", kCountry, y * 100 + m, 50));
    }
  }
  ReleaseResults first = p.CloseRelease(Marker("r1", 1));
  const v1::BalanceResult* year2024 = nullptr;
  for (const auto& b : first.balances) {
    if (b.window().kind() == v1::WINDOW_KIND_YEAR && b.window().end_period_yyyymm() == 202412) {
      year2024 = &b;
    }
  }
  ASSERT_NE(year2024, nullptr);
  EXPECT_EQ(year2024->balance_usd(), 12 * 100);
  ASSERT_TRUE(year2024->has_deficit_growth());
  EXPECT_DOUBLE_EQ(year2024->deficit_growth(), 1.0);  // 1200 against 600

  // Revising a 2023 month changes the 2024 growth, so the 2024 year balance is emitted again.
  p.Apply(Obs(v1::FLOW_EXPORTS, "334", "5830", kCountry, 202303, 100, 2));
  ReleaseResults second = p.CloseRelease(Marker("r2", 2));
  bool saw_2024_year = false;
  for (const auto& b : second.balances) {
    if (b.window().kind() == v1::WINDOW_KIND_YEAR && b.window().end_period_yyyymm() == 202412) {
      saw_2024_year = true;
      EXPECT_EQ(b.previous_balance_usd(), 600 - 50);
    }
  }
  EXPECT_TRUE(saw_2024_year);
}

TEST(PartitionProcessorTest, ResultsComeInADeterministicOrder) {
  auto run = [](bool reversed) {
    PartitionProcessor p({});
    std::vector<v1::TradeObservation> in;
    for (const char* code : {"3341", "3342", "3344"}) {
      for (v1::Flow flow : {v1::FLOW_IMPORTS, v1::FLOW_EXPORTS}) {
        in.push_back(Obs(flow, code, "5830", kCountry, 202401, 10));
      }
    }
    if (reversed) std::reverse(in.begin(), in.end());
    for (const auto& o : in) p.Apply(o);
    ReleaseResults r = p.CloseRelease(Marker("r1", 1));
    std::string bytes;
    for (const auto& s : r.shares) bytes += s.SerializeAsString();
    for (const auto& b : r.balances) bytes += b.SerializeAsString();
    return bytes;
  };
  EXPECT_EQ(run(false), run(true));
}

TEST(TrimSharesTest, EqualsComputeSharesWithTopN) {
  TradeTable table;
  const char* partners[] = {"5830", "5570", "2010", "5520", "5800", "4280", "5700"};
  for (int m = 1; m <= 12; ++m) {
    int i = 0;
    for (const char* partner : partners) {
      table.Upsert(Obs(v1::FLOW_IMPORTS, "3344", partner, kCountry, 202400 + m, 1000 + 37 * i++ + m));
    }
    table.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "-", v1::PARTNER_KIND_TOTAL, 202400 + m, 20000));
  }
  const Series& s = *table.Find(
      {v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "3344"});
  ShareOptions full;
  full.top_n = 0;
  v1::PartnerShares all = ComputeShares(s, v1::WINDOW_KIND_T12M, 202412, full);
  for (int n : {1, 3, 7, 9}) {
    ShareOptions top;
    top.top_n = n;
    EXPECT_EQ(TrimShares(all, n).SerializeAsString(),
              ComputeShares(s, v1::WINDOW_KIND_T12M, 202412, top).SerializeAsString())
        << "top " << n;
  }
  // The total row is not covered: the remainder is "not in detail" and stays last.
  EXPECT_EQ(TrimShares(all, 3).partners().rbegin()->code(), "not_in_detail");
}

}  // namespace
}  // namespace tradewatch::processors
