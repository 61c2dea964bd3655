// An RFC 4180 CSV tokenizer over a buffer held in memory: quoted fields, doubled quotes, CRLF,
// and newlines inside quotes. Fields are views into the buffer (or into the record's own storage
// when a quoted field has to be unescaped), valid until the next call to Next().
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace tradewatch::ingest {

struct CsvRecord {
  std::vector<std::string_view> fields;
  // 1-based line where the record starts.
  int64_t line = 0;
  // The record's text as in the buffer, without the line terminator.
  std::string_view raw;
  // Empty when the record parsed; otherwise why not ("unterminated quoted field").
  std::string error;
};

// Index of the first header field named `name`, or -1 (also for an empty name). The first, because
// Census echoes predicate columns, so a name (NAICS) can appear twice. `Fields` is any sequence of
// std::string or std::string_view.
template <typename Fields>
int FindColumn(const Fields& header, std::string_view name) {
  if (name.empty()) return -1;
  int index = 0;
  for (const auto& field : header) {
    if (std::string_view(field) == name) return index;
    ++index;
  }
  return -1;
}

class CsvReader {
 public:
  // `buffer` must outlive the reader.
  explicit CsvReader(std::string_view buffer);

  // Reads the next record into `record`. Returns false at the end of the buffer. A record with a
  // syntax error is returned with `error` set, and reading resumes at the next line.
  bool Next(CsvRecord* record);

 private:
  std::string_view buffer_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  // Storage for unescaped quoted fields of the current record.
  std::deque<std::string> unescaped_;
};

}  // namespace tradewatch::ingest
