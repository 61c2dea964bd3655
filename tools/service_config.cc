#include "tools/service_config.h"

#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/status_macros.h"
#include "common/yaml_config.h"
#include "fmt/format.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;

// 400 days: alert history outlives a year-over-year comparison.
constexpr int64_t kAlertRetentionMs = 400LL * 24 * 60 * 60 * 1000;

void TopicDefaults(v1::TopicConfig* topic, const char* name, int32_t partitions,
                   const char* cleanup, int64_t retention_ms) {
  if (topic->name().empty()) topic->set_name(name);
  if (topic->partitions() == 0) topic->set_partitions(partitions);
  if (topic->replication_factor() == 0) topic->set_replication_factor(-1);
  if (topic->cleanup_policy().empty()) topic->set_cleanup_policy(cleanup);
  if (topic->retention_ms() == 0) topic->set_retention_ms(retention_ms);
}

absl::Status ValidateTopic(const v1::TopicConfig& topic, const std::string& path) {
  if (topic.partitions() < 1 || topic.partitions() > 1000) {
    return absl::InvalidArgumentError(
        fmt::format("{}.partitions: {} is not in 1..1000", path, topic.partitions()));
  }
  if (topic.cleanup_policy() != "compact" && topic.cleanup_policy() != "delete") {
    return absl::InvalidArgumentError(fmt::format(
        "{}.cleanup_policy: '{}' is neither compact nor delete", path, topic.cleanup_policy()));
  }
  if (topic.name().empty()) {
    return absl::InvalidArgumentError(fmt::format("{}.name: empty", path));
  }
  for (const char* own : {"cleanup.policy", "retention.ms"}) {
    if (topic.configs().contains(own)) {
      return absl::InvalidArgumentError(fmt::format(
          "{}.configs: '{}' is set by {}.{} instead", path, own, path,
          std::string_view(own) == "cleanup.policy" ? "cleanup_policy" : "retention_ms"));
    }
  }
  return absl::OkStatus();
}

std::vector<kafka::TopicSpec> TopicSpecs(const v1::KafkaConfig& kafka) {
  std::vector<kafka::TopicSpec> specs;
  for (const v1::TopicConfig* t :
       {&kafka.topics().observations(), &kafka.topics().shares(), &kafka.topics().balance(),
        &kafka.topics().alerts(), &kafka.topics().deadletter()}) {
    specs.push_back({TopicName(kafka, *t), t->partitions(), t->replication_factor(),
                     t->cleanup_policy(), t->retention_ms(),
                     std::map<std::string, std::string>(t->configs().begin(), t->configs().end())});
  }
  return specs;
}

}  // namespace

void ApplyDefaults(v1::ServiceConfig* config) {
  v1::KafkaConfig* kafka = config->mutable_kafka();
  if (kafka->group_id().empty()) kafka->set_group_id("tradewatch-processor");
  if (kafka->embedded_brokers() == 0) kafka->set_embedded_brokers(1);
  v1::TopicsConfig* topics = kafka->mutable_topics();
  TopicDefaults(topics->mutable_observations(), "tradewatch.trade.observations.v1", 6, "compact", 0);
  TopicDefaults(topics->mutable_shares(), "tradewatch.trade.shares.v1", 6, "compact", 0);
  TopicDefaults(topics->mutable_balance(), "tradewatch.trade.balance.v1", 6, "compact", 0);
  TopicDefaults(topics->mutable_alerts(), "tradewatch.alerts.v1", 6, "delete", kAlertRetentionMs);
  TopicDefaults(topics->mutable_deadletter(), "tradewatch.deadletter.v1", 1, "delete", 0);

  v1::ProcessorConfig* processor = config->mutable_processor();
  if (processor->top_n() == 0) processor->set_top_n(10);
  if (processor->windows().empty()) {
    for (auto kind : {v1::WINDOW_KIND_MONTH, v1::WINDOW_KIND_T12M, v1::WINDOW_KIND_YTD,
                      v1::WINDOW_KIND_YEAR}) {
      processor->add_windows(kind);
    }
  }
  if (processor->coverage_threshold() == 0) processor->set_coverage_threshold(0.99);
  if (processor->imports_measure() == v1::MEASURE_UNSPECIFIED) {
    processor->set_imports_measure(v1::MEASURE_GENERAL_IMPORTS);
  }

  v1::MetricsConfig* metrics = config->mutable_metrics();
  if (metrics->listen_address().empty()) metrics->set_listen_address("127.0.0.1:9464");
  if (metrics->top_share_codes().empty()) {
    for (const char* code : {"334", "3341", "3342", "3344"}) metrics->add_top_share_codes(code);
  }
  if (metrics->top_share_partners() == 0) metrics->set_top_share_partners(5);
}

absl::Status ValidateServiceConfig(const v1::ServiceConfig& config) {
  const v1::TopicsConfig& topics = config.kafka().topics();
  TW_RETURN_IF_ERROR(ValidateTopic(topics.observations(), "kafka.topics.observations"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.shares(), "kafka.topics.shares"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.balance(), "kafka.topics.balance"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.alerts(), "kafka.topics.alerts"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.deadletter(), "kafka.topics.deadletter"));
  if (config.kafka().embedded_brokers() < 1 || config.kafka().embedded_brokers() > 9) {
    return absl::InvalidArgumentError(fmt::format(
        "kafka.embedded_brokers: {} is not in 1..9", config.kafka().embedded_brokers()));
  }
  const v1::ProcessorConfig& p = config.processor();
  if (p.top_n() < 0) {
    return absl::InvalidArgumentError(fmt::format("processor.top_n: {} is negative", p.top_n()));
  }
  if (p.coverage_threshold() <= 0 || p.coverage_threshold() > 1) {
    return absl::InvalidArgumentError(fmt::format(
        "processor.coverage_threshold: {} is not in (0, 1]", p.coverage_threshold()));
  }
  for (int i = 0; i < p.windows_size(); ++i) {
    if (p.windows(i) == v1::WINDOW_KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(fmt::format("processor.windows[{}]: unspecified", i));
    }
  }
  const std::string& address = config.metrics().listen_address();
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(
        fmt::format("metrics.listen_address: '{}' is not host:port", address));
  }
  const int partners = config.metrics().top_share_partners();
  if (partners < 0 || partners > 20) {
    return absl::InvalidArgumentError(
        fmt::format("metrics.top_share_partners: {} is not in 0..20", partners));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ServiceConfig> LoadServiceConfig(const std::string& path) {
  v1::ServiceConfig config;
  if (!path.empty()) TW_RETURN_IF_ERROR(LoadYamlFile(path, &config));
  ApplyDefaults(&config);
  if (auto status = ValidateServiceConfig(config); !status.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", path.empty() ? "default configuration" : path, std::string(status.message())));
  }
  return config;
}

std::string TopicName(const v1::KafkaConfig& kafka, const v1::TopicConfig& topic) {
  return kafka.topic_prefix() + topic.name();
}

absl::StatusOr<KafkaSetup> ConnectKafka(const v1::ServiceConfig& config, bool ensure_topics) {
  KafkaSetup setup;
  TW_ASSIGN_OR_RETURN(setup.client, kafka::OptionsFromConfig(config.kafka()));
  if (setup.client.brokers.empty()) {
    TW_ASSIGN_OR_RETURN(setup.embedded,
                        kafka::MockCluster::Start(config.kafka().embedded_brokers()));
    setup.client.brokers = setup.embedded->bootstrap_servers();
    Logger("kafka")->info("embedded broker (librdkafka mock cluster) listening on {}",
                          setup.client.brokers);
  }
  // The embedded broker starts empty: its topics are always created.
  if (setup.embedded || (ensure_topics && !config.kafka().skip_topic_creation())) {
    TW_RETURN_IF_ERROR(kafka::EnsureTopics(setup.client, TopicSpecs(config.kafka())));
  }
  return setup;
}

}  // namespace tradewatch::tools
