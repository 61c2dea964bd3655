// Topic administration with librdkafka's admin API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/kafka/kafka_options.h"

namespace tradewatch::kafka {

struct TopicSpec {
  std::string name;                // full name, prefix included
  int32_t partitions = 1;
  int32_t replication_factor = -1; // -1: broker default
  std::string cleanup_policy;      // "compact" or "delete"
  int64_t retention_ms = 0;        // 0: broker default
};

// Creates the topics that do not exist; existing ones are left as they are (an existing topic's
// partition count is reported at info level when it differs). Error names the topic and cause.
absl::Status EnsureTopics(const ClientOptions& options, const std::vector<TopicSpec>& topics,
                          int timeout_ms = 30000);

}  // namespace tradewatch::kafka
