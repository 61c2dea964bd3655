// HeldVintages (ingest/held_vintages.h): what a poll would publish compared with what is held.
#include "ingest/held_vintages.h"

#include <gtest/gtest.h>

#include "tests/support/observations.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;
using ::tradewatch::testing::Obs;

constexpr auto kImports = v1::FLOW_IMPORTS;
constexpr auto kCountry = v1::PARTNER_KIND_COUNTRY;

TEST(PollVintageDiffTest, NothingHeldMakesEveryObservationNew) {
  HeldVintages held;
  const std::vector<v1::TradeObservation> fetched = {
      Obs(kImports, "3344", "5830", kCountry, 202401, 100),
      Obs(kImports, "3344", "5570", kCountry, 202402, 200)};
  VintageDiff diff = held.Diff(fetched);
  ASSERT_EQ(diff.changes.size(), 2u);
  EXPECT_EQ(diff.added, 2);
  EXPECT_EQ(diff.revised, 0);
  EXPECT_EQ(diff.unchanged, 0);
  EXPECT_FALSE(diff.changes[0].is_revision());
  EXPECT_EQ(diff.latest_fetched_period, 202402);
}

TEST(PollVintageDiffTest, OnlyChangedValuesAreRevisionsAndCarryThePreviousValue) {
  HeldVintages held;
  held.Hold(Obs(kImports, "3344", "5830", kCountry, 202401, 100, /*vintage=*/7));
  held.Hold(Obs(kImports, "3344", "5830", kCountry, 202402, 200, 7));
  const std::vector<v1::TradeObservation> fetched = {
      Obs(kImports, "3344", "5830", kCountry, 202401, 100, 9),
      Obs(kImports, "3344", "5830", kCountry, 202402, 250, 9),
      Obs(kImports, "3344", "5830", kCountry, 202403, 300, 9)};
  VintageDiff diff = held.Diff(fetched);
  ASSERT_EQ(diff.changes.size(), 2u);
  EXPECT_EQ(diff.unchanged, 1);
  EXPECT_EQ(diff.revised, 1);
  EXPECT_EQ(diff.added, 1);
  EXPECT_TRUE(diff.changes[0].is_revision());
  EXPECT_EQ(diff.changes[0].observation.value_usd(), 250);
  EXPECT_EQ(diff.changes[0].previous->value_usd, 200);
  EXPECT_EQ(diff.changes[0].previous->vintage, 7);
  EXPECT_FALSE(diff.changes[1].is_revision());
  EXPECT_EQ(diff.changes[1].observation.period_yyyymm(), 202403);
}

TEST(PollVintageDiffTest, AppliedChangesAreHeldSoTheSameAnswerIsUnchanged) {
  HeldVintages held;
  const std::vector<v1::TradeObservation> fetched = {
      Obs(kImports, "3344", "5830", kCountry, 202401, 100, 3),
      Obs(kImports, "3344", "-", v1::PARTNER_KIND_TOTAL, 202401, 900, 3)};
  held.Apply(held.Diff(fetched));
  EXPECT_EQ(held.size(), 2u);
  EXPECT_EQ(held.latest_period(), 202401);
  EXPECT_EQ(held.max_vintage(), 3);
  VintageDiff again = held.Diff(fetched);
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(again.unchanged, 2);
}

TEST(PollVintageDiffTest, ALaterVintageIsNeverReplacedByAnEarlierOne) {
  HeldVintages held;
  held.Hold(Obs(kImports, "3344", "5830", kCountry, 202401, 150, 20));
  held.Hold(Obs(kImports, "3344", "5830", kCountry, 202401, 100, 10));
  ASSERT_NE(held.Find(Obs(kImports, "3344", "5830", kCountry, 202401, 0)), nullptr);
  EXPECT_EQ(held.Find(Obs(kImports, "3344", "5830", kCountry, 202401, 0))->value_usd, 150);
  // Equal vintages: the later record wins, as on a topic read in offset order.
  held.Hold(Obs(kImports, "3344", "5830", kCountry, 202401, 160, 20));
  EXPECT_EQ(held.Find(Obs(kImports, "3344", "5830", kCountry, 202401, 0))->value_usd, 160);
}

TEST(PollVintageDiffTest, MeasureFlowAndClassificationArePartOfTheIdentity) {
  HeldVintages held;
  v1::TradeObservation general = Obs(kImports, "3344", "5830", kCountry, 202401, 100);
  v1::TradeObservation consumption = general;
  consumption.set_measure(v1::MEASURE_IMPORTS_FOR_CONSUMPTION);
  consumption.set_value_usd(90);
  v1::TradeObservation exports = Obs(v1::FLOW_EXPORTS, "3344", "5830", kCountry, 202401, 100);
  v1::TradeObservation hitech = general;
  hitech.set_classification(v1::CLASSIFICATION_HITECH);
  held.Hold(general);
  VintageDiff diff = held.Diff({general, consumption, exports, hitech});
  EXPECT_EQ(diff.unchanged, 1);
  EXPECT_EQ(diff.added, 3);
  EXPECT_EQ(diff.revised, 0);
}

}  // namespace
}  // namespace tradewatch::ingest
