#include "processors/event_decoder.h"

#include <gtest/gtest.h>

namespace tradewatch::processors {
namespace {

std::string Observation(std::string partner, std::string name, int64_t value) {
  v1::TradeEvent e;
  auto* o = e.mutable_observation();
  o->set_flow(v1::FLOW_IMPORTS);
  o->set_product_code("3344");
  o->set_partner_code(std::move(partner));
  o->set_partner_name(std::move(name));
  o->set_period_yyyymm(202501);
  o->set_value_usd(value);
  o->set_source("file.csv");
  o->set_source_line(7);
  return e.SerializeAsString();
}

std::string Marker(std::string release) {
  v1::TradeEvent e;
  e.mutable_release_marker()->set_release_id(std::move(release));
  e.mutable_release_marker()->set_through_period_yyyymm(202501);
  return e.SerializeAsString();
}

TEST(EventDecoderTest, ReusingGivesTheSameMessageAsAFreshParseForEverySequence) {
  // The second observation has no partner name: a reused message must not keep the first one's.
  std::vector<std::string> payloads = {Observation("5830", "TAIWAN", 10), Observation("5700", "", 0),
                                       Marker("2025-02"), Observation("2010", "MEXICO", 5),
                                       Marker(""), Marker("2025-03")};
  v1::TradeEvent reused;
  for (const std::string& bytes : payloads) {
    v1::TradeEvent fresh;
    ASSERT_TRUE(fresh.ParseFromString(bytes));
    ASSERT_TRUE(ParseTradeEventReusing(bytes, &reused));
    EXPECT_EQ(reused.SerializeAsString(), fresh.SerializeAsString());
    EXPECT_EQ(reused.event_case(), fresh.event_case());
  }
}

TEST(EventDecoderTest, PayloadsWithMoreThanTheObservationTakeTheGeneralPath) {
  // An observation followed by unknown field 15 (varint 7), and an observation split over two
  // occurrences of field 1, which protobuf merges.
  std::string first = Observation("5830", "TAIWAN", 10);
  std::string with_unknown = first + std::string("\x78\x07", 2);
  v1::TradeEvent second;
  second.mutable_observation()->set_value_usd(99);
  std::string split = first + second.SerializeAsString();
  for (const std::string& bytes : {with_unknown, split}) {
    v1::TradeEvent fresh, reused;
    ASSERT_TRUE(fresh.ParseFromString(bytes));
    ASSERT_TRUE(ParseTradeEventReusing(Observation("2010", "MEXICO", 5), &reused));
    ASSERT_TRUE(ParseTradeEventReusing(bytes, &reused));
    EXPECT_EQ(reused.SerializeAsString(), fresh.SerializeAsString());
  }
  v1::TradeEvent merged;
  ASSERT_TRUE(ParseTradeEventReusing(split, &merged));
  EXPECT_EQ(merged.observation().value_usd(), 99);
  EXPECT_EQ(merged.observation().partner_code(), "5830");
}

TEST(EventDecoderTest, TruncatedObservationIsRejected) {
  std::string bytes = Observation("5830", "TAIWAN", 10);
  v1::TradeEvent event;
  EXPECT_FALSE(ParseTradeEventReusing(bytes.substr(0, bytes.size() - 3), &event));
}

TEST(EventDecoderTest, RejectsBytesThatAreNotATradeEvent) {
  v1::TradeEvent event;
  EXPECT_FALSE(ParseTradeEventReusing(std::string("\xff\xff\xff\xff", 4), &event));
}

}  // namespace
}  // namespace tradewatch::processors
