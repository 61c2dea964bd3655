#include "common/kafka/kafka_consumer.h"

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/kafka_producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kafka/mock_cluster_fixture.h"

namespace tradewatch::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int kRecordsPerPartition = 20;
constexpr char kGroup[] = "tradewatch-test-group";
// A generous bound for group joins and rebalances on the mock; tests finish as soon as the
// condition holds.
constexpr auto kDeadline = std::chrono::seconds(60);

// Keeps the current assignment; optionally sets start offsets, and restores state the way the
// stream processor does: committed offsets, then the records before them, from inside the
// callback.
class RecordingListener : public RebalanceListener {
 public:
  void OnAssigned(std::vector<TopicPartition>* partitions) override {
    if (restore_from != nullptr) Restore(*partitions);
    for (TopicPartition& tp : *partitions) {
      offered_offsets.push_back(tp.offset);
      if (auto it = start_offsets.find(tp.partition); it != start_offsets.end()) {
        tp.offset = it->second;
      }
      assigned.insert(tp.partition);
    }
    ++assignments;
  }
  void OnRevoked(const std::vector<TopicPartition>& partitions) override {
    for (const TopicPartition& tp : partitions) assigned.erase(tp.partition);
    ++revocations;
  }

  void Restore(const std::vector<TopicPartition>& partitions) {
    auto committed = restore_from->Committed(partitions, 10000);
    ASSERT_TRUE(committed.ok()) << committed.status();
    for (const TopicPartition& tp : *committed) {
      int records = 0;
      ASSERT_TRUE(ReadPartitionRange(*restore_options, tp.topic, tp.partition, kOffsetBeginning,
                                     tp.offset, [&](const ConsumedRecord&) {
                                       ++records;
                                       return absl::OkStatus();
                                     })
                      .ok());
      restored[tp.partition] = records;
    }
  }

  KafkaConsumer* restore_from = nullptr;
  const ClientOptions* restore_options = nullptr;
  std::map<int32_t, int> restored;
  std::map<int32_t, int64_t> start_offsets;
  std::set<int32_t> assigned;
  std::vector<int64_t> offered_offsets;
  int assignments = 0;
  int revocations = 0;
};

class KafkaConsumerTest : public MockClusterTest {
 protected:
  void SetUp() override {
    MockClusterTest::SetUp();
    if (HasFatalFailure()) return;
    SeedRecords();
    // The mock waits session.timeout.ms - 1 s for members to rejoin a rebalance (44 s with the
    // default); a short heartbeat lets them notice it quickly.
    options_.properties = {{"heartbeat.interval.ms", "200"}, {"session.timeout.ms", "6000"}};
  }

  void SeedRecords() {
    auto producer = KafkaProducer::Create(options_);
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int32_t p = 0; p < kPartitions; ++p) {
      for (int i = 0; i < kRecordsPerPartition; ++i) {
        ASSERT_TRUE((*producer)->Send({kTopic, p, "k", std::to_string(p * 100 + i), {}}).ok());
      }
    }
    ASSERT_TRUE((*producer)->Flush(30000).ok());
  }

  std::unique_ptr<KafkaConsumer> NewMember(RebalanceListener* listener) {
    auto consumer = KafkaConsumer::CreateMember(options_, kGroup, listener);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return nullptr;
    EXPECT_TRUE((*consumer)->Subscribe({kTopic}).ok());
    return std::move(consumer).value();
  }

  // Polls every consumer in turn, handing records to `on_record`, until `done` holds.
  static bool PollUntil(const std::vector<KafkaConsumer*>& consumers,
                        const std::function<bool()>& done,
                        const std::function<void(const ConsumedRecord&)>& on_record = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      for (KafkaConsumer* consumer : consumers) {
        auto record = consumer->Poll(100);
        EXPECT_TRUE(record.ok()) << record.status();
        if (record.ok() && record->has_value() && on_record) on_record(**record);
      }
    }
    return true;
  }
};

TEST_F(KafkaConsumerTest, AMemberGetsEveryPartitionAndANewMemberResumesFromTheCommits) {
  RecordingListener first_listener;
  std::unique_ptr<KafkaConsumer> first = NewMember(&first_listener);
  ASSERT_NE(first, nullptr);
  std::map<int32_t, int> consumed;
  ASSERT_TRUE(PollUntil({first.get()}, [&] { return consumed.size() == 3 && consumed[0] >= 5 &&
                                                    consumed[1] >= 5 && consumed[2] >= 5; },
                        [&](const ConsumedRecord& r) { ++consumed[r.partition()]; }));
  EXPECT_THAT(first_listener.assigned, UnorderedElementsAre(0, 1, 2));
  EXPECT_THAT(first_listener.offered_offsets, ElementsAre(kOffsetStored, kOffsetStored,
                                                          kOffsetStored));
  const std::vector<TopicPartition> commits = {{kTopic, 0, 5}, {kTopic, 1, 7}, {kTopic, 2, 11}};
  ASSERT_TRUE(first->Commit(commits).ok());
  ASSERT_TRUE(first->Close().ok());
  EXPECT_TRUE(first_listener.assigned.empty()) << "Close() revokes through the listener";

  RecordingListener second_listener;
  std::unique_ptr<KafkaConsumer> second = NewMember(&second_listener);
  ASSERT_NE(second, nullptr);
  second_listener.restore_from = second.get();
  second_listener.restore_options = &options_;
  auto committed = second->Committed(
      {{kTopic, 2, kOffsetStored}, {kTopic, 0, kOffsetStored}, {kTopic, 1, kOffsetStored}}, 10000);
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_THAT(*committed, ElementsAre(commits[2], commits[0], commits[1]));
  std::map<int32_t, int64_t> first_offsets;
  ASSERT_TRUE(PollUntil({second.get()}, [&] { return first_offsets.size() == 3; },
                        [&](const ConsumedRecord& r) {
                          first_offsets.emplace(r.partition(), r.offset());
                        }));
  EXPECT_THAT(first_offsets, ElementsAre(std::pair(0, 5), std::pair(1, 7), std::pair(2, 11)));
  EXPECT_THAT(second_listener.restored,
              ElementsAre(std::pair(0, 5), std::pair(1, 7), std::pair(2, 11)));
}

TEST_F(KafkaConsumerTest, CommittedIsStoredWhenNothingWasCommitted) {
  std::unique_ptr<KafkaConsumer> member = NewMember(nullptr);
  ASSERT_NE(member, nullptr);
  auto committed = member->Committed({{kTopic, 0, 0}}, 10000);
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ((*committed)[0].offset, kOffsetStored);
}

TEST_F(KafkaConsumerTest, TheListenerChoosesStartOffsets) {
  RecordingListener listener;
  listener.start_offsets = {{0, kOffsetBeginning}, {1, 15}, {2, kOffsetEnd}};
  std::unique_ptr<KafkaConsumer> member = NewMember(&listener);
  ASSERT_NE(member, nullptr);
  std::map<int32_t, int64_t> first_offsets;
  ASSERT_TRUE(PollUntil({member.get()}, [&] { return first_offsets.size() == 2; },
                        [&](const ConsumedRecord& r) {
                          first_offsets.emplace(r.partition(), r.offset());
                        }));
  EXPECT_THAT(first_offsets, ElementsAre(std::pair(0, 0), std::pair(1, 15)));
}

TEST_F(KafkaConsumerTest, TwoMembersSplitThePartitions) {
  RecordingListener a_listener;
  RecordingListener b_listener;
  std::unique_ptr<KafkaConsumer> a = NewMember(&a_listener);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(PollUntil({a.get()}, [&] { return a_listener.assigned.size() == 3; }));
  std::unique_ptr<KafkaConsumer> b = NewMember(&b_listener);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(PollUntil({a.get(), b.get()}, [&] {
    return !a_listener.assigned.empty() && !b_listener.assigned.empty() &&
           a_listener.assigned.size() + b_listener.assigned.size() == 3;
  }));
  std::set<int32_t> both = a_listener.assigned;
  both.insert(b_listener.assigned.begin(), b_listener.assigned.end());
  EXPECT_THAT(both, UnorderedElementsAre(0, 1, 2));
  EXPECT_GE(a_listener.revocations, 1);
}

TEST_F(KafkaConsumerTest, WatermarksAndPartitionCountComeFromTheBroker) {
  auto reader = KafkaConsumer::CreateReader(options_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto watermarks = (*reader)->Watermarks(kTopic, 1, 10000);
  ASSERT_TRUE(watermarks.ok()) << watermarks.status();
  EXPECT_EQ(*watermarks, std::make_pair(int64_t{0}, int64_t{kRecordsPerPartition}));
  EXPECT_EQ((*reader)->PartitionCount(kTopic, 10000).value_or(0), kPartitions);
}

TEST_F(KafkaConsumerTest, AReaderReadsAssignedPartitionsButNeverJoinsOrCommits) {
  auto reader = KafkaConsumer::CreateReader(options_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Subscribe({kTopic}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*reader)->Commit({{kTopic, 0, 1}}).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*reader)->Assign({{kTopic, 2, 18}}).ok());
  std::vector<std::string> values;
  ASSERT_TRUE(PollUntil({reader->get()}, [&] { return values.size() == 2; },
                        [&](const ConsumedRecord& r) { values.emplace_back(r.value()); }));
  EXPECT_THAT(values, ElementsAre("218", "219"));
}

TEST_F(KafkaConsumerTest, CloseIsIdempotentAndEndsPolling) {
  std::unique_ptr<KafkaConsumer> member = NewMember(nullptr);
  ASSERT_NE(member, nullptr);
  EXPECT_TRUE(member->Close().ok());
  EXPECT_TRUE(member->Close().ok());
  EXPECT_EQ(member->Poll(0).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(KafkaConsumerTest, ABadPropertyIsInvalidArgumentNamingIt) {
  options_.properties["auto.offset.reset"] = "sideways";
  auto member = KafkaConsumer::CreateMember(options_, kGroup, nullptr);
  ASSERT_FALSE(member.ok());
  EXPECT_EQ(member.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(member.status().message(), ::testing::HasSubstr("auto.offset.reset"));
}

}  // namespace
}  // namespace tradewatch::kafka
