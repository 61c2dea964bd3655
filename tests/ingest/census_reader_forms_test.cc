// The table forms the CensusReader reads: API JSON in any column order, its cache wrapper, CSV,
// CRLF, gzip, partners by code or by name, YEAR and MONTH columns, every value column, the
// world-total and ATP-total extracts, and HITECH tables.
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/support/gzip.h"
#include "tests/support/ingest_support.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/record_sink.h"

namespace tradewatch::ingest {
namespace {

using testing::Cat;
using testing::Countries;


using ::testing::HasSubstr;
using tradewatch::v1::TradeObservation;


const std::string kTestdata = std::string(TRADEWATCH_SOURCE_DIR) + "/tests/testdata/ingest/";
constexpr char kByCountry[] = "../shared/data/census_naics_by_country/";

using tradewatch::testing::GzipBytes;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The observation without where it was read, for comparing two forms of one table.
TradeObservation WithoutSource(TradeObservation o) {
  o.clear_source();
  o.clear_source_line();
  return o;
}

class CensusReaderFormTest : public ::testing::Test {
 protected:
  ReadOptions Options() const {
    ReadOptions options;
    options.countries = &Countries();
    options.release_id = "2025-03";
    options.vintage = 202503;
    return options;
  }

  ReadSummary Read(std::string_view text, std::string_view origin = "form.csv") {
    CensusReader reader(Options(), &sink_);
    reader.ReadBuffer(text, origin);
    EXPECT_TRUE(reader.summary().Balanced()) << reader.summary().Format();
    EXPECT_TRUE(sink_.rejects.empty()) << sink_.rejects[0].message();
    return reader.summary();
  }

  ReadSummary ReadPath(const std::string& path, CollectingSink* sink) {
    CensusReader reader(Options(), sink);
    absl::Status status = reader.ReadFile(path);
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_TRUE(reader.summary().Balanced()) << reader.summary().Format();
    return reader.summary();
  }

  CollectingSink sink_;
};

// --- Census API JSON ----------------------------------------------------------------------

TEST_F(CensusReaderFormTest, ReadsApiJsonArrayOfArraysAndStampsTheRelease) {
  ReadSummary s = Read(
      R"([["CTY_CODE","NAICS_LDESC","GEN_VAL_MO","YEAR","MONTH","CTY_NAME","NAICS"],
 ["5830","PAPER","35471972","2024","01","TAIWAN","322"]])",
      "api.json");
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(s.accepted, 1);
  ASSERT_EQ(sink_.observations.size(), 1u);
  const TradeObservation& o = sink_.observations[0];
  EXPECT_EQ(o.flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(o.measure(), v1::MEASURE_GENERAL_IMPORTS);
  EXPECT_EQ(o.classification(), v1::CLASSIFICATION_NAICS);
  EXPECT_EQ(o.product_code(), "322");
  EXPECT_EQ(o.partner_code(), "5830");
  EXPECT_EQ(o.partner_name(), "TAIWAN");
  EXPECT_EQ(o.partner_kind(), v1::PARTNER_KIND_COUNTRY);
  EXPECT_EQ(o.period_yyyymm(), 202401);
  EXPECT_EQ(o.value_usd(), 35471972);
  EXPECT_EQ(o.vintage(), 202503);
  EXPECT_EQ(o.release_id(), "2025-03");
  EXPECT_EQ(o.source(), "api.json");
  EXPECT_EQ(o.source_line(), 2);
}

TEST_F(CensusReaderFormTest, EachObservationNamesTheFileAndLineItWasReadFrom) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer("time,CTY_CODE,CTY_NAME,NAICS,GEN_VAL_MO\n2024-01,5830,TAIWAN,3344,1\n"
                    "\n2024-02,5700,CHINA,3344,2\n",
                    "first.csv");
  reader.ReadBuffer("time,CTY_CODE,NAICS,GEN_VAL_MO\n2024-03,5830,3344,3\n", "second.csv");
  ASSERT_EQ(sink_.observations.size(), 3u);
  EXPECT_EQ(sink_.observations[0].source(), "first.csv");
  EXPECT_EQ(sink_.observations[0].source_line(), 2);
  EXPECT_EQ(sink_.observations[1].source(), "first.csv");
  EXPECT_EQ(sink_.observations[1].source_line(), 4);
  EXPECT_EQ(sink_.observations[1].partner_name(), "CHINA");
  EXPECT_EQ(sink_.observations[2].source(), "second.csv");
  EXPECT_EQ(sink_.observations[2].source_line(), 2);
  EXPECT_EQ(sink_.observations[2].partner_name(), "");  // no CTY_NAME column in this file
  EXPECT_EQ(sink_.observations[2].release_id(), "2025-03");
}

TEST_F(CensusReaderFormTest, ReadsApiJsonInAnyColumnOrder) {
  Read(R"([["NAICS","time","GEN_VAL_MO","CTY_NAME","CTY_CODE"],["3344","2024-05","77","TAIWAN","5830"]])",
       "a.json");
  CollectingSink first = sink_;
  sink_ = CollectingSink();
  Read(R"([["GEN_VAL_MO","CTY_CODE","CTY_NAME","time","NAICS"],["77","5830","TAIWAN","2024-05","3344"]])",
       "b.json");
  ASSERT_EQ(first.observations.size(), 1u);
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutSource(first.observations[0]), WithoutSource(sink_.observations[0])))
      << first.observations[0].DebugString() << sink_.observations[0].DebugString();
  EXPECT_EQ(sink_.observations[0].product_code(), "3344");
  EXPECT_EQ(sink_.observations[0].value_usd(), 77);
}

TEST_F(CensusReaderFormTest, UsesTheFirstOfTwoNaicsColumns) {
  Read("NAICS,CTY_CODE,CTY_NAME,GEN_VAL_MO,time,COMM_LVL,NAICS\n"
       "3344,5830,TAIWAN,130166,2021-01-01,NA4,334\n");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].product_code(), "3344");
}

TEST_F(CensusReaderFormTest, ReadsTimeAsYearMonthAndAsYearMonthDay) {
  Read("NAICS,CTY_CODE,GEN_VAL_MO,time\n3344,5830,1,2021-01-01\n3344,5830,2,2021-02\n"
       "3344,5830,3,2021-12-31\n");
  ASSERT_EQ(sink_.observations.size(), 3u);
  EXPECT_EQ(sink_.observations[0].period_yyyymm(), 202101);
  EXPECT_EQ(sink_.observations[1].period_yyyymm(), 202102);
  EXPECT_EQ(sink_.observations[2].period_yyyymm(), 202112);
}

TEST_F(CensusReaderFormTest, ReadsYearAndMonthColumnsWithAndWithoutLeadingZero) {
  Read("YEAR,MONTH,CTY_CODE,NAICS,GEN_VAL_MO\n2024,01,5830,334,1\n2024,2,5830,334,2\n"
       "2024,11,5830,334,3\n");
  ASSERT_EQ(sink_.observations.size(), 3u);
  EXPECT_EQ(sink_.observations[0].period_yyyymm(), 202401);
  EXPECT_EQ(sink_.observations[1].period_yyyymm(), 202402);
  EXPECT_EQ(sink_.observations[2].period_yyyymm(), 202411);
}

TEST_F(CensusReaderFormTest, EmptyTimeFallsBackToYearAndMonth) {
  Read("time,YEAR,MONTH,CTY_CODE,NAICS,GEN_VAL_MO\n,2024,3,5830,334,1\n");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].period_yyyymm(), 202403);
}

TEST_F(CensusReaderFormTest, ReadsGeneralImportsAndImportsForConsumptionFromOneRow) {
  ReadSummary s = Read(
      "NAICS,CTY_CODE,CTY_NAME,GEN_VAL_MO,GEN_VAL_YR,CON_VAL_MO,CON_VAL_YR,COMM_LVL,time\n"
      "3344,5830,TAIWAN,500,500,480,480,NA4,2024-01\n");
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(s.records, 2);
  EXPECT_EQ(s.accepted, 2);
  ASSERT_EQ(sink_.observations.size(), 2u);
  EXPECT_EQ(sink_.observations[0].flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(sink_.observations[0].measure(), v1::MEASURE_GENERAL_IMPORTS);
  EXPECT_EQ(sink_.observations[0].value_usd(), 500);
  EXPECT_EQ(sink_.observations[1].flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(sink_.observations[1].measure(), v1::MEASURE_IMPORTS_FOR_CONSUMPTION);
  EXPECT_EQ(sink_.observations[1].value_usd(), 480);
}

TEST_F(CensusReaderFormTest, ReadsImportsForConsumptionAlone) {
  Read("time,CTY_NAME,NAICS,NAICS_SDESC,CON_VAL_MO,CAL_DUT_MO\n"
       "2013-01,AUSTRALIA,334,\"NAICS CODE 334, COMPUTER & ELECTRONIC PRODUCTS\",28221796,45150\n");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].measure(), v1::MEASURE_IMPORTS_FOR_CONSUMPTION);
  EXPECT_EQ(sink_.observations[0].value_usd(), 28221796);  // not the duty column
  EXPECT_EQ(sink_.observations[0].partner_code(), "6021");
}

TEST_F(CensusReaderFormTest, ReadsExportsAsTotalExports) {
  Read("time,CTY_CODE,CTY_NAME,NAICS,NAICS_LDESC,ALL_VAL_MO\n"
       "2024-01,1010,GREENLAND,-,TOTAL FOR ALL NAICS,207774\n");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].flow(), v1::FLOW_EXPORTS);
  EXPECT_EQ(sink_.observations[0].measure(), v1::MEASURE_TOTAL_EXPORTS);
  EXPECT_EQ(sink_.observations[0].product_code(), "-");
  EXPECT_EQ(sink_.observations[0].value_usd(), 207774);
}

TEST_F(CensusReaderFormTest, ReadsTheCacheWrapperWithLinesOfThePrettyPrintedFile) {
  std::string path = std::string(kByCountry) + "raw_api_json/imports_statenaics_2024_taiwan.json";
  auto text = ReadFileContents(path);
  ASSERT_TRUE(text.ok()) << text.status();
  std::vector<std::string> lines = Lines(*text);
  ReadSummary s = ReadPath(path, &sink_);
  EXPECT_EQ(s.rejected_total(), 0) << s.Format();
  ASSERT_GT(sink_.observations.size(), 100u);
  EXPECT_EQ(s.accepted, static_cast<int64_t>(sink_.observations.size()));
  // Each row is pretty-printed one cell a line after its "[":
  // CTY_CODE, NAICS_LDESC, GEN_VAL_MO, YEAR, MONTH, CTY_NAME, NAICS.
  EXPECT_EQ(sink_.observations[0].source_line(), 28);
  for (const TradeObservation& o : sink_.observations) {
    int64_t line = o.source_line();
    ASSERT_GT(line, 0);
    ASSERT_LT(static_cast<size_t>(line + 7), lines.size() + 1);
    EXPECT_THAT(lines[line - 1], ::testing::MatchesRegex(" *\\[ *"));
    EXPECT_THAT(lines[line], HasSubstr(Cat("\"", o.partner_code(), "\"")));
    EXPECT_THAT(lines[line + 2], HasSubstr(Cat("\"", o.value_usd(), "\"")));
    EXPECT_THAT(lines[line + 6], HasSubstr(Cat("\"", o.product_code(), "\"")));
    EXPECT_EQ(o.source(), path);
  }
  EXPECT_EQ(sink_.observations[0].partner_code(), "5830");
  EXPECT_EQ(sink_.observations[0].product_code(), "322");
  EXPECT_EQ(sink_.observations[0].value_usd(), 35471972);
  EXPECT_EQ(sink_.observations[0].period_yyyymm(), 202401);
}

TEST_F(CensusReaderFormTest, ReadsJsonNullCellsAsEmpty) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer(
      R"([["time","CTY_CODE","CTY_NAME","NAICS","GEN_VAL_MO"],
["2024-01","5830",null,"3344","10"],
["2024-02","5830","TAIWAN","3344",null]])",
      "nulls.json");
  EXPECT_TRUE(reader.summary().Balanced());
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].partner_name(), "");
  EXPECT_EQ(sink_.observations[0].value_usd(), 10);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_NON_NUMERIC_VALUE);
  EXPECT_EQ(sink_.rejects[0].position().line(), 3);
  EXPECT_EQ(sink_.rejects[0].value(), "");
}

TEST_F(CensusReaderFormTest, ReadsJsonNumberCellsAsValues) {
  Read("[[\"time\",\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],[\"2024-01\",\"5830\",\"3344\",123]]",
       "n.json");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].value_usd(), 123);
}

TEST_F(CensusReaderFormTest, ReadsJsonNumberCellsOfPrettyPrintedJsonAsValues) {
  Read("[\n  [\n    \"time\",\n    \"CTY_CODE\",\n    \"NAICS\",\n    \"GEN_VAL_MO\"\n  ],\n"
       "  [\n    \"2024-01\",\n    \"5830\",\n    \"3344\",\n    123\n  ]\n]\n",
       "pretty.json");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].value_usd(), 123);
  EXPECT_EQ(sink_.observations[0].source_line(), 8);
}

TEST_F(CensusReaderFormTest, ReadsEscapedJsonStrings) {
  Read(R"([["time","CTY_CODE","CTY_NAME","NAICS","GEN_VAL_MO"],["2024-01","5800","KOREA, \"SOUTH\"","3344","5"]])",
       "esc.json");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].partner_name(), "KOREA, \"SOUTH\"");
}

// RFC 8259 lets a parser ignore a byte-order mark; the CSV path already does.
TEST_F(CensusReaderFormTest, ReadsJsonThatStartsWithAByteOrderMark) {
  Read("\xEF\xBB\xBF[[\"time\",\"CTY_CODE\",\"NAICS\",\"GEN_VAL_MO\"],"
       "[\"2024-01\",\"5830\",\"3344\",\"5\"]]",
       "bom.json");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].value_usd(), 5);
}

TEST_F(CensusReaderFormTest, ReadsCsvThatStartsWithAByteOrderMark) {
  Read("\xEF\xBB\xBFtime,CTY_CODE,NAICS,GEN_VAL_MO\n2024-01,5830,3344,5\n", "bom.csv");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].period_yyyymm(), 202401);
}

// --- CSV ----------------------------------------------------------------------------------

TEST_F(CensusReaderFormTest, ReadsQuotedNamesContainingCommas) {
  Read("time,CTY_CODE,CTY_NAME,NAICS,NAICS_LDESC,GEN_VAL_MO\n"
       "2024-01,5800,\"KOREA, SOUTH\",3344,\"SEMICONDUCTORS, OTHER\",1234\n");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].partner_name(), "KOREA, SOUTH");
  EXPECT_EQ(sink_.observations[0].partner_code(), "5800");
  EXPECT_EQ(sink_.observations[0].value_usd(), 1234);
}

TEST_F(CensusReaderFormTest, CrlfLineEndsGiveTheSameObservations) {
  std::string lf =
      "time,CTY_CODE,CTY_NAME,NAICS,NAICS_LDESC,GEN_VAL_MO\n"
      "2024-01,5800,\"KOREA, SOUTH\",3344,SEMIS,1234\n2024-02,5830,TAIWAN,3344,SEMIS,99\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  Read(lf);
  CollectingSink plain = sink_;
  sink_ = CollectingSink();
  Read(crlf);
  ASSERT_EQ(plain.observations.size(), 2u);
  ASSERT_EQ(sink_.observations.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(plain.observations[i],
                                                                   sink_.observations[i]))
        << sink_.observations[i].DebugString();
  }
}

TEST_F(CensusReaderFormTest, CrlfRejectsCarryTheRowWithoutTheLineEnd) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer("time,CTY_CODE,NAICS,GEN_VAL_MO\r\n2024-01,5830,3344,x\r\n", "crlf.csv");
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].raw(), "2024-01,5830,3344,x");
  EXPECT_EQ(sink_.rejects[0].value(), "x");
}

TEST_F(CensusReaderFormTest, GzipInputGivesTheSameObservationsAsThePlainFile) {
  std::string plain_path = std::string(kByCountry) + "census_imports_naics_3344.csv";
  auto text = ReadFileContents(plain_path);
  ASSERT_TRUE(text.ok()) << text.status();
  std::string gz_path = ::testing::TempDir() + "census_reader_forms_test_3344.csv.gz";
  {
    std::ofstream out(gz_path, std::ios::binary);
    std::string gz = GzipBytes(*text);
    out.write(gz.data(), static_cast<std::streamsize>(gz.size()));
  }
  CollectingSink plain;
  ReadSummary plain_summary = ReadPath(plain_path, &plain);
  CollectingSink gzipped;
  ReadSummary gz_summary = ReadPath(gz_path, &gzipped);
  std::remove(gz_path.c_str());
  EXPECT_EQ(plain_summary.Format(), gz_summary.Format());
  EXPECT_EQ(plain_summary.rows, 10341);
  ASSERT_EQ(plain.observations.size(), gzipped.observations.size());
  for (size_t i = 0; i < plain.observations.size(); ++i) {
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        WithoutSource(plain.observations[i]), WithoutSource(gzipped.observations[i])))
        << i;
    ASSERT_EQ(plain.observations[i].source_line(), gzipped.observations[i].source_line());
  }
  EXPECT_EQ(gzipped.observations[0].source(), gz_path);
}

// --- partners -----------------------------------------------------------------------------

TEST_F(CensusReaderFormTest, MapsPartnersGivenByNameOnlyToCodes) {
  ReadSummary s = Read(
      "time,CTY_NAME,NAICS,NAICS_SDESC,CON_VAL_MO,CAL_DUT_MO\n"
      "2024-01,\"KOREA, SOUTH\",334,X,1,0\n"
      "2024-02,KOREA SOUTH,334,X,2,0\n"
      "2024-01,TOTAL FOR ALL COUNTRIES,334,X,3,0\n"
      "2024-01,EUROPEAN UNION,334,X,4,0\n"
      "2024-01,USMCA (NAFTA),334,X,5,0\n"
      "2024-01,TAIWAN,334,X,6,0\n");
  ASSERT_EQ(sink_.observations.size(), 6u);
  std::vector<std::pair<std::string, v1::PartnerKind>> got;
  for (const auto& o : sink_.observations) got.emplace_back(o.partner_code(), o.partner_kind());
  EXPECT_THAT(got, ::testing::ElementsAre(
                       std::pair<std::string, v1::PartnerKind>("5800", v1::PARTNER_KIND_COUNTRY),
                       std::pair<std::string, v1::PartnerKind>("5800", v1::PARTNER_KIND_COUNTRY),
                       std::pair<std::string, v1::PartnerKind>("-", v1::PARTNER_KIND_TOTAL),
                       std::pair<std::string, v1::PartnerKind>("0003", v1::PARTNER_KIND_GROUP),
                       std::pair<std::string, v1::PartnerKind>("0020", v1::PARTNER_KIND_GROUP),
                       std::pair<std::string, v1::PartnerKind>("5830", v1::PARTNER_KIND_COUNTRY)));
  EXPECT_EQ(sink_.observations[1].partner_name(), "KOREA SOUTH");
  EXPECT_EQ(s.accepted, 3);
  EXPECT_EQ(s.aggregates, 3);
}

TEST_F(CensusReaderFormTest, PartnerCodeWinsOverNameWhenBothArePresent) {
  Read("time,CTY_CODE,CTY_NAME,NAICS,GEN_VAL_MO\n2024-01,5830,SOME OTHER NAME,3344,1\n");
  ASSERT_EQ(sink_.observations.size(), 1u);
  EXPECT_EQ(sink_.observations[0].partner_code(), "5830");
  EXPECT_EQ(sink_.observations[0].partner_name(), "SOME OTHER NAME");
}

TEST_F(CensusReaderFormTest, ClassifiesTotalGroupAndContinentRowsAsAggregates) {
  ReadSummary s = Read(
      "time,CTY_CODE,CTY_NAME,NAICS,GEN_VAL_MO\n"
      "2024-01,-,TOTAL FOR ALL COUNTRIES,3344,100\n"
      "2024-01,0003,EUROPEAN UNION,3344,10\n"
      "2024-01,0014,PACIFIC RIM COUNTRIES,3344,11\n"
      "2024-01,0028,CACM,3344,12\n"
      "2024-01,1XXX,NORTH AMERICA,3344,13\n"
      "2024-01,5XXX,ASIA,3344,50\n"
      "2024-01,7XXX,AFRICA,3344,1\n"
      "2024-01,5830,TAIWAN,3344,40\n");
  EXPECT_EQ(s.records, 8);
  EXPECT_EQ(s.aggregates, 7);
  EXPECT_EQ(s.accepted, 1);
  EXPECT_EQ(s.rejected_total(), 0);
  ASSERT_EQ(sink_.observations.size(), 8u);
  EXPECT_EQ(sink_.observations[0].partner_kind(), v1::PARTNER_KIND_TOTAL);
  EXPECT_EQ(sink_.observations[1].partner_kind(), v1::PARTNER_KIND_GROUP);
  EXPECT_EQ(sink_.observations[3].partner_kind(), v1::PARTNER_KIND_GROUP);
  EXPECT_EQ(sink_.observations[4].partner_kind(), v1::PARTNER_KIND_CONTINENT);
  EXPECT_EQ(sink_.observations[5].partner_kind(), v1::PARTNER_KIND_CONTINENT);
  EXPECT_EQ(sink_.observations[7].partner_kind(), v1::PARTNER_KIND_COUNTRY);
}

// --- world totals and ATP totals ----------------------------------------------------------

TEST_F(CensusReaderFormTest, ReadsWorldTotalsWithFlowFromItsColumnAndTheTotalPartner) {
  ReadSummary s = Read(
      "flow,dimension,category_code,category_desc,time,year,month,date,value_mo\n"
      "exports,naics,334,COMPUTER AND ELECTRONIC PRODUCTS,2016-01,2016,1,2016-01-01,15687886938\n"
      "imports,naics,334,COMPUTER AND ELECTRONIC PRODUCTS,2016-01,2016,01,2016-01-01,26735449780\n"
      "Imports,naics,31-33,MANUFACTURED GOODS,2016-01,2016,01,2016-01-01,120000000000\n");
  EXPECT_EQ(s.aggregates, 3);
  EXPECT_EQ(s.accepted, 0);
  ASSERT_EQ(sink_.observations.size(), 3u);
  const TradeObservation& exports = sink_.observations[0];
  EXPECT_EQ(exports.flow(), v1::FLOW_EXPORTS);
  EXPECT_EQ(exports.measure(), v1::MEASURE_TOTAL_EXPORTS);
  EXPECT_EQ(exports.partner_code(), "-");
  EXPECT_EQ(exports.partner_kind(), v1::PARTNER_KIND_TOTAL);
  EXPECT_EQ(exports.classification(), v1::CLASSIFICATION_NAICS);
  EXPECT_EQ(exports.product_code(), "334");
  EXPECT_EQ(exports.period_yyyymm(), 201601);
  EXPECT_EQ(exports.value_usd(), 15687886938);
  EXPECT_EQ(sink_.observations[1].flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(sink_.observations[1].measure(), v1::MEASURE_GENERAL_IMPORTS);
  EXPECT_EQ(sink_.observations[2].product_code(), "31-33");
}

TEST_F(CensusReaderFormTest, ReadsAtpTotalsInMillionsAsExactDollarsTwoPerRow) {
  ReadSummary s = Read(
      "year,month,census_cty_code,ctyname,imports_musd,exports_musd,source_commit\n"
      "2013,1,0007,Advanced Technology Products,31281.4,23980.5,31caa71f\n"
      "2013,2,0007,Advanced Technology Products,27902.6,22651.1,31caa71f\n");
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.records, 4);
  EXPECT_EQ(s.aggregates, 4);
  ASSERT_EQ(sink_.observations.size(), 4u);
  const TradeObservation& imports = sink_.observations[0];
  EXPECT_EQ(imports.flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(imports.measure(), v1::MEASURE_GENERAL_IMPORTS);
  EXPECT_EQ(imports.classification(), v1::CLASSIFICATION_HITECH);
  EXPECT_EQ(imports.product_code(), "ATP");
  EXPECT_EQ(imports.partner_code(), "-");
  EXPECT_EQ(imports.period_yyyymm(), 201301);
  EXPECT_EQ(imports.value_usd(), 31281400000);
  const TradeObservation& exports = sink_.observations[1];
  EXPECT_EQ(exports.flow(), v1::FLOW_EXPORTS);
  EXPECT_EQ(exports.measure(), v1::MEASURE_TOTAL_EXPORTS);
  EXPECT_EQ(exports.value_usd(), 23980500000);
  EXPECT_EQ(sink_.observations[2].value_usd(), 27902600000);
  EXPECT_EQ(sink_.observations[3].value_usd(), 22651100000);
  EXPECT_EQ(sink_.observations[3].period_yyyymm(), 201302);
}

// --- HITECH (Advanced Technology Products), format of census_atp/PROVENANCE.md section B ----

TEST_F(CensusReaderFormTest, ReadsHitechImportsWithBlankCodeAsAllCommodities) {
  ReadSummary s = ReadPath(kTestdata + "hitech_imports_total_2017.csv", &sink_);
  EXPECT_EQ(s.rows, 9);
  EXPECT_EQ(s.records, 9);  // GEN_VAL_YR is not a value column
  EXPECT_EQ(s.aggregates, 9);
  EXPECT_EQ(s.rejected_total(), 0) << s.Format();
  std::map<std::pair<std::string, int32_t>, int64_t> value;
  for (const auto& o : sink_.observations) {
    EXPECT_EQ(o.classification(), v1::CLASSIFICATION_HITECH);
    EXPECT_EQ(o.flow(), v1::FLOW_IMPORTS);
    EXPECT_EQ(o.measure(), v1::MEASURE_GENERAL_IMPORTS);
    EXPECT_EQ(o.partner_code(), "-");
    EXPECT_EQ(o.partner_kind(), v1::PARTNER_KIND_TOTAL);
    value[{o.product_code(), o.period_yyyymm()}] = o.value_usd();
  }
  EXPECT_EQ((value[{"-", 201701}]), 185671930029);
  EXPECT_EQ((value[{"-", 201712}]), 200284506369);
  EXPECT_EQ((value[{"00", 201701}]), 151141435694);
  EXPECT_EQ((value[{"01", 201712}]), 2656357435);
  EXPECT_EQ((value[{"03", 201702}]), 1146456670);
  // ATP = all commodities - not advanced technology.
  EXPECT_EQ((value[{"-", 201712}]) - (value[{"00", 201712}]), 43854246859);
}

TEST_F(CensusReaderFormTest, ReadsHitechExportsByCountryFromApiJson) {
  ReadSummary s = ReadPath(kTestdata + "hitech_exports_by_country.json", &sink_);
  EXPECT_EQ(s.rows, 8);
  EXPECT_EQ(s.accepted, 6);
  EXPECT_EQ(s.aggregates, 2);
  EXPECT_EQ(s.rejected_total(), 0) << s.Format();
  ASSERT_EQ(sink_.observations.size(), 8u);
  std::vector<std::string> codes;
  for (const auto& o : sink_.observations) {
    EXPECT_EQ(o.classification(), v1::CLASSIFICATION_HITECH);
    EXPECT_EQ(o.flow(), v1::FLOW_EXPORTS);
    EXPECT_EQ(o.measure(), v1::MEASURE_TOTAL_EXPORTS);
    EXPECT_EQ(o.period_yyyymm(), 202401);
    codes.push_back(o.product_code());
  }
  EXPECT_THAT(codes, ::testing::ElementsAre("-", "00", "04", "05", "10", "05", "05", "05"));
  EXPECT_EQ(sink_.observations[3].value_usd(), 900000000);
  EXPECT_EQ(sink_.observations[4].value_usd(), 0);
  EXPECT_EQ(sink_.observations[5].partner_code(), "5800");
  EXPECT_EQ(sink_.observations[6].partner_kind(), v1::PARTNER_KIND_GROUP);
  EXPECT_EQ(sink_.observations[7].partner_kind(), v1::PARTNER_KIND_CONTINENT);
}

TEST_F(CensusReaderFormTest, HitechAndNaicsOfTheSameCodeAreDifferentIdentities) {
  CensusReader reader(Options(), &sink_);
  reader.ReadBuffer("CTY_CODE,HITECH,GEN_VAL_MO,time\n5830,05,10,2024-01\n", "h.csv");
  reader.ReadBuffer("CTY_CODE,NAICS,GEN_VAL_MO,time\n5830,05,20,2024-01\n", "n.csv");
  EXPECT_EQ(reader.summary().accepted, 2);
  EXPECT_EQ(reader.summary().duplicates, 0);
  EXPECT_TRUE(sink_.rejects.empty());
}

}  // namespace
}  // namespace tradewatch::ingest
