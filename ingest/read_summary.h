// The accounting every read ends with: rows read = accepted + aggregates + duplicates + rejected,
// with rejections by reason. Nothing read is left out of it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "tradewatch/v1/rejected.pb.h"

namespace tradewatch::ingest {

struct ReadSummary {
  // Data rows read (header rows excluded).
  int64_t rows = 0;
  // Values read: a row yields one per value column present (two for the ATP totals).
  int64_t records = 0;
  // Records of individual countries, delivered to the sink.
  int64_t accepted = 0;
  // Records of totals, groups and continents, delivered to the sink for cross-checks.
  int64_t aggregates = 0;
  // Exact repeats of a record already read in the same release; idempotent, not delivered.
  int64_t duplicates = 0;
  // Rejected records by reason, each delivered to the sink as a RejectedRecord.
  std::map<tradewatch::v1::RejectReason, int64_t> rejected;

  int64_t rejected_total() const;
  // True when records == accepted + aggregates + duplicates + rejected.
  bool Balanced() const;
  void Merge(const ReadSummary& other);
  // "10341 rows, 10341 records = 8103 accepted + 2238 aggregates + 0 duplicates + 0 rejected"
  // followed by " (reason n, ...)" when anything was rejected.
  std::string Format() const;
};

// "non_numeric_value" for REJECT_REASON_NON_NUMERIC_VALUE.
std::string RejectReasonName(tradewatch::v1::RejectReason reason);

// Rejections by reason, as every reader counts them.
using RejectCounts = std::map<tradewatch::v1::RejectReason, int64_t>;
int64_t TotalRejected(const RejectCounts& rejected);
// " (bad_period 2, negative_value 1)", or "" when nothing was rejected.
std::string FormatRejectCounts(const RejectCounts& rejected);

}  // namespace tradewatch::ingest
