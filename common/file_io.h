// Whole-file reads. Gzip input (detected by its magic bytes, not by the name) is decompressed.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tradewatch {

// Reads the file at `path` into memory, decompressing gzip. Errors name the path.
absl::StatusOr<std::string> ReadFileContents(const std::string& path);

// True when `bytes` starts with the gzip magic number.
bool IsGzip(std::string_view bytes);

// Decompresses a gzip stream held in memory. `origin` names it in errors.
absl::StatusOr<std::string> Gunzip(std::string_view bytes, std::string_view origin);

}  // namespace tradewatch
