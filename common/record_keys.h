// Kafka record keys, partition keys, header names and event ids of every tradewatch topic, in one
// place: the producer of a topic and its consumers must agree on them byte for byte.
//
// Keys are readable text built from short enum names ("imports", "general_imports", "naics",
// "t12m"): a key is the record's full identity, so compaction keeps one record per identity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "google/protobuf/generated_enum_reflection.h"
#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/rules.pb.h"
#include "tradewatch/v1/shipping.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch {

// Header names carried by every record tradewatch writes.
inline constexpr std::string_view kHeaderEventId = "tw-event-id";  // EventId(key, value)
inline constexpr std::string_view kHeaderSchema = "tw-schema";     // full proto message name
inline constexpr std::string_view kHeaderSource = "tw-source";     // "file:line" of the input
inline constexpr std::string_view kHeaderReason = "tw-reason";     // reject reason (dead letters)

// The lower-case enum value name without its type prefix: FLOW_IMPORTS -> "imports",
// WINDOW_KIND_T12M -> "t12m", MEASURE_GENERAL_IMPORTS -> "general_imports".
std::string ShortEnumName(const google::protobuf::EnumDescriptor* type, int value);
template <typename E>
std::string ShortName(E value) {
  return ShortEnumName(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

// Observations: "imports/general_imports/naics/3344/5830/202501".
std::string ObservationKey(const tradewatch::v1::TradeObservation& observation);

// The partition key of everything about one product code: "naics/3344". Imports and exports of a
// code share it, so the balance of a code is computed where both flows are (the co-partitioning a
// Kafka Streams join requires); the observation key stays the full identity.
std::string ProductPartitionKey(tradewatch::v1::Classification classification,
                                std::string_view product_code);

// Shares: "imports/general_imports/naics/3344/t12m/202501".
std::string SharesKey(const tradewatch::v1::PartnerShares& shares);

// Balances: "naics/334/all/t12m/202501" (the partner part is "all": contributors are inside).
std::string BalanceKey(const tradewatch::v1::BalanceResult& balance);

// Alerts: rule and labels, "TaiwanSemiconductorImportShareHigh{partner=5830,product_code=3344,...}"
// (labels as sorted in the event).
std::string AlertKey(const tradewatch::v1::AlertEvent& event);

// Chokepoint transits and statuses: "chokepoint1/2025-03-14" (id/date). Both topics are
// partitioned by murmur2 of the chokepoint id alone, so one chokepoint's days meet on one
// partition.
std::string TransitKey(const tradewatch::v1::ChokepointTransit& transit);
std::string ChokepointStatusKey(const tradewatch::v1::ChokepointStatus& status);

// Deterministic event id: 16 hex digits of the 64-bit FNV-1a hash of key, a zero byte, and value.
// The same output always carries the same id, so consumers can deduplicate replays.
std::string EventId(std::string_view key, std::string_view value);

}  // namespace tradewatch
