#include "ingest/csv_reader.h"

#include <cstring>

namespace tradewatch::ingest {

CsvReader::CsvReader(std::string_view buffer) : buffer_(buffer) {
  // A UTF-8 byte-order mark is not part of the first column's name.
  if (buffer_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::Next(CsvRecord* record) {
  record->fields.clear();
  record->error.clear();
  unescaped_.clear();
  const size_t size = buffer_.size();
  // Blank lines between records are skipped.
  while (pos_ < size && (buffer_[pos_] == '\n' || buffer_[pos_] == '\r')) {
    if (buffer_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= size) return false;

  const char* data = buffer_.data();
  const size_t start = pos_;
  record->line = line_;
  size_t i = pos_;
  while (true) {
    if (i < size && data[i] == '"') {
      // Quoted field.
      size_t field_start = i + 1;
      size_t j = field_start;
      bool escaped = false;
      while (true) {
        const void* q = std::memchr(data + j, '"', size - j);
        if (q == nullptr) {
          j = size;
          break;
        }
        size_t qi = static_cast<const char*>(q) - data;
        if (qi + 1 < size && data[qi + 1] == '"') {
          escaped = true;
          j = qi + 2;
          continue;
        }
        j = qi;
        break;
      }
      if (j >= size) {
        record->error = "unterminated quoted field";
        record->raw = buffer_.substr(start, std::min(size - start, buffer_.find('\n', start) - start));
        // Resume at the line after the record's first line.
        size_t nl = buffer_.find('\n', start);
        pos_ = nl == std::string_view::npos ? size : nl + 1;
        ++line_;
        return true;
      }
      std::string_view content(data + field_start, j - field_start);
      for (char c : content) {
        if (c == '\n') ++line_;
      }
      if (escaped) {
        std::string& out = unescaped_.emplace_back();
        out.reserve(content.size());
        for (size_t k = 0; k < content.size(); ++k) {
          out.push_back(content[k]);
          if (content[k] == '"') ++k;  // skip the second quote of a pair
        }
        record->fields.emplace_back(out);
      } else {
        record->fields.push_back(content);
      }
      i = j + 1;
      if (i < size && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
        record->error = "unexpected character after closing quote";
      }
      // Skip to the delimiter.
      while (i < size && data[i] != ',' && data[i] != '\n') ++i;
    } else {
      size_t j = i;
      while (j < size && data[j] != ',' && data[j] != '\n') ++j;
      size_t end = j;
      if (end > i && data[end - 1] == '\r' && (j >= size || data[j] == '\n')) --end;
      std::string_view field(data + i, end - i);
      if (field.find('"') != std::string_view::npos && record->error.empty()) {
        record->error = "quote inside an unquoted field";
      }
      record->fields.push_back(field);
      i = j;
    }
    if (i >= size) {
      pos_ = size;
      break;
    }
    if (data[i] == ',') {
      ++i;
      if (i >= size) {  // trailing comma at the very end: one more empty field
        record->fields.emplace_back();
        pos_ = size;
        break;
      }
      continue;
    }
    // data[i] == '\n'
    pos_ = i + 1;
    ++line_;
    break;
  }
  size_t end = pos_;
  while (end > start && (data[end - 1] == '\n' || data[end - 1] == '\r')) --end;
  record->raw = std::string_view(data + start, end - start);
  return true;
}

}  // namespace tradewatch::ingest
