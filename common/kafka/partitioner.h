// Explicit partition choice: a stable hash (murmur2, as the Java client's default partitioner, so
// other clients can compute the same partition) of a partition key modulo the partition count.
#pragma once

#include <cstdint>
#include <string_view>

namespace tradewatch::kafka {

// Kafka's murmur2 of `bytes` (the Java client's org.apache.kafka.common.utils.Utils.murmur2).
int32_t Murmur2(std::string_view bytes);

// (murmur2(partition_key) & 0x7fffffff) % partitions. `partitions` > 0.
int32_t PartitionFor(std::string_view partition_key, int32_t partitions);

}  // namespace tradewatch::kafka
