#include "common/kafka/partitioner.h"

#include "common/status_macros.h"

namespace tradewatch::kafka {

int32_t Murmur2(std::string_view bytes) {
  // Java's int arithmetic wraps; unsigned 32-bit arithmetic wraps the same way, and Java's `>>>`
  // is an unsigned shift.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto length = static_cast<uint32_t>(bytes.size());
  uint32_t h = kSeed ^ length;
  const uint32_t whole_words = length / 4;
  for (uint32_t i = 0; i < whole_words; ++i) {
    const unsigned char* word = data + 4 * i;
    uint32_t k = static_cast<uint32_t>(word[0]) | (static_cast<uint32_t>(word[1]) << 8) |
                 (static_cast<uint32_t>(word[2]) << 16) | (static_cast<uint32_t>(word[3]) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const unsigned char* tail = data + 4 * whole_words;
  switch (length % 4) {
    case 3:
      h ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(tail[0]);
      h *= kM;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t PartitionFor(std::string_view partition_key, int32_t partitions) {
  TW_CHECK(partitions > 0);
  // Kafka's Utils.toPositive: masking (not abs) so that INT32_MIN maps to 0.
  const int32_t positive = Murmur2(partition_key) & 0x7fffffff;
  return positive % partitions;
}

}  // namespace tradewatch::kafka
