// The embedded broker: librdkafka's in-process mock cluster, for the demo and fast tests. It
// implements produce, fetch, metadata, consumer groups and offset commits; not the admin API
// (CreateTopics, DescribeConfigs), topic configs, compaction or faithful transactions (those
// tests run on a real broker).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tradewatch::kafka {

class MockCluster {
 public:
  // Starts `brokers` (>= 1) mock brokers on 127.0.0.1 (ephemeral ports), hosted by an internal
  // producer handle. The cluster must outlive every client connected to it. Beware: a metadata
  // request that names an unknown topic creates it with 4 partitions, as a broker with
  // auto.create.topics.enable would; create topics first.
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers = 1);
  ~MockCluster();

  // The live cluster of this process whose bootstrap_servers() is `bootstrap_servers`, or null.
  // EnsureTopics uses it to create topics on the mock, which has no CreateTopics request.
  // Thread-safe; the pointer is valid while that cluster lives.
  static MockCluster* Find(std::string_view bootstrap_servers);

  // "127.0.0.1:port[,...]": pass as bootstrap.servers, or to kcat -b.
  const std::string& bootstrap_servers() const;

  // Creates a topic directly on the mock (partitions >= 1, replication factor min(3, brokers)).
  // AlreadyExists when it exists. Topic configs do not exist on the mock.
  absl::Status CreateTopic(const std::string& name, int partitions);

 private:
  struct State;
  explicit MockCluster(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tradewatch::kafka
