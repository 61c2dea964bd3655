// A small streaming JSON writer for command output: deterministic (fields in the order written,
// doubles with a fixed number of significant digits), and with int64 written as numbers, which
// the protobuf JSON printer writes as strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tradewatch {

// Appends `value` to `out` as a JSON string literal (quotes, escapes, control characters as \u).
void AppendJsonString(std::string_view value, std::string* out);

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Writes the key of the next member; must be inside an object.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  // Finite doubles with up to 10 significant digits; non-finite values are written as null.
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  // One entry per open container: whether it has a member yet.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace tradewatch
