#include "common/period.h"

#include <charconv>

#include "fmt/format.h"

namespace tradewatch {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

bool IsValidPeriod(int32_t yyyymm) {
  int year = yyyymm / 100;
  int month = yyyymm % 100;
  return year >= 1900 && year <= 2999 && month >= 1 && month <= 12;
}

std::optional<int32_t> ParsePeriod(std::string_view text) {
  if (text.size() != 7 && text.size() != 10) return std::nullopt;
  if (text[4] != '-') return std::nullopt;
  std::string_view year = text.substr(0, 4);
  std::string_view month = text.substr(5, 2);
  if (!AllDigits(year) || !AllDigits(month)) return std::nullopt;
  int32_t period = ToInt(year) * 100 + ToInt(month);
  if (!IsValidPeriod(period)) return std::nullopt;
  if (text.size() == 10) {
    std::string_view day = text.substr(8, 2);
    if (text[7] != '-' || !AllDigits(day)) return std::nullopt;
    int d = ToInt(day);
    if (d < 1 || d > DaysInMonth(period / 100, period % 100)) return std::nullopt;
  }
  return period;
}

std::optional<int32_t> ParseYearMonth(std::string_view year, std::string_view month) {
  if (year.size() != 4 || !AllDigits(year)) return std::nullopt;
  if (month.empty() || month.size() > 2 || !AllDigits(month)) return std::nullopt;
  int32_t period = ToInt(year) * 100 + ToInt(month);
  if (!IsValidPeriod(period)) return std::nullopt;
  return period;
}

std::string FormatPeriod(int32_t yyyymm) {
  return fmt::format("{:04d}-{:02d}", yyyymm / 100, yyyymm % 100);
}

}  // namespace tradewatch
