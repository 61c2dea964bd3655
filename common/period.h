// Statistical months as yyyymm integers (202504 = April 2025), and their arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tradewatch {

// True when yyyymm is a month of years 1900..2999 with month 1..12.
bool IsValidPeriod(int32_t yyyymm);

// Months since year 0 (a dense index for arithmetic); precondition: IsValidPeriod(yyyymm).
inline int32_t PeriodIndex(int32_t yyyymm) { return (yyyymm / 100) * 12 + (yyyymm % 100) - 1; }
inline int32_t PeriodFromIndex(int32_t index) { return (index / 12) * 100 + index % 12 + 1; }

// The month `months` after (or, negative, before) yyyymm.
inline int32_t AddMonths(int32_t yyyymm, int32_t months) {
  return PeriodFromIndex(PeriodIndex(yyyymm) + months);
}

// Parses "YYYY-MM" or "YYYY-MM-DD" (the forms Census API responses and derived CSVs use).
// Rejects "2013-1", "201301", "2013-13" and invalid days. Returns nullopt when malformed.
std::optional<int32_t> ParsePeriod(std::string_view text);

// Parses a year ("2013") and a month ("01" or "1") given as separate columns.
std::optional<int32_t> ParseYearMonth(std::string_view year, std::string_view month);

// "2025-04".
std::string FormatPeriod(int32_t yyyymm);

// Days as yyyymmdd integers (20250314 = 14 March 2025), the dates of daily series (PortWatch).

// True when yyyymmdd is a real day of years 1900..2999 (20240229 yes, 20250229 no).
bool IsValidDate(int32_t yyyymmdd);

// Parses "YYYY-MM-DD" exactly (no blanks, two-digit month and day, a real day). Returns nullopt
// when malformed.
std::optional<int32_t> ParseDate(std::string_view text);

// "2025-03-14".
std::string FormatDate(int32_t yyyymmdd);

// Days since 1970-01-01 (a dense index for arithmetic); precondition: IsValidDate(yyyymmdd).
int32_t DayNumber(int32_t yyyymmdd);
int32_t DateFromDayNumber(int32_t day_number);

// The day `days` after (or, negative, before) yyyymmdd.
inline int32_t AddDays(int32_t yyyymmdd, int32_t days) {
  return DateFromDayNumber(DayNumber(yyyymmdd) + days);
}

// The last day of month yyyymm, yyyymmdd (20240229 for 202402).
int32_t LastDayOfMonth(int32_t yyyymm);

}  // namespace tradewatch
