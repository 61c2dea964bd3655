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

}  // namespace
}  // namespace tradewatch::tools
