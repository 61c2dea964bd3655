// Every reason the CensusReader rejects a record for, one test each: the reject names file:line,
// the column and the value, carries the raw row, is counted by reason, and the rows around it
// are still read.
#include "ingest/census_reader.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/ingest_support.h"
#include "ingest/country_table.h"
#include "ingest/record_sink.h"

namespace tradewatch::ingest {
namespace {

using testing::Cat;
using testing::Countries;


using ::testing::HasSubstr;
using tradewatch::v1::ColumnMapping;
using tradewatch::v1::RejectReason;


constexpr char kCsv[] = "fixture.csv";
constexpr char kJson[] = "fixture.json";

// The statenaics CSV layout; the bad row of each test sits on line 3 between two good rows.
constexpr char kHeader[] = "time,CTY_CODE,CTY_NAME,NAICS,NAICS_LDESC,GEN_VAL_MO";
constexpr char kBefore[] = "2024-01,5830,TAIWAN,3344,SEMICONDUCTORS,1000";
constexpr char kAfter[] = "2024-03,5830,TAIWAN,3344,SEMICONDUCTORS,3000";

std::string Around(std::string_view bad_row) {
  return Cat(kHeader, "\n", kBefore, "\n", bad_row, "\n", kAfter, "\n");
}

std::string Row(std::string_view time, std::string_view code, std::string_view name,
                std::string_view naics, std::string_view value) {
  return Cat(time, ",", code, ",", name, ",", naics, ",SEMICONDUCTORS,", value);
}

class CensusReaderTest : public ::testing::Test {
 protected:
  ReadOptions Options() const {
    ReadOptions options;
    options.countries = &Countries();
    options.release_id = "2024-12";
    options.vintage = 7;
    options.release_through_period = through_;
    options.mapping = mapping_;
    return options;
  }

  // Reads `text` as one file with a fresh reader and returns its summary, which must balance.
  ReadSummary Read(std::string_view text, std::string_view origin = kCsv) {
    CensusReader reader(Options(), &sink_);
    reader.ReadBuffer(text, origin);
    EXPECT_TRUE(reader.summary().Balanced()) << reader.summary().Format();
    return reader.summary();
  }

  // The one reject of the read: its reason, position, value and raw row, its message naming
  // file:line, column and value, and the summary counting it under its reason.
  void ExpectOneReject(const ReadSummary& s, RejectReason reason, std::string_view origin,
                       int64_t line, std::string_view column, std::string_view value,
                       std::string_view raw) {
    ASSERT_EQ(sink_.rejects.size(), 1u) << s.Format();
    const auto& r = sink_.rejects[0];
    EXPECT_EQ(r.reason(), reason) << v1::RejectReason_Name(r.reason());
    EXPECT_EQ(r.position().source(), origin);
    EXPECT_EQ(r.position().line(), line);
    EXPECT_EQ(r.position().column(), column);
    EXPECT_EQ(r.value(), value);
    EXPECT_EQ(r.raw(), raw);
    EXPECT_THAT(r.message(), HasSubstr(Cat(origin, ":", line, ":")));
    if (!column.empty()) {
      EXPECT_THAT(r.message(), HasSubstr(column));
      EXPECT_THAT(r.message(), HasSubstr(Cat("'", value, "'")));
    }
    EXPECT_EQ(s.rejected_total(), 1) << s.Format();
    EXPECT_EQ(s.rejected.count(reason), 1u) << s.Format();
    if (s.rejected.count(reason)) {
      EXPECT_EQ(s.rejected.at(reason), 1);
    }
  }

  // The rows on either side of the bad one were read.
  void ExpectGoodRowsAround(const ReadSummary& s) {
    EXPECT_EQ(s.accepted, 2) << s.Format();
    ASSERT_EQ(sink_.observations.size(), 2u);
    EXPECT_EQ(sink_.observations[0].period_yyyymm(), 202401);
    EXPECT_EQ(sink_.observations[0].value_usd(), 1000);
    EXPECT_EQ(sink_.observations[0].source_line(), 2);
    EXPECT_EQ(sink_.observations[1].period_yyyymm(), 202403);
    EXPECT_EQ(sink_.observations[1].value_usd(), 3000);
    EXPECT_EQ(sink_.observations[1].source_line(), 4);
  }

  CollectingSink sink_;
  int32_t through_ = 0;
  std::optional<ColumnMapping> mapping_;
};

// --- malformed records --------------------------------------------------------------------

TEST_F(CensusReaderTest, RejectsMalformedJsonDocumentAsOneRecordNamingTheFile) {
  std::string doc = R"([["NAICS","CTY_CODE","GEN_VAL_MO","time"],["3344" "5830","1000","2024-01"]])";
  ReadSummary s = Read(doc, kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u) << s.Format();
  const auto& r = sink_.rejects[0];
  EXPECT_EQ(r.reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_EQ(r.position().source(), kJson);
  EXPECT_EQ(r.position().line(), 1);
  EXPECT_THAT(r.message(), HasSubstr("fixture.json:1:"));
  EXPECT_THAT(r.message(), HasSubstr("malformed JSON"));
  EXPECT_FALSE(r.raw().empty());
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MALFORMED_RECORD), 1);
  EXPECT_TRUE(sink_.observations.empty());
}

TEST_F(CensusReaderTest, RejectsTruncatedJsonDocumentAsOneRecord) {
  std::string doc =
      R"([["NAICS","CTY_CODE","GEN_VAL_MO","time"],["3344","5830","1000","2024-01"],["3344")";
  ReadSummary s = Read(doc, kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u) << s.Format();
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.json:1: malformed JSON"));
  EXPECT_EQ(s.records, 1);
}

TEST_F(CensusReaderTest, RejectsObjectWithoutBodyAsMalformed) {
  ReadSummary s = Read(R"({"headers": {"date": "Mon"}})", kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.json:1:"));
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("body"));
  EXPECT_EQ(s.records, 1);
}

TEST_F(CensusReaderTest, RejectsEmptyJsonArrayAsHavingNoHeader) {
  ReadSummary s = Read("[]", kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("no header"));
  EXPECT_EQ(s.rejected_total(), 1);
}

TEST_F(CensusReaderTest, RejectsEmptyCsvFileAsHavingNoHeader) {
  ReadSummary s = Read("");
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.csv:1:"));
  EXPECT_EQ(s.records, 1);
}

TEST_F(CensusReaderTest, RejectsJsonRowWithWrongCellCountKeepingTheRowsAround) {
  std::string doc = Cat(
      "[[\"time\",\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],\n",
      "[\"2024-01\",\"5830\",\"3344\",\"1000\"],\n",
      "[\"2024-02\",\"5830\",\"3344\"],\n",
      "[\"2024-03\",\"5830\",\"3344\",\"3000\"]]\n");
  ReadSummary s = Read(doc, kJson);
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kJson, 3, "", "",
                  R"(["2024-02","5830","3344"])");
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("3 fields where the header has 4"));
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsJsonRowWithNestedArrayCellKeepingTheRowsAround) {
  std::string doc = Cat(
      "[[\"time\",\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],\n",
      "[\"2024-01\",\"5830\",\"3344\",\"1000\"],\n",
      "[\"2024-02\",\"5830\",[\"3344\"],\"2000\"],\n",
      "[\"2024-03\",\"5830\",\"3344\",\"3000\"]]\n");
  ReadSummary s = Read(doc, kJson);
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kJson, 3, "", "",
                  R"(["2024-02","5830",["3344"],"2000"])");
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsJsonRowWithBooleanCellKeepingTheRowsAround) {
  std::string doc = Cat(
      "[[\"time\",\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],\n",
      "[\"2024-01\",\"5830\",\"3344\",\"1000\"],\n",
      "[\"2024-02\",\"5830\",\"3344\",true],\n",
      "[\"2024-03\",\"5830\",\"3344\",\"3000\"]]\n");
  ReadSummary s = Read(doc, kJson);
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kJson, 3, "", "",
                  R"(["2024-02","5830","3344",true])");
  ExpectGoodRowsAround(s);
}

// A JSON row that is not an array is one bad row; the rows after it are data like any other.
TEST_F(CensusReaderTest, RejectsJsonRowThatIsNotAnArrayKeepingTheRowsAround) {
  std::string doc = Cat(
      "[[\"time\",\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],\n",
      "[\"2024-01\",\"5830\",\"3344\",\"1000\"],\n",
      "\"2024-02,5830,3344,2000\",\n",
      "[\"2024-03\",\"5830\",\"3344\",\"3000\"]]\n");
  ReadSummary s = Read(doc, kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u) << s.Format();
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_EQ(sink_.rejects[0].position().line(), 3);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.json:3:"));
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsCsvRowWithUnterminatedQuoteKeepingTheRowsAround) {
  std::string bad = "2024-02,5830,\"TAIWAN,3344,SEMICONDUCTORS,2000";
  std::string text = Cat(kHeader, "\n", kBefore, "\n", bad, "\n", kAfter, "\n");
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kCsv, 3, "", "", bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("unterminated quoted field"));
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsCsvRowWithTooManyFieldsKeepingTheRowsAround) {
  std::string bad = Row("2024-02", "5830", "TAIWAN", "3344", "2000,extra");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kCsv, 3, "", "", bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("7 fields where the header has 6"));
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsCsvRowWithTooFewFieldsKeepingTheRowsAround) {
  std::string bad = "2024-02,5830,TAIWAN,3344";
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kCsv, 3, "", "", bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("4 fields where the header has 6"));
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsCsvRowWithQuoteInsideUnquotedFieldKeepingTheRowsAround) {
  std::string bad = Row("2024-02", "5830", "TAI\"WAN", "3344", "2000");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_RECORD, kCsv, 3, "", "", bad);
  ExpectGoodRowsAround(s);
}

// --- missing columns ----------------------------------------------------------------------

TEST_F(CensusReaderTest, RejectsEveryRowWithMissingColumnWhenThePeriodColumnIsAbsent) {
  std::string text = "CTY_CODE,NAICS,GEN_VAL_MO\n5830,3344,1000\n5830,3344,2000\n5700,3344,5\n";
  ReadSummary s = Read(text);
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.records, 3);
  EXPECT_EQ(s.accepted, 0);
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), 3);
  ASSERT_EQ(sink_.rejects.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& r = sink_.rejects[i];
    EXPECT_EQ(r.reason(), v1::REJECT_REASON_MISSING_COLUMN);
    EXPECT_EQ(r.position().line(), static_cast<int64_t>(i) + 2);
    EXPECT_THAT(r.message(), HasSubstr(Cat("fixture.csv:", i + 2, ":")));
    EXPECT_THAT(r.message(), HasSubstr("time"));
    EXPECT_THAT(r.message(), HasSubstr("'census'"));
  }
  EXPECT_EQ(sink_.rejects[1].raw(), "5830,3344,2000");
}

TEST_F(CensusReaderTest, RejectsEveryRowWithMissingColumnWhenThePartnerIsAbsent) {
  ReadSummary s = Read("time,NAICS,GEN_VAL_MO\n2024-01,3344,1000\n2024-02,3344,2000\n");
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), 2);
  ASSERT_EQ(sink_.rejects.size(), 2u);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("CTY_CODE or CTY_NAME"));
  EXPECT_TRUE(sink_.observations.empty());
}

TEST_F(CensusReaderTest, RejectsEveryRowWithMissingColumnWhenNoValueColumnIsPresent) {
  ReadSummary s = Read("time,CTY_CODE,NAICS,VAL\n2024-01,5830,3344,1000\n");
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), 1);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("GEN_VAL_MO"));
  EXPECT_EQ(sink_.rejects[0].raw(), "2024-01,5830,3344,1000");
}

TEST_F(CensusReaderTest, RejectsEveryRowWithMissingColumnWhenNoMappingFits) {
  ReadSummary s = Read("date,partner,value\n2024-01-01,TAIWAN,1\n2024-02-01,TAIWAN,2\n");
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), 2);
  ASSERT_EQ(sink_.rejects.size(), 2u);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.csv:2:"));
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("no column mapping fits"));
  EXPECT_THAT(sink_.rejects[1].message(), HasSubstr("fixture.csv:3:"));
}

TEST_F(CensusReaderTest, RejectsEveryJsonRowWithMissingColumn) {
  ReadSummary s =
      Read("[[\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],\n[\"5830\",\"3344\",\"1\"],\n"
           "[\"5830\",\"334\",\"2\"]]",
           kJson);
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), 2);
  ASSERT_EQ(sink_.rejects.size(), 2u);
  EXPECT_EQ(sink_.rejects[0].position().line(), 2);
  EXPECT_THAT(sink_.rejects[1].message(), HasSubstr("fixture.json:3:"));
  EXPECT_EQ(sink_.rejects[1].raw(), R"(["5830","334","2"])");
}

// --- values -------------------------------------------------------------------------------

TEST_F(CensusReaderTest, RejectsNonNumericValueNamingFileLineColumnAndValue) {
  std::string bad = Row("2024-02", "5830", "TAIWAN", "3344", "12x4");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_NON_NUMERIC_VALUE, kCsv, 3, "GEN_VAL_MO", "12x4", bad);
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsEmptyValueAsNonNumeric) {
  std::string bad = Row("2024-02", "5830", "TAIWAN", "3344", "");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_NON_NUMERIC_VALUE, kCsv, 3, "GEN_VAL_MO", "", bad);
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsNegativeValueNamingFileLineColumnAndValue) {
  std::string bad = Row("2024-02", "5830", "TAIWAN", "3344", "-5");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_NEGATIVE_VALUE, kCsv, 3, "GEN_VAL_MO", "-5", bad);
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsAbsurdValueAboveOneETwelveTimesTen) {
  std::string bad = Row("2024-02", "5830", "TAIWAN", "3344", "10000000000001");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_ABSURD_VALUE, kCsv, 3, "GEN_VAL_MO", "10000000000001",
                  bad);
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, AcceptsValueOfExactlyOneETwelveTimesTen) {
  ReadSummary s = Read(Around(Row("2024-02", "5830", "TAIWAN", "3344", "10000000000000")));
  EXPECT_EQ(s.accepted, 3);
  ASSERT_EQ(sink_.observations.size(), 3u);
  EXPECT_EQ(sink_.observations[1].value_usd(), 10'000'000'000'000);
}

TEST_F(CensusReaderTest, RejectsOnlyTheBadValueOfARowWithTwoValues) {
  std::string text =
      "time,CTY_CODE,NAICS,GEN_VAL_MO,CON_VAL_MO\n2024-01,5830,3344,100,x\n";
  ReadSummary s = Read(text);
  EXPECT_EQ(s.records, 2);
  EXPECT_EQ(s.accepted, 1);
  ExpectOneReject(s, v1::REJECT_REASON_NON_NUMERIC_VALUE, kCsv, 2, "CON_VAL_MO", "x",
                  "2024-01,5830,3344,100,x");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].measure(), v1::MEASURE_GENERAL_IMPORTS);
}

// --- periods ------------------------------------------------------------------------------

class CensusReaderBadPeriodTest : public CensusReaderTest,
                                  public ::testing::WithParamInterface<const char*> {};

TEST_P(CensusReaderBadPeriodTest, RejectsBadPeriodNamingFileLineColumnAndValue) {
  std::string bad = Row(GetParam(), "5830", "TAIWAN", "3344", "2000");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_BAD_PERIOD, kCsv, 3, "time", GetParam(), bad);
  ExpectGoodRowsAround(s);
}

INSTANTIATE_TEST_SUITE_P(Periods, CensusReaderBadPeriodTest,
                         ::testing::Values("2013-1", "201301", "2013-13", "2021-02-30", "",
                                           "2024-02-01T00:00"));

TEST_F(CensusReaderTest, RejectsYearAndMonthColumnsWithMonthThirteen) {
  std::string text =
      "YEAR,MONTH,CTY_CODE,NAICS,GEN_VAL_MO\n2013,12,5830,334,1\n2013,13,5830,334,2\n"
      "2014,1,5830,334,3\n";
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_BAD_PERIOD, kCsv, 3, "YEAR", "2013-13",
                  "2013,13,5830,334,2");
  ASSERT_EQ(sink_.observations.size(), 2u);
  EXPECT_EQ(sink_.observations[0].period_yyyymm(), 201312);
  EXPECT_EQ(sink_.observations[1].period_yyyymm(), 201401);
}

// The census mapping names time, YEAR and MONTH. A header with `time` and `YEAR` but no `MONTH`
// resolves through `time`, so an empty `time` is a bad period of the `time` column; the reader
// must not fall back to a MONTH column the header does not have (it once indexed the row with -1).
TEST_F(CensusReaderTest, EmptyTimeWithYearButNoMonthColumnIsABadPeriodOfTime) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer("time,YEAR,CTY_CODE,NAICS,GEN_VAL_MO\n,2024,5830,3344,100\n", kCsv);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_BAD_PERIOD);
  EXPECT_EQ(sink_.rejects[0].position().column(), "time");
  EXPECT_TRUE(sink_.rejects[0].value().empty());
  EXPECT_TRUE(reader.summary().Balanced());
}

TEST_F(CensusReaderTest, RejectsPeriodLaterThanTheRelease) {
  through_ = 202402;
  std::string text = Cat(kHeader, "\n", kBefore, "\n",
                                  Row("2024-02", "5830", "TAIWAN", "3344", "2000"), "\n",
                                  Row("2024-03", "5830", "TAIWAN", "3344", "3000"), "\n");
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_PERIOD_AFTER_RELEASE, kCsv, 4, "time", "2024-03",
                  Row("2024-03", "5830", "TAIWAN", "3344", "3000"));
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("2024-12"));  // the release id
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("2024-02"));  // its last month
  EXPECT_EQ(s.accepted, 2);
}

// --- product codes ------------------------------------------------------------------------

class CensusReaderBadNaicsTest : public CensusReaderTest,
                                 public ::testing::WithParamInterface<const char*> {};

TEST_P(CensusReaderBadNaicsTest, RejectsMalformedNaicsCodeNamingFileLineColumnAndValue) {
  std::string bad = Row("2024-02", "5830", "TAIWAN", GetParam(), "2000");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_PRODUCT_CODE, kCsv, 3, "NAICS", GetParam(), bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("NAICS"));
  ExpectGoodRowsAround(s);
}

INSTANTIATE_TEST_SUITE_P(Codes, CensusReaderBadNaicsTest,
                         ::testing::Values("33A4", "3", "1234567", "", "31-3"));

class CensusReaderBadHitechTest : public CensusReaderTest,
                                  public ::testing::WithParamInterface<const char*> {};

TEST_P(CensusReaderBadHitechTest, RejectsMalformedHitechCodeNamingFileLineColumnAndValue) {
  std::string header = "CTY_CODE,CTY_NAME,HITECH,HITECH_DESC,GEN_VAL_MO,GEN_VAL_YR,time";
  std::string bad = Cat("5830,TAIWAN,", GetParam(), ",X,2000,2000,2024-02");
  std::string text = Cat(header, "\n5830,TAIWAN,05,ELECTRONICS [05],1000,1000,2024-01\n",
                                  bad, "\n5830,TAIWAN,05,ELECTRONICS [05],3000,3000,2024-03\n");
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_MALFORMED_PRODUCT_CODE, kCsv, 3, "HITECH", GetParam(), bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("HITECH"));
  ExpectGoodRowsAround(s);
  EXPECT_EQ(sink_.observations[0].classification(), v1::CLASSIFICATION_HITECH);
}

INSTANTIATE_TEST_SUITE_P(Codes, CensusReaderBadHitechTest,
                         ::testing::Values("11", "A1", "1", "334"));

// --- partners -----------------------------------------------------------------------------

TEST_F(CensusReaderTest, RejectsPartnerCodeNotInTheCountryTable) {
  std::string bad = Row("2010-03", "2771", "NETHERLANDS ANTILLES", "334", "2000");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_UNKNOWN_PARTNER, kCsv, 3, "CTY_CODE", "2771", bad);
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsGroupCodeOutsideOneToTwentyEight) {
  std::string bad = Row("2024-02", "0029", "SOMETHING", "3344", "2000");
  ReadSummary s = Read(Around(bad));
  ExpectOneReject(s, v1::REJECT_REASON_UNKNOWN_PARTNER, kCsv, 3, "CTY_CODE", "0029", bad);
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, RejectsUnknownPartnerName) {
  std::string text =
      "time,CTY_NAME,NAICS,NAICS_SDESC,CON_VAL_MO,CAL_DUT_MO\n"
      "2024-01,TAIWAN,334,COMPUTERS,1000,0\n"
      "2024-02,ATLANTIS,334,COMPUTERS,2000,0\n"
      "2024-03,TAIWAN,334,COMPUTERS,3000,0\n";
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_UNKNOWN_PARTNER, kCsv, 3, "CTY_NAME", "ATLANTIS",
                  "2024-02,ATLANTIS,334,COMPUTERS,2000,0");
  ExpectGoodRowsAround(s);
}

// --- duplicates ---------------------------------------------------------------------------

TEST_F(CensusReaderTest, RejectsConflictingDuplicateKeepingTheFirst) {
  std::string second = Row("2024-01", "5830", "TAIWAN", "3344", "1234");
  ReadSummary s = Read(Around(second));
  ExpectOneReject(s, v1::REJECT_REASON_CONFLICTING_DUPLICATE, kCsv, 3, "GEN_VAL_MO", "1234",
                  second);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("1000"));  // the value kept
  ExpectGoodRowsAround(s);
  EXPECT_EQ(s.duplicates, 0);
}

TEST_F(CensusReaderTest, RejectsConflictingDuplicateAcrossFilesOfOneRelease) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer(Around(Row("2024-02", "5830", "TAIWAN", "3344", "2000")), "a.csv");
  reader.ReadBuffer(Cat(kHeader, "\n", Row("2024-02", "5830", "TAIWAN", "3344", "2500"),
                                 "\n"),
                    "b.csv");
  const ReadSummary& s = reader.summary();
  EXPECT_TRUE(s.Balanced()) << s.Format();
  EXPECT_EQ(s.accepted, 3);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_CONFLICTING_DUPLICATE);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("b.csv:2:"));
  EXPECT_EQ(reader.last_file_summary().rejected_total(), 1);
  EXPECT_EQ(reader.last_file_summary().records, 1);
}

TEST_F(CensusReaderTest, CountsExactDuplicateOnceWithoutRejectingIt) {
  ReadSummary s = Read(Around(kBefore));
  EXPECT_EQ(s.records, 3);
  EXPECT_EQ(s.duplicates, 1);
  EXPECT_EQ(s.rejected_total(), 0);
  EXPECT_TRUE(sink_.rejects.empty());
  ExpectGoodRowsAround(s);
}

TEST_F(CensusReaderTest, CountsExactDuplicateAcrossFilesOfOneRelease) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer(Cat(kHeader, "\n", kBefore, "\n"), "a.csv");
  reader.ReadBuffer(Cat(kHeader, "\n", kBefore, "\n", kAfter, "\n"), "b.csv");
  EXPECT_TRUE(reader.summary().Balanced());
  EXPECT_EQ(reader.summary().duplicates, 1);
  EXPECT_EQ(reader.last_file_summary().duplicates, 1);
  EXPECT_EQ(reader.last_file_summary().accepted, 1);
  EXPECT_EQ(sink_.observations.size(), 2u);
}

TEST_F(CensusReaderTest, SameKeyWithOtherMeasureIsNotADuplicate) {
  ReadSummary s = Read("time,CTY_CODE,NAICS,GEN_VAL_MO,CON_VAL_MO\n2024-01,5830,3344,100,100\n");
  EXPECT_EQ(s.accepted, 2);
  EXPECT_EQ(s.duplicates, 0);
}

// --- world totals: classification and flow ------------------------------------------------

constexpr char kWorldHeader[] =
    "category_code,category_desc,value_mo,time,year,month,date,flow,dimension";

TEST_F(CensusReaderTest, RejectsUnsupportedClassificationOfAWorldTotalsRow) {
  std::string bad = "-,TOTAL IMPORTS FOR ALL END-USE CODES,2000,2024-02,2024,02,2024-02-01,imports,enduse";
  std::string text = Cat(
      kWorldHeader, "\n",
      "3344,SEMICONDUCTORS,1000,2024-01,2024,01,2024-01-01,imports,naics\n", bad, "\n",
      "3344,SEMICONDUCTORS,3000,2024-03,2024,03,2024-03-01,imports,naics\n");
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_UNSUPPORTED_CLASSIFICATION, kCsv, 3, "dimension", "enduse",
                  bad);
  EXPECT_EQ(s.aggregates, 2);
  ASSERT_EQ(sink_.observations.size(), 2u);
  EXPECT_EQ(sink_.observations[1].period_yyyymm(), 202403);
}

TEST_F(CensusReaderTest, RejectsUnknownFlowText) {
  std::string bad = "3344,SEMICONDUCTORS,2000,2024-02,2024,02,2024-02-01,re-exports,naics";
  std::string text = Cat(
      kWorldHeader, "\n",
      "3344,SEMICONDUCTORS,1000,2024-01,2024,01,2024-01-01,imports,naics\n", bad, "\n",
      "3344,SEMICONDUCTORS,3000,2024-03,2024,03,2024-03-01,exports,naics\n");
  ReadSummary s = Read(text);
  ExpectOneReject(s, v1::REJECT_REASON_UNKNOWN_FLOW, kCsv, 3, "flow", "re-exports", bad);
  ASSERT_EQ(sink_.observations.size(), 2u);
  EXPECT_EQ(sink_.observations[0].flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(sink_.observations[1].flow(), v1::FLOW_EXPORTS);
}

// --- all together -------------------------------------------------------------------------

TEST_F(CensusReaderTest, EveryBadRowIsCountedAndEveryGoodRowDelivered) {
  std::string text = Cat(
      kHeader, "\n", kBefore, "\n",                                  // 2 good
      Row("2024-02", "5830", "TAIWAN", "3344", "x"), "\n",           // 3 non-numeric
      Row("2024-02", "5700", "CHINA", "3344", "-1"), "\n",           // 4 negative
      Row("2024-13", "5700", "CHINA", "3344", "1"), "\n",            // 5 bad period
      Row("2024-02", "2771", "NETH ANTILLES", "3344", "1"), "\n",    // 6 unknown partner
      Row("2024-02", "5700", "CHINA", "33A4", "1"), "\n",            // 7 bad code
      "2024-02,5700\n",                                              // 8 field count
      kBefore, "\n",                                                 // 9 exact duplicate
      Row("2024-01", "5830", "TAIWAN", "3344", "999"), "\n",         // 10 conflict
      Row("2024-02", "5XXX", "ASIA", "3344", "50"), "\n",            // 11 aggregate
      Row("2024-02", "-", "TOTAL FOR ALL COUNTRIES", "3344", "90"), "\n",  // 12 aggregate
      kAfter, "\n");                                                 // 13 good
  ReadSummary s = Read(text);
  EXPECT_EQ(s.rows, 12);
  EXPECT_EQ(s.records, 12);
  EXPECT_EQ(s.accepted, 2);
  EXPECT_EQ(s.aggregates, 2);
  EXPECT_EQ(s.duplicates, 1);
  EXPECT_EQ(s.rejected_total(), 7);
  EXPECT_EQ(sink_.rejects.size(), 7u);
  EXPECT_EQ(sink_.observations.size(), 4u);
  std::vector<int64_t> lines;
  for (const auto& r : sink_.rejects) lines.push_back(r.position().line());
  EXPECT_THAT(lines, ::testing::ElementsAre(3, 4, 5, 6, 7, 8, 10));
}

}  // namespace
}  // namespace tradewatch::ingest
