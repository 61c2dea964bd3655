// The librdkafka object behind ConsumerGroupMetadata (kafka_consumer.h), shared by the consumer
// that makes it and the producer that sends offsets with it. Include only from common/kafka/.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "common/kafka/kafka_consumer.h"

namespace tradewatch::kafka {

struct ConsumerGroupMetadata::Impl {
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> metadata;
};

}  // namespace tradewatch::kafka
