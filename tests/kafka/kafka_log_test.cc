#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/kafka/kafka_producer.h"
#include "common/kafka/mock_cluster.h"
#include "common/logging.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/ringbuffer_sink.h"

namespace tradewatch::kafka {
namespace {

// Attached to the "kafka" logger for one test, before any client exists and removed after the
// last one is gone (spdlog's sink list is not safe to change while librdkafka threads log).
class KafkaLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logger_ = Logger("kafka");
    previous_level_ = logger_->level();
    logger_->set_level(spdlog::level::debug);
    sink_->set_pattern("%l %v");
    logger_->sinks().push_back(sink_);
  }
  void TearDown() override {
    logger_->sinks().pop_back();
    logger_->set_level(previous_level_);
  }

  // Waits until a captured line starts with `prefix` and contains `needle`.
  bool WaitForLine(const std::string& prefix, const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const std::string& line : sink_->last_formatted()) {
        if (line.starts_with(prefix) && line.find(needle) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum previous_level_ = spdlog::level::info;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_ =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(2000);
};

TEST_F(KafkaLogTest, LibrdkafkaDebugLinesReachTheKafkaLoggerAtDebugLevel) {
  auto cluster = MockCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  {
    ClientOptions options;
    options.brokers = (*cluster)->bootstrap_servers();
    options.client_id = "logtest";
    options.properties["debug"] = "broker";
    auto producer = KafkaProducer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    EXPECT_TRUE(WaitForLine("debug [BROKER]", options.brokers));
  }
}

TEST_F(KafkaLogTest, AnUnreachableBrokerIsLoggedAsAnError) {
  std::string address;
  {
    // A port that was just in use and is now closed.
    auto cluster = MockCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    address = (*cluster)->bootstrap_servers();
  }
  ClientOptions options;
  options.brokers = address;
  {
    auto producer = KafkaProducer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    EXPECT_TRUE(WaitForLine("error [FAIL]", address));
  }
}

}  // namespace
}  // namespace tradewatch::kafka
