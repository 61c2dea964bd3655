// librdkafka error codes -> absl::Status, in one place. Callers pass the librdkafka error code as
// an int so that this header needs no librdkafka include.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace tradewatch::kafka {

// OK for RD_KAFKA_RESP_ERR_NO_ERROR; otherwise a Status whose code follows the error's nature
// (timeouts DeadlineExceeded, unknown topic NotFound, invalid config InvalidArgument, transport
// Unavailable, else Internal) and whose message is "<context>: <librdkafka name>: <string>".
absl::Status FromKafkaError(int error_code, std::string_view context);

// Routes librdkafka log lines (its `log_cb`) to the "kafka" spdlog logger at the matching level.
// Called by every client factory; the logger is created on first use.
void LogFromKafka(int syslog_level, std::string_view facility, std::string_view message);

}  // namespace tradewatch::kafka
