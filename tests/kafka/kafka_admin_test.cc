#include "common/kafka/kafka_admin.h"

#include <memory>

#include "common/kafka/kafka_consumer.h"
#include "common/kafka/mock_cluster.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kafka/mock_cluster_fixture.h"

namespace tradewatch::kafka {
namespace {

using ::testing::HasSubstr;

class KafkaEnsureTopicsTest : public MockClusterTest {
 protected:
  int32_t PartitionsOf(const std::string& topic) {
    auto reader = KafkaConsumer::CreateReader(options_);
    if (!reader.ok()) return -1;
    return (*reader)->PartitionCount(topic, 10000).value_or(-1);
  }
};

TEST_F(KafkaEnsureTopicsTest, CreatesMissingTopicsWithTheirPartitionCounts) {
  const std::vector<TopicSpec> topics = {{"t.compact", 6, -1, "compact", 0, {}},
                                         {"t.delete", 2, -1, "delete", 86400000, {}}};
  ASSERT_TRUE(EnsureTopics(options_, topics).ok());
  EXPECT_EQ(PartitionsOf("t.compact"), 6);
  EXPECT_EQ(PartitionsOf("t.delete"), 2);
  EXPECT_EQ(cluster_->CreateTopic("t.compact", 6).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(EnsureTopics(options_, topics).ok()) << "a second run finds them";
}

TEST_F(KafkaEnsureTopicsTest, LeavesExistingTopicsAsTheyAre) {
  ASSERT_TRUE(cluster_->CreateTopic("t.existing", 3).ok());
  ASSERT_TRUE(EnsureTopics(options_, {{"t.existing", 5, -1, "compact", 0, {}}}).ok());
  EXPECT_EQ(PartitionsOf("t.existing"), 3);
}

TEST_F(KafkaEnsureTopicsTest, RefusesAnInvalidSpecNamingTheTopic) {
  absl::Status status = EnsureTopics(options_, {{"t.bad", 0, -1, "delete", 0, {}}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("t.bad"));
}

// librdkafka 2.0.2's mock answers no CreateTopics (nor names a controller). Addressed by another
// name, the cluster is not recognized as the embedded one, which shows what EnsureTopics would
// meet without its fallback.
TEST_F(KafkaEnsureTopicsTest, WithoutTheFallbackTheMockLeavesCreateTopicsUnanswered) {
  const std::string port = options_.brokers.substr(options_.brokers.rfind(':') + 1);
  options_.brokers = "localhost:" + port;
  absl::Status status = EnsureTopics(options_, {{"t.unanswered", 1, -1, "delete", 0, {}}}, 1000);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr("t.unanswered"));
  EXPECT_EQ(PartitionsOf("t.unanswered"), -1);
}

TEST(KafkaMockClusterTest, RegistersItsAddressWhileItLives) {
  auto cluster = MockCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string address = (*cluster)->bootstrap_servers();
  EXPECT_EQ(std::count(address.begin(), address.end(), ','), 2);
  EXPECT_EQ(MockCluster::Find(address), cluster->get());
  cluster->reset();
  EXPECT_EQ(MockCluster::Find(address), nullptr);
}

TEST(KafkaMockClusterTest, RefusesZeroBrokersAndZeroPartitions) {
  EXPECT_EQ(MockCluster::Start(0).status().code(), absl::StatusCode::kInvalidArgument);
  auto cluster = MockCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EXPECT_EQ((*cluster)->CreateTopic("t", 0).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tradewatch::kafka
