#include "common/kafka/kafka_producer.h"

#include <map>
#include <string>
#include <vector>

#include "common/kafka/kafka_consumer.h"
#include "common/kafka/partitioner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kafka/mock_cluster_fixture.h"

namespace tradewatch::kafka {
namespace {

using ::testing::HasSubstr;

struct SeenRecord {
  int32_t partition;
  int64_t offset;
  std::string key;
  std::string value;
  std::vector<RecordHeader> headers;
};

class KafkaProducerTest : public MockClusterTest {
 protected:
  std::unique_ptr<KafkaProducer> NewProducer() {
    auto producer = KafkaProducer::Create(options_);
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? std::move(producer).value() : nullptr;
  }

  std::vector<SeenRecord> ReadAll(int32_t partition, int64_t from, int64_t to) {
    std::vector<SeenRecord> seen;
    absl::Status status =
        ReadPartitionRange(options_, kTopic, partition, from, to, [&](const ConsumedRecord& r) {
          seen.push_back({r.partition(), r.offset(), std::string(r.key()), std::string(r.value()),
                          r.headers()});
          return absl::OkStatus();
        });
    EXPECT_TRUE(status.ok()) << status;
    return seen;
  }
};

TEST_F(KafkaProducerTest, WritesRecordsWithHeadersToExplicitPartitions) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  std::map<int32_t, std::vector<std::string>> keys_by_partition;
  for (int i = 0; i < 1000; ++i) {
    OutgoingRecord record;
    record.topic = kTopic;
    record.key = "key-" + std::to_string(i);
    record.partition = PartitionFor(record.key, kPartitions);
    record.value = "value-" + std::to_string(i);
    record.headers = {{"event-id", "id-" + std::to_string(i)}, {"source", "test"}};
    keys_by_partition[record.partition].push_back(record.key);
    ASSERT_TRUE(producer->Send(std::move(record)).ok());
  }
  ASSERT_TRUE(producer->Flush(30000).ok());
  EXPECT_EQ(producer->delivered(), 1000);
  EXPECT_EQ(producer->failed(), 0);
  ASSERT_EQ(keys_by_partition.size(), static_cast<size_t>(kPartitions));

  for (const auto& [partition, keys] : keys_by_partition) {
    std::vector<SeenRecord> seen =
        ReadAll(partition, kOffsetBeginning, static_cast<int64_t>(keys.size()));
    ASSERT_EQ(seen.size(), keys.size()) << "partition " << partition;
    for (size_t j = 0; j < keys.size(); ++j) {
      const std::string n = keys[j].substr(4);
      EXPECT_EQ(seen[j].partition, partition);
      EXPECT_EQ(seen[j].offset, static_cast<int64_t>(j));
      EXPECT_EQ(seen[j].key, keys[j]);
      EXPECT_EQ(seen[j].value, "value-" + n);
      ASSERT_EQ(seen[j].headers.size(), 2u);
      EXPECT_EQ(seen[j].headers[0].name, "event-id");
      EXPECT_EQ(seen[j].headers[0].value, "id-" + n);
      EXPECT_EQ(seen[j].headers[1].name, "source");
      EXPECT_EQ(seen[j].headers[1].value, "test");
    }
  }
}

TEST_F(KafkaProducerTest, ReadPartitionRangeReadsOnlyTheRangeAndStopsAtTheEnd) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(producer->Send({kTopic, 1, "k" + std::to_string(i), "v", {}}).ok());
  }
  ASSERT_TRUE(producer->Flush(30000).ok());

  std::vector<SeenRecord> middle = ReadAll(1, 10, 20);
  ASSERT_EQ(middle.size(), 10u);
  EXPECT_EQ(middle.front().offset, 10);
  EXPECT_EQ(middle.back().offset, 19);
  EXPECT_EQ(middle.front().key, "k10");

  EXPECT_EQ(ReadAll(1, 25, 1000).size(), 5u);
  EXPECT_TRUE(ReadAll(1, 20, 20).empty());
  EXPECT_TRUE(ReadAll(2, kOffsetBeginning, 100).empty());
}

TEST_F(KafkaProducerTest, ReadPartitionRangeReturnsTheCallbacksError) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(producer->Send({kTopic, 0, "k", "v", {}}).ok());
  ASSERT_TRUE(producer->Flush(30000).ok());
  int calls = 0;
  absl::Status status =
      ReadPartitionRange(options_, kTopic, 0, 0, 5, [&](const ConsumedRecord& record) {
        ++calls;
        return record.offset() == 2 ? absl::DataLossError("stop at 2") : absl::OkStatus();
      });
  EXPECT_EQ(status, absl::DataLossError("stop at 2"));
  EXPECT_EQ(calls, 3);
}

TEST_F(KafkaProducerTest, AMissingPartitionFailsNamingTopicAndPartition) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  absl::Status status = producer->Send({kTopic, 7, "the-key", "v", {}});
  // Unknown at once when the topic's metadata is cached, else from the delivery report.
  if (status.ok()) status = producer->Flush(30000);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(std::string(kTopic) + "/7"));
  EXPECT_THAT(status.message(), HasSubstr("the-key"));

  // Flush reported the failure once; the next batch starts clean.
  ASSERT_TRUE(producer->Send({kTopic, 2, "k", "v", {}}).ok());
  EXPECT_TRUE(producer->Flush(30000).ok());
  EXPECT_EQ(producer->delivered(), 1);
}

TEST_F(KafkaProducerTest, SendRefusesAMissingPartitionOnceMetadataIsKnown) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  // Metadata first, so that the unknown partition is not refused by Send itself.
  ASSERT_EQ(producer->PartitionCount(kTopic).value_or(0), kPartitions);
  ASSERT_TRUE(producer->Send({kTopic, 0, "good", "v", {}}).ok());
  ASSERT_TRUE(producer->Flush(30000).ok());
  absl::Status status = producer->Send({kTopic, 9, "bad", "v", {}});
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(std::string(kTopic) + "/9"));
}

TEST_F(KafkaProducerTest, BadOrConflictingPropertiesAreInvalidArgumentNamingThem) {
  // compression.type=nope is refused by itself; acks=1 conflicts with enable.idempotence.
  const std::map<std::string, std::string> bad = {{"compression.type", "nope"}, {"acks", "1"}};
  for (const auto& [name, value] : bad) {
    ClientOptions options = options_;
    options.properties[name] = value;
    auto producer = KafkaProducer::Create(options);
    EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(producer.status().message(), HasSubstr(name));
  }
}

TEST_F(KafkaProducerTest, PartitionCountOfAnUnknownTopicIsNotFoundAndCreatesNothing) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  auto count = producer->PartitionCount("no.such.topic");
  EXPECT_EQ(count.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(cluster_->CreateTopic("no.such.topic", 2).ok());
  EXPECT_EQ(producer->PartitionCount(kTopic).value_or(0), kPartitions);
}

TEST_F(KafkaProducerTest, ANegativePartitionIsRefused) {
  std::unique_ptr<KafkaProducer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  EXPECT_EQ(producer->Send({kTopic, -1, "k", "v", {}}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tradewatch::kafka
