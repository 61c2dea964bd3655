#include "ingest/portwatch_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <optional>
#include <regex>
#include <utility>

#include "common/file_io.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/csv_reader.h"
#include "ingest/value_parser.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;
using v1::RejectReason;

constexpr int kAbsent = -1;

// More transits of one chokepoint in one day than this is not data (the busiest, Malacca and
// Dover, see a few hundred).
constexpr int64_t kMaxDailyTransits = 1'000'000;

// The fields of a row, in this order, and the column names each is found by (the CSV's PortWatch
// names first, then the names of the JSON form).
enum Field { kDate, kPortId, kPortName, kTotal, kTanker, kContainer, kCargo, kDryBulk, kCapacity };
constexpr int kFields = kCapacity + 1;
constexpr std::array<std::array<std::string_view, 2>, kFields> kColumnNames = {{
    {"date", ""},
    {"portid", ""},
    {"portname", ""},
    {"n_total", "total"},
    {"n_tanker", "tanker"},
    {"n_container", "container"},
    {"n_cargo", "cargo"},
    {"n_dry_bulk", "dry_bulk"},
    {"capacity", "capacity_dwt"},
}};

// PortWatch chokepoint ids confirmed by several independent code repositories (see
// ../shared/data/imf_portwatch/PROVENANCE.md); the other chokepoints' ids are not verified.
struct KnownChokepoint {
  std::string_view id;
  std::string_view name;
};
constexpr KnownChokepoint kVerifiedChokepoints[] = {
    {"chokepoint1", "Suez Canal"},        {"chokepoint2", "Panama Canal"},
    {"chokepoint3", "Bosporus Strait"},   {"chokepoint4", "Bab el-Mandeb Strait"},
    {"chokepoint5", "Malacca Strait"},    {"chokepoint6", "Strait of Hormuz"},
    {"chokepoint7", "Cape of Good Hope"}, {"chokepoint11", "Taiwan Strait"},
};

// Lower-case ASCII letters and digits; every run of anything else is one '-', none at the ends.
std::string Slug(std::string_view name) {
  std::string slug;
  bool separate = false;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool upper = c >= 'A' && c <= 'Z';
    if (!alnum && !upper) {
      separate = !slug.empty();
      continue;
    }
    if (separate) slug.push_back('-');
    separate = false;
    slug.push_back(upper ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return slug;
}

// Counts lines up to positions that only move forward (rows in document order).
class LineCounter {
 public:
  explicit LineCounter(const char* begin) : counted_(begin) {}
  int64_t At(const char* p) {
    if (p > counted_) {
      line_ += std::count(counted_, p, '\n');
      counted_ = p;
    }
    return line_;
  }

 private:
  const char* counted_;
  int64_t line_ = 1;
};

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                        s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A count of transits: a whole number, 0..kMaxDailyTransits.
ValueError ParseCount(std::string_view text, int64_t* count) {
  ValueError error = ParseValueUsd(text, 1.0, count);
  if (error != ValueError::kNone) return error;
  if (text.find_first_of(".eE") != std::string_view::npos) return ValueError::kNonNumeric;
  return *count > kMaxDailyTransits ? ValueError::kAbsurd : ValueError::kNone;
}

RejectReason ReasonOf(ValueError error) {
  switch (error) {
    case ValueError::kNegative: return v1::REJECT_REASON_NEGATIVE_VALUE;
    case ValueError::kAbsurd: return v1::REJECT_REASON_ABSURD_VALUE;
    default: return v1::REJECT_REASON_NON_NUMERIC_VALUE;
  }
}

std::string_view CountProblem(ValueError error) {
  switch (error) {
    case ValueError::kNegative: return "negative count";
    case ValueError::kAbsurd: return "absurd count (over 1000000 transits in one day)";
    default: return "not a whole number of transits";
  }
}

std::string_view CapacityProblem(ValueError error) {
  switch (error) {
    case ValueError::kNegative: return "negative capacity";
    case ValueError::kAbsurd: return "absurd capacity (over 1e13 tonnes)";
    default: return "not a number";
  }
}

}  // namespace

Horizon PublicationHorizon(std::string_view path, std::string_view updated) {
  if (auto date = ParseDate(updated)) return {*date, "updated"};
  const size_t slash = path.rfind('/');
  const std::string name(slash == std::string_view::npos ? path : path.substr(slash + 1));
  static const std::regex kDateOrMonth(R"((\d{4}-\d{2})(-\d{2})?)");
  Horizon last{0, "none"};
  for (auto it = std::sregex_iterator(name.begin(), name.end(), kDateOrMonth);
       it != std::sregex_iterator(); ++it) {
    if (auto date = ParseDate(it->str())) {
      last = {*date, "file name"};
    } else if (auto month = ParsePeriod((*it)[1].str()); month && !(*it)[2].matched) {
      last = {LastDayOfMonth(*month), "file name"};
    }
  }
  return last;
}

std::string ChokepointIdForName(std::string_view name) {
  const std::string slug = Slug(name);
  if (slug.empty()) return "";
  for (const KnownChokepoint& known : kVerifiedChokepoints) {
    if (Slug(known.name) == slug) return std::string(known.id);
  }
  return "name:" + slug;
}

void PortwatchSummary::Merge(const PortwatchSummary& other) {
  rows += other.rows;
  accepted += other.accepted;
  restated += other.restated;
  for (const auto& [reason, count] : other.rejected) rejected[reason] += count;
  ids_from_names += other.ids_from_names;
  const bool first = rows == other.rows;
  if (first || (horizon.date_yyyymmdd == other.horizon.date_yyyymmdd &&
                horizon.source == other.horizon.source)) {
    horizon = other.horizon;
  } else {
    horizon = {0, "per file"};
  }
}

std::string PortwatchSummary::Format() const {
  std::string horizon_text =
      horizon.date_yyyymmdd != 0
          ? fmt::format("horizon {} ({})", FormatDate(horizon.date_yyyymmdd), horizon.source)
          : horizon.source == "per file" ? "horizons per file" : "no horizon";
  return fmt::format("{} rows, {} records = {} accepted + {} restated + {} rejected{}; {} ids "
                     "from names; {}",
                     rows, rows, accepted, restated, rejected_total(),
                     FormatRejectCounts(rejected), ids_from_names, horizon_text);
}

// Where each field is in the file's rows.
struct PortwatchReader::Columns {
  std::array<int, kFields> index;
  std::array<std::string, kFields> name;  // as the file spells it, for messages
  size_t width = 0;
  std::optional<std::string> problem;     // why no row can be read (missing columns)
  Horizon horizon;
};

// One row's cells in Field order ("" for an absent column) and its position.
struct PortwatchReader::Row {
  std::array<std::string_view, kFields> cells;
  std::string_view origin;
  int64_t line = 0;
  std::string_view raw;
  std::string where;  // JSON only: "chokepoints.suez.series[12]"
};

void PortwatchReader::ResolveColumns(const std::vector<std::string>& header,
                                     bool identity_in_rows, Columns* c) {
  c->width = header.size();
  std::vector<std::string> missing;
  for (int f = 0; f < kFields; ++f) {
    c->index[f] = kAbsent;
    c->name[f] = std::string(kColumnNames[f][0]);
    for (std::string_view candidate : kColumnNames[f]) {
      const int i = FindColumn(header, candidate);
      if (i == kAbsent) continue;
      c->index[f] = i;
      c->name[f] = std::string(candidate);
      break;
    }
    const bool identity = f == kPortId || f == kPortName;
    if (c->index[f] == kAbsent && !identity) missing.push_back(c->name[f]);
  }
  if (identity_in_rows && c->index[kPortId] == kAbsent && c->index[kPortName] == kAbsent) {
    missing.push_back("portid or portname");
  }
  if (!missing.empty()) {
    c->problem = fmt::format("missing required column {} (header [{}])", fmt::join(missing, ", "),
                             fmt::join(header, ","));
  }
}

namespace {

// Parses one JSON row (an array of strings, numbers and nulls; null reads as "") into `fields`.
// Views into `padded` (numbers) and `parser` (strings) stay valid until the parser's next
// document. Returns what is wrong with the row, if anything.
std::optional<std::string> ParseJsonRow(simdjson::ondemand::parser& parser,
                                        const simdjson::padded_string& padded,
                                        std::vector<std::string_view>* fields) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::array cells;
  if (parser.iterate(padded).get(doc) || doc.get_array().get(cells)) {
    return "malformed JSON: row is not an array";
  }
  for (auto cell_result : cells) {
    simdjson::ondemand::value cell;
    simdjson::ondemand::json_type type;
    if (cell_result.get(cell) || cell.type().get(type)) return "malformed JSON row";
    std::string_view text;
    bool null = false;
    if (type == simdjson::ondemand::json_type::string) {
      if (cell.get_string().get(text)) return "malformed JSON string";
    } else if (type == simdjson::ondemand::json_type::number) {
      text = TrimBlanks(cell.raw_json_token());
    } else if (type != simdjson::ondemand::json_type::null || cell.is_null().get(null) || !null) {
      return fmt::format("cell {} is neither a string, a number nor null", fields->size() + 1);
    }
    fields->push_back(text);
  }
  return std::nullopt;
}

}  // namespace

PortwatchReader::PortwatchReader(PortwatchReadOptions options, TransitSink* sink)
    : options_(std::move(options)), sink_(sink) {
  TW_CHECK(sink_ != nullptr);
}

absl::Status PortwatchReader::ReadFile(const std::string& path) {
  TW_ASSIGN_OR_RETURN(std::string bytes, ReadFileContents(path));
  ReadBuffer(bytes, path);
  return absl::OkStatus();
}

void PortwatchReader::ReadBuffer(std::string_view bytes, std::string_view origin) {
  file_summary_ = PortwatchSummary{};
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (bytes[first] == '{' || bytes[first] == '[')) {
    ReadJson(bytes, origin);
  } else {
    ReadCsv(bytes, origin);
  }
  FinishFile();
}

Horizon PortwatchReader::HorizonOf(std::string_view origin, std::string_view updated) const {
  if (options_.horizon_yyyymmdd != 0) return {options_.horizon_yyyymmdd, "--horizon"};
  return PublicationHorizon(origin, updated);
}

void PortwatchReader::Reject(RejectReason reason, const Row& row, std::string_view column,
                             std::string_view value, std::string_view what) {
  const std::string at =
      row.where.empty() ? fmt::format("{}:{}", row.origin, row.line)
                        : fmt::format("{}:{}: {}", row.origin, row.line, row.where);
  reject_.Clear();
  reject_.set_reason(reason);
  reject_.set_message(column.empty() ? fmt::format("{}: {}", at, what)
                                     : fmt::format("{}: {} '{}': {}", at, column, value, what));
  v1::SourcePosition* position = reject_.mutable_position();
  position->set_source(std::string(row.origin));
  position->set_line(row.line);
  position->set_column(std::string(column));
  reject_.set_value(std::string(value));
  reject_.set_raw(std::string(row.raw));
  sink_->OnReject(reject_);
  ++file_summary_.rejected[reason];
}

void PortwatchReader::ConvertFields(Row& row, const std::vector<std::string_view>& fields,
                                    std::string_view entry_name, const Columns& columns) {
  ++file_summary_.rows;
  if (columns.problem) {
    Reject(v1::REJECT_REASON_MISSING_COLUMN, row, "", "", *columns.problem);
    return;
  }
  if (fields.size() != columns.width) {
    Reject(v1::REJECT_REASON_MALFORMED_RECORD, row, "", "",
           fmt::format("{} fields where the header has {}", fields.size(), columns.width));
    return;
  }
  for (int f = 0; f < kFields; ++f) {
    row.cells[f] = columns.index[f] == kAbsent ? std::string_view() : fields[columns.index[f]];
  }
  if (columns.index[kPortName] == kAbsent) row.cells[kPortName] = entry_name;
  ConvertRow(row, columns);
}

void PortwatchReader::ConvertRow(const Row& row, const Columns& columns) {
  v1::ChokepointTransit transit;
  const std::string_view portid = row.cells[kPortId];
  transit.set_chokepoint_id(portid.empty() ? ChokepointIdForName(row.cells[kPortName])
                                           : std::string(portid));
  if (transit.chokepoint_id().empty()) {
    Reject(v1::REJECT_REASON_MISSING_IDENTITY, row, columns.name[kPortId], portid,
           "neither portid nor portname: the row names no chokepoint");
    return;
  }
  transit.set_chokepoint_name(std::string(row.cells[kPortName]));
  const std::optional<int32_t> date = ParseDate(row.cells[kDate]);
  if (!date) {
    Reject(v1::REJECT_REASON_BAD_PERIOD, row, columns.name[kDate], row.cells[kDate],
           "bad date (expected YYYY-MM-DD)");
    return;
  }
  if (columns.horizon.date_yyyymmdd != 0 && *date > columns.horizon.date_yyyymmdd) {
    Reject(v1::REJECT_REASON_PERIOD_AFTER_RELEASE, row, columns.name[kDate], row.cells[kDate],
           fmt::format("date is after the file's publication horizon {} ({})",
                       FormatDate(columns.horizon.date_yyyymmdd), columns.horizon.source));
    return;
  }
  transit.set_date_yyyymmdd(*date);

  std::array<int64_t, kFields> values{};
  for (int f = kTotal; f <= kCapacity; ++f) {
    const ValueError error = f == kCapacity ? ParseValueUsd(row.cells[f], 1.0, &values[f])
                                            : ParseCount(row.cells[f], &values[f]);
    if (error != ValueError::kNone) {
      Reject(ReasonOf(error), row, columns.name[f], row.cells[f],
             f == kCapacity ? CapacityProblem(error) : CountProblem(error));
      return;
    }
  }
  transit.set_n_total(static_cast<int32_t>(values[kTotal]));
  transit.set_n_tanker(static_cast<int32_t>(values[kTanker]));
  transit.set_n_container(static_cast<int32_t>(values[kContainer]));
  transit.set_n_cargo(static_cast<int32_t>(values[kCargo]));
  transit.set_n_dry_bulk(static_cast<int32_t>(values[kDryBulk]));
  transit.set_capacity_dwt(values[kCapacity]);
  transit.set_vintage(options_.vintage);
  transit.set_release_id(options_.release_id);
  transit.set_source(std::string(row.origin));
  transit.set_source_line(row.line);

  // PortWatch restates recent days: a later row of the same chokepoint and day replaces the
  // earlier one, keeping its place in the file's order.
  auto [it, inserted] = pending_index_.try_emplace(TransitKey(transit), pending_.size());
  if (inserted) {
    pending_.push_back(std::move(transit));
  } else {
    pending_[it->second] = std::move(transit);
    ++file_summary_.restated;
  }
}

void PortwatchReader::FinishFile() {
  for (const v1::ChokepointTransit& transit : pending_) {
    if (transit.chokepoint_id().rfind("name:", 0) == 0) ++file_summary_.ids_from_names;
    sink_->OnTransit(transit);
  }
  file_summary_.accepted = static_cast<int64_t>(pending_.size());
  pending_.clear();
  pending_index_.clear();
  summary_.Merge(file_summary_);
}

void PortwatchReader::ReadCsv(std::string_view bytes, std::string_view origin) {
  CsvReader reader(bytes);
  CsvRecord record;
  Columns columns;
  if (!reader.Next(&record)) {
    ++file_summary_.rows;
    Reject(v1::REJECT_REASON_MALFORMED_RECORD, Row{{}, origin, 1, "", ""}, "", "",
           "empty file, no header row");
    return;
  }
  const std::vector<std::string> header(record.fields.begin(), record.fields.end());
  ResolveColumns(header, /*identity_in_rows=*/true, &columns);
  if (!record.error.empty()) {
    columns.problem = fmt::format("malformed CSV header: {}", record.error);
  }
  columns.horizon = HorizonOf(origin, "");
  file_summary_.horizon = columns.horizon;
  while (reader.Next(&record)) {
    Row row{{}, origin, record.line, record.raw, ""};
    if (!record.error.empty()) {
      ++file_summary_.rows;
      Reject(v1::REJECT_REASON_MALFORMED_RECORD, row, "", "",
             fmt::format("malformed CSV: {}", record.error));
      continue;
    }
    ConvertFields(row, record.fields, "", columns);
  }
}

// The JSON form is read with simdjson's On-Demand API, which knows where each row is in the
// text (for file:line); each row is then parsed again on its own, so that its raw text is at hand
// for a rejection and a bad cell never stops the document.
struct PortwatchReader::JsonText {
  explicit JsonText(std::string_view bytes) : padded(bytes), lines(padded.data()) {}
  // Up to 200 bytes from `at` (the document's start when null), for a rejection's raw text.
  std::string_view From(const char* at) const {
    if (at == nullptr) at = padded.data();
    return std::string_view(at, std::min<size_t>(200, padded.data() + padded.size() - at));
  }
  simdjson::padded_string padded;
  LineCounter lines;
  simdjson::ondemand::value* entry = nullptr;  // the chokepoint entry being read
  simdjson::ondemand::parser parser;      // the document
  simdjson::ondemand::parser row_parser;  // each row again
  std::vector<std::string_view> fields;   // the current row's cells
};

void PortwatchReader::RejectJson(JsonText& text, std::string_view origin, const char* at,
                                 std::string where, std::string_view what) {
  ++file_summary_.rows;
  const Row row{{}, origin, text.lines.At(at == nullptr ? text.padded.data() : at), text.From(at),
                std::move(where)};
  Reject(v1::REJECT_REASON_MALFORMED_RECORD, row, "", "", fmt::format("malformed JSON: {}", what));
}

namespace {

// The document's "updated" date (empty when absent) and "columns". Returns what is wrong.
std::optional<std::string> ReadJsonHeader(simdjson::ondemand::object& root,
                                          std::string_view* updated,
                                          std::vector<std::string>* header) {
  if (root.find_field_unordered("updated").get_string().get(*updated)) *updated = "";
  simdjson::ondemand::array names;
  if (root.find_field_unordered("columns").get_array().get(names)) return "no \"columns\" array";
  for (auto name : names) {
    std::string_view text;
    if (name.get_string().get(text)) return "a column name is not a string";
    header->emplace_back(text);
  }
  return std::nullopt;
}

}  // namespace

void PortwatchReader::ReadJson(std::string_view bytes, std::string_view origin) {
  JsonText text(bytes);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  if (auto error = text.parser.iterate(text.padded).get(doc); error) {
    RejectJson(text, origin, nullptr, "", simdjson::error_message(error));
    return;
  }
  if (doc.get_object().get(root)) {
    RejectJson(text, origin, nullptr, "",
               "expected an object with \"columns\" and \"chokepoints\"");
    return;
  }
  std::string_view updated;
  std::vector<std::string> header;
  if (auto problem = ReadJsonHeader(root, &updated, &header)) {
    RejectJson(text, origin, nullptr, "", *problem);
    return;
  }
  Columns columns;
  ResolveColumns(header, /*identity_in_rows=*/false, &columns);
  columns.horizon = HorizonOf(origin, updated);
  file_summary_.horizon = columns.horizon;
  simdjson::ondemand::object chokepoints;
  if (root.find_field_unordered("chokepoints").get_object().get(chokepoints)) {
    RejectJson(text, origin, nullptr, "", "no \"chokepoints\" object");
    return;
  }
  for (auto field_result : chokepoints) {
    simdjson::ondemand::field field;
    std::string_view slug;
    if (std::move(field_result).get(field) || field.unescaped_key().get(slug)) {
      RejectJson(text, origin, nullptr, "chokepoints", "unreadable entry");
      return;
    }
    text.entry = &field.value();
    if (!ReadJsonEntry(text, origin, fmt::format("chokepoints.{}", slug), columns)) return;
  }
}

bool PortwatchReader::ReadJsonEntry(JsonText& text, std::string_view origin,
                                    const std::string& where, const Columns& columns) {
  const char* start = nullptr;
  if (text.entry->current_location().get(start)) start = nullptr;
  simdjson::ondemand::object entry;
  std::string_view name;
  simdjson::ondemand::array series;
  if (text.entry->get_object().get(entry)) {
    RejectJson(text, origin, start, where, "entry is not an object");
    return true;
  }
  // The name before the series: looking a field up moves the object's iterator.
  if (entry.find_field_unordered("name").get_string().get(name)) name = "";
  if (entry.find_field_unordered("series").get_array().get(series)) {
    RejectJson(text, origin, start, where, "entry has no \"series\" array");
    return true;
  }
  size_t index = 0;
  for (auto row_result : series) {
    const std::string row_where = fmt::format("{}.series[{}]", where, index++);
    simdjson::ondemand::value row_value;
    const char* row_start = nullptr;
    if (row_result.get(row_value) || row_value.current_location().get(row_start)) {
      RejectJson(text, origin, nullptr, row_where, "unreadable row");
      return false;
    }
    simdjson::ondemand::array cells;
    std::string_view raw;
    if (row_value.get_array().get(cells) || cells.raw_json().get(raw)) {
      RejectJson(text, origin, row_start, row_where, "row is not an array");
      continue;
    }
    Row row{{}, origin, text.lines.At(row_start), TrimBlanks(raw), row_where};
    const simdjson::padded_string row_text(row.raw);
    text.fields.clear();
    if (auto problem = ParseJsonRow(text.row_parser, row_text, &text.fields)) {
      ++file_summary_.rows;
      Reject(v1::REJECT_REASON_MALFORMED_RECORD, row, "", "", *problem);
      continue;
    }
    ConvertFields(row, text.fields, name, columns);
  }
  return true;
}

}  // namespace tradewatch::ingest
