// Decoding of observation-topic payloads on the hot path.
#pragma once

#include <string_view>

#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::processors {

// Parses `bytes` into `event`, reusing the memory of the previous event: a payload holding just an
// observation is parsed into the observation `event` already holds (its strings keep their
// buffers), instead of ParseFromString freeing and reallocating the oneof member for every
// message. The result equals ParseFromString's. Returns false when the bytes are not a
// TradeEvent; `event` is then unspecified.
bool ParseTradeEventReusing(std::string_view bytes, tradewatch::v1::TradeEvent* event);

}  // namespace tradewatch::processors
