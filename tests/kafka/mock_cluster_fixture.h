// A fresh embedded cluster (librdkafka's mock) per test holding kTopic, with `options_` pointing
// at it.
#pragma once

#include <memory>

#include "common/kafka/kafka_options.h"
#include "common/kafka/mock_cluster.h"
#include "gtest/gtest.h"

namespace tradewatch::kafka {

inline constexpr char kTopic[] = "tradewatch.test.records.v1";
inline constexpr int32_t kPartitions = 3;

class MockClusterTest : public ::testing::Test {
 protected:
  // Derived fixtures call this first and return when HasFatalFailure().
  void SetUp() override {
    auto cluster = MockCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(cluster).value();
    options_.brokers = cluster_->bootstrap_servers();
    ASSERT_TRUE(cluster_->CreateTopic(kTopic, kPartitions).ok());
  }

  std::unique_ptr<MockCluster> cluster_;
  ClientOptions options_;
};

}  // namespace tradewatch::kafka
