// The streaming subcommands: `ingest census` (files, or the Census API with --api [--watch] ->
// observation topic, dead letters, release markers), `process` (the processing loop until
// SIGTERM/SIGINT) and `demo` (embedded broker, real data replayed month by month, alert timeline,
// /metrics).
#pragma once

#include "CLI/CLI.hpp"

namespace tradewatch::tools {

// Adds `ingest`, `process` and `demo`. The chosen subcommand stores its exit code in
// `*exit_code`.
void AddServiceCommands(CLI::App& app, int* exit_code);

}  // namespace tradewatch::tools
