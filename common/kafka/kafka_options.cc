#include "common/kafka/kafka_options.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "common/kafka/kafka_status.h"
#include "fmt/format.h"

namespace tradewatch::kafka {
namespace {

// librdkafka calls event_cb from poll()/consume() for error events and, since log.queue is
// false, from its own threads for log lines: it must be stateless and thread-safe.
class LogEvents : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_LOG:
        LogFromKafka(static_cast<int>(event.severity()), event.fac(), event.str());
        break;
      case RdKafka::Event::EVENT_ERROR:
        // Most error events are transient (a broker connection dropped) and librdkafka
        // recovers by itself; fatal ones (an idempotence sequence lost) need a human.
        LogFromKafka(event.fatal() ? 3 : 4, "ERROR",
                     fmt::format("{}: {}", RdKafka::err2str(event.err()), event.str()));
        break;
      case RdKafka::Event::EVENT_THROTTLE:
        LogFromKafka(7, "THROTTLE",
                     fmt::format("throttled {} ms by broker {}", event.throttle_time(),
                                 event.broker_name()));
        break;
      default:
        break;
    }
  }
};

LogEvents& SharedLogEvents() {
  static LogEvents* events = new LogEvents();
  return *events;
}

void LogTrampoline(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* line) {
  LogFromKafka(level, facility, line);
}

absl::Status RejectedProperty(const std::string& name, std::string_view why) {
  return absl::InvalidArgumentError(fmt::format("kafka: property {}: {}", name, why));
}

bool HasProperty(const std::map<std::string, std::string>& properties, const std::string& name) {
  auto it = properties.find(name);
  return it != properties.end() && !it->second.empty();
}

}  // namespace

absl::StatusOr<ClientOptions> OptionsFromConfig(const tradewatch::v1::KafkaConfig& config) {
  ClientOptions options;
  options.brokers = config.brokers();
  options.properties.insert(config.properties().begin(), config.properties().end());
  // Sorted, so that the first error reported is the same on every run.
  std::map<std::string, std::string> from_env(config.properties_from_env().begin(),
                                              config.properties_from_env().end());
  for (const auto& [property, variable] : from_env) {
    if (options.properties.contains(property)) {
      return absl::InvalidArgumentError(fmt::format(
          "kafka.properties_from_env: {} is also set in kafka.properties", property));
    }
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) {
      return absl::InvalidArgumentError(
          fmt::format("kafka.properties_from_env: environment variable {} for {} is not set",
                      variable, property));
    }
    if (*value == '\0') {
      return absl::InvalidArgumentError(
          fmt::format("kafka.properties_from_env: environment variable {} for {} is empty",
                      variable, property));
    }
    options.properties[property] = value;
  }
  return options;
}

absl::StatusOr<KafkaProperties> ClientProperties(const ClientOptions& options,
                                                 std::string_view role, KafkaProperties defaults) {
  if (options.brokers.empty() && !HasProperty(options.properties, "bootstrap.servers") &&
      !HasProperty(options.properties, "metadata.broker.list")) {
    return absl::InvalidArgumentError(fmt::format(
        "kafka {}: no bootstrap servers (kafka.brokers is empty and no embedded cluster address "
        "was set)",
        role));
  }
  KafkaProperties properties = std::move(defaults);
  if (!options.brokers.empty()) properties.emplace_back("bootstrap.servers", options.brokers);
  properties.emplace_back("client.id", fmt::format("{}-{}", options.client_id, role));
  properties.insert(properties.end(), options.properties.begin(), options.properties.end());
  return properties;
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> NewCppConf(const KafkaProperties& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  // Logs are served from librdkafka's threads rather than from poll(), so that a client that
  // is not polled (a reader between reads, a producer being destroyed) still logs.
  if (conf->set("log.queue", "false", error) != RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", &SharedLogEvents(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(fmt::format("kafka: log callback: {}", error));
  }
  for (const auto& [name, value] : properties) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
      return RejectedProperty(name, error);
    }
  }
  return conf;
}

absl::StatusOr<rd_kafka_conf_s*> NewCConf(const KafkaProperties& properties) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, LogTrampoline);
  char error[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return RejectedProperty(name, error);
    }
  }
  return conf;
}

}  // namespace tradewatch::kafka
