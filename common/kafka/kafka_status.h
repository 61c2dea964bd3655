// librdkafka error codes -> absl::Status, in one place. Callers pass the librdkafka error code as
// an int so that this header needs no librdkafka include.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace tradewatch::kafka {

// OK for RD_KAFKA_RESP_ERR_NO_ERROR; otherwise a Status whose code follows the error's nature
// and whose message is "<context>: <librdkafka name>: <string>" (just "<name>: <string>" when
// `context` is empty):
//   DeadlineExceeded   timeouts (local, request, message, queue)
//   NotFound           unknown topic, partition or group
//   InvalidArgument    invalid argument, configuration, partition count, replication factor,
//                      topic name, message size
//   Unavailable        transport, resolution, all brokers down, no leader or coordinator yet
//   AlreadyExists      topic already exists
//   ResourceExhausted  local queue full
//   PermissionDenied   authentication and authorization failures
//   Internal           everything else
absl::Status FromKafkaError(int error_code, std::string_view context);

// Routes librdkafka log lines (its `log_cb`) to the "kafka" spdlog logger at the matching level:
// syslog levels 0-3 error, 4 warn, 5-6 info, 7 debug. The line reads "[<facility>] <message>".
// Called by every client factory; the logger is created on first use. Thread-safe: librdkafka
// calls it from its own threads.
void LogFromKafka(int syslog_level, std::string_view facility, std::string_view message);

}  // namespace tradewatch::kafka
