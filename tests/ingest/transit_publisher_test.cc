// The transit publisher's records on a fake sink: key, partition by chokepoint id, headers, the
// dead letter of a rejected row, the release markers on every partition, and send errors
// surfacing from FinishRelease.
#include "ingest/transit_publisher.h"

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "ingest/portwatch_reader.h"
#include "tests/fakes/fake_event_sink.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;
using ::tradewatch::testing::FakeEventSink;
using ::tradewatch::testing::HeaderValue;

constexpr char kTable[] =
    "date,portid,portname,n_total,n_tanker,n_container,n_cargo,n_dry_bulk,capacity\n"
    "2025-03-14,chokepoint1,Suez Canal,45,18,7,27,15,1515864\n"
    "2025-03-14,,Kerch Strait,3,1,0,2,1,5326\n"
    "2025-03-14,chokepoint11,Taiwan Strait,-5,45,75,189,81,5668233\n";

TransitTopics Topics() {
  TransitTopics t;
  t.transits = "transits";
  t.transit_partitions = 3;
  t.deadletter = "dlq";
  return t;
}

TEST(TransitPublisherTest, WritesTransitsByChokepointPartitionAndRejectsToTheDeadLetterTopic) {
  FakeEventSink sink;
  TransitPublisher publisher(Topics(), &sink);
  PortwatchReader reader(PortwatchReadOptions{"portwatch-test", 9, 0}, &publisher);
  reader.ReadBuffer(kTable, "table.csv");
  ASSERT_TRUE(publisher.FinishRelease("portwatch-test", 9, 20250320).ok());
  EXPECT_EQ(sink.flushes(), 1);
  EXPECT_EQ(publisher.transits_sent(), 2);
  EXPECT_EQ(publisher.rejects_sent(), 1);
  ASSERT_EQ(sink.records().size(), 3u + 3u);  // and a marker on each of the 3 partitions

  const OutgoingRecord& dead = sink.records()[0];  // rejects go out as they are read
  EXPECT_EQ(dead.topic, "dlq");
  EXPECT_EQ(dead.partition, 0);
  EXPECT_EQ(dead.key, "table.csv");
  EXPECT_EQ(HeaderValue(dead, kHeaderReason), "negative_value");
  EXPECT_EQ(HeaderValue(dead, kHeaderSource), "table.csv:4");
  EXPECT_EQ(HeaderValue(dead, kHeaderSchema), "tradewatch.v1.RejectedRecord");

  for (size_t i = 1; i < 3; ++i) {
    const OutgoingRecord& r = sink.records()[i];
    v1::ShippingEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value));
    ASSERT_TRUE(event.has_transit());
    const v1::ChokepointTransit& transit = event.transit();
    EXPECT_EQ(r.topic, "transits");
    EXPECT_EQ(r.key, TransitKey(transit));
    EXPECT_EQ(r.partition, kafka::PartitionFor(transit.chokepoint_id(), 3));
    EXPECT_EQ(HeaderValue(r, kHeaderSchema), "tradewatch.v1.ShippingEvent");
    EXPECT_EQ(HeaderValue(r, kHeaderEventId), EventId(r.key, r.value));
    EXPECT_EQ(transit.vintage(), 9);
  }
  EXPECT_EQ(sink.records()[1].key, "chokepoint1/2025-03-14");
  EXPECT_EQ(HeaderValue(sink.records()[1], kHeaderSource), "table.csv:2");
  EXPECT_EQ(sink.records()[2].key, "name:kerch-strait/2025-03-14");

  // One marker per partition, counting the transits sent to that partition.
  int64_t counted = 0;
  for (int32_t p = 0; p < 3; ++p) {
    const OutgoingRecord& r = sink.records()[3 + static_cast<size_t>(p)];
    v1::ShippingEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value));
    ASSERT_TRUE(event.has_release_marker());
    EXPECT_EQ(r.partition, p);
    EXPECT_EQ(r.key, "release/portwatch-test");
    EXPECT_EQ(event.release_marker().vintage(), 9);
    EXPECT_EQ(event.release_marker().through_yyyymmdd(), 20250320);
    int64_t expected = 0;
    for (size_t i = 1; i < 3; ++i) expected += sink.records()[i].partition == p;
    EXPECT_EQ(event.release_marker().transit_count(), expected) << "partition " << p;
    counted += event.release_marker().transit_count();
  }
  EXPECT_EQ(counted, 2);
}

TEST(TransitPublisherTest, AMarkerWithoutHorizonCarriesTheLatestDateSent) {
  FakeEventSink sink;
  TransitPublisher publisher(Topics(), &sink);
  PortwatchReader reader(PortwatchReadOptions{"portwatch-test", 9, 0}, &publisher);
  reader.ReadBuffer(kTable, "table.csv");
  ASSERT_TRUE(publisher.FinishRelease("portwatch-test", 9, 0).ok());
  v1::ShippingEvent event;
  ASSERT_TRUE(event.ParseFromString(sink.records().back().value));
  EXPECT_EQ(event.release_marker().through_yyyymmdd(), 20250314);
}

TEST(TransitPublisherTest, ASendErrorStopsSendingAndSurfacesFromFinish) {
  FakeEventSink sink;
  TransitPublisher publisher(Topics(), &sink);
  sink.FailNextSend(absl::UnavailableError("broker down"));
  PortwatchReader reader(PortwatchReadOptions{"portwatch-test", 9, 0}, &publisher);
  reader.ReadBuffer(kTable, "table.csv");
  EXPECT_FALSE(publisher.status().ok());
  EXPECT_TRUE(sink.records().empty());
  EXPECT_EQ(publisher.transits_sent() + publisher.rejects_sent(), 0);
  EXPECT_EQ(publisher.FinishRelease("portwatch-test", 9, 0).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(publisher.status().ok());
}

}  // namespace
}  // namespace tradewatch::ingest
