// `tradewatch report` (shares, balance, shift) and `tradewatch check census`: read Census files
// with the ingest readers, apply them to the processors' upsert table, and print the results.
// No Kafka: the same pure code the streaming service runs.
#pragma once

#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "tradewatch/v1/config.pb.h"

namespace tradewatch::tools {

// Adds `report` and `check` to the app. The chosen subcommand stores its exit code in
// `*exit_code` when it runs.
void AddReportCommands(CLI::App& app, int* exit_code);

// What `check census` (and `ingest census --dry-run`) reads.
struct CheckRequest {
  std::vector<std::string> files;
  std::string countries_path;
  std::string mapping;          // built-in name or YAML file; empty: detected per file
  std::string release_id;       // empty: "check"
  std::string release_through;  // YYYY-MM or empty
  int show = -1;                // rejects printed (-1: none)
};

// Reads the files with the ingest readers without writing anywhere and prints one summary line
// per file (and a total), as `report` does. Errors: unreadable file, bad mapping or table.
absl::Status CheckCensusFiles(const CheckRequest& request);

// A built-in mapping name or a mapping YAML file; empty name: none (detected per file).
absl::StatusOr<std::optional<tradewatch::v1::ColumnMapping>> ResolveColumnMapping(
    const std::string& name);

// Prints "tradewatch: <message>" on stderr and returns exit code 1.
int Fail(const absl::Status& status);

// Command-line month and date flags: 0 for an empty value, else yyyymm / yyyymmdd;
// InvalidArgument "<flag> '<text>': expected YYYY-MM[-DD]" for anything else.
absl::StatusOr<int32_t> ParseMonthFlag(const std::string& text, const char* flag);
absl::StatusOr<int32_t> ParseDateFlag(const std::string& text, const char* flag);

// The release stamp of an ingest run: the given vintage, or now in seconds since the epoch;
// the given release id, or "ingest-<vintage>".
struct ReleaseStamp {
  std::string release_id;
  int64_t vintage = 0;
};
ReleaseStamp StampRelease(const std::string& release_id, int64_t vintage);

}  // namespace tradewatch::tools
