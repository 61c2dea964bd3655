#include "common/period.h"

#include <optional>

#include "gtest/gtest.h"

namespace tradewatch {
namespace {

TEST(PeriodTest, ParsesYearDashMonth) {
  EXPECT_EQ(ParsePeriod("2025-04"), std::optional<int32_t>(202504));
  EXPECT_EQ(ParsePeriod("2013-01"), std::optional<int32_t>(201301));
  EXPECT_EQ(ParsePeriod("2013-12"), std::optional<int32_t>(201312));
}

TEST(PeriodTest, ParsesYearMonthDayAsTheMonth) {
  EXPECT_EQ(ParsePeriod("2021-01-01"), std::optional<int32_t>(202101));
  EXPECT_EQ(ParsePeriod("2021-01-31"), std::optional<int32_t>(202101));
  EXPECT_EQ(ParsePeriod("2024-02-29"), std::optional<int32_t>(202402));  // leap year
  EXPECT_EQ(ParsePeriod("2000-02-29"), std::optional<int32_t>(200002));  // divisible by 400
}

TEST(PeriodTest, RejectsSingleDigitMonth) { EXPECT_EQ(ParsePeriod("2013-1"), std::nullopt); }

TEST(PeriodTest, RejectsCompactYearMonth) { EXPECT_EQ(ParsePeriod("201301"), std::nullopt); }

TEST(PeriodTest, RejectsMonthThirteenAndMonthZero) {
  EXPECT_EQ(ParsePeriod("2013-13"), std::nullopt);
  EXPECT_EQ(ParsePeriod("2013-00"), std::nullopt);
}

TEST(PeriodTest, RejectsDaysThatDoNotExist) {
  EXPECT_EQ(ParsePeriod("2021-02-30"), std::nullopt);
  EXPECT_EQ(ParsePeriod("2023-02-29"), std::nullopt);  // not a leap year
  EXPECT_EQ(ParsePeriod("1900-02-29"), std::nullopt);  // century, not a leap year
  EXPECT_EQ(ParsePeriod("2021-04-31"), std::nullopt);
  EXPECT_EQ(ParsePeriod("2021-01-00"), std::nullopt);
}

TEST(PeriodTest, RejectsOtherShapes) {
  EXPECT_EQ(ParsePeriod(""), std::nullopt);
  EXPECT_EQ(ParsePeriod("2013/01"), std::nullopt);
  EXPECT_EQ(ParsePeriod("2013-01-01T00"), std::nullopt);
  EXPECT_EQ(ParsePeriod("2013-01x01"), std::nullopt);
  EXPECT_EQ(ParsePeriod("20a3-01"), std::nullopt);
  EXPECT_EQ(ParsePeriod(" 2013-01"), std::nullopt);
  EXPECT_EQ(ParsePeriod("1899-12"), std::nullopt);  // before the valid years
}

TEST(PeriodTest, ParsesYearAndMonthColumnsWithAndWithoutLeadingZero) {
  EXPECT_EQ(ParseYearMonth("2013", "01"), std::optional<int32_t>(201301));
  EXPECT_EQ(ParseYearMonth("2013", "1"), std::optional<int32_t>(201301));
  EXPECT_EQ(ParseYearMonth("2016", "12"), std::optional<int32_t>(201612));
}

TEST(PeriodTest, YearAndMonthRejectsMonthOutOfRangeAndMalformedParts) {
  EXPECT_EQ(ParseYearMonth("2013", "13"), std::nullopt);
  EXPECT_EQ(ParseYearMonth("2013", "0"), std::nullopt);
  EXPECT_EQ(ParseYearMonth("2013", "001"), std::nullopt);
  EXPECT_EQ(ParseYearMonth("2013", ""), std::nullopt);
  EXPECT_EQ(ParseYearMonth("13", "01"), std::nullopt);
  EXPECT_EQ(ParseYearMonth("2013", "1a"), std::nullopt);
}

TEST(PeriodTest, FormatsAsYearDashTwoDigitMonth) {
  EXPECT_EQ(FormatPeriod(202504), "2025-04");
  EXPECT_EQ(FormatPeriod(201312), "2013-12");
}

TEST(PeriodTest, FormatThenParseRoundTrips) {
  for (int32_t p = 201001; p <= 202612; p = AddMonths(p, 1)) {
    ASSERT_EQ(ParsePeriod(FormatPeriod(p)), std::optional<int32_t>(p)) << p;
  }
}

TEST(PeriodTest, AddMonthsCrossesYearBoundariesBothWays) {
  EXPECT_EQ(AddMonths(202412, 1), 202501);
  EXPECT_EQ(AddMonths(202501, -1), 202412);
  EXPECT_EQ(AddMonths(202504, -12), 202404);
  EXPECT_EQ(AddMonths(202504, 0), 202504);
  EXPECT_EQ(AddMonths(201301, 155), 202512);
  EXPECT_EQ(AddMonths(202503, -27), 202212);
}

TEST(PeriodTest, PeriodIndexIsDenseAcrossYears) {
  EXPECT_EQ(PeriodIndex(202501) - PeriodIndex(202412), 1);
  EXPECT_EQ(PeriodFromIndex(PeriodIndex(201307)), 201307);
}

TEST(PeriodTest, ValidPeriodsAreMonthsOneToTwelveOfYears1900To2999) {
  EXPECT_TRUE(IsValidPeriod(190001));
  EXPECT_TRUE(IsValidPeriod(299912));
  EXPECT_FALSE(IsValidPeriod(189912));
  EXPECT_FALSE(IsValidPeriod(300001));
  EXPECT_FALSE(IsValidPeriod(202500));
  EXPECT_FALSE(IsValidPeriod(202513));
}

TEST(DateTest, ParsesYearMonthDayExactly) {
  EXPECT_EQ(ParseDate("2025-03-14"), std::optional<int32_t>(20250314));
  EXPECT_EQ(ParseDate("2024-02-29"), std::optional<int32_t>(20240229));
  EXPECT_EQ(ParseDate("2025-02-29"), std::nullopt);
  EXPECT_EQ(ParseDate("2025-03"), std::nullopt);
  EXPECT_EQ(ParseDate("2025-3-14"), std::nullopt);
  EXPECT_EQ(ParseDate(" 2025-03-14"), std::nullopt);
  EXPECT_EQ(ParseDate("14/03/2025"), std::nullopt);
}

TEST(DateTest, FormatsAndValidates) {
  EXPECT_EQ(FormatDate(20250314), "2025-03-14");
  EXPECT_TRUE(IsValidDate(20240229));
  EXPECT_FALSE(IsValidDate(20250229));
  EXPECT_FALSE(IsValidDate(20250300));
  EXPECT_FALSE(IsValidDate(0));
}

TEST(DateTest, DayArithmeticCrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ(DayNumber(19700101), 0);
  EXPECT_EQ(DateFromDayNumber(DayNumber(20250314)), 20250314);
  EXPECT_EQ(AddDays(20240228, 1), 20240229);
  EXPECT_EQ(AddDays(20241231, 1), 20250101);
  EXPECT_EQ(AddDays(20250314, -364), 20240315);  // 52 weeks back: the same weekday
  EXPECT_EQ(DayNumber(20250314) - DayNumber(20240315), 364);
}

TEST(DateTest, LastDayOfMonth) {
  EXPECT_EQ(LastDayOfMonth(202402), 20240229);
  EXPECT_EQ(LastDayOfMonth(202607), 20260731);
  EXPECT_EQ(LastDayOfMonth(202504), 20250430);
}

}  // namespace
}  // namespace tradewatch
