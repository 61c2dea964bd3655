// Configuration files: YAML converted to JSON and parsed against a protobuf schema, so an unknown
// key or a wrong type is an error that names its path in the document.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace tradewatch {

// Parses YAML text into `message`. `origin` (a file name) prefixes every error.
absl::Status ParseYamlToProto(std::string_view yaml, std::string_view origin,
                              google::protobuf::Message* message);

// Reads the YAML file at `path` into `message`.
absl::Status LoadYamlFile(const std::string& path, google::protobuf::Message* message);

}  // namespace tradewatch
