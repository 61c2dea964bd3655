#include "ingest/value_parser.h"

#include <cmath>

namespace tradewatch::ingest {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 128-bit arithmetic keeps "digits times scale" exact; __extension__ marks the GNU type.
__extension__ typedef __int128 Int128;

std::string_view Trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

ValueError ParseValueUsd(std::string_view text, double scale_to_usd, int64_t* value_usd) {
  text = Trim(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return ValueError::kNonNumeric;
  // Whole and fractional digits, exactly, in 128 bits; more than 30 digits is absurd anyway.
  Int128 whole = 0;
  Int128 fraction = 0;
  Int128 fraction_scale = 1;
  size_t i = 0;
  int digits = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i, ++digits) {
    whole = whole * 10 + (text[i] - '0');
    if (digits > 30) return ValueError::kAbsurd;
  }
  bool any_digits = digits > 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      any_digits = true;
      if (fraction_scale < static_cast<Int128>(1'000'000'000'000'000'000LL)) {
        fraction = fraction * 10 + (text[i] - '0');
        fraction_scale *= 10;
      }
    }
  }
  if (!any_digits || i != text.size()) return ValueError::kNonNumeric;

  Int128 result;
  double integral_scale = 0;
  if (std::modf(scale_to_usd, &integral_scale) == 0.0 && scale_to_usd >= 1 &&
      scale_to_usd < 1e15) {
    // Exact: whole * scale + round(fraction * scale / fraction_scale).
    Int128 scale = static_cast<Int128>(integral_scale);
    Int128 scaled_fraction = fraction * scale;
    result = whole * scale + (scaled_fraction + fraction_scale / 2) / fraction_scale;
  } else {
    long double v = (static_cast<long double>(whole) +
                     static_cast<long double>(fraction) / static_cast<long double>(fraction_scale)) *
                    scale_to_usd;
    result = static_cast<Int128>(std::llround(static_cast<double>(v)));
  }
  if (negative && result != 0) return ValueError::kNegative;
  if (result > kAbsurdValueUsd) return ValueError::kAbsurd;
  *value_usd = static_cast<int64_t>(result);
  return ValueError::kNone;
}

bool IsWellFormedProductCode(tradewatch::v1::Classification classification, std::string_view code) {
  if (code == "-") return true;
  switch (classification) {
    case tradewatch::v1::CLASSIFICATION_NAICS: {
      if (code.size() == 5 && code[2] == '-') {  // sector ranges: 31-33, 44-45, 48-49
        return IsDigit(code[0]) && IsDigit(code[1]) && IsDigit(code[3]) && IsDigit(code[4]);
      }
      // Two to six digits, where Census trade codes may end in X for combined categories
      // ("1121X" and "11211X" cattle, "31131X" sugars), after at least three digits.
      if (code.size() < 2 || code.size() > 6) return false;
      size_t digits = 0;
      while (digits < code.size() && IsDigit(code[digits])) ++digits;
      for (size_t i = digits; i < code.size(); ++i) {
        if (code[i] != 'X') return false;
      }
      return digits == code.size() || digits >= 3;
    }
    case tradewatch::v1::CLASSIFICATION_HITECH: {
      if (code == "ATP") return true;
      if (code.size() != 2 || !IsDigit(code[0]) || !IsDigit(code[1])) return false;
      int n = (code[0] - '0') * 10 + (code[1] - '0');
      return n <= 10;
    }
    default:
      return false;
  }
}

}  // namespace tradewatch::ingest
