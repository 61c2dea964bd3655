// The records the ingest publishers write, built in one place so that every publisher stamps the
// same headers: tw-event-id (EventId of key and value) and tw-schema on every record, and on dead
// letters tw-source ("file:line") and tw-reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/event_sink.h"
#include "tradewatch/v1/rejected.pb.h"

namespace tradewatch::ingest {

// A record of `topic` with the event id and schema headers. `schema` is the full message name of
// `value` ("tradewatch.v1.TradeEvent").
OutgoingRecord TaggedRecord(const std::string& topic, int32_t partition, std::string key,
                            std::string value, std::string_view schema);

// The dead-letter record of a rejected input row: partition 0, key = the source file, value = the
// RejectedRecord, plus tw-source "file:line" and tw-reason ("negative_value").
OutgoingRecord DeadLetterRecord(const std::string& topic,
                                const tradewatch::v1::RejectedRecord& reject);

}  // namespace tradewatch::ingest
