// Kafka behaviour that only a real broker shows (Apache Kafka 3.9, KRaft, started by
// scripts/kafka): the producer's idempotence and transactions are really active against the
// broker we ship (read back from the broker's own log segments), topics are created with their
// partitions and configs, and compaction keeps the latest vintage of every observation identity.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "common/kafka/kafka_admin.h"
#include "common/kafka/kafka_producer.h"
#include "common/record_keys.h"
#include "ingest/observation_publisher.h"
#include "tests/support/kafka_read.h"
#include "tests/support/real_kafka.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch {
namespace {

namespace v1 = tradewatch::v1;
using ::tradewatch::testing::ReadRecord;
using ::tradewatch::testing::ReadTopic;
using ::tradewatch::testing::RealKafka;

class RealBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kafka = ::tradewatch::testing::SharedRealKafka();
    ASSERT_TRUE(kafka.ok()) << kafka.status();
    kafka_ = *kafka;
    options_.brokers = kafka_->bootstrap();
  }

  // A topic of its own per test (the broker is shared by the tests of this binary).
  // A topic named after the test, plus `suffix` for a test's second topic.
  std::string NewTopic(int32_t partitions, std::string cleanup = "delete",
                       std::map<std::string, std::string> configs = {},
                       const std::string& suffix = "") {
    const std::string name =
        std::string("tradewatch.test.") +
        ::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix;
    absl::Status created = kafka::EnsureTopics(
        options_, {{name, partitions, 1, std::move(cleanup), 0, std::move(configs)}});
    EXPECT_TRUE(created.ok()) << created;
    return name;
  }

  // Every batch header line of the partition's log segments, as the broker prints them.
  std::vector<std::string> BatchLines(const std::string& topic, int partition) {
    std::vector<std::string> files = kafka_->SegmentFiles(topic, partition);
    EXPECT_FALSE(files.empty()) << "no segment files for " << topic << "-" << partition;
    std::vector<std::string> lines;
    std::istringstream dump(kafka_->DumpLog(files));
    for (std::string line; std::getline(dump, line);) {
      if (line.rfind("baseOffset:", 0) == 0) lines.push_back(line);
    }
    return lines;
  }

  static OutgoingRecord Record(const std::string& topic, const std::string& key,
                               const std::string& value) {
    OutgoingRecord r;
    r.topic = topic;
    r.partition = 0;
    r.key = key;
    r.value = value;
    return r;
  }

  RealKafka* kafka_ = nullptr;
  kafka::ClientOptions options_;
};

int64_t ProducerIdOf(const std::string& batch_line) {
  std::smatch m;
  static const std::regex re("producerId: (-?[0-9]+)");
  return std::regex_search(batch_line, m, re) ? std::stoll(m[1]) : -2;
}

TEST_F(RealBrokerTest, IdempotentProducerWritesBatchesWithABrokerAssignedProducerId) {
  const std::string topic = NewTopic(1);
  auto producer = kafka::KafkaProducer::Create(options_);
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE((*producer)->Send(Record(topic, "k" + std::to_string(i), "v")).ok());
  }
  ASSERT_TRUE((*producer)->Flush(10000).ok());

  // The same records from a producer with idempotence switched off, for contrast: the broker
  // marks its batches with producer id -1.
  kafka::ClientOptions plain = options_;
  plain.properties["enable.idempotence"] = "false";
  auto plain_producer = kafka::KafkaProducer::Create(plain);
  ASSERT_TRUE(plain_producer.ok()) << plain_producer.status();
  ASSERT_TRUE((*plain_producer)->Send(Record(topic, "plain", "v")).ok());
  ASSERT_TRUE((*plain_producer)->Flush(10000).ok());

  const std::vector<std::string> batches = BatchLines(topic, 0);
  ASSERT_GE(batches.size(), 2u);
  std::set<int64_t> idempotent_ids;
  for (size_t i = 0; i + 1 < batches.size(); ++i) {
    idempotent_ids.insert(ProducerIdOf(batches[i]));
    EXPECT_NE(batches[i].find("baseSequence: "), std::string::npos) << batches[i];
    EXPECT_EQ(batches[i].find("baseSequence: -1"), std::string::npos) << batches[i];
  }
  ASSERT_EQ(idempotent_ids.size(), 1u);
  EXPECT_GE(*idempotent_ids.begin(), 0) << batches.front();
  EXPECT_EQ(ProducerIdOf(batches.back()), -1) << batches.back();
}

TEST_F(RealBrokerTest, TransactionsAreCommittedAndAbortedByTheBroker) {
  const std::string topic = NewTopic(1);
  kafka::ClientOptions transactional = options_;
  transactional.properties["transactional.id"] = "tradewatch-test-" + topic;
  auto producer = kafka::KafkaProducer::Create(transactional);
  ASSERT_TRUE(producer.ok()) << producer.status();
  kafka::KafkaProducer& p = **producer;
  ASSERT_TRUE(p.InitTransactions(30000).ok());

  ASSERT_TRUE(p.BeginTransaction().ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(p.Send(Record(topic, "c", "committed-" + std::to_string(i))).ok());
  ASSERT_TRUE(p.CommitTransaction(30000).ok());

  ASSERT_TRUE(p.BeginTransaction().ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(p.Send(Record(topic, "a", "aborted-" + std::to_string(i))).ok());
  ASSERT_TRUE(p.Flush(10000).ok());  // on the broker, then aborted
  ASSERT_TRUE(p.AbortTransaction(30000).ok());

  ASSERT_TRUE(p.BeginTransaction().ok());
  ASSERT_TRUE(p.Send(Record(topic, "c", "committed-last")).ok());
  ASSERT_TRUE(p.CommitTransaction(30000).ok());

  // A read_committed reader sees the committed records only; read_uncommitted sees all 11.
  kafka::ClientOptions committed = options_;
  committed.properties["isolation.level"] = "read_committed";
  auto visible = ReadTopic(committed, topic);
  ASSERT_TRUE(visible.ok()) << visible.status();
  std::vector<std::string> values;
  for (const ReadRecord& r : *visible) values.push_back(r.value);
  EXPECT_EQ(values, (std::vector<std::string>{"committed-0", "committed-1", "committed-2",
                                              "committed-3", "committed-4", "committed-last"}));
  kafka::ClientOptions uncommitted = options_;
  uncommitted.properties["isolation.level"] = "read_uncommitted";
  auto all = ReadTopic(uncommitted, topic);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 11u);

  // The broker's log: transactional batches of one producer id, and COMMIT, ABORT, COMMIT
  // control batches.
  std::vector<std::string> markers;
  std::set<int64_t> ids;
  for (const std::string& batch : BatchLines(topic, 0)) {
    EXPECT_NE(batch.find("isTransactional: true"), std::string::npos) << batch;
    ids.insert(ProducerIdOf(batch));
    if (batch.find("isControl: true") != std::string::npos) markers.push_back(batch);
  }
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_GE(*ids.begin(), 0);
  ASSERT_EQ(markers.size(), 3u);
  std::string dump = kafka_->DumpLog(kafka_->SegmentFiles(topic, 0));
  std::vector<std::string> kinds;
  static const std::regex marker_re("endTxnMarker: (COMMIT|ABORT)");
  for (std::sregex_iterator it(dump.begin(), dump.end(), marker_re), end; it != end; ++it) {
    kinds.push_back((*it)[1]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"COMMIT", "ABORT", "COMMIT"})) << dump;
}

// Exactly-once consume-transform-produce, the broker side: a group member's offsets sent to the
// producer's transaction are committed with its outputs, and neither is when it aborts.
TEST_F(RealBrokerTest, OffsetsSentToATransactionCommitAndAbortWithItsOutputs) {
  const std::string input = NewTopic(1, "delete", {}, ".in");
  const std::string output = NewTopic(1, "delete", {}, ".out");
  {
    auto plain = kafka::KafkaProducer::Create(options_);
    ASSERT_TRUE(plain.ok()) << plain.status();
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE((*plain)->Send(Record(input, "k", "in-" + std::to_string(i))).ok());
    }
    ASSERT_TRUE((*plain)->Flush(10000).ok());
  }
  kafka::ClientOptions transactional = options_;
  transactional.properties["transactional.id"] = "tradewatch-test-" + output;
  auto producer = kafka::KafkaProducer::Create(transactional);
  ASSERT_TRUE(producer.ok()) << producer.status();
  kafka::KafkaProducer& p = **producer;
  ASSERT_TRUE(p.InitTransactions(30000).ok());

  const std::string group = "tradewatch-test-eos-" + output;
  kafka::ClientOptions member = options_;
  member.properties["isolation.level"] = "read_committed";
  auto consumer = kafka::KafkaConsumer::CreateMember(member, group, nullptr);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  ASSERT_TRUE((*consumer)->Subscribe({input}).ok());
  // Consumes `n` records, produces one output each, and sends the next offset to the open
  // transaction.
  auto transform = [&](int n) {
    ASSERT_TRUE(p.BeginTransaction().ok());
    int64_t next = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int done = 0; done < n && std::chrono::steady_clock::now() < deadline;) {
      auto record = (*consumer)->Poll(200);
      ASSERT_TRUE(record.ok()) << record.status();
      if (!*record) continue;
      ASSERT_TRUE(p.Send(Record(output, "k", "out-" + std::string((*record)->value()))).ok());
      next = (*record)->offset() + 1;
      ++done;
    }
    ASSERT_GE(next, 0) << "nothing consumed";
    auto metadata = (*consumer)->GroupMetadata();
    ASSERT_TRUE(metadata.ok()) << metadata.status();
    ASSERT_TRUE(p.SendOffsetsToTransaction({{input, 0, next}}, **metadata, 30000).ok());
  };
  auto committed_offset = [&] {
    auto committed = (*consumer)->Committed({{input, 0, kafka::kOffsetStored}}, 10000);
    EXPECT_TRUE(committed.ok()) << committed.status();
    return committed.ok() ? (*committed)[0].offset : -2;
  };

  transform(4);
  ASSERT_TRUE(p.CommitTransaction(30000).ok());
  EXPECT_EQ(committed_offset(), 4);

  transform(3);  // in-4..in-6, then aborted: neither the outputs nor the offset 7 count
  ASSERT_TRUE(p.Flush(10000).ok());
  ASSERT_TRUE(p.AbortTransaction(30000).ok());
  EXPECT_EQ(committed_offset(), 4);

  kafka::ClientOptions committed = options_;
  committed.properties["isolation.level"] = "read_committed";
  auto visible = ReadTopic(committed, output);
  ASSERT_TRUE(visible.ok()) << visible.status();
  std::vector<std::string> values;
  for (const ReadRecord& r : *visible) values.push_back(r.value);
  EXPECT_EQ(values, (std::vector<std::string>{"out-in-0", "out-in-1", "out-in-2", "out-in-3"}));
  ASSERT_TRUE((*consumer)->Close().ok());
}

TEST_F(RealBrokerTest, EnsureTopicsCreatesMissingTopicsOnceAndKeepsExistingOnes) {
  const std::string topic = NewTopic(4, "compact", {{"max.message.bytes", "2097152"}});
  auto producer = kafka::KafkaProducer::Create(options_);
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto partitions = (*producer)->PartitionCount(topic);
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  EXPECT_EQ(*partitions, 4);
  // A second call (another instance starting) leaves the topic as it is.
  ASSERT_TRUE(kafka::EnsureTopics(options_, {{topic, 8, 1, "compact", 0, {}}}).ok());
  auto again = kafka::KafkaProducer::Create(options_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->PartitionCount(topic), 4);
  // A config the broker refuses is an error naming the topic.
  absl::Status refused = kafka::EnsureTopics(
      options_, {{topic + ".bad", 1, 1, "delete", 0, {{"segment.ms", "not-a-number"}}}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find(topic + ".bad"), std::string::npos) << refused;
}

TEST_F(RealBrokerTest, CompactionKeepsTheLatestVintageOfEveryObservationIdentity) {
  // Small segments that roll quickly and a cleaner that compacts any dirty closed segment.
  const std::string topic =
      NewTopic(1, "compact",
               {{"segment.ms", "100"}, {"min.cleanable.dirty.ratio", "0.01"},
                {"delete.retention.ms", "100"}, {"min.compaction.lag.ms", "0"}});
  auto producer = kafka::KafkaProducer::Create(options_);
  ASSERT_TRUE(producer.ok()) << producer.status();
  constexpr int kIdentities = 50;
  constexpr int kVintages = 3;
  auto observation = [](int identity, int vintage) {
    v1::TradeObservation o;
    o.set_flow(v1::FLOW_IMPORTS);
    o.set_measure(v1::MEASURE_GENERAL_IMPORTS);
    o.set_classification(v1::CLASSIFICATION_NAICS);
    o.set_product_code("3344");
    o.set_partner_code(std::to_string(1000 + identity));
    o.set_partner_kind(v1::PARTNER_KIND_COUNTRY);
    o.set_period_yyyymm(202501);
    o.set_value_usd(1000 * vintage + identity);
    o.set_vintage(vintage);
    return o;
  };
  for (int vintage = 1; vintage <= kVintages; ++vintage) {
    for (int i = 0; i < kIdentities; ++i) {
      v1::TradeObservation o = observation(i, vintage);
      v1::TradeEvent event;
      *event.mutable_observation() = o;
      ASSERT_TRUE((*producer)->Send(Record(topic, ObservationKey(o), event.SerializeAsString())).ok());
    }
    ASSERT_TRUE((*producer)->Flush(10000).ok());
  }
  auto before = ReadTopic(options_, topic);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), static_cast<size_t>(kIdentities * kVintages));

  // The active segment is never cleaned: append after segment.ms has passed so that the
  // observations' segment rolls, until the cleaner has compacted it (or a minute passes).
  std::map<std::string, int64_t> latest;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t seen = before->size();
  for (int roll = 0; std::chrono::steady_clock::now() < deadline; ++roll) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_TRUE((*producer)->Send(Record(topic, "roll", std::to_string(roll))).ok());
    ASSERT_TRUE((*producer)->Flush(10000).ok());
    auto after = ReadTopic(options_, topic);
    ASSERT_TRUE(after.ok()) << after.status();
    latest.clear();
    seen = 0;
    for (const ReadRecord& r : *after) {
      if (r.key == "roll") continue;
      ++seen;
      v1::TradeEvent event;
      ASSERT_TRUE(event.ParseFromString(r.value));
      latest[r.key] = event.observation().vintage();
    }
    if (seen == static_cast<size_t>(kIdentities)) break;
  }
  ASSERT_EQ(seen, static_cast<size_t>(kIdentities)) << "the cleaner did not compact in 60 s";
  ASSERT_EQ(latest.size(), static_cast<size_t>(kIdentities));
  for (const auto& [key, vintage] : latest) EXPECT_EQ(vintage, kVintages) << key;
}

// The three-node variant (replication factor 3, min.insync.replicas 2): acks=all writes go on
// while one node is down, and nothing written is lost when it comes back.
TEST(RealClusterTest, ThreeNodesKeepAcceptingWritesWithOneNodeDownAndLoseNothing) {
  auto cluster = RealKafka::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  kafka::ClientOptions options;
  options.brokers = (*cluster)->bootstrap();
  const std::string topic = "tradewatch.test.replicated";
  ASSERT_TRUE(kafka::EnsureTopics(options, {{topic, 3, 3, "delete", 0, {}}}).ok());
  auto producer = kafka::KafkaProducer::Create(options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  int sent = 0;
  auto send_batch = [&](int n) {
    for (int i = 0; i < n; ++i, ++sent) {
      OutgoingRecord r;
      r.topic = topic;
      r.partition = sent % 3;
      r.key = "k" + std::to_string(sent);
      r.value = std::to_string(sent);
      ASSERT_TRUE((*producer)->Send(std::move(r)).ok());
    }
    absl::Status flushed = (*producer)->Flush(60000);
    ASSERT_TRUE(flushed.ok()) << flushed;
  };
  send_batch(300);
  ASSERT_TRUE((*cluster)->StopNode(2).ok());
  send_batch(300);  // two in-sync replicas remain: acks=all still succeeds
  ASSERT_TRUE((*cluster)->StartNode(2).ok());
  send_batch(300);

  auto records = ReadTopic(options, topic);
  ASSERT_TRUE(records.ok()) << records.status();
  std::set<std::string> values;
  for (const ReadRecord& r : *records) values.insert(r.value);
  EXPECT_EQ(records->size(), 900u);  // no duplicates (idempotent producer) ...
  EXPECT_EQ(values.size(), 900u);    // ... and nothing lost
}

}  // namespace
}  // namespace tradewatch
