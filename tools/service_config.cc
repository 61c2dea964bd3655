#include "tools/service_config.h"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/status_macros.h"
#include "common/yaml_config.h"
#include "fmt/format.h"
#include "ingest/census_api_client.h"

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
        &kafka.topics().alerts(), &kafka.topics().deadletter(),
        &kafka.topics().shipping_transits(), &kafka.topics().shipping_status()}) {
    specs.push_back({TopicName(kafka, *t), t->partitions(), t->replication_factor(),
                     t->cleanup_policy(), t->retention_ms(),
                     std::map<std::string, std::string>(t->configs().begin(), t->configs().end())});
  }
  return specs;
}

absl::Status ValidateHostPort(const std::string& address, const std::string& path) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(fmt::format("{}: '{}' is not host:port", path, address));
  }
  return absl::OkStatus();
}

absl::Status InRange(int64_t value, int64_t low, int64_t high, const std::string& path) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {} is not in {}..{}", path, value, low, high));
  }
  return absl::OkStatus();
}

// Upper-case API names: variables, predicates, commodity levels ("GEN_VAL_MO", "NA4").
bool IsApiName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void CensusApiDefaults(v1::CensusApiConfig* api) {
  if (api->base_url().empty()) api->set_base_url(ingest::kCensusApiBaseUrl);
  if (api->api_key_env().empty()) api->set_api_key_env("CENSUS_API_KEY");
  if (api->queries().empty()) {
    for (auto endpoint : {v1::CENSUS_ENDPOINT_IMPORTS_NAICS, v1::CENSUS_ENDPOINT_EXPORTS_NAICS}) {
      v1::CensusApiQuery* q = api->add_queries();
      q->set_endpoint(endpoint);
      for (const char* code : {"334", "3341", "3342", "3343", "3344", "3345", "3346"}) {
        q->add_codes(code);
      }
    }
  }
  if (api->lookback_months() == 0) api->set_lookback_months(12);
  if (api->connect_timeout_ms() == 0) api->set_connect_timeout_ms(10000);
  if (api->timeout_ms() == 0) api->set_timeout_ms(120000);
  if (api->max_attempts() == 0) api->set_max_attempts(4);
  if (api->initial_backoff_ms() == 0) api->set_initial_backoff_ms(2000);
  if (api->max_backoff_ms() == 0) api->set_max_backoff_ms(60000);
  if (!api->has_backoff_jitter()) api->set_backoff_jitter(0.5);
  if (api->max_response_bytes() == 0) api->set_max_response_bytes(128LL << 20);
  if (api->cache_dir().empty()) api->set_cache_dir("census-api-cache");
  if (api->metrics_listen_address().empty()) api->set_metrics_listen_address("127.0.0.1:9465");
  v1::CensusReleaseCalendar* c = api->mutable_calendar();
  if (c->days_after_month_end() == 0) c->set_days_after_month_end(35);
  if (!c->has_window_before_days()) c->set_window_before_days(2);
  if (!c->has_window_after_days()) c->set_window_after_days(3);
  if (c->poll_interval_minutes() == 0) c->set_poll_interval_minutes(15);
  if (c->late_poll_interval_minutes() == 0) c->set_late_poll_interval_minutes(60);
  if (!c->has_idle_poll_interval_hours()) c->set_idle_poll_interval_hours(24);
  if (c->missed_release_margin_days() == 0) c->set_missed_release_margin_days(5);
}

void ShippingDefaults(v1::ShippingConfig* shipping) {
  if (!shipping->has_disruption_ratio()) shipping->set_disruption_ratio(0.7);
  if (!shipping->has_recovery_ratio()) shipping->set_recovery_ratio(0.8);
  if (shipping->stale_days() == 0) shipping->set_stale_days(9);
  if (shipping->baseline_fallback_days() == 0) shipping->set_baseline_fallback_days(90);
}

absl::Status ValidateShipping(const v1::ShippingConfig& shipping) {
  const double disruption = shipping.disruption_ratio();
  if (!(disruption > 0 && disruption <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("shipping.disruption_ratio: {} is not in (0, 1]", disruption));
  }
  if (!(shipping.recovery_ratio() >= disruption && shipping.recovery_ratio() <= 2)) {
    return absl::InvalidArgumentError(
        fmt::format("shipping.recovery_ratio: {} is not in {}..2 (at least disruption_ratio)",
                    shipping.recovery_ratio(), disruption));
  }
  TW_RETURN_IF_ERROR(InRange(shipping.stale_days(), 1, 365, "shipping.stale_days"));
  return InRange(shipping.baseline_fallback_days(), 14, 364, "shipping.baseline_fallback_days");
}

absl::Status ValidateCensusQuery(const v1::CensusApiQuery& q, const std::string& path) {
  if (q.endpoint() == v1::CENSUS_ENDPOINT_UNSPECIFIED) {
    return absl::InvalidArgumentError(fmt::format(
        "{}.endpoint: required (imports_naics, exports_naics, imports_hitech, exports_hitech)",
        path));
  }
  if (!q.name().empty() &&
      !std::all_of(q.name().begin(), q.name().end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return absl::InvalidArgumentError(
        fmt::format("{}.name: '{}' is not [a-z0-9_]+", path, q.name()));
  }
  const std::string code_variable(ingest::CensusCodeVariable(q.endpoint()));
  for (int i = 0; i < q.variables_size(); ++i) {
    if (!IsApiName(q.variables(i))) {
      return absl::InvalidArgumentError(fmt::format("{}.variables[{}]: '{}' is not an API "
                                                    "variable name ([A-Z0-9_]+)",
                                                    path, i, q.variables(i)));
    }
  }
  if (!q.variables().empty()) {
    // The reader needs the code, a partner and a value column (ingest/column_mapping.cc).
    auto has = [&](std::initializer_list<const char*> names) {
      for (const std::string& v : q.variables()) {
        for (const char* n : names) {
          if (v == n) return true;
        }
      }
      return false;
    };
    const bool imports = ingest::CensusEndpointFlow(q.endpoint()) == v1::FLOW_IMPORTS;
    if (!has({code_variable.c_str()}) || !has({"CTY_CODE", "CTY_NAME"}) ||
        !(imports ? has({"GEN_VAL_MO", "CON_VAL_MO"}) : has({"ALL_VAL_MO"}))) {
      return absl::InvalidArgumentError(fmt::format(
          "{}.variables: must include {}, CTY_CODE or CTY_NAME, and {}", path, code_variable,
          imports ? "GEN_VAL_MO or CON_VAL_MO" : "ALL_VAL_MO"));
    }
  }
  if (!q.commodity_level().empty() && !IsApiName(q.commodity_level())) {
    return absl::InvalidArgumentError(fmt::format("{}.commodity_level: '{}' is not like NA4", path,
                                                  q.commodity_level()));
  }
  for (const auto& [name, value] : q.predicates()) {
    if (!IsApiName(name) || name == code_variable || name == "COMM_LVL") {
      return absl::InvalidArgumentError(fmt::format(
          "{}.predicates[{}]: not allowed (an API variable name other than {} and COMM_LVL, "
          "which codes and commodity_level set)",
          path, name, code_variable));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCensusApi(const v1::CensusApiConfig& api) {
  const std::string& url = api.base_url();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError(
        fmt::format("census_api.base_url: '{}' is not an http:// or https:// URL", url));
  }
  std::set<std::string> names;
  for (int i = 0; i < api.queries_size(); ++i) {
    const std::string path = fmt::format("census_api.queries[{}]", i);
    TW_RETURN_IF_ERROR(ValidateCensusQuery(api.queries(i), path));
    if (!api.queries(i).name().empty() && !names.insert(api.queries(i).name()).second) {
      return absl::InvalidArgumentError(
          fmt::format("{}.name: '{}' is used twice", path, api.queries(i).name()));
    }
  }
  TW_RETURN_IF_ERROR(InRange(api.lookback_months(), 1, 240, "census_api.lookback_months"));
  TW_RETURN_IF_ERROR(
      InRange(api.connect_timeout_ms(), 1, 600000, "census_api.connect_timeout_ms"));
  TW_RETURN_IF_ERROR(InRange(api.timeout_ms(), 1, 3600000, "census_api.timeout_ms"));
  TW_RETURN_IF_ERROR(InRange(api.max_attempts(), 1, 20, "census_api.max_attempts"));
  TW_RETURN_IF_ERROR(
      InRange(api.initial_backoff_ms(), 1, 3600000, "census_api.initial_backoff_ms"));
  TW_RETURN_IF_ERROR(InRange(api.max_backoff_ms(), api.initial_backoff_ms(), 3600000,
                             "census_api.max_backoff_ms"));
  if (!(api.backoff_jitter() >= 0 && api.backoff_jitter() <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("census_api.backoff_jitter: {} is not in 0..1", api.backoff_jitter()));
  }
  TW_RETURN_IF_ERROR(InRange(api.max_response_bytes(), 1024, 4LL << 30,
                             "census_api.max_response_bytes"));
  TW_RETURN_IF_ERROR(
      ValidateHostPort(api.metrics_listen_address(), "census_api.metrics_listen_address"));
  const v1::CensusReleaseCalendar& c = api.calendar();
  TW_RETURN_IF_ERROR(
      InRange(c.days_after_month_end(), 1, 120, "census_api.calendar.days_after_month_end"));
  TW_RETURN_IF_ERROR(
      InRange(c.window_before_days(), 0, 30, "census_api.calendar.window_before_days"));
  TW_RETURN_IF_ERROR(
      InRange(c.window_after_days(), 0, 30, "census_api.calendar.window_after_days"));
  TW_RETURN_IF_ERROR(
      InRange(c.poll_interval_minutes(), 1, 1440, "census_api.calendar.poll_interval_minutes"));
  TW_RETURN_IF_ERROR(InRange(c.late_poll_interval_minutes(), 1, 1440,
                             "census_api.calendar.late_poll_interval_minutes"));
  TW_RETURN_IF_ERROR(InRange(c.idle_poll_interval_hours(), 0, 720,
                             "census_api.calendar.idle_poll_interval_hours"));
  TW_RETURN_IF_ERROR(InRange(c.missed_release_margin_days(), 1, 60,
                             "census_api.calendar.missed_release_margin_days"));
  return absl::OkStatus();
}

}  // namespace

void ApplyDefaults(v1::ServiceConfig* config) {
  v1::KafkaConfig* kafka = config->mutable_kafka();
  if (kafka->group_id().empty()) kafka->set_group_id("tradewatch-processor");
  if (kafka->embedded_brokers() == 0) kafka->set_embedded_brokers(1);
  if (kafka->processing_guarantee() == v1::PROCESSING_GUARANTEE_UNSPECIFIED) {
    kafka->set_processing_guarantee(v1::PROCESSING_GUARANTEE_AT_LEAST_ONCE);
  }
  v1::TopicsConfig* topics = kafka->mutable_topics();
  TopicDefaults(topics->mutable_observations(), "tradewatch.trade.observations.v1", 6, "compact", 0);
  TopicDefaults(topics->mutable_shares(), "tradewatch.trade.shares.v1", 6, "compact", 0);
  TopicDefaults(topics->mutable_balance(), "tradewatch.trade.balance.v1", 6, "compact", 0);
  TopicDefaults(topics->mutable_alerts(), "tradewatch.alerts.v1", 6, "delete", kAlertRetentionMs);
  TopicDefaults(topics->mutable_deadletter(), "tradewatch.deadletter.v1", 1, "delete", 0);
  TopicDefaults(topics->mutable_shipping_transits(), "tradewatch.shipping.transits.v1", 3,
                "compact", 0);
  TopicDefaults(topics->mutable_shipping_status(), "tradewatch.shipping.status.v1", 3, "compact",
                0);

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

  CensusApiDefaults(config->mutable_census_api());
  ShippingDefaults(config->mutable_shipping());
}

absl::Status ValidateServiceConfig(const v1::ServiceConfig& config) {
  const v1::TopicsConfig& topics = config.kafka().topics();
  TW_RETURN_IF_ERROR(ValidateTopic(topics.observations(), "kafka.topics.observations"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.shares(), "kafka.topics.shares"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.balance(), "kafka.topics.balance"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.alerts(), "kafka.topics.alerts"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.deadletter(), "kafka.topics.deadletter"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.shipping_transits(), "kafka.topics.shipping_transits"));
  TW_RETURN_IF_ERROR(ValidateTopic(topics.shipping_status(), "kafka.topics.shipping_status"));
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
  TW_RETURN_IF_ERROR(
      ValidateHostPort(config.metrics().listen_address(), "metrics.listen_address"));
  const int partners = config.metrics().top_share_partners();
  if (partners < 0 || partners > 20) {
    return absl::InvalidArgumentError(
        fmt::format("metrics.top_share_partners: {} is not in 0..20", partners));
  }
  TW_RETURN_IF_ERROR(ValidateShipping(config.shipping()));
  return ValidateCensusApi(config.census_api());
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
