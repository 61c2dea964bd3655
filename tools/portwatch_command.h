// `tradewatch ingest portwatch FILES...`: read IMF PortWatch daily chokepoint transits and publish
// them to tradewatch.shipping.transits.v1 (key "chokepoint1/2025-03-14", partition = murmur2 of
// the chokepoint id), rejected rows to the dead-letter topic, with the conventions of `ingest
// census` (--config, -b/--brokers, --release, --vintage, --dry-run).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "ingest/portwatch_reader.h"
#include "tools/service.h"

namespace tradewatch::tools {

// Adds `portwatch` to the `ingest` subcommand. When it runs, its exit code goes to `*exit_code`.
void AddPortwatchIngest(CLI::App* ingest, int* exit_code);

// The inputs every PortWatch command takes: FILES (required, existing) and --horizon.
void AddPortwatchInputs(CLI::App* cmd, std::vector<std::string>* files, std::string* horizon);

// What PublishPortwatchFiles did.
struct PortwatchPublished {
  ingest::PortwatchSummary summary;  // over every file
  int64_t transits_sent = 0;
  int64_t rejects_sent = 0;
  std::string topic;                 // full name of the transit topic
  int32_t partitions = 0;            // its partition count
};

// Reads `files` in order and publishes through `service`'s producer to its configured transit and
// dead-letter topics, then flushes. Writes each file's accounting line to `out` (when not null).
// Errors: an unreadable file, a send or delivery failure.
absl::StatusOr<PortwatchPublished> PublishPortwatchFiles(
    const std::vector<std::string>& files, const ingest::PortwatchReadOptions& read,
    Service& service, std::ostream* out);

}  // namespace tradewatch::tools
