#include "common/kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "common/kafka/kafka_options.h"
#include "common/kafka/kafka_status.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::kafka {
namespace {

std::mutex& RegistryMutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}

// bootstrap servers -> live cluster.
std::map<std::string, MockCluster*, std::less<>>& Registry() {
  static auto* registry = new std::map<std::string, MockCluster*, std::less<>>();
  return *registry;
}

}  // namespace

struct MockCluster::State {
  // The mock's brokers run on threads owned by `host`, so the cluster is destroyed first.
  rd_kafka_t* host = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  std::string bootstrap_servers;
  int brokers = 0;
};

MockCluster::MockCluster(std::unique_ptr<State> state) : state_(std::move(state)) {}

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  if (brokers < 1) {
    return absl::InvalidArgumentError(
        fmt::format("kafka mock cluster: broker count {} is not >= 1", brokers));
  }
  // The host handle never connects anywhere; log_level=4 hides its notice that no
  // bootstrap.servers is configured, which would mislead whoever reads the log.
  TW_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                      NewCConf({{"client.id", "tradewatch-mock-host"}, {"log_level", "4"}}));
  char error[512];
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (host == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(fmt::format("kafka mock cluster: host handle: {}", error));
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(host);
    return absl::InternalError(
        fmt::format("kafka mock cluster: {} brokers did not start", brokers));
  }
  auto state = std::make_unique<State>();
  state->host = host;
  state->cluster = cluster;
  state->bootstrap_servers = rd_kafka_mock_cluster_bootstraps(cluster);
  state->brokers = brokers;
  std::unique_ptr<MockCluster> mock(new MockCluster(std::move(state)));
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry()[mock->bootstrap_servers()] = mock.get();
  return mock;
}

MockCluster::~MockCluster() {
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    Registry().erase(state_->bootstrap_servers);
  }
  rd_kafka_mock_cluster_destroy(state_->cluster);
  rd_kafka_destroy(state_->host);
}

MockCluster* MockCluster::Find(std::string_view bootstrap_servers) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(bootstrap_servers);
  return it == Registry().end() ? nullptr : it->second;
}

const std::string& MockCluster::bootstrap_servers() const { return state_->bootstrap_servers; }

absl::Status MockCluster::CreateTopic(const std::string& name, int partitions) {
  if (partitions < 1) {
    return absl::InvalidArgumentError(fmt::format(
        "kafka mock cluster: topic {}: partition count {} is not >= 1", name, partitions));
  }
  return FromKafkaError(rd_kafka_mock_topic_create(state_->cluster, name.c_str(), partitions,
                                                   std::min(3, state_->brokers)),
                        fmt::format("kafka mock cluster: create topic {}", name));
}

}  // namespace tradewatch::kafka
