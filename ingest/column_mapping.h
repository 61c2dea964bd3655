// Column mappings: how a table's named columns become TradeObservation fields. Built-in mappings
// cover the Census API columns (NAICS and HITECH), the Census world-total extracts and the
// country.xlsx ATP totals; other tables are described by a YAML file (see ingest/README.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tradewatch/v1/config.pb.h"

namespace tradewatch::ingest {

// The built-in mappings, in detection order.
const std::vector<tradewatch::v1::ColumnMapping>& BuiltinMappings();

// The built-in mapping named `name`, or nullptr.
const tradewatch::v1::ColumnMapping* FindBuiltinMapping(std::string_view name);

// The first built-in mapping whose signature columns are all in `header`, or nullptr.
const tradewatch::v1::ColumnMapping* DetectMapping(const std::vector<std::string>& header);

// Checks a mapping's own consistency (not a header against it). Errors name the field.
absl::Status ValidateMapping(const tradewatch::v1::ColumnMapping& mapping);

// Reads a mapping from a YAML file and validates it.
absl::StatusOr<tradewatch::v1::ColumnMapping> LoadMappingFile(const std::string& path);

}  // namespace tradewatch::ingest
