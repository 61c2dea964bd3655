// Windows over statistical months: month, trailing twelve months, year to date, calendar year.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tradewatch/v1/results.pb.h"

namespace tradewatch::processors {

// The window of `kind` ending at `period_yyyymm` (for WINDOW_KIND_YEAR, the December of the
// period's year). `complete` and `months_with_data` are left for the caller to fill.
tradewatch::v1::Window MakeWindow(tradewatch::v1::WindowKind kind, int32_t period_yyyymm);

// First month of the window, yyyymm.
int32_t WindowStart(const tradewatch::v1::Window& window);

// True when `period_yyyymm` falls inside the window.
inline bool InWindow(const tradewatch::v1::Window& window, int32_t period_yyyymm) {
  return period_yyyymm <= window.end_period_yyyymm() && period_yyyymm >= WindowStart(window);
}

// The same window one year earlier (for year-over-year growth).
tradewatch::v1::Window PreviousYear(const tradewatch::v1::Window& window);

// "month", "t12m", "ytd", "year" <-> WindowKind.
std::optional<tradewatch::v1::WindowKind> ParseWindowKind(std::string_view name);
std::string WindowKindName(tradewatch::v1::WindowKind kind);

// "2025" for a year window, "2025-04" otherwise.
std::string FormatWindowPeriod(const tradewatch::v1::Window& window);

}  // namespace tradewatch::processors
