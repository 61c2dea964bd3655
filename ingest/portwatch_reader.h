// Reads IMF PortWatch daily chokepoint transits into ChokepointTransits, columns by name. Every
// row ends up counted: delivered to the sink as a transit, counted as restated (replaced by a later
// row of the same chokepoint and date in the same file), or delivered as a RejectedRecord naming
// file:line, column and value.
//
// Two forms, told apart by content:
// - CSV with a header naming date, portid, portname, n_total, n_tanker, n_container, n_cargo,
//   n_dry_bulk, capacity (any order, other columns ignored; portid may be absent or empty);
// - the JSON of ../shared/data/imf_portwatch: {"updated": "YYYY-MM-DD", "columns": [date, total,
//   tanker, container, cargo, dry_bulk, capacity_dwt], "chokepoints": {slug: {"name": ...,
//   "series": [[date, total, ...], ...]}}}. Its columns are found by name too (the n_* names and
//   capacity are accepted as well), and it carries no portid.
//
// Identity: the row's portid when it has one; otherwise the verified PortWatch id of its name
// (ChokepointIdForName), so that the CSV and JSON forms of one table give the same records.
//
// Pure: bytes in, protos out. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ingest/read_summary.h"
#include "ingest/transit_sink.h"
#include "tradewatch/v1/rejected.pb.h"
#include "tradewatch/v1/shipping.pb.h"

namespace tradewatch::ingest {

struct PortwatchReadOptions {
  // Stamped on every transit; later vintages replace earlier ones downstream.
  std::string release_id;
  int64_t vintage = 0;
  // Latest date any file may carry, yyyymmdd (`--horizon`); later rows are rejected. 0: each
  // file's own horizon (PublicationHorizon).
  int32_t horizon_yyyymmdd = 0;
};

// A file's publication horizon: the latest date it can truthfully carry.
struct Horizon {
  int32_t date_yyyymmdd = 0;  // 0: none known, nothing is rejected for lateness
  std::string source;         // "--horizon", "updated", "file name" or "none"
};

// The horizon of a file without --horizon: its own publication date (the JSON's "updated"), else
// the last date in its file name (the last YYYY-MM-DD, or the last day of the last YYYY-MM:
// "..._2024-01_2026-07.csv" -> 2026-07-31), else none. `updated` is the JSON's field, or empty.
Horizon PublicationHorizon(std::string_view path, std::string_view updated);

// The identity of a chokepoint known only by name: PortWatch's verified id of that name
// ("Suez Canal" -> "chokepoint1", compared case-insensitively on letters and digits), else
// "name:" + its slug ("Gibraltar Strait" -> "name:gibraltar-strait"). Empty for an empty name.
std::string ChokepointIdForName(std::string_view name);

// The accounting of a read: rows = accepted + restated + rejected (one record per row).
struct PortwatchSummary {
  // Data rows read (header excluded; a document that cannot be read at all counts as one).
  int64_t rows = 0;
  // Distinct (chokepoint, date) delivered to the sink.
  int64_t accepted = 0;
  // Rows replaced by a later row of the same chokepoint and date in the same file (PortWatch
  // restates recent days); not delivered.
  int64_t restated = 0;
  // Rejected rows by reason, each delivered to the sink as a RejectedRecord.
  RejectCounts rejected;
  // Accepted records whose id was made from the name ("name:<slug>": no portid, no verified id).
  int64_t ids_from_names = 0;
  // The horizon applied; after Merge of files with different horizons, {0, "per file"}.
  Horizon horizon;

  int64_t rejected_total() const { return TotalRejected(rejected); }
  // True when rows == accepted + restated + rejected.
  bool Balanced() const { return rows == accepted + restated + rejected_total(); }
  void Merge(const PortwatchSummary& other);
  // "11253 rows, 11253 records = 11253 accepted + 0 restated + 0 rejected; 3752 ids from names;
  // horizon 2026-07-31 (file name)", with " (reason n, ...)" after "rejected" when any were.
  std::string Format() const;
};

class PortwatchReader {
 public:
  // `sink` must outlive the reader.
  PortwatchReader(PortwatchReadOptions options, TransitSink* sink);

  // Reads a file, gzip or plain, CSV or JSON (told apart by content). Returns an error only when
  // the file cannot be read at all; bad data goes to the sink.
  absl::Status ReadFile(const std::string& path);

  // Reads a table held in memory (already decompressed). `origin` names it in positions and is
  // the file name the default horizon is read from.
  void ReadBuffer(std::string_view bytes, std::string_view origin);

  // Totals over everything read so far.
  const PortwatchSummary& summary() const { return summary_; }
  // The summary of the last file read.
  const PortwatchSummary& last_file_summary() const { return file_summary_; }

 private:
  struct Columns;
  struct Row;

  struct JsonText;

  void ReadCsv(std::string_view bytes, std::string_view origin);
  void ReadJson(std::string_view bytes, std::string_view origin);
  // Reads the series of the chokepoint entry `text.entry`; false when the document cannot be
  // read further.
  bool ReadJsonEntry(JsonText& text, std::string_view origin, const std::string& where,
                     const Columns& columns);
  // Counts one unreadable piece of the JSON document (at `at`, or its start) and rejects it.
  void RejectJson(JsonText& text, std::string_view origin, const char* at, std::string where,
                  std::string_view what);
  // Finds every field's column in `header`. `identity_in_rows`: the rows must name their
  // chokepoint (CSV); otherwise the name comes from elsewhere (the JSON entry).
  static void ResolveColumns(const std::vector<std::string>& header, bool identity_in_rows,
                             Columns* columns);
  // The horizon of a file: --horizon, else PublicationHorizon.
  Horizon HorizonOf(std::string_view origin, std::string_view updated) const;
  // Counts a row, checks its width against the header and fills its cells; a JSON row's name
  // comes from its entry (`entry_name`) when there is no portname column.
  void ConvertFields(Row& row, const std::vector<std::string_view>& fields,
                     std::string_view entry_name, const Columns& columns);
  void ConvertRow(const Row& row, const Columns& columns);
  // Delivers one rejection of `row` (already counted as a row).
  void Reject(tradewatch::v1::RejectReason reason, const Row& row, std::string_view column,
              std::string_view value, std::string_view what);
  // Delivers the file's transits (restatements resolved) and closes its summary.
  void FinishFile();

  PortwatchReadOptions options_;
  TransitSink* sink_;
  PortwatchSummary summary_;
  PortwatchSummary file_summary_;
  // The current file's transits in first-seen order; a restatement replaces in place.
  std::vector<tradewatch::v1::ChokepointTransit> pending_;
  absl::flat_hash_map<std::string, size_t> pending_index_;  // TransitKey -> index in pending_
  // Reused per rejection.
  tradewatch::v1::RejectedRecord reject_;
};

}  // namespace tradewatch::ingest
