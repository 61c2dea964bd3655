#include "common/record_keys.h"

#include <gtest/gtest.h>

namespace tradewatch {
namespace {

namespace v1 = tradewatch::v1;

TEST(RecordKeysTest, ShortEnumNamesDropTheTypePrefix) {
  EXPECT_EQ(ShortName(v1::FLOW_IMPORTS), "imports");
  EXPECT_EQ(ShortName(v1::MEASURE_GENERAL_IMPORTS), "general_imports");
  EXPECT_EQ(ShortName(v1::WINDOW_KIND_T12M), "t12m");
  EXPECT_EQ(ShortName(v1::CLASSIFICATION_HITECH), "hitech");
  EXPECT_EQ(ShortName(v1::ALERT_STATE_FIRING), "firing");
  EXPECT_EQ(ShortName(static_cast<v1::Flow>(42)), "42");
}

TEST(RecordKeysTest, ObservationKeyIsTheFullIdentity) {
  v1::TradeObservation o;
  o.set_flow(v1::FLOW_IMPORTS);
  o.set_measure(v1::MEASURE_GENERAL_IMPORTS);
  o.set_classification(v1::CLASSIFICATION_NAICS);
  o.set_product_code("3344");
  o.set_partner_code("5830");
  o.set_period_yyyymm(202501);
  o.set_value_usd(123);  // values and vintages are not identity
  EXPECT_EQ(ObservationKey(o), "imports/general_imports/naics/3344/5830/202501");
}

TEST(RecordKeysTest, BothFlowsOfACodeShareOnePartitionKey) {
  EXPECT_EQ(ProductPartitionKey(v1::CLASSIFICATION_NAICS, "3344"), "naics/3344");
  EXPECT_NE(ProductPartitionKey(v1::CLASSIFICATION_NAICS, "3344"),
            ProductPartitionKey(v1::CLASSIFICATION_HITECH, "3344"));
}

TEST(RecordKeysTest, ResultKeysNameWindowAndPeriod) {
  v1::PartnerShares s;
  s.set_flow(v1::FLOW_EXPORTS);
  s.set_measure(v1::MEASURE_TOTAL_EXPORTS);
  s.set_classification(v1::CLASSIFICATION_NAICS);
  s.set_product_code("334");
  s.mutable_window()->set_kind(v1::WINDOW_KIND_YEAR);
  s.mutable_window()->set_end_period_yyyymm(202412);
  EXPECT_EQ(SharesKey(s), "exports/total_exports/naics/334/year/202412");
  v1::BalanceResult b;
  b.set_classification(v1::CLASSIFICATION_HITECH);
  b.set_product_code("ATP");
  b.mutable_window()->set_kind(v1::WINDOW_KIND_T12M);
  b.mutable_window()->set_end_period_yyyymm(202503);
  EXPECT_EQ(BalanceKey(b), "hitech/ATP/all/t12m/202503");
}

TEST(RecordKeysTest, AlertKeyIsRuleAndSortedLabels) {
  v1::AlertEvent e;
  e.set_rule("TaiwanShare");
  auto* a = e.add_labels();
  a->set_name("partner");
  a->set_value("5830");
  auto* b = e.add_labels();
  b->set_name("product_code");
  b->set_value("3344");
  EXPECT_EQ(AlertKey(e), "TaiwanShare{partner=5830,product_code=3344}");
}

TEST(RecordKeysTest, EventIdIsStableAndDependsOnKeyAndValue) {
  const std::string id = EventId("k", "v");
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id, EventId("k", "v"));
  EXPECT_NE(id, EventId("k", "w"));
  EXPECT_NE(id, EventId("kv", ""));  // the separator keeps key and value apart
  EXPECT_EQ(EventId("", ""), "af63bd4c8601b7df");  // FNV-1a 64 of a single zero byte
}

TEST(RecordKeysTest, ChokepointKeysAreIdAndDay) {
  v1::ChokepointTransit t;
  t.set_chokepoint_id("chokepoint1");
  t.set_date_yyyymmdd(20250314);
  EXPECT_EQ(TransitKey(t), "chokepoint1/2025-03-14");
  v1::ChokepointStatus s;
  s.set_chokepoint_id("name:gibraltar-strait");
  s.set_date_yyyymmdd(20260726);
  EXPECT_EQ(ChokepointStatusKey(s), "name:gibraltar-strait/2026-07-26");
}

}  // namespace
}  // namespace tradewatch
