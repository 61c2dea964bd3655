#include "common/file_io.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace tradewatch {

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

absl::StatusOr<std::string> Gunzip(std::string_view bytes, std::string_view origin) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header. Concatenated gzip members are handled by the loop.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError(fmt::format("{}: cannot initialise zlib", origin));
  }
  std::string out;
  out.resize(bytes.size() * 4 + 4096);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  while (true) {
    if (stream.total_out >= out.size()) out.resize(out.size() * 2);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      // Another gzip member follows.
      size_t produced = stream.total_out;
      if (inflateReset(&stream) != Z_OK) break;
      stream.total_out = produced;
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) break;
  }
  size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    return absl::DataLossError(
        fmt::format("{}: gzip stream is corrupt or truncated (zlib code {})", origin, rc));
  }
  out.resize(produced);
  return out;
}

absl::StatusOr<std::string> ReadFileContents(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(fmt::format("cannot read {}: it is a directory", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = std::move(buffer).str();
  if (IsGzip(bytes)) return Gunzip(bytes, path);
  return bytes;
}

}  // namespace tradewatch
