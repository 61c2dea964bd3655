#include "common/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "common/file_io.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "google/protobuf/util/json_util.h"

namespace tradewatch {
namespace {

// True for the JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. Codes with
// leading zeros ("0027"), ranges ("31-33") and dates ("2024-01") are not numbers.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// YAML scalars are untyped. Booleans and null are written as JSON literals, everything else as
// a JSON string (numbers normalised to JSON's spelling), which proto3 JSON parsing accepts for
// string, numeric and enum fields alike.
void ScalarToJson(const YAML::Node& node, std::string* out) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") {  // explicitly quoted in the YAML
    AppendJsonString(text, out);
    return;
  }
  if (text == "true" || text == "false") {
    out->append(text);
    return;
  }
  if (text == "null" || text == "~") {
    out->append("null");
    return;
  }
  // YAML number spellings JSON lacks: a leading '+', a bare leading '.'.
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  std::string number;
  if (!digits.empty() && digits[0] == '.') {
    number = "0";
  } else if (digits.size() > 1 && digits[0] == '-' && digits[1] == '.') {
    number = "-0";
    digits.remove_prefix(1);
  }
  number.append(digits);
  // Written as JSON strings: the proto3 JSON parser takes a number given as a string for every
  // numeric field, and a string field then also accepts an unquoted code (member_codes: [5830]).
  AppendJsonString(IsJsonNumber(number) ? number : text, out);
}

absl::Status NodeToJson(const YAML::Node& node, std::string_view origin, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->append("null");
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      ScalarToJson(node, out);
      return absl::OkStatus();
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : node) {
        if (!first) out->push_back(',');
        first = false;
        TW_RETURN_IF_ERROR(NodeToJson(item, origin, out));
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case YAML::NodeType::Map: {
      out->push_back('{');
      bool first = true;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return absl::InvalidArgumentError(fmt::format(
              "{}:{}: map keys must be plain strings", origin, kv.first.Mark().line + 1));
        }
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kv.first.Scalar(), out);
        out->push_back(':');
        TW_RETURN_IF_ERROR(NodeToJson(kv.second, origin, out));
      }
      out->push_back('}');
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseYamlToProto(std::string_view yaml, std::string_view origin,
                              google::protobuf::Message* message) {
  YAML::Node root;
  try {  // yaml-cpp reports errors by exception; they stop here.
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        fmt::format("{}:{}:{}: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  std::string json;
  TW_RETURN_IF_ERROR(NodeToJson(root, origin, &json));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", origin, std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::Status LoadYamlFile(const std::string& path, google::protobuf::Message* message) {
  TW_ASSIGN_OR_RETURN(std::string text, ReadFileContents(path));
  return ParseYamlToProto(text, path, message);
}

}  // namespace tradewatch
