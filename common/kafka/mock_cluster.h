// The embedded broker: librdkafka's in-process mock cluster, for the demo and fast tests. It
// implements produce, fetch, metadata, consumer groups and offset commits; not compaction or
// faithful transactions (those tests run on a real broker).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace tradewatch::kafka {

class MockCluster {
 public:
  // Starts `brokers` mock brokers on 127.0.0.1 (ephemeral ports), hosted by an internal producer
  // handle. The cluster must outlive every client connected to it.
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers = 1);
  ~MockCluster();

  // "127.0.0.1:port[,...]": pass as bootstrap.servers, or to kcat -b.
  const std::string& bootstrap_servers() const;

  // Creates a topic directly on the mock (the admin API also works).
  absl::Status CreateTopic(const std::string& name, int partitions);

 private:
  struct State;
  explicit MockCluster(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tradewatch::kafka
