// librdkafka client settings built from the service configuration, with defaults sized for a
// two-core machine. librdkafka itself is included only in common/kafka/*.cc.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch::kafka {

// Settings shared by every client of one process.
struct ClientOptions {
  // bootstrap.servers. Never empty here: the embedded cluster's address when none is configured.
  std::string brokers;
  // Properties applied last to every client, overriding the defaults (kcat's -X).
  std::map<std::string, std::string> properties;
  // client.id prefix ("tradewatch").
  std::string client_id = "tradewatch";
};

// Properties from config.kafka().properties() plus properties_from_env() resolved from the
// environment (error naming the variable when unset). `brokers` is left empty when none is
// configured.
absl::StatusOr<ClientOptions> OptionsFromConfig(const tradewatch::v1::KafkaConfig& config);

}  // namespace tradewatch::kafka
