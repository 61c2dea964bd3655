#include "ingest/value_parser.h"

#include "gtest/gtest.h"

namespace tradewatch::ingest {
namespace {

using tradewatch::v1::CLASSIFICATION_HITECH;
using tradewatch::v1::CLASSIFICATION_NAICS;

// Parses with `scale`, expecting success; returns the value.
int64_t Parsed(std::string_view text, double scale = 1.0) {
  int64_t value = -1;
  ValueError error = ParseValueUsd(text, scale, &value);
  EXPECT_EQ(error, ValueError::kNone) << "'" << text << "' scale " << scale;
  return value;
}

ValueError ErrorOf(std::string_view text, double scale = 1.0) {
  int64_t value = 0;
  return ParseValueUsd(text, scale, &value);
}

TEST(ParseValueUsdTest, ParsesWholeDollars) {
  EXPECT_EQ(Parsed("35471972"), 35471972);
  EXPECT_EQ(Parsed("0"), 0);
  EXPECT_EQ(Parsed("157728782628"), 157728782628);
}

TEST(ParseValueUsdTest, ScalesMillionsToDollarsExactly) {
  EXPECT_EQ(Parsed("31281.4", 1e6), 31281400000);
  EXPECT_EQ(Parsed("23980.5", 1e6), 23980500000);
  EXPECT_EQ(Parsed("760961.2", 1e6), 760961200000);
  EXPECT_EQ(Parsed("0.000001", 1e6), 1);
  EXPECT_EQ(Parsed("464472.7", 1e6), 464472700000);
  EXPECT_EQ(Parsed("27902.6", 1e6), 27902600000);
}

TEST(ParseValueUsdTest, ScalesThousandsToDollars) { EXPECT_EQ(Parsed("12.3456", 1000), 12346); }

TEST(ParseValueUsdTest, RoundsHalfAwayFromZeroToWholeDollars) {
  EXPECT_EQ(Parsed("2.5"), 3);
  EXPECT_EQ(Parsed("3.5"), 4);
  EXPECT_EQ(Parsed("2.4999"), 2);
  EXPECT_EQ(Parsed("0.5"), 1);
  EXPECT_EQ(Parsed("0.49"), 0);
  EXPECT_EQ(Parsed("1.0000005", 1e6), 1000001);
  EXPECT_EQ(Parsed("1.0000004", 1e6), 1000000);
}

TEST(ParseValueUsdTest, AcceptsFractionAndWholeOnlyForms) {
  EXPECT_EQ(Parsed(".5"), 1);
  EXPECT_EQ(Parsed("5."), 5);
  EXPECT_EQ(Parsed("007"), 7);
}

TEST(ParseValueUsdTest, NonIntegralScaleRounds) {
  EXPECT_EQ(Parsed("3", 0.5), 2);      // 1.5
  EXPECT_EQ(Parsed("10", 0.25), 3);    // 2.5
  EXPECT_EQ(Parsed("1", 1000.5), 1001);
}

TEST(ParseValueUsdTest, AllowsLeadingAndTrailingBlanks) {
  EXPECT_EQ(Parsed("  42"), 42);
  EXPECT_EQ(Parsed("42  "), 42);
  EXPECT_EQ(Parsed("\t42\t"), 42);
}

TEST(ParseValueUsdTest, EmptyOrBlankIsNonNumeric) {
  EXPECT_EQ(ErrorOf(""), ValueError::kNonNumeric);
  EXPECT_EQ(ErrorOf("   "), ValueError::kNonNumeric);
  EXPECT_EQ(ErrorOf("\t"), ValueError::kNonNumeric);
}

TEST(ParseValueUsdTest, PlusSignIsAccepted) { EXPECT_EQ(Parsed("+7"), 7); }

TEST(ParseValueUsdTest, NegativeValuesAreNegative) {
  EXPECT_EQ(ErrorOf("-5"), ValueError::kNegative);
  EXPECT_EQ(ErrorOf("-0.6"), ValueError::kNegative);
  EXPECT_EQ(ErrorOf(" -123456"), ValueError::kNegative);
  EXPECT_EQ(ErrorOf("-1", 1e6), ValueError::kNegative);
}

TEST(ParseValueUsdTest, NegativeZeroIsZero) { EXPECT_EQ(Parsed("-0"), 0); }

TEST(ParseValueUsdTest, NonNumericTexts) {
  for (std::string_view text :
       {"12x4", "1e5", "1,000", "N/A", "(D)", ".", "-", "+", "1.2.3", "0x10", "$5", "5 6",
        "null", "--5", "1-"}) {
    EXPECT_EQ(ErrorOf(text), ValueError::kNonNumeric) << text;
  }
}

TEST(ParseValueUsdTest, AboveOneETwelveTimesTenIsAbsurd) {
  EXPECT_EQ(Parsed("10000000000000"), kAbsurdValueUsd);  // exactly 1e13 is allowed
  EXPECT_EQ(ErrorOf("10000000000001"), ValueError::kAbsurd);
  EXPECT_EQ(ErrorOf("10000001", 1e6), ValueError::kAbsurd);
  EXPECT_EQ(Parsed("10000000", 1e6), kAbsurdValueUsd);
  EXPECT_EQ(ErrorOf("99999999999999999999999999999999999999999"), ValueError::kAbsurd);
}

TEST(ParseValueUsdTest, ManyFractionDigitsDoNotOverflow) {
  EXPECT_EQ(Parsed("1.000000000000000000000000000009"), 1);
  EXPECT_EQ(Parsed("0.999999999999999999999999"), 1);
}

TEST(ProductCodeTest, NaicsCodesOfTwoToSixDigitsAreWellFormed) {
  for (std::string_view code : {"33", "334", "3344", "33441", "334413", "00", "11"}) {
    EXPECT_TRUE(IsWellFormedProductCode(CLASSIFICATION_NAICS, code)) << code;
  }
}

TEST(ProductCodeTest, NaicsTotalAndSectorRangesAreWellFormed) {
  EXPECT_TRUE(IsWellFormedProductCode(CLASSIFICATION_NAICS, "-"));
  EXPECT_TRUE(IsWellFormedProductCode(CLASSIFICATION_NAICS, "31-33"));
  EXPECT_TRUE(IsWellFormedProductCode(CLASSIFICATION_NAICS, "44-45"));
  EXPECT_TRUE(IsWellFormedProductCode(CLASSIFICATION_NAICS, "48-49"));
}

TEST(ProductCodeTest, MalformedNaicsCodes) {
  for (std::string_view code :
       {"33A4", "3", "1234567", "", "31-3", "3-333", "31_33", "ATP", " 334", "334 ", "--"}) {
    EXPECT_FALSE(IsWellFormedProductCode(CLASSIFICATION_NAICS, code)) << code;
  }
}

TEST(ProductCodeTest, HitechGroupsAllAndTotalAreWellFormed) {
  for (std::string_view code :
       {"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "ATP", "-"}) {
    EXPECT_TRUE(IsWellFormedProductCode(CLASSIFICATION_HITECH, code)) << code;
  }
}

TEST(ProductCodeTest, MalformedHitechCodes) {
  for (std::string_view code : {"11", "A1", "1", "010", "", "99", "334", "atp"}) {
    EXPECT_FALSE(IsWellFormedProductCode(CLASSIFICATION_HITECH, code)) << code;
  }
}

TEST(ProductCodeTest, NoCodeIsWellFormedWithoutAClassification) {
  EXPECT_FALSE(IsWellFormedProductCode(tradewatch::v1::CLASSIFICATION_UNSPECIFIED, "334"));
}

}  // namespace
}  // namespace tradewatch::ingest
