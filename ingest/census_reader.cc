#include "ingest/census_reader.h"

#include <simdjson.h>

#include <algorithm>

#include "common/file_io.h"
#include "common/packed_code.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/column_mapping.h"
#include "ingest/csv_reader.h"
#include "ingest/value_parser.h"

namespace tradewatch::ingest {
namespace {

using tradewatch::v1::RejectReason;

constexpr int kAbsent = -1;

// Finds the end of the JSON array that starts at `begin` (a '['), respecting strings.
std::string_view JsonArrayText(const char* begin, const char* end) {
  int depth = 0;
  bool in_string = false;
  for (const char* p = begin; p < end; ++p) {
    char c = *p;
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth == 0) return std::string_view(begin, p - begin + 1);
    }
  }
  return std::string_view(begin, end - begin);
}

}  // namespace

// A row's raw text, for rejects only: a JSON row's extent is found by scanning, which accepted
// rows never need.
struct CensusReader::RawText {
  std::string_view known;             // CSV: the record as in the buffer
  const char* json_begin = nullptr;   // JSON: the row's '[' ...
  const char* json_end = nullptr;     // ... and the end of the document
  std::string_view get() const {
    return json_begin != nullptr ? JsonArrayText(json_begin, json_end) : known;
  }
};

struct CensusReader::Resolved {
  const v1::ColumnMapping* mapping = nullptr;
  size_t header_size = 0;
  int product = kAbsent;
  int partner_code = kAbsent;
  int partner_name = kAbsent;
  int period = kAbsent;
  int year = kAbsent;
  int month = kAbsent;
  int flow = kAbsent;
  int classification = kAbsent;
  // The kind of mapping.fixed_partner_code, classified once per file (nullopt: not in the table).
  std::optional<v1::PartnerKind> fixed_partner_kind;
  struct Value {
    int index;
    std::string column;
    v1::Flow flow;
    v1::Measure measure;
    double scale;
  };
  std::vector<Value> values;
};

CensusReader::CensusReader(ReadOptions options, RecordSink* sink)
    : options_(std::move(options)), sink_(sink) {
  TW_CHECK(options_.countries != nullptr);
  TW_CHECK(sink_ != nullptr);
}

absl::Status CensusReader::ReadFile(const std::string& path) {
  TW_ASSIGN_OR_RETURN(std::string bytes, ReadFileContents(path));
  ReadBuffer(bytes, path);
  return absl::OkStatus();
}

void CensusReader::ReadBuffer(std::string_view bytes, std::string_view origin) {
  file_summary_ = ReadSummary{};
  // A UTF-8 byte-order mark is not content, in JSON or CSV.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (bytes[first] == '[' || bytes[first] == '{')) {
    ReadJson(bytes, origin);
  } else {
    ReadCsv(bytes, origin);
  }
  summary_.Merge(file_summary_);
}

std::optional<std::string> CensusReader::Resolve(const std::vector<std::string>& header,
                                                 Resolved* r) {
  const v1::ColumnMapping* m =
      options_.mapping.has_value() ? &*options_.mapping : DetectMapping(header);
  if (m == nullptr) {
    std::vector<std::string> expected;
    for (const auto& builtin : BuiltinMappings()) {
      expected.push_back(fmt::format("{} ({})", builtin.name(),
                                     fmt::join(builtin.signature_columns(), ", ")));
    }
    return fmt::format("no column mapping fits header [{}]; built-in mappings need {}; "
                       "give one with --mapping",
                       fmt::join(header, ","), fmt::join(expected, " or "));
  }
  r->mapping = m;
  r->header_size = header.size();
  std::vector<std::string> missing;
  r->product = FindColumn(header, m->product_column());
  if (r->product == kAbsent && m->fixed_product_code().empty()) {
    missing.push_back(m->product_column());
  }
  r->partner_code = FindColumn(header, m->partner_code_column());
  r->partner_name = FindColumn(header, m->partner_name_column());
  if (r->partner_code == kAbsent && r->partner_name == kAbsent &&
      m->fixed_partner_code().empty()) {
    missing.push_back(m->partner_code_column().empty()
                          ? m->partner_name_column()
                          : fmt::format("{} or {}", m->partner_code_column(),
                                        m->partner_name_column()));
  }
  if (!m->fixed_partner_code().empty()) {
    r->fixed_partner_kind = options_.countries->Classify(m->fixed_partner_code());
  }
  r->period = FindColumn(header, m->period_column());
  r->year = FindColumn(header, m->year_column());
  r->month = FindColumn(header, m->month_column());
  if (r->period == kAbsent && (r->year == kAbsent || r->month == kAbsent)) {
    missing.push_back(m->year_column().empty()
                          ? m->period_column()
                          : fmt::format("{} or {} and {}", m->period_column(), m->year_column(),
                                        m->month_column()));
  }
  r->flow = FindColumn(header, m->flow_column());
  r->classification = FindColumn(header, m->classification_column());
  std::vector<std::string> value_names;
  for (const auto& v : m->value_columns()) {
    value_names.push_back(v.column());
    int index = FindColumn(header, v.column());
    if (index == kAbsent) continue;
    r->values.push_back({index, v.column(), v.flow(), v.measure(),
                         v.scale_to_usd() == 0 ? 1.0 : v.scale_to_usd()});
    if (v.flow() == v1::FLOW_UNSPECIFIED && r->flow == kAbsent) {
      missing.push_back(m->flow_column());
    }
  }
  if (r->values.empty()) {
    missing.push_back(fmt::format("a value column ({})", fmt::join(value_names, " or ")));
  }
  if (!missing.empty()) {
    return fmt::format("missing required column {} (mapping '{}')", fmt::join(missing, ", "),
                       m->name());
  }
  return std::nullopt;
}

void CensusReader::RejectRow(RejectReason reason, std::string message, std::string_view origin,
                             int64_t line, std::string_view column, std::string_view value,
                             std::string_view raw, int64_t records) {
  reject_.Clear();
  reject_.set_reason(reason);
  reject_.set_message(std::move(message));
  auto* position = reject_.mutable_position();
  position->set_source(std::string(origin));
  position->set_line(line);
  position->set_column(std::string(column));
  reject_.set_value(std::string(value));
  reject_.set_raw(std::string(raw));
  for (int64_t i = 0; i < records; ++i) sink_->OnReject(reject_);
  file_summary_.rejected[reason] += records;
}

void CensusReader::ConvertRow(const Resolved& r, const std::vector<std::string_view>& fields,
                              int64_t line, const RawText& raw, std::string_view origin) {
  const v1::ColumnMapping& m = *r.mapping;
  const int64_t records = static_cast<int64_t>(r.values.size());
  ++file_summary_.rows;
  file_summary_.records += records;
  auto reject_all = [&](RejectReason reason, std::string_view column, std::string_view value,
                        std::string_view what) {
    RejectRow(reason,
              column.empty() ? fmt::format("{}:{}: {}", origin, line, what)
                             : fmt::format("{}:{}: {} '{}': {}", origin, line, column, value, what),
              origin, line, column, value, raw.get(), records);
  };
  if (fields.size() != r.header_size) {
    reject_all(v1::REJECT_REASON_MALFORMED_RECORD, "", "",
               fmt::format("{} fields where the header has {}", fields.size(), r.header_size));
    return;
  }

  v1::Classification classification =
      m.classification() == v1::CLASSIFICATION_UNSPECIFIED ? v1::CLASSIFICATION_NAICS
                                                           : m.classification();
  if (r.classification != kAbsent) {
    std::string_view text = fields[r.classification];
    auto it = m.classification_values().find(std::string(text));
    if (it == m.classification_values().end()) {
      reject_all(v1::REJECT_REASON_UNSUPPORTED_CLASSIFICATION, m.classification_column(), text,
                 "unsupported classification");
      return;
    }
    classification = it->second;
  }

  // Product code. HITECH responses write the all-commodities total as an empty code.
  std::string_view product =
      r.product != kAbsent ? fields[r.product] : std::string_view(m.fixed_product_code());
  if (classification == v1::CLASSIFICATION_HITECH && product.empty()) product = "-";
  if (!IsWellFormedProductCode(classification, product)) {
    reject_all(v1::REJECT_REASON_MALFORMED_PRODUCT_CODE,
               r.product != kAbsent ? m.product_column() : "product", product,
               fmt::format("malformed {} code",
                           classification == v1::CLASSIFICATION_HITECH ? "HITECH" : "NAICS"));
    return;
  }

  // Partner.
  std::string_view partner_code;
  std::string_view partner_name = r.partner_name != kAbsent ? fields[r.partner_name] : "";
  v1::PartnerKind kind = v1::PARTNER_KIND_UNSPECIFIED;
  if (r.partner_code != kAbsent) {
    partner_code = fields[r.partner_code];
    auto classified = options_.countries->Classify(partner_code);
    if (!classified) {
      reject_all(v1::REJECT_REASON_UNKNOWN_PARTNER, m.partner_code_column(), partner_code,
                 "partner code not in the country table");
      return;
    }
    kind = *classified;
  } else if (r.partner_name != kAbsent) {
    const CountryEntry* entry = options_.countries->FindByName(partner_name);
    if (entry == nullptr) {
      reject_all(v1::REJECT_REASON_UNKNOWN_PARTNER, m.partner_name_column(), partner_name,
                 "partner name not in the country table");
      return;
    }
    partner_code = entry->code;
    kind = entry->kind;
  } else {
    partner_code = m.fixed_partner_code();
    if (!r.fixed_partner_kind) {
      reject_all(v1::REJECT_REASON_UNKNOWN_PARTNER, "fixed_partner_code", partner_code,
                 "partner code not in the country table");
      return;
    }
    kind = *r.fixed_partner_kind;
  }

  // Period. The time column wins; an empty time falls back to YEAR and MONTH when the table has
  // both. The period's text is only spelled out for a reject.
  const bool from_time = r.period != kAbsent &&
                         !(fields[r.period].empty() && r.year != kAbsent && r.month != kAbsent);
  std::optional<int32_t> period = from_time ? ParsePeriod(fields[r.period])
                                            : ParseYearMonth(fields[r.year], fields[r.month]);
  std::string_view period_column = from_time ? m.period_column() : m.year_column();
  auto period_text = [&] {
    return from_time ? std::string(fields[r.period])
                     : fmt::format("{}-{}", fields[r.year], fields[r.month]);
  };
  if (!period) {
    reject_all(v1::REJECT_REASON_BAD_PERIOD, period_column, period_text(),
               "bad period (expected YYYY-MM, YYYY-MM-DD, or YEAR and MONTH 1-12)");
    return;
  }
  if (options_.release_through_period != 0 && *period > options_.release_through_period) {
    reject_all(v1::REJECT_REASON_PERIOD_AFTER_RELEASE, period_column, period_text(),
               fmt::format("period is later than release {} (through {})", options_.release_id,
                           FormatPeriod(options_.release_through_period)));
    return;
  }

  for (const auto& v : r.values) {
    v1::Flow flow = v.flow;
    if (flow == v1::FLOW_UNSPECIFIED) {
      std::string_view text = fields[r.flow];
      if (text == "imports" || text == "IMPORTS" || text == "Imports") {
        flow = v1::FLOW_IMPORTS;
      } else if (text == "exports" || text == "EXPORTS" || text == "Exports") {
        flow = v1::FLOW_EXPORTS;
      } else {
        RejectRow(v1::REJECT_REASON_UNKNOWN_FLOW,
                  fmt::format("{}:{}: {} '{}': flow is neither imports nor exports", origin, line,
                              m.flow_column(), text),
                  origin, line, m.flow_column(), text, raw.get(), 1);
        continue;
      }
    }
    v1::Measure measure = v.measure;
    if (measure == v1::MEASURE_UNSPECIFIED) {
      measure = flow == v1::FLOW_IMPORTS ? v1::MEASURE_GENERAL_IMPORTS : v1::MEASURE_TOTAL_EXPORTS;
    }
    std::string_view text = fields[v.index];
    int64_t value = 0;
    ValueError error = ParseValueUsd(text, v.scale, &value);
    if (error != ValueError::kNone) {
      RejectReason reason = error == ValueError::kNegative ? v1::REJECT_REASON_NEGATIVE_VALUE
                            : error == ValueError::kAbsurd ? v1::REJECT_REASON_ABSURD_VALUE
                                                           : v1::REJECT_REASON_NON_NUMERIC_VALUE;
      std::string_view what = error == ValueError::kNegative ? "negative value"
                              : error == ValueError::kAbsurd
                                  ? "absurd value (over 1e13 USD for one month)"
                                  : "not a number";
      RejectRow(reason, fmt::format("{}:{}: {} '{}': {}", origin, line, v.column, text, what),
                origin, line, v.column, text, raw.get(), 1);
      continue;
    }

    // Duplicate detection within the release, by identity packed into a fixed-size key.
    IdentityKey key{PackCode<uint64_t>(product), PackCode<uint64_t>(partner_code), *period,
                    static_cast<uint8_t>(flow), static_cast<uint8_t>(measure),
                    static_cast<uint8_t>(classification)};
    auto [it, inserted] = seen_.try_emplace(key, value);
    if (!inserted) {
      if (it->second == value) {
        ++file_summary_.duplicates;
      } else {
        RejectRow(v1::REJECT_REASON_CONFLICTING_DUPLICATE,
                  fmt::format("{}:{}: {} '{}': conflicts with {} read earlier in release '{}' for "
                              "{} {} partner {} {}",
                              origin, line, v.column, text, it->second, options_.release_id,
                              v1::Flow_Name(flow), product, partner_code, FormatPeriod(*period)),
                  origin, line, v.column, text, raw.get(), 1);
      }
      continue;
    }

    // Every field is set on every row, so the message is reused without Clear(): its strings
    // keep their buffers and no allocation happens per row.
    observation_.set_flow(flow);
    observation_.set_measure(measure);
    observation_.set_classification(classification);
    observation_.mutable_product_code()->assign(product.data(), product.size());
    observation_.mutable_partner_code()->assign(partner_code.data(), partner_code.size());
    observation_.mutable_partner_name()->assign(partner_name.data(), partner_name.size());
    observation_.set_partner_kind(kind);
    observation_.set_period_yyyymm(*period);
    observation_.set_value_usd(value);
    observation_.set_vintage(options_.vintage);
    if (observation_.release_id() != options_.release_id) {
      observation_.set_release_id(options_.release_id);
    }
    if (observation_.source() != origin) observation_.set_source(std::string(origin));
    observation_.set_source_line(line);
    if (kind == v1::PARTNER_KIND_COUNTRY) {
      ++file_summary_.accepted;
    } else {
      ++file_summary_.aggregates;
    }
    sink_->OnObservation(observation_);
  }
}

void CensusReader::ReadCsv(std::string_view bytes, std::string_view origin) {
  CsvReader reader(bytes);
  CsvRecord record;
  if (!reader.Next(&record)) {
    ++file_summary_.rows;
    ++file_summary_.records;
    RejectRow(v1::REJECT_REASON_MALFORMED_RECORD,
              fmt::format("{}:1: empty file, no header row", origin), origin, 1, "", "", "", 1);
    return;
  }
  if (!record.error.empty()) {
    ++file_summary_.rows;
    ++file_summary_.records;
    RejectRow(v1::REJECT_REASON_MALFORMED_RECORD,
              fmt::format("{}:{}: malformed CSV header: {}", origin, record.line, record.error),
              origin, record.line, "", "", record.raw, 1);
    // Without a header no row can be read; each is counted and rejected below.
  }
  std::vector<std::string> header(record.fields.begin(), record.fields.end());
  Resolved resolved;
  std::optional<std::string> problem =
      record.error.empty() ? Resolve(header, &resolved) : std::optional<std::string>("no header");
  while (reader.Next(&record)) {
    if (problem) {
      ++file_summary_.rows;
      ++file_summary_.records;
      RejectRow(v1::REJECT_REASON_MISSING_COLUMN,
                fmt::format("{}:{}: {}", origin, record.line, *problem), origin, record.line, "",
                "", record.raw, 1);
      continue;
    }
    if (!record.error.empty()) {
      ++file_summary_.rows;
      int64_t records = static_cast<int64_t>(resolved.values.size());
      file_summary_.records += records;
      RejectRow(v1::REJECT_REASON_MALFORMED_RECORD,
                fmt::format("{}:{}: malformed CSV: {}", origin, record.line, record.error), origin,
                record.line, "", "", record.raw, records);
      continue;
    }
    ConvertRow(resolved, record.fields, record.line, RawText{record.raw}, origin);
  }
}

void CensusReader::ReadJson(std::string_view bytes, std::string_view origin) {
  simdjson::padded_string padded(bytes);
  simdjson::ondemand::parser parser;
  const char* const begin = padded.data();
  const char* const end = begin + padded.size();
  int64_t line = 1;
  const char* counted = begin;
  auto line_at = [&](const char* p) {
    if (p < counted) return line;
    line += std::count(counted, p, '\n');
    counted = p;
    return line;
  };
  auto malformed = [&](const char* where, std::string_view what) {
    int64_t at = line_at(where == nullptr ? counted : where);
    ++file_summary_.rows;
    ++file_summary_.records;
    RejectRow(v1::REJECT_REASON_MALFORMED_RECORD,
              fmt::format("{}:{}: malformed JSON: {}", origin, at, what), origin, at, "", "",
              std::string_view(where == nullptr ? counted : where,
                               std::min<size_t>(200, end - (where == nullptr ? counted : where))),
              1);
  };

  simdjson::ondemand::document doc;
  if (auto error = parser.iterate(padded).get(doc); error) {
    malformed(begin, simdjson::error_message(error));
    return;
  }
  simdjson::ondemand::array rows;
  simdjson::ondemand::json_type type;
  if (auto error = doc.type().get(type); error) {
    malformed(begin, simdjson::error_message(error));
    return;
  }
  if (type == simdjson::ondemand::json_type::object) {
    // The cache wrapper {"headers": {...}, "body": [[...], ...]}.
    simdjson::ondemand::object object;
    if (auto error = doc.get_object().get(object); error) {
      malformed(begin, simdjson::error_message(error));
      return;
    }
    if (auto error = object["body"].get_array().get(rows); error) {
      malformed(begin, fmt::format("expected an array of arrays or an object with \"body\": {}",
                                   simdjson::error_message(error)));
      return;
    }
  } else if (type == simdjson::ondemand::json_type::array) {
    if (auto error = doc.get_array().get(rows); error) {
      malformed(begin, simdjson::error_message(error));
      return;
    }
  } else {
    malformed(begin, "expected an array of arrays or an object with \"body\"");
    return;
  }

  std::vector<std::string> header;
  std::vector<std::string_view> fields;
  // Unescaped strings live in the parser's buffer for the whole document; nulls become "".
  Resolved resolved;
  std::optional<std::string> problem;
  bool have_header = false;
  for (auto row_result : rows) {
    simdjson::ondemand::value row;
    if (auto error = row_result.get(row); error) {
      malformed(nullptr, simdjson::error_message(error));
      return;
    }
    const char* row_start = nullptr;
    if (row.current_location().get(row_start)) row_start = counted;
    int64_t row_line = line_at(row_start);
    simdjson::ondemand::json_type row_type;
    if (auto error = row.type().get(row_type); error) {
      malformed(row_start, simdjson::error_message(error));
      return;
    }
    if (row_type != simdjson::ondemand::json_type::array) {
      // One bad row: reject it (the iterator skips the unread value) and read on.
      std::string_view raw_row = row_type == simdjson::ondemand::json_type::object
                                     ? std::string_view(row_start, 1)
                                     : row.raw_json_token();
      ++file_summary_.rows;
      int64_t records = have_header && !problem ? static_cast<int64_t>(resolved.values.size()) : 1;
      file_summary_.records += records;
      RejectRow(v1::REJECT_REASON_MALFORMED_RECORD,
                fmt::format("{}:{}: malformed JSON: row is not an array", origin, row_line), origin,
                row_line, "", "", raw_row, records);
      continue;
    }
    simdjson::ondemand::array cells;
    if (auto error = row.get_array().get(cells); error) {
      malformed(row_start, fmt::format("row is not an array: {}", simdjson::error_message(error)));
      return;
    }
    fields.clear();
    bool row_ok = true;
    for (auto cell_result : cells) {
      simdjson::ondemand::value cell;
      if (auto error = cell_result.get(cell); error) {
        malformed(row_start, simdjson::error_message(error));
        return;
      }
      simdjson::ondemand::json_type cell_type;
      if (cell.type().get(cell_type)) {
        malformed(row_start, "unreadable cell");
        return;
      }
      if (cell_type == simdjson::ondemand::json_type::string) {
        std::string_view s;
        if (cell.get_string().get(s)) {
          malformed(row_start, "bad string");
          return;
        }
        fields.push_back(s);
      } else if (cell_type == simdjson::ondemand::json_type::null) {
        fields.emplace_back();
        if (cell.is_null().error()) return;
      } else if (cell_type == simdjson::ondemand::json_type::array ||
                 cell_type == simdjson::ondemand::json_type::object) {
        // Skip the nested value whole; the row is rejected below.
        std::string_view skipped;
        simdjson::error_code error = simdjson::SUCCESS;
        if (cell_type == simdjson::ondemand::json_type::array) {
          simdjson::ondemand::array nested;
          error = cell.get_array().get(nested);
          if (!error) error = nested.raw_json().get(skipped);
        } else {
          simdjson::ondemand::object nested;
          error = cell.get_object().get(nested);
          if (!error) error = nested.raw_json().get(skipped);
        }
        if (error) {
          malformed(row_start, simdjson::error_message(error));
          return;
        }
        fields.push_back(skipped);
        row_ok = false;
      } else {
        // Numbers and booleans: keep their JSON text (a number is read as a value).
        // raw_json_token() includes the whitespace that follows the token.
        std::string_view token = cell.raw_json_token();
        while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                                  token.back() == '\r' || token.back() == '\t')) {
          token.remove_suffix(1);
        }
        fields.push_back(token);
        row_ok = row_ok && cell_type == simdjson::ondemand::json_type::number;
      }
    }
    RawText raw{{}, row_start, end};
    if (!have_header) {
      header.assign(fields.begin(), fields.end());
      have_header = true;
      problem = Resolve(header, &resolved);
      continue;
    }
    if (problem) {
      ++file_summary_.rows;
      ++file_summary_.records;
      RejectRow(v1::REJECT_REASON_MISSING_COLUMN,
                fmt::format("{}:{}: {}", origin, row_line, *problem), origin, row_line, "", "",
                raw.get(), 1);
      continue;
    }
    if (!row_ok) {
      ++file_summary_.rows;
      int64_t records = static_cast<int64_t>(resolved.values.size());
      file_summary_.records += records;
      RejectRow(v1::REJECT_REASON_MALFORMED_RECORD,
                fmt::format("{}:{}: row holds a value that is neither a string nor a number",
                            origin, row_line),
                origin, row_line, "", "", raw.get(), records);
      continue;
    }
    ConvertRow(resolved, fields, row_line, raw, origin);
  }
  if (!have_header) malformed(begin, "no header row");
}

}  // namespace tradewatch::ingest
