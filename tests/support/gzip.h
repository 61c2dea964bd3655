// Gzip for tests: fixtures are compressed at test time rather than committed as binaries.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace tradewatch::testing {

// Compresses `data` as one gzip member (the tests link ZLIB::ZLIB).
inline std::string GzipBytes(std::string_view data, int level = Z_BEST_COMPRESSION) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, data.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

}  // namespace tradewatch::testing
