// The service configuration (proto/tradewatch/v1/service.proto): loaded from YAML, defaults
// filled in, validated; and the Kafka side of a process assembled from it: the embedded broker when
// no brokers are configured, client options, topics created when missing.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/kafka/kafka_admin.h"
#include "common/kafka/kafka_options.h"
#include "common/kafka/mock_cluster.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch::tools {

// Reads `path` (empty: an empty configuration) and fills in the defaults documented in
// service.proto. Errors name the file, YAML path and line.
absl::StatusOr<tradewatch::v1::ServiceConfig> LoadServiceConfig(const std::string& path);

// Fills in every default of service.proto that is unset. Idempotent.
void ApplyDefaults(tradewatch::v1::ServiceConfig* config);

// Checks ranges and names: partitions > 0, cleanup policy compact|delete, top_n >= 0,
// listen_address host:port, window kinds set, census_api (base URL, queries, timeouts, retry
// policy, size limit, calendar) and shipping (ratios, stale and fallback days); ranges in
// service.proto. Errors name the field path.
absl::Status ValidateServiceConfig(const tradewatch::v1::ServiceConfig& config);

// The topic's full name: prefix + name.
std::string TopicName(const tradewatch::v1::KafkaConfig& kafka,
                      const tradewatch::v1::TopicConfig& topic);

// The Kafka side of one process. The embedded cluster, when started, is declared first so it
// outlives every client built from `client`.
struct KafkaSetup {
  std::unique_ptr<kafka::MockCluster> embedded;  // null when brokers are configured
  kafka::ClientOptions client;
};

// Client options from the config; starts the embedded cluster when no brokers are configured
// (logging its address). With `ensure_topics` (and skip_topic_creation unset), creates the
// missing topics.
absl::StatusOr<KafkaSetup> ConnectKafka(const tradewatch::v1::ServiceConfig& config,
                                        bool ensure_topics);

}  // namespace tradewatch::tools
