#include "processors/trade_table.h"

#include <gtest/gtest.h>

#include "tests/support/observations.h"

namespace tradewatch::processors {
namespace {

// Imports of `naics` (3344 by default) from `partner`.
v1::TradeObservation Obs(std::string partner, int32_t period, int64_t value, int64_t vintage,
                         v1::PartnerKind kind = v1::PARTNER_KIND_COUNTRY,
                         std::string naics = "3344") {
  return ::tradewatch::testing::Obs(v1::FLOW_IMPORTS, std::move(naics), std::move(partner), kind,
                                    period, value, vintage);
}

const SeriesKey k3344{v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS,
                      "3344"};

TEST(TradeTableTest, LaterVintageReplacesValueAndNeverAddsToIt) {
  TradeTable table;
  EXPECT_EQ(table.Upsert(Obs("5830", 202501, 100, 1)), UpsertOutcome::kInserted);
  EXPECT_EQ(table.Upsert(Obs("5830", 202501, 130, 2)), UpsertOutcome::kReplaced);
  const Series* s = table.Find(k3344);
  ASSERT_NE(s, nullptr);
  ASSERT_NE(s->Find("5830", 202501), nullptr);
  EXPECT_EQ(s->Find("5830", 202501)->value_usd, 130);
  EXPECT_EQ(s->Find("5830", 202501)->vintage, 2);
  EXPECT_EQ(s->periods().at(202501).countries_usd, 130);
  EXPECT_EQ(s->cell_count(), 1u);
}

TEST(TradeTableTest, RevisionDownwardsUpdatesThePeriodSumByTheDifference) {
  TradeTable table;
  table.Upsert(Obs("5830", 202501, 100, 1));
  table.Upsert(Obs("5700", 202501, 50, 1));
  table.Upsert(Obs("5830", 202501, 40, 2));
  EXPECT_EQ(table.Find(k3344)->periods().at(202501).countries_usd, 90);
}

TEST(TradeTableTest, OlderVintageIsStaleAndIgnored) {
  TradeTable table;
  table.Upsert(Obs("5830", 202501, 100, 5));
  EXPECT_EQ(table.Upsert(Obs("5830", 202501, 999, 4)), UpsertOutcome::kStale);
  EXPECT_EQ(table.Find(k3344)->Find("5830", 202501)->value_usd, 100);
}

TEST(TradeTableTest, SameVintageSameValueIsDuplicateAndDifferentValueIsConflict) {
  TradeTable table;
  table.Upsert(Obs("5830", 202501, 100, 1));
  EXPECT_EQ(table.Upsert(Obs("5830", 202501, 100, 1)), UpsertOutcome::kDuplicate);
  EXPECT_EQ(table.Upsert(Obs("5830", 202501, 101, 1)), UpsertOutcome::kConflict);
  EXPECT_EQ(table.Find(k3344)->Find("5830", 202501)->value_usd, 100);
  EXPECT_EQ(table.Find(k3344)->periods().at(202501).countries_usd, 100);
}

TEST(TradeTableTest, AggregateRowsAreKeptButNotAddedToTheCountrySum) {
  TradeTable table;
  table.Upsert(Obs("5830", 202501, 100, 1));
  table.Upsert(Obs("-", 202501, 1000, 1, v1::PARTNER_KIND_TOTAL));
  table.Upsert(Obs("0014", 202501, 700, 1, v1::PARTNER_KIND_GROUP));
  table.Upsert(Obs("5XXX", 202501, 800, 1, v1::PARTNER_KIND_CONTINENT));
  const Series* s = table.Find(k3344);
  EXPECT_EQ(s->periods().at(202501).countries_usd, 100);
  EXPECT_EQ(s->periods().at(202501).cells, 4);
  EXPECT_EQ(s->Find("-", 202501)->value_usd, 1000);
}

TEST(TradeTableTest, LevelsAreSeparateSeries) {
  TradeTable table;
  table.Upsert(Obs("5830", 202501, 100, 1, v1::PARTNER_KIND_COUNTRY, "3344"));
  table.Upsert(Obs("5830", 202501, 300, 1, v1::PARTNER_KIND_COUNTRY, "334"));
  EXPECT_EQ(table.series_count(), 2u);
  EXPECT_EQ(table.Find(k3344)->periods().at(202501).countries_usd, 100);
}

TEST(TradeTableTest, ChangedPeriodsAreReportedOnceInOrder) {
  TradeTable table;
  table.Upsert(Obs("5830", 202503, 1, 1));
  table.Upsert(Obs("5830", 202501, 1, 1));
  table.Upsert(Obs("5700", 202503, 1, 1));
  Series* s = table.FindMutable(k3344);
  EXPECT_EQ(s->TakeChangedPeriods(), (std::vector<int32_t>{202501, 202503}));
  EXPECT_TRUE(s->TakeChangedPeriods().empty());
  table.Upsert(Obs("5830", 202501, 1, 1));  // duplicate: nothing changed
  EXPECT_TRUE(s->TakeChangedPeriods().empty());
}

TEST(TradeTableTest, PartnerCodesRoundTripThroughPacking) {
  for (const char* code : {"5830", "-", "0003", "5XXX", "12"}) {
    EXPECT_EQ(UnpackPartnerCode(PackPartnerCode(code)), code);
  }
  EXPECT_NE(PackPartnerCode("5830"), PackPartnerCode("5820"));
}

}  // namespace
}  // namespace tradewatch::processors
