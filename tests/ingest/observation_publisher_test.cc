#include "ingest/observation_publisher.h"

#include <gtest/gtest.h>

#include <set>

#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "ingest/census_reader.h"
#include "tests/fakes/fake_event_sink.h"
#include "tests/support/ingest_support.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;
using ::tradewatch::testing::FakeEventSink;
using ::tradewatch::testing::HeaderValue;

PublishTopics Topics(int32_t partitions) {
  PublishTopics t;
  t.observations = "obs";
  t.observation_partitions = partitions;
  t.deadletter = "dlq";
  return t;
}

constexpr char kTable[] =
    "NAICS,CTY_CODE,CTY_NAME,GEN_VAL_MO,time\n"
    "3344,5830,TAIWAN,100,2025-01\n"
    "3344,5570,MALAYSIA,50,2025-01\n"
    "3341,2010,MEXICO,70,2025-01\n"
    "3344,5830,TAIWAN,abc,2025-02\n";

TEST(ObservationPublisherTest, WritesObservationsByProductPartitionAndRejectsToTheDeadLetterTopic) {
  FakeEventSink sink;
  ObservationPublisher publisher(Topics(6), &sink);
  ReadOptions read;
  read.countries = &testing::Countries();
  read.release_id = "2025-01";
  read.vintage = 7;
  CensusReader reader(read, &publisher);
  reader.ReadBuffer(kTable, "table.csv");
  ASSERT_TRUE(publisher.status().ok());
  ASSERT_EQ(sink.records().size(), 4u);

  std::set<int32_t> partitions_3344;
  for (const OutgoingRecord& r : sink.records()) {
    if (r.topic == "dlq") {
      v1::RejectedRecord reject;
      ASSERT_TRUE(reject.ParseFromString(r.value));
      EXPECT_EQ(reject.reason(), v1::REJECT_REASON_NON_NUMERIC_VALUE);
      EXPECT_EQ(HeaderValue(r, kHeaderReason), "non_numeric_value");
      EXPECT_EQ(HeaderValue(r, kHeaderSource), "table.csv:5");
      EXPECT_EQ(reject.raw(), "3344,5830,TAIWAN,abc,2025-02");
      continue;
    }
    EXPECT_EQ(r.topic, "obs");
    v1::TradeEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value));
    ASSERT_TRUE(event.has_observation());
    const v1::TradeObservation& o = event.observation();
    EXPECT_EQ(r.key, ObservationKey(o));
    EXPECT_EQ(r.partition, kafka::PartitionFor(ProductPartitionKey(o.classification(),
                                                                   o.product_code()), 6));
    EXPECT_EQ(HeaderValue(r, kHeaderEventId), EventId(r.key, r.value));
    EXPECT_EQ(HeaderValue(r, kHeaderSchema), "tradewatch.v1.TradeEvent");
    EXPECT_EQ(HeaderValue(r, kHeaderSource).substr(0, 10), "table.csv:");
    EXPECT_EQ(o.vintage(), 7);
    if (o.product_code() == "3344") partitions_3344.insert(r.partition);
  }
  EXPECT_EQ(partitions_3344.size(), 1u);  // every partner of a code on one partition
}

TEST(ObservationPublisherTest, FinishReleaseWritesOneMarkerPerPartitionWithItsCountAndFlushes) {
  FakeEventSink sink;
  ObservationPublisher publisher(Topics(3), &sink);
  ReadOptions read;
  read.countries = &testing::Countries();
  CensusReader reader(read, &publisher);
  reader.ReadBuffer(kTable, "table.csv");
  sink.TakeRecords();
  ASSERT_TRUE(publisher.FinishRelease("2025-01", 7, 202501).ok());
  EXPECT_EQ(sink.flushes(), 1);
  ASSERT_EQ(sink.records().size(), 3u);
  int64_t counted = 0;
  for (int32_t p = 0; p < 3; ++p) {
    const OutgoingRecord& r = sink.records()[p];
    EXPECT_EQ(r.partition, p);
    EXPECT_EQ(r.key, "release/2025-01");
    v1::TradeEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value));
    ASSERT_TRUE(event.has_release_marker());
    EXPECT_EQ(event.release_marker().vintage(), 7);
    EXPECT_EQ(event.release_marker().through_period_yyyymm(), 202501);
    counted += event.release_marker().observation_count();
  }
  EXPECT_EQ(counted, 3);  // the three good rows
}

TEST(ObservationPublisherTest, SendAndDeliveryErrorsSurfaceFromFinishRelease) {
  FakeEventSink sink;
  ObservationPublisher publisher(Topics(1), &sink);
  sink.FailNextSend(absl::UnavailableError("queue full"));
  v1::TradeObservation o;
  o.set_product_code("3344");
  publisher.OnObservation(o);
  EXPECT_EQ(publisher.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(publisher.FinishRelease("r", 1, 202501).code(), absl::StatusCode::kUnavailable);

  sink.FailNextFlush(absl::InternalError("delivery failed: obs/0"));
  EXPECT_EQ(publisher.FinishRelease("r2", 2, 202501).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace tradewatch::ingest
