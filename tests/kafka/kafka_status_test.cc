#include "common/kafka/kafka_status.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ringbuffer_sink.h"

namespace tradewatch::kafka {
namespace {

using ::testing::ElementsAre;

TEST(KafkaFromKafkaErrorTest, NoErrorIsOk) {
  EXPECT_TRUE(FromKafkaError(RD_KAFKA_RESP_ERR_NO_ERROR, "kafka: flush").ok());
}

TEST(KafkaFromKafkaErrorTest, MessageIsContextNameAndDescription) {
  EXPECT_EQ(FromKafkaError(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, "kafka: send to t/7").message(),
            "kafka: send to t/7: _UNKNOWN_PARTITION: Local: Unknown partition");
  EXPECT_EQ(FromKafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, "").message(),
            "_TIMED_OUT: Local: Timed out");
}

TEST(KafkaFromKafkaErrorTest, CodesFollowTheErrorsNature) {
  using Code = absl::StatusCode;
  const std::vector<std::pair<rd_kafka_resp_err_t, Code>> cases = {
      {RD_KAFKA_RESP_ERR__TIMED_OUT, Code::kDeadlineExceeded},
      {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, Code::kDeadlineExceeded},
      {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, Code::kDeadlineExceeded},
      {RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, Code::kNotFound},
      {RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, Code::kNotFound},
      {RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, Code::kNotFound},
      {RD_KAFKA_RESP_ERR__INVALID_ARG, Code::kInvalidArgument},
      {RD_KAFKA_RESP_ERR_INVALID_CONFIG, Code::kInvalidArgument},
      {RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, Code::kInvalidArgument},
      {RD_KAFKA_RESP_ERR__TRANSPORT, Code::kUnavailable},
      {RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, Code::kUnavailable},
      {RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, Code::kUnavailable},
      {RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, Code::kAlreadyExists},
      {RD_KAFKA_RESP_ERR__QUEUE_FULL, Code::kResourceExhausted},
      {RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, Code::kPermissionDenied},
      {RD_KAFKA_RESP_ERR__FATAL, Code::kInternal},
      {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, Code::kInternal},
  };
  for (const auto& [error, code] : cases) {
    EXPECT_EQ(FromKafkaError(error, "x").code(), code) << rd_kafka_err2name(error);
  }
}

TEST(KafkaLogFromKafkaTest, MapsSyslogLevelsToTheKafkaLogger) {
  auto logger = Logger("kafka");
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  sink->set_pattern("%l %v");
  const auto previous_level = logger->level();
  logger->set_level(spdlog::level::trace);
  logger->sinks().push_back(sink);
  for (int level = 0; level <= 7; ++level) LogFromKafka(level, "FAC", "line");
  logger->sinks().pop_back();
  logger->set_level(previous_level);
  EXPECT_THAT(sink->last_formatted(),
              ElementsAre("error [FAC] line\n", "error [FAC] line\n", "error [FAC] line\n",
                          "error [FAC] line\n", "warning [FAC] line\n", "info [FAC] line\n",
                          "info [FAC] line\n", "debug [FAC] line\n"));
}

}  // namespace
}  // namespace tradewatch::kafka
