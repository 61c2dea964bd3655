// `tradewatch report` (shares, balance, shift) and `tradewatch check census`: read Census files
// with the ingest readers, apply them to the processors' upsert table, and print the results.
// No Kafka: the same pure code the streaming service runs.
#pragma once

#include "CLI/CLI.hpp"

namespace tradewatch::tools {

// Adds `report` and `check` to the app. The chosen subcommand stores its exit code in
// `*exit_code` when it runs.
void AddReportCommands(CLI::App& app, int* exit_code);

}  // namespace tradewatch::tools
