#include "processors/window.h"

#include <gtest/gtest.h>

namespace tradewatch::processors {
namespace {

TEST(WindowTest, TrailingTwelveMonthsCrossesTheYearBoundary) {
  v1::Window w = MakeWindow(v1::WINDOW_KIND_T12M, 202503);
  EXPECT_EQ(WindowStart(w), 202404);
  EXPECT_EQ(w.months(), 12);
  EXPECT_TRUE(InWindow(w, 202404));
  EXPECT_TRUE(InWindow(w, 202412));
  EXPECT_TRUE(InWindow(w, 202503));
  EXPECT_FALSE(InWindow(w, 202403));
  EXPECT_FALSE(InWindow(w, 202504));
}

TEST(WindowTest, YearToDateStartsInJanuary) {
  v1::Window w = MakeWindow(v1::WINDOW_KIND_YTD, 202504);
  EXPECT_EQ(WindowStart(w), 202501);
  EXPECT_EQ(w.months(), 4);
  v1::Window jan = MakeWindow(v1::WINDOW_KIND_YTD, 202601);
  EXPECT_EQ(WindowStart(jan), 202601);
  EXPECT_FALSE(InWindow(jan, 202512));
}

TEST(WindowTest, YearWindowCoversTheCalendarYearOfAnyMonthGiven) {
  v1::Window w = MakeWindow(v1::WINDOW_KIND_YEAR, 202504);
  EXPECT_EQ(w.end_period_yyyymm(), 202512);
  EXPECT_EQ(WindowStart(w), 202501);
}

TEST(WindowTest, MonthWindowIsOneMonth) {
  v1::Window w = MakeWindow(v1::WINDOW_KIND_MONTH, 202412);
  EXPECT_EQ(WindowStart(w), 202412);
  EXPECT_FALSE(InWindow(w, 202501));
}

TEST(WindowTest, PreviousYearShiftsTheEndByTwelveMonths) {
  v1::Window w = PreviousYear(MakeWindow(v1::WINDOW_KIND_T12M, 202502));
  EXPECT_EQ(w.end_period_yyyymm(), 202402);
  EXPECT_EQ(WindowStart(w), 202303);
}

TEST(WindowTest, KindNamesRoundTrip) {
  for (auto kind : {v1::WINDOW_KIND_MONTH, v1::WINDOW_KIND_T12M, v1::WINDOW_KIND_YTD,
                    v1::WINDOW_KIND_YEAR}) {
    EXPECT_EQ(ParseWindowKind(WindowKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseWindowKind("quarter").has_value());
  EXPECT_EQ(FormatWindowPeriod(MakeWindow(v1::WINDOW_KIND_YEAR, 202512)), "2025");
  EXPECT_EQ(FormatWindowPeriod(MakeWindow(v1::WINDOW_KIND_T12M, 202504)), "2025-04");
}

}  // namespace
}  // namespace tradewatch::processors
