// Configuration files: YAML read into a protobuf message by a walk over the message's descriptor,
// so that every error names the file, the line and column, and the path of the offending value:
//
//   rules.yaml:12:7: rules[0].selector.partnr: unknown key
//   rules.yaml:15:12: rules[1].above: expected a number, got "high"
//
// What the walk accepts:
// - Keys: the proto field name or its json_name. A key given twice is an error.
// - Messages are YAML maps; repeated fields are sequences; map<K, V> fields are maps. A repeated
//   field of a message with exactly the string fields `name` and `value` (tradewatch.v1.Label)
//   may also be written as a map `{name: value, ...}`, entries in document order.
// - Strings: any scalar that is not a boolean or null. Quoted scalars are always strings, and an
//   unquoted number is kept as written (codes: 5830 -> "5830", 0027 -> "0027").
// - Numbers: unquoted YAML numbers (1e6, .5, +1000, -3, .inf for floating fields); integers must
//   fit the field's type. A quoted scalar is never a number.
// - Booleans: unquoted true/false (also True, TRUE, False, FALSE).
// - Enums: the full value name (FLOW_IMPORTS) or the lower-case short name, the full name without
//   the prefix of its type's name (imports, t12m, partner_share, general_imports).
// - Null (`~`, `null` or nothing) leaves a field unset; proto3 `optional` fields keep presence.
// Missing fields are not errors here: Validate functions next to each consumer check them, and can
// point at the line of a path through YamlLines.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace tradewatch {

// 1-based line and column in a YAML document; 0 when unknown.
struct YamlPosition {
  int line = 0;
  int column = 0;
};

// Where each path of a parsed document starts, for errors found after parsing (a missing required
// field, a duplicate name). Paths use proto field names, [i] for sequence items and [key] for
// map entries: "rules[2].selector.product_code", "properties[bootstrap.servers]". The document
// itself is the empty path.
class YamlLines {
 public:
  YamlLines() = default;
  explicit YamlLines(std::string origin) : origin_(std::move(origin)) {}

  // The file name errors start with.
  const std::string& origin() const { return origin_; }
  void set_origin(std::string origin) { origin_ = std::move(origin); }

  // Records where `path` starts. The first record of a path wins.
  void Add(const std::string& path, YamlPosition position);

  // The position of `path`, or of its nearest recorded ancestor: a field that is missing from the
  // document points at the map that should hold it. {0, 0} when nothing is recorded.
  YamlPosition Find(std::string_view path) const;

  // "origin:line:column: path: message"; without a known position "origin: path: message", and
  // without a path "origin:line:column: message".
  std::string Format(std::string_view path, std::string_view message) const;

  // How many paths are recorded.
  size_t size() const { return positions_.size(); }

 private:
  std::string origin_;
  std::map<std::string, YamlPosition, std::less<>> positions_;
};

// The problems a validator finds in one YAML file, each positioned through `lines` when given
// ("file:line:col: path: message", else "path: message"), so that all are reported at once.
class YamlProblems {
 public:
  explicit YamlProblems(const YamlLines* lines) : lines_(lines) {}

  void Add(const std::string& path, std::string_view message);
  std::vector<std::string>& out() { return out_; }
  // OK when there is none, else InvalidArgument with one problem per line.
  absl::Status ToStatus() const;

 private:
  const YamlLines* lines_;
  std::vector<std::string> out_;
};

// Parses YAML text into `message` (merged into what it holds). `origin` (a file name) starts every
// error. When `lines` is not null it receives the origin and the position of every path read.
absl::Status ParseYamlToProto(std::string_view yaml, std::string_view origin,
                              google::protobuf::Message* message, YamlLines* lines = nullptr);

// Reads the YAML file at `path` into `message`; errors start with `path`.
absl::Status LoadYamlFile(const std::string& path, google::protobuf::Message* message,
                          YamlLines* lines = nullptr);

// The lower-case short name of an enum value: its name without the prefix made from its type's
// name (Flow FLOW_IMPORTS -> "imports", WindowKind WINDOW_KIND_T12M -> "t12m"). A value that
// lacks the prefix gives its whole name in lower case.
std::string EnumShortName(const google::protobuf::EnumValueDescriptor& value);

}  // namespace tradewatch
