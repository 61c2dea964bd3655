// Topic administration with librdkafka's admin API, and the metadata look-ups of the clients.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/kafka_options.h"

struct rd_kafka_s;

namespace tradewatch::kafka {

struct TopicSpec {
  std::string name;                // full name, prefix included
  int32_t partitions = 1;
  int32_t replication_factor = -1; // -1: broker default
  std::string cleanup_policy;      // "compact" or "delete"; empty: broker default
  int64_t retention_ms = 0;        // 0: broker default
  std::map<std::string, std::string> configs;  // further topic configs (segment.ms, ...)
};

// Creates the topics that do not exist; existing ones are left as they are (an existing topic's
// partition count is reported at info level when it differs). Error names the topic and cause.
// Existing topics are found with one metadata request for all topics (naming a topic in a
// metadata request would create it where auto-creation is on). Missing topics are created with
// CreateTopics (cleanup.policy and retention.ms as topic configs; TOPIC_ALREADY_EXISTS from a
// concurrent creator is success), except on an embedded MockCluster of this process, which has
// no CreateTopics: there they are created through MockCluster::CreateTopic, without configs.
// `timeout_ms` bounds each broker request.
absl::Status EnsureTopics(const ClientOptions& options, const std::vector<TopicSpec>& topics,
                          int timeout_ms = 30000);

// For the clients of common/kafka: the partition count of `topic` from a metadata request for
// all topics through `handle` (any client's rd_kafka_t), so that asking never creates the topic.
// NotFound when the cluster does not have it.
absl::StatusOr<int32_t> PartitionCountOf(rd_kafka_s* handle, const std::string& topic,
                                         int timeout_ms);

}  // namespace tradewatch::kafka
