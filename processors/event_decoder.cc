#include "processors/event_decoder.h"

#include <cstdint>

namespace tradewatch::processors {
namespace {

// Reads a base-128 varint of at most five bytes (a length below 2^32).
bool ReadLength(const uint8_t*& p, const uint8_t* end, uint32_t* length) {
  uint32_t value = 0;
  for (int shift = 0; shift < 35 && p < end; shift += 7) {
    uint8_t byte = *p++;
    value |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *length = value;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ParseTradeEventReusing(std::string_view bytes, v1::TradeEvent* event) {
  // The common case, a payload that is exactly one `observation` field (tag 1, length-delimited:
  // 0x0A), is parsed straight into the held observation: TradeObservation has no sub-messages, so
  // its Clear() keeps every string buffer, and the array parse takes protobuf's flat fast path.
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  uint32_t length = 0;
  if (p < end && *p == 0x0A) {
    const uint8_t* q = p + 1;
    if (ReadLength(q, end, &length) && static_cast<size_t>(end - q) == length) {
      return event->mutable_observation()->ParseFromArray(q, static_cast<int>(length));
    }
  }
  // Anything else (a release marker, unknown fields, a repeated field) takes the general path.
  return event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace tradewatch::processors
