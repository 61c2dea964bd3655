#include "tools/service_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / (name + std::to_string(getpid()) + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ServiceConfigTest, EmptyConfigurationRunsOnTheEmbeddedBrokerWithTheDesignTopics) {
  auto config = LoadServiceConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->kafka().brokers().empty());
  EXPECT_EQ(TopicName(config->kafka(), config->kafka().topics().observations()),
            "tradewatch.trade.observations.v1");
  EXPECT_EQ(config->kafka().topics().observations().cleanup_policy(), "compact");
  EXPECT_EQ(config->kafka().topics().alerts().cleanup_policy(), "delete");
  EXPECT_EQ(config->kafka().topics().deadletter().partitions(), 1);
  EXPECT_EQ(config->metrics().listen_address(), "127.0.0.1:9464");
  EXPECT_EQ(config->processor().windows_size(), 4);
}

TEST(ServiceConfigTest, TheDeployedExampleLoads) {
  auto config = LoadServiceConfig("deploy/config/tradewatch.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->kafka().brokers(), "127.0.0.1:9092");
  EXPECT_EQ(config->kafka().topics().alerts().retention_ms(), 34560000000);
  EXPECT_EQ(config->kafka().properties().at("client.rack"), "rack-a");
  EXPECT_EQ(config->processor().windows(1), v1::WINDOW_KIND_T12M);
}

TEST(ServiceConfigTest, PrefixIsPrependedToEveryTopic) {
  auto path = WriteTemp("prefix", "kafka:\n  topic_prefix: staging.\n");
  auto config = LoadServiceConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(TopicName(config->kafka(), config->kafka().topics().alerts()),
            "staging.tradewatch.alerts.v1");
}

TEST(ServiceConfigTest, UnknownKeyNamesFileLineAndPath) {
  auto path = WriteTemp("unknown", "kafka:\n  brokrs: x\n");
  auto config = LoadServiceConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(path + ":2"), std::string::npos)
      << config.status();
  EXPECT_NE(config.status().message().find("kafka.brokrs"), std::string::npos) << config.status();
}

TEST(ServiceConfigTest, OutOfRangeValuesNameTheField) {
  struct Case {
    const char* yaml;
    const char* field;
  } cases[] = {
      {"kafka:\n  topics:\n    shares: {partitions: -3}\n", "kafka.topics.shares.partitions"},
      {"kafka:\n  topics:\n    alerts: {cleanup_policy: forever}\n",
       "kafka.topics.alerts.cleanup_policy"},
      {"kafka:\n  topics:\n    shares: {configs: {cleanup.policy: delete}}\n",
       "kafka.topics.shares.configs: 'cleanup.policy' is set by kafka.topics.shares.cleanup_policy"},
      {"processor:\n  coverage_threshold: 1.5\n", "processor.coverage_threshold"},
      {"metrics:\n  listen_address: nine-four-six-four\n", "metrics.listen_address"},
      {"metrics:\n  top_share_partners: 50\n", "metrics.top_share_partners"},
  };
  for (const Case& c : cases) {
    auto config = LoadServiceConfig(WriteTemp("range", c.yaml));
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.field), std::string::npos) << config.status();
  }
}

TEST(ServiceConfigTest, ShippingDefaultsAndTopicsFollowTheShippingDesign) {
  auto config = LoadServiceConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  const v1::ShippingConfig& s = config->shipping();
  EXPECT_DOUBLE_EQ(s.disruption_ratio(), 0.7);
  EXPECT_DOUBLE_EQ(s.recovery_ratio(), 0.8);
  EXPECT_EQ(s.stale_days(), 9);
  EXPECT_EQ(s.baseline_fallback_days(), 90);
  const v1::TopicsConfig& t = config->kafka().topics();
  EXPECT_EQ(TopicName(config->kafka(), t.shipping_transits()), "tradewatch.shipping.transits.v1");
  EXPECT_EQ(TopicName(config->kafka(), t.shipping_status()), "tradewatch.shipping.status.v1");
  EXPECT_EQ(t.shipping_transits().partitions(), 3);
  EXPECT_EQ(t.shipping_transits().cleanup_policy(), "compact");
  EXPECT_EQ(t.shipping_status().cleanup_policy(), "compact");
}

TEST(ServiceConfigTest, ShippingOfTheDeployedExampleLoads) {
  auto config = LoadServiceConfig("deploy/config/tradewatch.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_DOUBLE_EQ(config->shipping().disruption_ratio(), 0.7);
  EXPECT_DOUBLE_EQ(config->shipping().recovery_ratio(), 0.8);
  EXPECT_EQ(config->kafka().topics().shipping_transits().replication_factor(), 3);
}

TEST(ServiceConfigTest, ShippingOutOfRangeValuesNameTheField) {
  struct Case {
    const char* yaml;
    const char* field;
  } cases[] = {
      {"shipping:\n  disruption_ratio: 0\n", "shipping.disruption_ratio: 0 is not in (0, 1]"},
      {"shipping:\n  disruption_ratio: 1.2\n", "shipping.disruption_ratio"},
      {"shipping:\n  disruption_ratio: 0.7\n  recovery_ratio: 0.6\n",
       "shipping.recovery_ratio: 0.6 is not in 0.7..2 (at least disruption_ratio)"},
      {"shipping:\n  stale_days: 400\n", "shipping.stale_days: 400 is not in 1..365"},
      {"shipping:\n  baseline_fallback_days: 7\n", "shipping.baseline_fallback_days"},
      {"kafka:\n  topics:\n    shipping_transits: {cleanup_policy: forever}\n",
       "kafka.topics.shipping_transits.cleanup_policy"},
  };
  for (const Case& c : cases) {
    auto config = LoadServiceConfig(WriteTemp("shipping", c.yaml));
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.field), std::string::npos) << config.status();
  }
}

TEST(ServiceConfigTest, SecretsComeFromTheEnvironmentAndAMissingVariableIsNamed) {
  auto path = WriteTemp("secret",
                        "kafka:\n  brokers: 127.0.0.1:1\n  properties_from_env:\n"
                        "    sasl.password: TW_TEST_UNSET_PASSWORD\n");
  auto config = LoadServiceConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  unsetenv("TW_TEST_UNSET_PASSWORD");
  auto setup = ConnectKafka(*config, /*ensure_topics=*/false);
  ASSERT_FALSE(setup.ok());
  EXPECT_NE(setup.status().message().find("TW_TEST_UNSET_PASSWORD"), std::string::npos)
      << setup.status();
}

TEST(ServiceConfigTest, CensusApiDefaultsPollTheNaics334FamilyOnTheReleaseCalendar) {
  auto config = LoadServiceConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  const v1::CensusApiConfig& api = config->census_api();
  EXPECT_EQ(api.base_url(), "https://api.census.gov/data/timeseries/intltrade");
  EXPECT_EQ(api.api_key_env(), "CENSUS_API_KEY");
  ASSERT_EQ(api.queries_size(), 2);
  EXPECT_EQ(api.queries(0).endpoint(), v1::CENSUS_ENDPOINT_IMPORTS_NAICS);
  EXPECT_EQ(api.queries(1).endpoint(), v1::CENSUS_ENDPOINT_EXPORTS_NAICS);
  EXPECT_EQ(api.queries(0).codes_size(), 7);
  EXPECT_EQ(api.lookback_months(), 12);
  EXPECT_EQ(api.max_attempts(), 4);
  EXPECT_EQ(api.backoff_jitter(), 0.5);
  EXPECT_EQ(api.max_response_bytes(), 128LL << 20);
  EXPECT_EQ(api.metrics_listen_address(), "127.0.0.1:9465");
  EXPECT_EQ(api.calendar().days_after_month_end(), 35);
  EXPECT_EQ(api.calendar().window_before_days(), 2);
  EXPECT_EQ(api.calendar().idle_poll_interval_hours(), 24);
  EXPECT_EQ(api.calendar().missed_release_margin_days(), 5);
}

TEST(ServiceConfigTest, CensusApiOfTheDeployedExampleLoadsWithExplicitZeros) {
  auto config = LoadServiceConfig("deploy/config/tradewatch.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->census_api().queries(0).name(), "imports_naics");
  EXPECT_EQ(config->census_api().cache_dir(), "/var/lib/tradewatch/census-api-cache");
  auto path = WriteTemp("census_zero",
                        "census_api:\n  backoff_jitter: 0\n  calendar:\n    "
                        "window_before_days: 0\n    idle_poll_interval_hours: 0\n");
  auto zeros = LoadServiceConfig(path);
  ASSERT_TRUE(zeros.ok()) << zeros.status();
  EXPECT_EQ(zeros->census_api().backoff_jitter(), 0);
  EXPECT_EQ(zeros->census_api().calendar().window_before_days(), 0);
  EXPECT_EQ(zeros->census_api().calendar().idle_poll_interval_hours(), 0);
}

TEST(ServiceConfigTest, CensusApiOutOfRangeValuesNameTheField) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"census_api:\n  base_url: ftp://census\n", "census_api.base_url"},
      {"census_api:\n  queries: [{codes: [\"334\"]}]\n", "census_api.queries[0].endpoint"},
      {"census_api:\n  queries: [{endpoint: imports_naics, name: Imports}]\n",
       "census_api.queries[0].name"},
      {"census_api:\n  queries: [{endpoint: imports_naics, variables: [GEN_VAL_MO]}]\n",
       "census_api.queries[0].variables: must include NAICS, CTY_CODE or CTY_NAME"},
      {"census_api:\n  queries: [{endpoint: exports_naics, variables: [gen]}]\n",
       "census_api.queries[0].variables[0]"},
      {"census_api:\n  queries: [{endpoint: imports_naics, predicates: {time: \"2025\"}}]\n",
       "census_api.queries[0].predicates[time]"},
      {"census_api:\n  queries: [{endpoint: imports_naics, name: a}, {endpoint: exports_naics, "
       "name: a}]\n",
       "census_api.queries[1].name: 'a' is used twice"},
      {"census_api:\n  max_attempts: 50\n", "census_api.max_attempts"},
      {"census_api:\n  initial_backoff_ms: 5000\n  max_backoff_ms: 1000\n",
       "census_api.max_backoff_ms"},
      {"census_api:\n  backoff_jitter: 1.5\n", "census_api.backoff_jitter"},
      {"census_api:\n  max_response_bytes: 10\n", "census_api.max_response_bytes"},
      {"census_api:\n  metrics_listen_address: nine\n", "census_api.metrics_listen_address"},
      {"census_api:\n  calendar: {days_after_month_end: 400}\n",
       "census_api.calendar.days_after_month_end"},
      {"census_api:\n  calendar: {poll_interval_minutes: -5}\n",
       "census_api.calendar.poll_interval_minutes"},
  };
  for (const Case& c : cases) {
    auto config = LoadServiceConfig(WriteTemp("census_range", c.yaml));
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.status().message().find(c.message), std::string::npos) << config.status();
  }
}

}  // namespace
}  // namespace tradewatch::tools
