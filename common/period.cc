#include "common/period.h"

#include <charconv>
#include <chrono>

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

bool IsValidDate(int32_t yyyymmdd) {
  const int32_t day = yyyymmdd % 100;
  const int32_t period = yyyymmdd / 100;
  return yyyymmdd > 0 && IsValidPeriod(period) && day >= 1 &&
         day <= DaysInMonth(period / 100, period % 100);
}

std::optional<int32_t> ParseDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  std::optional<int32_t> period = ParsePeriod(text);
  if (!period) return std::nullopt;
  return *period * 100 + ToInt(text.substr(8, 2));
}

std::string FormatDate(int32_t yyyymmdd) {
  return fmt::format("{:04d}-{:02d}-{:02d}", yyyymmdd / 10000, yyyymmdd / 100 % 100,
                     yyyymmdd % 100);
}

int32_t DayNumber(int32_t yyyymmdd) {
  namespace chrono = std::chrono;
  const chrono::year_month_day ymd{chrono::year{yyyymmdd / 10000},
                                   chrono::month{static_cast<unsigned>(yyyymmdd / 100 % 100)},
                                   chrono::day{static_cast<unsigned>(yyyymmdd % 100)}};
  return chrono::sys_days{ymd}.time_since_epoch().count();
}

int32_t DateFromDayNumber(int32_t day_number) {
  namespace chrono = std::chrono;
  const chrono::year_month_day ymd{chrono::sys_days{chrono::days{day_number}}};
  return static_cast<int32_t>(ymd.year()) * 10000 +
         static_cast<int32_t>(static_cast<unsigned>(ymd.month())) * 100 +
         static_cast<int32_t>(static_cast<unsigned>(ymd.day()));
}

int32_t LastDayOfMonth(int32_t yyyymm) {
  return yyyymm * 100 + DaysInMonth(yyyymm / 100, yyyymm % 100);
}

}  // namespace tradewatch
