#include "common/yaml_config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "google/protobuf/reflection.h"

namespace tradewatch {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;

YamlPosition PositionOf(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

// yaml-cpp tags a plain (unquoted) scalar "?" and a quoted or block scalar "!"; an explicit
// !!str tag also makes a string.
bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

// How a node is named in "expected X, got Y".
std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      return fmt::format("\"{}\"", absl::CEscape(node.Scalar()));
    default:
      return "null";
  }
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// YAML 1.2 core-schema floating point: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, and
// .inf, -.inf, .nan in their three spellings.
std::optional<double> ParseYamlDouble(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  size_t i = 0;
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!IsDigits(s.substr(i))) return std::nullopt;
    i = s.size();
  }
  if (i != s.size()) return std::nullopt;
  // strtod reads every spelling accepted above ("2.", ".5", "1e6").
  std::string copy(s);
  double value = std::strtod(copy.c_str(), nullptr);
  return negative ? -value : value;
}

// YAML 1.2 core-schema decimal integers, [-+]?[0-9]+, that fit T.
enum class IntResult { kOk, kNotInteger, kOutOfRange };
template <typename T>
IntResult ParseYamlInteger(std::string_view text, T* out) {
  std::string_view s = text;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  std::string_view digits = !s.empty() && s[0] == '-' ? s.substr(1) : s;
  if (!IsDigits(digits)) return IntResult::kNotInteger;
  if constexpr (std::is_unsigned_v<T>) {
    if (digits.size() != s.size()) {  // negative: only -0 fits
      if (digits.find_first_not_of('0') != std::string_view::npos) return IntResult::kOutOfRange;
      *out = 0;
      return IntResult::kOk;
    }
  }
  T value{};
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error == std::errc::result_out_of_range) return IntResult::kOutOfRange;
  if (error != std::errc() || end != s.data() + s.size()) return IntResult::kNotInteger;
  *out = value;
  return IntResult::kOk;
}

// Parses `text` as a T and hands it to `store` when it is one.
template <typename T, typename Store>
IntResult StoreInteger(std::string_view text, Store store) {
  T value{};
  IntResult result = ParseYamlInteger<T>(text, &value);
  if (result == IntResult::kOk) store(value);
  return result;
}

std::optional<bool> ParseYamlBool(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// "WindowKind" -> "WINDOW_KIND_".
std::string EnumPrefix(const EnumDescriptor& type) {
  std::string prefix;
  const std::string& name = type.name();
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (i > 0 && absl::ascii_isupper(c) && !absl::ascii_isupper(name[i - 1])) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  return prefix + "_";
}

std::string FormatAt(std::string_view origin, YamlPosition at, std::string_view path,
                     std::string_view message) {
  std::string out(origin);
  if (at.line > 0) out += fmt::format(":{}:{}", at.line, at.column);
  out += ": ";
  if (!path.empty()) out += fmt::format("{}: ", path);
  out += message;
  return out;
}

std::string JoinPath(const std::string& parent, std::string_view field) {
  return parent.empty() ? std::string(field) : fmt::format("{}.{}", parent, field);
}

// A label list (tradewatch.v1.Label): a message of exactly the string fields `name` and `value`.
bool IsNameValueMessage(const Descriptor& type) {
  if (type.field_count() != 2) return false;
  const FieldDescriptor* name = type.FindFieldByName("name");
  const FieldDescriptor* value = type.FindFieldByName("value");
  return name != nullptr && value != nullptr && !name->is_repeated() && !value->is_repeated() &&
         name->type() == FieldDescriptor::TYPE_STRING &&
         value->type() == FieldDescriptor::TYPE_STRING;
}

// The field a key names: the proto field name first, then the json_name.
const FieldDescriptor* FindField(const Descriptor& type, const std::string& key) {
  if (const FieldDescriptor* field = type.FindFieldByName(key)) return field;
  for (int i = 0; i < type.field_count(); ++i) {
    if (type.field(i)->json_name() == key) return type.field(i);
  }
  return nullptr;
}

// The walk over one document. Every error is "origin:line:column: path: message".
class Walker {
 public:
  Walker(std::string_view origin, YamlLines* lines) : origin_(origin), lines_(lines) {}

  absl::Status ParseMessage(const YAML::Node& node, const std::string& path,
                            google::protobuf::Message* message) {
    if (node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) return Error(node, path, "expected a map, got " + Describe(node));
    const Descriptor& type = *message->GetDescriptor();
    std::set<const FieldDescriptor*> seen;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) return Error(key, path, "map keys must be plain strings");
      const FieldDescriptor* field = FindField(type, key.Scalar());
      std::string field_path = JoinPath(path, field ? field->name() : key.Scalar());
      if (field == nullptr) return Error(key, field_path, "unknown key");
      if (!seen.insert(field).second) return Error(key, field_path, "key given twice");
      if (const auto* oneof = field->real_containing_oneof()) {
        for (int i = 0; i < oneof->field_count(); ++i) {
          const FieldDescriptor* other = oneof->field(i);
          if (other != field && seen.count(other) != 0) {
            return Error(key, field_path,
                         fmt::format("only one of {} may be set", OneofNames(*oneof)));
          }
        }
      }
      Record(field_path, key);
      TW_RETURN_IF_ERROR(Field(entry.second, key, field_path, *field, message));
    }
    return absl::OkStatus();
  }

 private:
  static std::string OneofNames(const google::protobuf::OneofDescriptor& oneof) {
    std::vector<std::string> names;
    for (int i = 0; i < oneof.field_count(); ++i) names.push_back(oneof.field(i)->name());
    return absl::StrJoin(names, ", ");
  }

  void Record(const std::string& path, const YAML::Node& node) {
    if (lines_ != nullptr) lines_->Add(path, PositionOf(node.Mark()));
  }

  absl::Status Error(const YAML::Node& node, std::string_view path, std::string_view message) {
    return Error(PositionOf(node.Mark()), path, message);
  }
  absl::Status Error(YamlPosition at, std::string_view path, std::string_view message) {
    return absl::InvalidArgumentError(FormatAt(origin_, at, path, message));
  }

  // `key` is the node of the field's key: a null value has no position of its own.
  absl::Status Field(const YAML::Node& node, const YAML::Node& key, const std::string& path,
                     const FieldDescriptor& field, google::protobuf::Message* message) {
    if (node.IsNull()) return absl::OkStatus();
    const Reflection& reflection = *message->GetReflection();
    if (field.is_map()) return MapField(node, path, field, message);
    if (field.is_repeated()) {
      if (node.IsMap() && field.type() == FieldDescriptor::TYPE_MESSAGE &&
          IsNameValueMessage(*field.message_type())) {
        return NameValueMap(node, path, field, message);
      }
      if (!node.IsSequence()) {
        return Error(node, path, "expected a sequence, got " + Describe(node));
      }
      for (size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        std::string item_path = fmt::format("{}[{}]", path, i);
        Record(item_path, item.IsNull() ? key : item);
        if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
          TW_RETURN_IF_ERROR(ParseMessage(item, item_path, reflection.AddMessage(message, &field)));
        } else {
          TW_RETURN_IF_ERROR(Scalar(item.IsNull() ? key : item, item, item_path, field, message));
        }
      }
      return absl::OkStatus();
    }
    if (field.type() == FieldDescriptor::TYPE_MESSAGE) {
      return ParseMessage(node, path, reflection.MutableMessage(message, &field));
    }
    return Scalar(key, node, path, field, message);
  }

  // `{summary: text, runbook_url: url}` for a repeated Label: one entry per key, in order.
  absl::Status NameValueMap(const YAML::Node& node, const std::string& path,
                            const FieldDescriptor& field, google::protobuf::Message* message) {
    const Reflection& reflection = *message->GetReflection();
    size_t i = 0;
    for (const auto& entry : node) {
      std::string item_path = fmt::format("{}[{}]", path, i++);
      if (!entry.first.IsScalar()) return Error(entry.first, item_path, "expected a name");
      google::protobuf::Message* item = reflection.AddMessage(message, &field);
      const Descriptor& type = *item->GetDescriptor();
      Record(item_path, entry.first);
      Record(item_path + ".name", entry.first);
      Record(item_path + ".value", entry.second.IsNull() ? entry.first : entry.second);
      item->GetReflection()->SetString(item, type.FindFieldByName("name"), entry.first.Scalar());
      TW_RETURN_IF_ERROR(Scalar(entry.first, entry.second, item_path + ".value",
                                *type.FindFieldByName("value"), item));
    }
    return absl::OkStatus();
  }

  absl::Status MapField(const YAML::Node& node, const std::string& path,
                        const FieldDescriptor& field, google::protobuf::Message* message) {
    if (!node.IsMap()) return Error(node, path, "expected a map, got " + Describe(node));
    const Reflection& reflection = *message->GetReflection();
    const Descriptor& entry_type = *field.message_type();
    const FieldDescriptor& key_field = *entry_type.map_key();
    const FieldDescriptor& value_field = *entry_type.map_value();
    std::set<std::string> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) return Error(entry.first, path, "map keys must be scalars");
      std::string entry_path = fmt::format("{}[{}]", path, entry.first.Scalar());
      if (!seen.insert(entry.first.Scalar()).second) {
        return Error(entry.first, entry_path, "key given twice");
      }
      Record(entry_path, entry.first);
      google::protobuf::Message* item = reflection.AddMessage(message, &field);
      TW_RETURN_IF_ERROR(Scalar(entry.first, entry.first, entry_path, key_field, item));
      if (value_field.type() == FieldDescriptor::TYPE_MESSAGE) {
        TW_RETURN_IF_ERROR(ParseMessage(entry.second, entry_path,
                                   item->GetReflection()->MutableMessage(item, &value_field)));
      } else if (entry.second.IsNull()) {
        return Error(entry.first, entry_path, "expected a value, got null");
      } else {
        TW_RETURN_IF_ERROR(Scalar(entry.first, entry.second, entry_path, value_field, item));
      }
    }
    return absl::OkStatus();
  }

  // Sets a singular scalar field, or adds to a repeated one. `anchor` positions errors when the
  // value has no position of its own.
  absl::Status Scalar(const YAML::Node& anchor, const YAML::Node& node, const std::string& path,
                      const FieldDescriptor& field, google::protobuf::Message* message) {
    const YAML::Node& at = node.IsDefined() && !node.IsNull() ? node : anchor;
    if (node.IsNull()) return Error(at, path, "expected a value, got null");
    const char* expected = ExpectedName(field);
    if (!node.IsScalar()) {
      return Error(at, path, fmt::format("expected {}, got {}", expected, Describe(node)));
    }
    const Reflection& reflection = *message->GetReflection();
    const bool repeated = field.is_repeated();
    const std::string& text = node.Scalar();
    const bool plain = IsPlain(node);
    auto wrong = [&] {
      return Error(at, path, fmt::format("expected {}, got {}", expected, Describe(node)));
    };
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        if (plain && ParseYamlBool(text).has_value()) return wrong();
        repeated ? reflection.AddString(message, &field, text)
                 : reflection.SetString(message, &field, text);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        std::optional<bool> value = plain ? ParseYamlBool(text) : std::nullopt;
        if (!value) return wrong();
        repeated ? reflection.AddBool(message, &field, *value)
                 : reflection.SetBool(message, &field, *value);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        std::optional<double> value = plain ? ParseYamlDouble(text) : std::nullopt;
        if (!value) return wrong();
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          repeated ? reflection.AddDouble(message, &field, *value)
                   : reflection.SetDouble(message, &field, *value);
        } else {
          float f = static_cast<float>(*value);
          repeated ? reflection.AddFloat(message, &field, f)
                   : reflection.SetFloat(message, &field, f);
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
        if (!plain) return wrong();
        return Integer(at, text, path, field, message);
      case FieldDescriptor::CPPTYPE_ENUM:
        return Enum(at, text, path, field, message);
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    return wrong();
  }

  absl::Status Integer(const YAML::Node& at, const std::string& text, const std::string& path,
                       const FieldDescriptor& field, google::protobuf::Message* message) {
    const Reflection& r = *message->GetReflection();
    const bool repeated = field.is_repeated();
    IntResult result = IntResult::kOk;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        result = StoreInteger<int32_t>(text, [&](int32_t v) {
          repeated ? r.AddInt32(message, &field, v) : r.SetInt32(message, &field, v);
        });
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        result = StoreInteger<int64_t>(text, [&](int64_t v) {
          repeated ? r.AddInt64(message, &field, v) : r.SetInt64(message, &field, v);
        });
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        result = StoreInteger<uint32_t>(text, [&](uint32_t v) {
          repeated ? r.AddUInt32(message, &field, v) : r.SetUInt32(message, &field, v);
        });
        break;
      default:
        result = StoreInteger<uint64_t>(text, [&](uint64_t v) {
          repeated ? r.AddUInt64(message, &field, v) : r.SetUInt64(message, &field, v);
        });
        break;
    }
    switch (result) {
      case IntResult::kNotInteger:
        return Error(at, path, fmt::format("expected an integer, got \"{}\"", absl::CEscape(text)));
      case IntResult::kOutOfRange:
        return Error(at, path, fmt::format("{} is out of range for {}", text, field.type_name()));
      case IntResult::kOk:
        break;
    }
    return absl::OkStatus();
  }

  absl::Status Enum(const YAML::Node& at, const std::string& text, const std::string& path,
                    const FieldDescriptor& field, google::protobuf::Message* message) {
    const EnumDescriptor& type = *field.enum_type();
    const EnumValueDescriptor* value = type.FindValueByName(text);
    std::vector<std::string> short_names;
    for (int i = 0; i < type.value_count(); ++i) {
      const EnumValueDescriptor& candidate = *type.value(i);
      std::string short_name = EnumShortName(candidate);
      if (value == nullptr && short_name == text) value = &candidate;
      if (candidate.number() != 0) short_names.push_back(std::move(short_name));
    }
    if (value == nullptr) {
      return Error(at, path,
                   fmt::format("unknown {} \"{}\" (expected one of {})", type.name(),
                               absl::CEscape(text), absl::StrJoin(short_names, ", ")));
    }
    const Reflection& reflection = *message->GetReflection();
    field.is_repeated() ? reflection.AddEnumValue(message, &field, value->number())
                        : reflection.SetEnumValue(message, &field, value->number());
    return absl::OkStatus();
  }

  static const char* ExpectedName(const FieldDescriptor& field) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return "a string";
      case FieldDescriptor::CPPTYPE_BOOL:
        return "true or false";
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return "a number";
      case FieldDescriptor::CPPTYPE_ENUM:
        return "a name";
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return "a map";
      default:
        return "an integer";
    }
  }

  std::string_view origin_;
  YamlLines* lines_;
};

}  // namespace

void YamlLines::Add(const std::string& path, YamlPosition position) {
  if (position.line <= 0) return;
  positions_.emplace(path, position);
}

YamlPosition YamlLines::Find(std::string_view path) const {
  while (true) {
    auto it = positions_.find(path);
    if (it != positions_.end()) return it->second;
    if (path.empty()) return {};
    // Parent: drop the last ".field" or "[index]".
    size_t cut = path.find_last_of(".[");
    path = cut == std::string_view::npos ? std::string_view() : path.substr(0, cut);
  }
}

std::string YamlLines::Format(std::string_view path, std::string_view message) const {
  return FormatAt(origin_, Find(path), path, message);
}

std::string EnumShortName(const EnumValueDescriptor& value) {
  std::string prefix = EnumPrefix(*value.type());
  std::string_view name = value.name();
  if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) {
    name.remove_prefix(prefix.size());
  }
  return absl::AsciiStrToLower(std::string(name));
}

absl::Status ParseYamlToProto(std::string_view yaml, std::string_view origin,
                              google::protobuf::Message* message, YamlLines* lines) {
  if (lines != nullptr) lines->set_origin(std::string(origin));
  YAML::Node root;
  try {  // yaml-cpp reports errors by exception; they stop here.
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        fmt::format("{}:{}:{}: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (lines != nullptr) lines->Add("", PositionOf(root.Mark()));
  return Walker(origin, lines).ParseMessage(root, "", message);
}

absl::Status LoadYamlFile(const std::string& path, google::protobuf::Message* message,
                          YamlLines* lines) {
  TW_ASSIGN_OR_RETURN(std::string text, ReadFileContents(path));
  return ParseYamlToProto(text, path, message, lines);
}

void YamlProblems::Add(const std::string& path, std::string_view message) {
  out_.push_back(lines_ != nullptr ? lines_->Format(path, message)
                                   : fmt::format("{}: {}", path, message));
}

absl::Status YamlProblems::ToStatus() const {
  if (out_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(out_, "\n"));
}

}  // namespace tradewatch
