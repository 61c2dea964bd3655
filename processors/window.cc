#include "processors/window.h"

#include "common/period.h"
#include "fmt/format.h"

namespace tradewatch::processors {

using tradewatch::v1::Window;
using tradewatch::v1::WindowKind;

Window MakeWindow(WindowKind kind, int32_t period_yyyymm) {
  Window w;
  w.set_kind(kind);
  switch (kind) {
    case v1::WINDOW_KIND_MONTH:
      w.set_end_period_yyyymm(period_yyyymm);
      w.set_months(1);
      break;
    case v1::WINDOW_KIND_T12M:
      w.set_end_period_yyyymm(period_yyyymm);
      w.set_months(12);
      break;
    case v1::WINDOW_KIND_YTD:
      w.set_end_period_yyyymm(period_yyyymm);
      w.set_months(period_yyyymm % 100);
      break;
    case v1::WINDOW_KIND_YEAR:
    default:
      w.set_kind(v1::WINDOW_KIND_YEAR);
      w.set_end_period_yyyymm((period_yyyymm / 100) * 100 + 12);
      w.set_months(12);
      break;
  }
  return w;
}

int32_t WindowStart(const Window& window) {
  return AddMonths(window.end_period_yyyymm(), -(window.months() - 1));
}

Window PreviousYear(const Window& window) {
  return MakeWindow(window.kind(), window.end_period_yyyymm() - 100);
}

std::optional<WindowKind> ParseWindowKind(std::string_view name) {
  if (name == "month") return v1::WINDOW_KIND_MONTH;
  if (name == "t12m" || name == "T12M") return v1::WINDOW_KIND_T12M;
  if (name == "ytd" || name == "YTD") return v1::WINDOW_KIND_YTD;
  if (name == "year") return v1::WINDOW_KIND_YEAR;
  return std::nullopt;
}

std::string WindowKindName(WindowKind kind) {
  switch (kind) {
    case v1::WINDOW_KIND_MONTH: return "month";
    case v1::WINDOW_KIND_T12M: return "t12m";
    case v1::WINDOW_KIND_YTD: return "ytd";
    case v1::WINDOW_KIND_YEAR: return "year";
    default: return "unspecified";
  }
}

std::string FormatWindowPeriod(const Window& window) {
  if (window.kind() == v1::WINDOW_KIND_YEAR) {
    return fmt::format("{}", window.end_period_yyyymm() / 100);
  }
  return FormatPeriod(window.end_period_yyyymm());
}

}  // namespace tradewatch::processors
