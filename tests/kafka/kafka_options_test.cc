#include "common/kafka/kafka_options.h"

#include <librdkafka/rdkafkacpp.h>

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tradewatch::kafka {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;

TEST(KafkaOptionsFromConfigTest, CopiesBrokersAndProperties) {
  tradewatch::v1::KafkaConfig config;
  config.set_brokers("127.0.0.1:9092");
  (*config.mutable_properties())["security.protocol"] = "SASL_SSL";
  auto options = OptionsFromConfig(config);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->brokers, "127.0.0.1:9092");
  EXPECT_THAT(options->properties, ::testing::ElementsAre(Pair("security.protocol", "SASL_SSL")));
  EXPECT_EQ(options->client_id, "tradewatch");
}

TEST(KafkaOptionsFromConfigTest, LeavesBrokersEmptyWhenNoneConfigured) {
  auto options = OptionsFromConfig(tradewatch::v1::KafkaConfig());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->brokers.empty());
  EXPECT_TRUE(options->properties.empty());
}

// OptionsFromConfig(config) with sasl.password taken from the variable TW_KAFKA_TEST_PW, which
// holds `value` during the call (unset when null).
absl::StatusOr<ClientOptions> WithPasswordFromEnv(tradewatch::v1::KafkaConfig config,
                                                  const char* value) {
  constexpr char kVariable[] = "TW_KAFKA_TEST_PW";
  if (value != nullptr) {
    setenv(kVariable, value, 1);
  } else {
    unsetenv(kVariable);
  }
  (*config.mutable_properties_from_env())["sasl.password"] = kVariable;
  auto options = OptionsFromConfig(config);
  unsetenv(kVariable);
  return options;
}

TEST(KafkaOptionsFromConfigTest, ResolvesPropertiesFromTheEnvironment) {
  auto options = WithPasswordFromEnv(tradewatch::v1::KafkaConfig(), "s3cret");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->properties.at("sasl.password"), "s3cret");
}

TEST(KafkaOptionsFromConfigTest, NamesTheVariableAndPropertyWhenTheVariableIsUnset) {
  auto options = WithPasswordFromEnv(tradewatch::v1::KafkaConfig(), nullptr);
  EXPECT_EQ(options.status(),
            absl::InvalidArgumentError("kafka.properties_from_env: environment variable "
                                       "TW_KAFKA_TEST_PW for sasl.password is not set"));
}

TEST(KafkaOptionsFromConfigTest, RejectsAnEmptyVariable) {
  auto options = WithPasswordFromEnv(tradewatch::v1::KafkaConfig(), "");
  EXPECT_EQ(options.status(),
            absl::InvalidArgumentError("kafka.properties_from_env: environment variable "
                                       "TW_KAFKA_TEST_PW for sasl.password is empty"));
}

TEST(KafkaOptionsFromConfigTest, RejectsAPropertyGivenInlineAndFromTheEnvironmentWithoutValues) {
  tradewatch::v1::KafkaConfig config;
  (*config.mutable_properties())["sasl.password"] = "inline-value";
  auto options = WithPasswordFromEnv(config, "from-env");
  ASSERT_FALSE(options.ok());
  EXPECT_THAT(options.status().message(),
              HasSubstr("sasl.password is also set in kafka.properties"));
  EXPECT_THAT(options.status().message(), ::testing::Not(HasSubstr("inline-value")));
  EXPECT_THAT(options.status().message(), ::testing::Not(HasSubstr("from-env")));
}

TEST(KafkaClientPropertiesTest, AppliesDefaultsThenIdentityThenOverrides) {
  ClientOptions options;
  options.brokers = "b:1";
  options.properties["linger.ms"] = "50";
  auto properties = ClientProperties(options, "producer", {{"linger.ms", "5"}, {"acks", "all"}});
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_THAT(*properties, ::testing::ElementsAre(Pair("linger.ms", "5"), Pair("acks", "all"),
                                                  Pair("bootstrap.servers", "b:1"),
                                                  Pair("client.id", "tradewatch-producer"),
                                                  Pair("linger.ms", "50")));
}

TEST(KafkaClientPropertiesTest, RefusesAClientWithoutBootstrapServers) {
  auto properties = ClientProperties(ClientOptions(), "consumer", {});
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(properties.status().message(), HasSubstr("no bootstrap servers"));
}

TEST(KafkaClientPropertiesTest, AcceptsBootstrapServersGivenAsAProperty) {
  ClientOptions options;
  options.properties["bootstrap.servers"] = "b:2";
  auto properties = ClientProperties(options, "admin", {});
  ASSERT_TRUE(properties.ok()) << properties.status();
  EXPECT_THAT(*properties, ::testing::Contains(Pair("bootstrap.servers", "b:2")));
}

TEST(KafkaNewCppConfTest, NamesTheRejectedProperty) {
  auto conf = NewCppConf({{"linger.ms", "5"}, {"compression.type", "nope"}});
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("property compression.type"));
}

TEST(KafkaNewCConfTest, NamesTheUnknownProperty) {
  auto conf = NewCConf({{"no.such.property", "1"}});
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conf.status().message(), HasSubstr("property no.such.property"));
}

}  // namespace
}  // namespace tradewatch::kafka
