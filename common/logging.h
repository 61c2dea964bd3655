// Named spdlog loggers, created in one place: "ingest", "processor", "alerts", "kafka", "metrics",
// "demo". error = needs a human; warn = degraded (always with a metric); info = lifecycle;
// debug = per batch; trace = per record.
#pragma once

#include <memory>
#include <string_view>

#include "spdlog/spdlog.h"

namespace tradewatch {

// The logger named `name`, created on first use writing to stderr. Thread-safe.
std::shared_ptr<spdlog::logger> Logger(std::string_view name);

// Sets the level of every logger, present and future ("info", "debug", "warn", ...). Unknown
// names leave the level as it is and return false.
bool SetLogLevel(std::string_view level);

// Whether SetLogLevel has succeeded since start (`tradewatch --log-level`): commands with a
// quieter default of their own (the demo) keep an explicit choice.
bool LogLevelWasSet();

}  // namespace tradewatch
