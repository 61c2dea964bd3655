// Short codes (partner "5830", product "334413", "31-33", "-") packed into an integer, first
// character in the most significant byte, zero padded: equal codes give equal keys, hashing and
// comparing need no allocation, and the code can be recovered.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tradewatch {

// Precondition: code.size() <= sizeof(Int) (longer codes are truncated).
template <typename Int>
Int PackCode(std::string_view code) {
  Int packed = 0;
  for (size_t i = 0; i < sizeof(Int); ++i) {
    packed = static_cast<Int>((packed << 8) |
                              (i < code.size() ? static_cast<unsigned char>(code[i]) : 0u));
  }
  return packed;
}

template <typename Int>
std::string UnpackCode(Int packed) {
  std::string code;
  for (int shift = static_cast<int>(sizeof(Int)) * 8 - 8; shift >= 0; shift -= 8) {
    char c = static_cast<char>((packed >> shift) & 0xff);
    if (c != 0) code.push_back(c);
  }
  return code;
}

}  // namespace tradewatch
