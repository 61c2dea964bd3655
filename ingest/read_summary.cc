#include "ingest/read_summary.h"

#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace tradewatch::ingest {

int64_t ReadSummary::rejected_total() const { return TotalRejected(rejected); }

bool ReadSummary::Balanced() const {
  return records == accepted + aggregates + duplicates + rejected_total();
}

void ReadSummary::Merge(const ReadSummary& other) {
  rows += other.rows;
  records += other.records;
  accepted += other.accepted;
  aggregates += other.aggregates;
  duplicates += other.duplicates;
  for (const auto& [reason, count] : other.rejected) rejected[reason] += count;
}

std::string ReadSummary::Format() const {
  std::string out = fmt::format("{} rows, {} records = {} accepted + {} aggregates + {} duplicates + {} rejected",
                                rows, records, accepted, aggregates, duplicates, rejected_total());
  return out + FormatRejectCounts(rejected);
}

int64_t TotalRejected(const RejectCounts& rejected) {
  int64_t total = 0;
  for (const auto& [reason, count] : rejected) total += count;
  return total;
}

std::string FormatRejectCounts(const RejectCounts& rejected) {
  if (rejected.empty()) return "";
  std::string out = " (";
  bool first = true;
  for (const auto& [reason, count] : rejected) {
    if (!first) out += ", ";
    first = false;
    out += fmt::format("{} {}", RejectReasonName(reason), count);
  }
  return out + ")";
}

std::string RejectReasonName(tradewatch::v1::RejectReason reason) {
  std::string name = tradewatch::v1::RejectReason_Name(reason);
  constexpr std::string_view kPrefix = "REJECT_REASON_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  return absl::AsciiStrToLower(name);
}

}  // namespace tradewatch::ingest
