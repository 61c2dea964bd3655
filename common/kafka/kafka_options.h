// librdkafka client settings built from the service configuration, with defaults sized for a
// two-core machine. librdkafka itself is included only in common/kafka/*.cc; this header only
// forward-declares the two configuration types that the clients of this folder build.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tradewatch/v1/service.pb.h"

namespace RdKafka {
class Conf;
}  // namespace RdKafka
struct rd_kafka_conf_s;

namespace tradewatch::kafka {

// Settings shared by every client of one process.
struct ClientOptions {
  // bootstrap.servers. OptionsFromConfig leaves it empty when none is configured; the process
  // then starts the embedded cluster and puts its address here before creating any client.
  // Clients refuse an empty value unless options.properties sets bootstrap.servers.
  std::string brokers;
  // Properties applied last to every client, overriding the defaults (kcat's -X). May hold
  // secrets resolved from the environment: never log the values.
  std::map<std::string, std::string> properties;
  // client.id prefix ("tradewatch"): each client appends its role ("-producer", "-consumer", ...).
  std::string client_id = "tradewatch";
};

// librdkafka properties in the order they are applied (a later entry overrides an earlier one).
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// Properties from config.kafka().properties() plus properties_from_env() resolved from the
// environment. InvalidArgument naming the variable and the property when a variable is unset or
// empty, or when a property is given both inline and from the environment. `brokers` is left
// empty when none is configured. Values are never logged.
absl::StatusOr<ClientOptions> OptionsFromConfig(const tradewatch::v1::KafkaConfig& config);

// The properties of one client: `defaults`, then bootstrap.servers=<brokers> and
// client.id=<client_id>-<role>, then options.properties (which win). InvalidArgument when no
// bootstrap servers are known.
absl::StatusOr<KafkaProperties> ClientProperties(const ClientOptions& options,
                                                 std::string_view role, KafkaProperties defaults);

// For the clients of common/kafka: a librdkafka C++ configuration holding `properties`, with
// librdkafka's log lines and error events routed to LogFromKafka (kafka_status.h). A property
// librdkafka rejects is InvalidArgument naming it, with librdkafka's message.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewCppConf(const KafkaProperties& properties);

// The same for the C API. The caller owns the result until rd_kafka_new() takes it.
absl::StatusOr<rd_kafka_conf_s*> NewCConf(const KafkaProperties& properties);

}  // namespace tradewatch::kafka
