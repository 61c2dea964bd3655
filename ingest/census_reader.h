// Reads Census trade tables (API JSON, its cache wrapper, CSV, gzip) into TradeObservations,
// columns by name through a ColumnMapping. Every row ends up counted: delivered to the sink as an
// observation (country or aggregate), counted as an exact duplicate, or delivered as a
// RejectedRecord naming file:line, column and value.
//
// Pure: bytes in, protos out. One reader reads one release: exact duplicates and conflicting
// duplicates are detected across all the files it reads. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ingest/country_table.h"
#include "ingest/read_summary.h"
#include "ingest/record_sink.h"
#include "tradewatch/v1/config.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::ingest {

struct ReadOptions {
  // Partner codes and names. Required; must outlive the reader.
  const CountryTable* countries = nullptr;
  // Stamped on every observation; later vintages replace earlier ones downstream.
  std::string release_id;
  int64_t vintage = 0;
  // Latest month the release may carry, yyyymm; 0 = no limit. Later periods are rejected.
  int32_t release_through_period = 0;
  // Mapping to use for every file; when unset, each file's header picks a built-in mapping.
  std::optional<tradewatch::v1::ColumnMapping> mapping;
};

// An observation's identity packed for hashing: product and partner codes are at most eight
// characters (product codes are at most six: "334413", "31-33", "11211X"; partner codes four).
struct IdentityKey {
  uint64_t product;
  uint64_t partner;
  int32_t period;
  uint8_t flow;
  uint8_t measure;
  uint8_t classification;

  bool operator==(const IdentityKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const IdentityKey& k) {
    return H::combine(std::move(h), k.product, k.partner, k.period, k.flow, k.measure,
                      k.classification);
  }
};

class CensusReader {
 public:
  CensusReader(ReadOptions options, RecordSink* sink);

  // Reads a file, gzip or plain, JSON or CSV (told apart by content). Returns an error only when
  // the file cannot be read at all; bad data goes to the sink.
  absl::Status ReadFile(const std::string& path);

  // Reads a table held in memory (already decompressed). `origin` names it in positions.
  void ReadBuffer(std::string_view bytes, std::string_view origin);

  // Totals over everything read so far.
  const ReadSummary& summary() const { return summary_; }
  // The summary of the last file read.
  const ReadSummary& last_file_summary() const { return file_summary_; }

 private:
  struct Resolved;
  struct RawText;

  void ReadCsv(std::string_view bytes, std::string_view origin);
  void ReadJson(std::string_view bytes, std::string_view origin);
  // Resolves the header; on failure rejects nothing yet and returns the reason text.
  std::optional<std::string> Resolve(const std::vector<std::string>& header, Resolved* resolved);
  void ConvertRow(const Resolved& resolved, const std::vector<std::string_view>& fields,
                  int64_t line, const RawText& raw, std::string_view origin);
  void RejectRow(tradewatch::v1::RejectReason reason, std::string message, std::string_view origin,
                 int64_t line, std::string_view column, std::string_view value,
                 std::string_view raw, int64_t records);

  ReadOptions options_;
  RecordSink* sink_;
  ReadSummary summary_;
  ReadSummary file_summary_;
  // Identity -> value of every record accepted in this release, for duplicate detection.
  absl::flat_hash_map<IdentityKey, int64_t> seen_;
  // Reused per row to avoid allocation.
  tradewatch::v1::TradeObservation observation_;
  tradewatch::v1::RejectedRecord reject_;
};

}  // namespace tradewatch::ingest
