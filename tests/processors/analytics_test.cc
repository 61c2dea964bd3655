#include "processors/analytics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "processors/window.h"
#include "tests/support/observations.h"

namespace tradewatch::processors {
namespace {

using ::tradewatch::testing::Obs;

constexpr auto kCountry = v1::PARTNER_KIND_COUNTRY;

// Twelve months of 2024 imports of 3344 from three countries: Taiwan 50, Malaysia 30, Mexico 20
// per month.
void AddYear(TradeTable* table, const std::string& naics = "3344") {
  for (int m = 1; m <= 12; ++m) {
    int32_t p = 202400 + m;
    table->Upsert(Obs(v1::FLOW_IMPORTS, naics, "5830", kCountry, p, 50));
    table->Upsert(Obs(v1::FLOW_IMPORTS, naics, "5570", kCountry, p, 30));
    table->Upsert(Obs(v1::FLOW_IMPORTS, naics, "2010", kCountry, p, 20));
  }
}

const Series& Imports(const TradeTable& t, const std::string& naics = "3344") {
  return *t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, naics});
}

double ShareSum(const v1::PartnerShares& s) {
  double sum = 0;
  for (const auto& p : s.partners()) sum += p.share();
  return sum;
}

TEST(SharesTest, SharesOfCountriesSumToOneWithTopNAndRest) {
  TradeTable t;
  AddYear(&t);
  ShareOptions options;
  options.top_n = 2;
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options);
  EXPECT_TRUE(s.window().complete());
  EXPECT_EQ(s.total_usd(), 1200);
  ASSERT_EQ(s.partners_size(), 3);
  EXPECT_EQ(s.partners(0).code(), "5830");
  EXPECT_DOUBLE_EQ(s.partners(0).share(), 0.5);
  EXPECT_EQ(s.partners(1).code(), "5570");
  EXPECT_EQ(s.partners(2).code(), "rest");
  EXPECT_EQ(s.partners(2).value_usd(), 240);
  EXPECT_DOUBLE_EQ(ShareSum(s), 1.0);
  EXPECT_DOUBLE_EQ(s.hhi(), 0.5 * 0.5 + 0.3 * 0.3 + 0.2 * 0.2);
  EXPECT_EQ(s.partner_count(), 3);
}

TEST(SharesTest, AggregateRowsThatDetailCoversChangeNoShare) {
  TradeTable without, with;
  AddYear(&without);
  AddYear(&with);
  for (int m = 1; m <= 12; ++m) {
    int32_t p = 202400 + m;
    with.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "-", v1::PARTNER_KIND_TOTAL, p, 100));
    with.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "0027", v1::PARTNER_KIND_GROUP, p, 30));
    with.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5XXX", v1::PARTNER_KIND_CONTINENT, p, 80));
  }
  ShareOptions options;
  v1::PartnerShares a = ComputeShares(Imports(without), v1::WINDOW_KIND_YEAR, 202412, options);
  v1::PartnerShares b = ComputeShares(Imports(with), v1::WINDOW_KIND_YEAR, 202412, options);
  ASSERT_EQ(a.partners_size(), b.partners_size());
  for (int i = 0; i < a.partners_size(); ++i) {
    EXPECT_EQ(a.partners(i).code(), b.partners(i).code());
    EXPECT_EQ(a.partners(i).share(), b.partners(i).share());
  }
  EXPECT_EQ(a.total_usd(), b.total_usd());
  EXPECT_EQ(a.hhi(), b.hhi());
  EXPECT_TRUE(b.has_total_row_usd());
  EXPECT_DOUBLE_EQ(b.coverage(), 1.0);
}

TEST(SharesTest, TotalRowNotCoveredByDetailBecomesTheDenominatorWithNotInDetail) {
  TradeTable t;
  AddYear(&t);  // countries: 100 a month
  for (int m = 1; m <= 12; ++m) {
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "-", v1::PARTNER_KIND_TOTAL, 202400 + m, 125));
  }
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, ShareOptions{});
  EXPECT_EQ(s.total_usd(), 1500);
  EXPECT_DOUBLE_EQ(s.coverage(), 0.8);
  ASSERT_EQ(s.partners_size(), 4);
  EXPECT_EQ(s.partners(3).code(), "not_in_detail");
  EXPECT_EQ(s.partners(3).value_usd(), 300);
  EXPECT_DOUBLE_EQ(s.partners(0).share(), 600.0 / 1500.0);
  EXPECT_DOUBLE_EQ(ShareSum(s), 1.0);
}

TEST(SharesTest, NeverSumsAcrossNaicsLevels) {
  TradeTable t;
  AddYear(&t, "3344");
  AddYear(&t, "334");
  AddYear(&t, "334413");
  v1::PartnerShares s = ComputeShares(Imports(t, "334"), v1::WINDOW_KIND_YEAR, 202412, {});
  EXPECT_EQ(s.total_usd(), 1200);  // only the 334 series, not 3 x 1200
  EXPECT_EQ(s.partners(0).value_usd(), 600);
}

TEST(SharesTest, IncompleteWindowSaysSo) {
  TradeTable t;
  AddYear(&t);
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_T12M, 202502, {});
  EXPECT_FALSE(s.window().complete());
  EXPECT_EQ(s.window().months_with_data(), 10);
  EXPECT_EQ(s.total_usd(), 1000);
}

TEST(SharesTest, TrailingTwelveMonthsAcrossYearBoundaryUsesOnlyItsMonths) {
  TradeTable t;
  AddYear(&t);
  for (int m = 1; m <= 3; ++m) {
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202500 + m, 110));
  }
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_T12M, 202503, {});
  EXPECT_TRUE(s.window().complete());
  // Taiwan: Apr-Dec 2024 (9 x 50) + Jan-Mar 2025 (3 x 110).
  EXPECT_EQ(s.partners(0).code(), "5830");
  EXPECT_EQ(s.partners(0).value_usd(), 9 * 50 + 3 * 110);
}

TEST(SharesTest, RevisionReplacesTheValueInEveryWindow) {
  TradeTable t;
  AddYear(&t);
  t.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202406, 250, /*vintage=*/2));
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, {});
  EXPECT_EQ(s.partners(0).value_usd(), 11 * 50 + 250);
  EXPECT_EQ(s.total_usd(), 1400);
  EXPECT_EQ(s.vintage(), 2);
}

TEST(SharesTest, RegionsSumMembersAndCrossCheckTheCensusGroupRow) {
  TradeTable t;
  AddYear(&t);
  for (int m = 1; m <= 12; ++m) {
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "0027", v1::PARTNER_KIND_GROUP, 202400 + m, 33));
  }
  v1::RegionTable regions;
  auto* asean = regions.add_regions();
  asean->set_name("ASEAN");
  asean->set_census_code("0027");
  asean->add_member_codes("5570");
  auto* asia = regions.add_regions();
  asia->set_name("Asia");
  asia->set_member_code_prefix("5");
  ShareOptions options;
  options.regions = &regions;
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options);
  ASSERT_EQ(s.regions_size(), 2);
  EXPECT_EQ(s.regions(0).value_usd(), 360);
  EXPECT_DOUBLE_EQ(s.regions(0).share(), 0.3);
  ASSERT_TRUE(s.regions(0).has_census_value_usd());
  EXPECT_EQ(s.regions(0).census_value_usd(), 396);
  EXPECT_NEAR(s.regions(0).census_difference(), (360.0 - 396.0) / 396.0, 1e-12);
  EXPECT_EQ(s.regions(1).value_usd(), 960);  // Taiwan + Malaysia
  EXPECT_FALSE(s.regions(1).has_census_value_usd());
}

TEST(SharesTest, SameInputGivesTheSameBytes) {
  auto run = [] {
    TradeTable t;
    AddYear(&t);
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5700", kCountry, 202405, 20));  // ties Mexico
    ShareOptions o;
    o.namer = [](std::string_view code) { return std::string("name of ") + std::string(code); };
    std::string bytes;
    ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, o).SerializeToString(&bytes);
    return bytes;
  };
  std::string first = run();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(run(), first);
}

TEST(BalanceTest, BalanceIsImportsMinusExportsWithGrowthAndContributors) {
  TradeTable t;
  for (int y : {2023, 2024}) {
    for (int m = 1; m <= 12; ++m) {
      int32_t p = y * 100 + m;
      int64_t grow = y == 2024 ? 2 : 1;
      t.Upsert(Obs(v1::FLOW_IMPORTS, "334", "5700", kCountry, p, 100 * grow));
      t.Upsert(Obs(v1::FLOW_IMPORTS, "334", "2010", kCountry, p, 50));
      t.Upsert(Obs(v1::FLOW_EXPORTS, "334", "5700", kCountry, p, 20));
      t.Upsert(Obs(v1::FLOW_EXPORTS, "334", "2010", kCountry, p, 60));
    }
  }
  const Series* imports =
      t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "334"});
  const Series* exports =
      t.Find({v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS, v1::CLASSIFICATION_NAICS, "334"});
  v1::BalanceResult b = ComputeBalance(imports, exports, v1::WINDOW_KIND_YEAR, 202412, nullptr);
  EXPECT_TRUE(b.window().complete());
  EXPECT_EQ(b.imports_usd(), 12 * 250);
  EXPECT_EQ(b.exports_usd(), 12 * 80);
  EXPECT_EQ(b.balance_usd(), 12 * 170);
  ASSERT_TRUE(b.has_previous_balance_usd());
  EXPECT_EQ(b.previous_balance_usd(), 12 * 70);
  EXPECT_DOUBLE_EQ(b.deficit_growth(), (170.0 - 70.0) / 70.0);
  ASSERT_EQ(b.contributors_size(), 2);
  EXPECT_EQ(b.contributors(0).code(), "5700");
  EXPECT_EQ(b.contributors(0).balance_usd(), 12 * 180);
  EXPECT_EQ(b.contributors(1).balance_usd(), -12 * 10);  // a US surplus with Mexico
  EXPECT_DOUBLE_EQ(b.contributors(0).contribution() + b.contributors(1).contribution(), 1.0);
}

TEST(BalanceTest, NoPreviousBalanceWhenThePreviousYearIsIncomplete) {
  TradeTable t;
  AddYear(&t, "334");
  for (int m = 1; m <= 12; ++m) {
    t.Upsert(Obs(v1::FLOW_EXPORTS, "334", "5830", kCountry, 202400 + m, 10));
  }
  v1::BalanceResult b = ComputeBalance(
      t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "334"}),
      t.Find({v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS, v1::CLASSIFICATION_NAICS, "334"}),
      v1::WINDOW_KIND_YEAR, 202412, nullptr);
  EXPECT_EQ(b.balance_usd(), 1200 - 120);
  EXPECT_FALSE(b.has_previous_balance_usd());
  EXPECT_FALSE(b.has_deficit_growth());
}

TEST(BalanceTest, TotalRowIsUsedWhenTheSourceCarriesOnlyTotals) {
  TradeTable t;
  for (int m = 1; m <= 12; ++m) {
    t.Upsert(Obs(v1::FLOW_IMPORTS, "334", "-", v1::PARTNER_KIND_TOTAL, 202400 + m, 500));
    t.Upsert(Obs(v1::FLOW_EXPORTS, "334", "-", v1::PARTNER_KIND_TOTAL, 202400 + m, 200));
  }
  v1::BalanceResult b = ComputeBalance(
      t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "334"}),
      t.Find({v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS, v1::CLASSIFICATION_NAICS, "334"}),
      v1::WINDOW_KIND_YEAR, 202412, nullptr);
  EXPECT_EQ(b.balance_usd(), 12 * 300);
  EXPECT_EQ(b.contributors_size(), 0);
}

TEST(ShiftTest, ReportsLargestGainsAndLossesInSharePoints) {
  TradeTable t;
  for (int m = 1; m <= 12; ++m) {
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3342", "5700", kCountry, 202100 + m, 60));
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3342", "5520", kCountry, 202100 + m, 40));
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3342", "5700", kCountry, 202400 + m, 30));
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3342", "5520", kCountry, 202400 + m, 50));
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3342", "5330", kCountry, 202400 + m, 20));
  }
  const Series& s =
      *t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "3342"});
  ShareOptions all;
  all.top_n = 0;
  v1::SupplierShift shift =
      ComputeShift(ComputeShares(s, v1::WINDOW_KIND_YEAR, 202112, all),
                   ComputeShares(s, v1::WINDOW_KIND_YEAR, 202412, all), 5);
  ASSERT_EQ(shift.gains_size(), 2);
  EXPECT_EQ(shift.gains(0).code(), "5330");  // India 0 -> 20%
  EXPECT_DOUBLE_EQ(shift.gains(0).change(), 0.2);
  EXPECT_EQ(shift.gains(1).code(), "5520");  // Vietnam 40 -> 50%
  ASSERT_EQ(shift.losses_size(), 1);
  EXPECT_EQ(shift.losses(0).code(), "5700");
  EXPECT_DOUBLE_EQ(shift.losses(0).change(), -0.3);
}

TEST(RegionTableTest, ValidationNamesTheProblem) {
  v1::RegionTable table;
  table.add_regions()->set_name("ASEAN");
  EXPECT_NE(ValidateRegionTable(table).find("member_codes"), std::string::npos);
  table.mutable_regions(0)->add_member_codes("5570");
  table.add_regions()->set_name("ASEAN");
  table.mutable_regions(1)->add_member_codes("5570");
  EXPECT_NE(ValidateRegionTable(table).find("duplicate"), std::string::npos);
}

v1::TradeObservation Hitech(std::string group, std::string partner, v1::PartnerKind kind,
                            int32_t period, int64_t value, int64_t vintage = 1) {
  v1::TradeObservation o = Obs(v1::FLOW_IMPORTS, "", std::move(partner), kind, period, value,
                               vintage);
  o.set_classification(v1::CLASSIFICATION_HITECH);
  o.set_product_code(std::move(group));
  return o;
}

TEST(DeriveAtpTest, AtpIsTheSumOfTheTenGroupsPerPartnerAndPeriodExcludingNonAtp) {
  TradeTable t;
  t.Upsert(Hitech("-", "5830", kCountry, 202401, 4000));   // all commodities
  t.Upsert(Hitech("00", "5830", kCountry, 202401, 2500));  // not advanced technology
  t.Upsert(Hitech("04", "5830", kCountry, 202401, 600));
  t.Upsert(Hitech("05", "5830", kCountry, 202401, 900, /*vintage=*/3));
  t.Upsert(Hitech("05", "5800", kCountry, 202401, 700));
  t.Upsert(Hitech("05", "0027", v1::PARTNER_KIND_GROUP, 202401, 50));
  EXPECT_EQ(DeriveAtpSeries(&t), 1);
  const Series* atp =
      t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_HITECH, "ATP"});
  ASSERT_NE(atp, nullptr);
  ASSERT_NE(atp->Find("5830", 202401), nullptr);
  EXPECT_EQ(atp->Find("5830", 202401)->value_usd, 1500);
  EXPECT_EQ(atp->Find("5830", 202401)->vintage, 3);
  EXPECT_EQ(atp->Find("5800", 202401)->value_usd, 700);
  EXPECT_EQ(atp->periods().at(202401).countries_usd, 2200);  // the group row is not a country
  EXPECT_EQ(atp->Find("0027", 202401)->value_usd, 50);
  EXPECT_EQ(DeriveAtpSeries(&t), 0);  // an ATP series exists now
}

TEST(DeriveAtpTest, AnAtpSeriesFromTheSourceIsKept) {
  TradeTable t;
  t.Upsert(Hitech("ATP", "-", v1::PARTNER_KIND_TOTAL, 202401, 999));
  t.Upsert(Hitech("05", "-", v1::PARTNER_KIND_TOTAL, 202401, 1));
  EXPECT_EQ(DeriveAtpSeries(&t), 0);
  EXPECT_EQ(t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_HITECH, "ATP"})
                ->Find("-", 202401)
                ->value_usd,
            999);
}

}  // namespace
}  // namespace tradewatch::processors
