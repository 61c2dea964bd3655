#include "common/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "google/protobuf/util/json_util.h"

namespace tradewatch {
namespace {

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append(fmt::format("\\u{:04x}", static_cast<int>(c)));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// YAML scalars are untyped; proto3 JSON parsing accepts numbers and bools given as strings for
// numeric and bool fields, but not the other way round, so plain scalars that look like numbers
// or booleans are written unquoted and everything else as a string. Quoted YAML scalars ("0027")
// stay strings.
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
  bool numeric = !text.empty();
  bool seen_digit = false;
  for (size_t i = 0; i < text.size() && numeric; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (!(c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      numeric = false;
    }
  }
  // Leading zeros ("0027") are codes, not numbers.
  if (numeric && seen_digit && !(text.size() > 1 && text[0] == '0' && text[1] != '.')) {
    out->append(text);
  } else {
    AppendJsonString(text, out);
  }
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
