// Percent-encoding of URL query values (RFC 3986): the Census API client builds its requests with
// it, and tests query Prometheus's HTTP API with it.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

#include "fmt/format.h"

namespace tradewatch {

// Every byte but the unreserved characters (letters, digits, - _ . ~) as %XX.
inline std::string PercentEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace tradewatch
