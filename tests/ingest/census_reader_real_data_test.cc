// The CensusReader over the real Census tables in ../shared/data: every file accounts for every
// row, every reject names its file, and the known rejects of the real data are what they are.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/ingest_support.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/record_sink.h"

namespace tradewatch::ingest {
namespace {

using testing::Cat;
using testing::Countries;


using ::testing::HasSubstr;

constexpr char kByCountry[] = "../shared/data/census_naics_by_country/";
constexpr char kNaics3[] = "../shared/data/census_naics3_by_country_2013_2025/";
constexpr char kWorld[] = "../shared/data/census_naics_world_totals/";
constexpr char kAtp[] = "../shared/data/census_atp/";


// Counts observations, keeps rejects and checks each one names its file as it arrives.
class CheckingSink : public RecordSink {
 public:
  void OnObservation(const v1::TradeObservation& o) override {
    ++observations;
    ++by_kind[o.partner_kind()];
    partners.insert(o.partner_code());
    if (observations == 1) first = o;
    if (o.value_usd() < 0) ++negative;
  }
  void OnReject(const v1::RejectedRecord& r) override { rejects.push_back(r); }

  int64_t observations = 0;
  int64_t negative = 0;
  std::map<v1::PartnerKind, int64_t> by_kind;
  std::set<std::string> partners;
  v1::TradeObservation first;
  std::vector<v1::RejectedRecord> rejects;
};

struct FileRead {
  ReadSummary summary;
  CheckingSink sink;
};

// Reads one real file as its own release and checks the accounting that holds for every file.
void ReadRealFile(const std::string& path, FileRead* out) {
  ReadOptions options;
  options.countries = &Countries();
  options.release_id = path;
  CensusReader reader(options, &out->sink);
  absl::Status status = reader.ReadFile(path);
  ASSERT_TRUE(status.ok()) << status;
  out->summary = reader.summary();
  const ReadSummary& s = out->summary;
  EXPECT_TRUE(s.Balanced()) << path << ": " << s.Format();
  EXPECT_GT(s.rows, 0) << path;
  EXPECT_EQ(s.accepted + s.aggregates, out->sink.observations) << path;
  EXPECT_EQ(s.rejected_total(), static_cast<int64_t>(out->sink.rejects.size())) << path;
  EXPECT_EQ(out->sink.by_kind[v1::PARTNER_KIND_COUNTRY], s.accepted) << path;
  EXPECT_EQ(out->sink.negative, 0) << path;
  for (const auto& r : out->sink.rejects) {
    ASSERT_FALSE(r.message().empty()) << path;
    ASSERT_THAT(r.message(), HasSubstr(Cat(path, ":", r.position().line(), ":")));
    ASSERT_EQ(r.position().source(), path);
    ASSERT_GT(r.position().line(), 1) << r.message();
    ASSERT_FALSE(r.raw().empty()) << r.message();
  }
}

std::map<std::string, int64_t> RejectedValues(const FileRead& read) {
  std::map<std::string, int64_t> values;
  for (const auto& r : read.sink.rejects) ++values[Cat(r.value(), " ", r.position().column())];
  return values;
}

// Every file of census_naics_by_country the readers take: CSV, gzip CSV and raw API JSON.
std::vector<std::string> ByCountryFiles() {
  std::vector<std::string> files;
  for (const auto& dir : {std::string(kByCountry), std::string(kByCountry) + "raw_api_json/"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::string name = entry.path().filename().string();
      auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() &&
               name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      if (ends(".csv") || ends(".csv.gz") || ends(".json")) files.push_back(dir + name);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CensusReaderRealDataTest, FindsEveryTableOfTheByCountryFolder) {
  EXPECT_EQ(ByCountryFiles().size(), 9u + 15u);
}

TEST(CensusReaderRealDataTest, EveryByCountryFileBalancesAndEveryRejectNamesItsFile) {
  ReadSummary all;
  for (const std::string& path : ByCountryFiles()) {
    SCOPED_TRACE(path);
    FileRead read;
    ReadRealFile(path, &read);
    all.Merge(read.summary);
    bool census = path.find("hs_component") == std::string::npos &&
                  path.find("fred_price") == std::string::npos;
    if (census) {
      EXPECT_GT(read.summary.accepted, 0) << read.summary.Format();
      EXPECT_EQ(read.summary.rejected.count(v1::REJECT_REASON_MISSING_COLUMN), 0u)
          << read.summary.Format();
      EXPECT_EQ(read.summary.rejected.count(v1::REJECT_REASON_MALFORMED_RECORD), 0u)
          << read.summary.Format();
    }
  }
  EXPECT_TRUE(all.Balanced()) << all.Format();
}

TEST(CensusReaderRealDataTest, HsComponentImportsHaveNoNaicsMappingSoEveryRowIsMissingColumn) {
  FileRead read;
  ReadRealFile(std::string(kByCountry) + "hs_component_imports.csv", &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 24995);
  EXPECT_EQ(s.records, s.rows);
  EXPECT_EQ(s.accepted + s.aggregates, 0);
  ASSERT_EQ(s.rejected.size(), 1u) << s.Format();
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), s.rows);
  EXPECT_THAT(read.sink.rejects[0].message(), HasSubstr("no column mapping fits"));
}

TEST(CensusReaderRealDataTest, FredPriceIndexesHaveNoMappingSoEveryRowIsMissingColumn) {
  FileRead read;
  ReadRealFile(std::string(kByCountry) + "fred_price_indexes_3344.csv", &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 494);
  EXPECT_EQ(s.accepted + s.aggregates, 0);
  ASSERT_EQ(s.rejected.size(), 1u) << s.Format();
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), s.rows);
}

TEST(CensusReaderRealDataTest, Naics3344ImportsReadCompletelyWithoutRejects) {
  FileRead read;
  ReadRealFile(std::string(kByCountry) + "census_imports_naics_3344.csv", &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 10341);
  EXPECT_EQ(s.records, 10341);
  EXPECT_EQ(s.rejected_total(), 0) << s.Format();
  EXPECT_EQ(s.duplicates, 0);
  EXPECT_GT(s.aggregates, 0);                              // groups and continents
  EXPECT_EQ(read.sink.by_kind[v1::PARTNER_KIND_TOTAL], 0);  // the script dropped the total
  EXPECT_EQ(read.sink.first.product_code(), "3344");
  EXPECT_EQ(read.sink.first.partner_code(), "5200");
  EXPECT_EQ(read.sink.first.period_yyyymm(), 202101);
  EXPECT_EQ(read.sink.first.value_usd(), 130166);
}

TEST(CensusReaderRealDataTest, SelectedMonths2010To2025RejectNetherlandsAntillesAndOldSudan) {
  FileRead read;
  ReadRealFile(std::string(kByCountry) +
                   "census_imports_naics334family_all_countries_selected_months_2010-2025.csv",
               &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 35667);
  ASSERT_EQ(s.rejected.size(), 1u) << s.Format();
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_UNKNOWN_PARTNER), 12);
  EXPECT_THAT(RejectedValues(read),
              ::testing::ElementsAre(std::pair<const std::string, int64_t>("2771 CTY_CODE", 10),
                                     std::pair<const std::string, int64_t>("7320 CTY_CODE", 2)));
  for (const auto& r : read.sink.rejects) {
    EXPECT_THAT(r.raw(), ::testing::StartsWith("2010-03,"));
    EXPECT_THAT(r.raw(), ::testing::AnyOf(HasSubstr("NETHERLANDS ANTILLES"), HasSubstr("SUDAN")));
  }
  EXPECT_GT(read.sink.by_kind[v1::PARTNER_KIND_TOTAL], 0);
}

TEST(CensusReaderRealDataTest, AllNaicsSelectedMonthsRejectOnlyNetherlandsAntillesAndOldSudan) {
  FileRead read;
  ReadRealFile(std::string(kByCountry) +
                   "census_imports_naics2to4_all_countries_selected_months_2010-2025.csv.gz",
               &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 389005);
  ASSERT_EQ(s.rejected.size(), 1u) << s.Format();
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_UNKNOWN_PARTNER), 77);
  EXPECT_THAT(RejectedValues(read),
              ::testing::ElementsAre(std::pair<const std::string, int64_t>("2771 CTY_CODE", 69),
                                     std::pair<const std::string, int64_t>("7320 CTY_CODE", 8)));
}

TEST(CensusReaderRealDataTest, Statenaics2024FilesReadWithoutRejects) {
  for (const char* name : {"census_imports_naics2to4_by_country_2024_monthly.csv.gz",
                           "census_exports_naics2to4_by_country_2024_monthly.csv.gz",
                           "census_imports_naics334family_by_country_2024_monthly.csv",
                           "census_exports_naics334family_by_country_2024_monthly.csv"}) {
    SCOPED_TRACE(name);
    FileRead read;
    ReadRealFile(std::string(kByCountry) + name, &read);
    EXPECT_EQ(read.summary.rejected_total(), 0) << read.summary.Format();
    EXPECT_EQ(read.summary.duplicates, 0) << read.summary.Format();
  }
}

TEST(CensusReaderRealDataTest, Statenaics2024RowCountsMatchTheProvenance) {
  const std::map<std::string, int64_t> rows = {
      {"census_imports_naics2to4_by_country_2024_monthly.csv.gz", 192809},
      {"census_exports_naics2to4_by_country_2024_monthly.csv.gz", 241669},
      {"census_imports_naics334family_by_country_2024_monthly.csv", 16776},
      {"census_exports_naics334family_by_country_2024_monthly.csv", 20910}};
  for (const auto& [name, expected] : rows) {
    FileRead read;
    ReadRealFile(std::string(kByCountry) + name, &read);
    EXPECT_EQ(read.summary.rows, expected) << name;
  }
}

TEST(CensusReaderRealDataTest, RawApiJsonFilesReadWithoutRejects) {
  for (const std::string& path : ByCountryFiles()) {
    if (path.find("raw_api_json") == std::string::npos) continue;
    SCOPED_TRACE(path);
    FileRead read;
    ReadRealFile(path, &read);
    EXPECT_EQ(read.summary.rejected_total(), 0) << read.summary.Format();
    EXPECT_GT(read.summary.accepted, 0);
  }
}

TEST(CensusReaderRealDataTest, Naics3TopPartnersMapEveryNameToACode) {
  for (const char* name : {"census_imports_naics334_top30_countries_monthly_2013-01_2025-11.csv",
                           "census_imports_naics3_top30_countries_monthly_2013-01_2025-11.csv.gz"}) {
    SCOPED_TRACE(name);
    FileRead read;
    ReadRealFile(std::string(kNaics3) + name, &read);
    const ReadSummary& s = read.summary;
    EXPECT_EQ(s.rejected_total(), 0) << s.Format();
    EXPECT_EQ(read.sink.partners.size(), 33u);  // 30 countries, the total, EU and USMCA
    EXPECT_TRUE(read.sink.partners.count("-"));
    EXPECT_TRUE(read.sink.partners.count("0003"));
    EXPECT_TRUE(read.sink.partners.count("0020"));
    EXPECT_TRUE(read.sink.partners.count("5800"));  // KOREA SOUTH
    EXPECT_EQ(read.sink.by_kind[v1::PARTNER_KIND_TOTAL] + read.sink.by_kind[v1::PARTNER_KIND_GROUP],
              s.aggregates);
  }
}

TEST(CensusReaderRealDataTest, Naics3RowCountsMatchTheProvenance) {
  FileRead small;
  ReadRealFile(std::string(kNaics3) +
                   "census_imports_naics334_top30_countries_monthly_2013-01_2025-11.csv",
               &small);
  EXPECT_EQ(small.summary.rows, 5115);
  EXPECT_EQ(small.sink.first.measure(), v1::MEASURE_IMPORTS_FOR_CONSUMPTION);
  FileRead big;
  ReadRealFile(std::string(kNaics3) +
                   "census_imports_naics3_top30_countries_monthly_2013-01_2025-11.csv.gz",
               &big);
  EXPECT_EQ(big.summary.rows, 162186);
}

TEST(CensusReaderRealDataTest, WorldTotalsImportsAndExportsAreTotalAggregates) {
  for (const auto& [name, rows] :
       std::vector<std::pair<std::string, int64_t>>{{"census_imports_naics_2016_2024.csv.gz", 82868},
                                                    {"census_exports_naics_3digit_2016_2024.csv.gz", 3384}}) {
    SCOPED_TRACE(name);
    FileRead read;
    ReadRealFile(std::string(kWorld) + name, &read);
    const ReadSummary& s = read.summary;
    EXPECT_EQ(s.rows, rows);
    EXPECT_EQ(s.rejected_total(), 0) << s.Format();
    EXPECT_EQ(s.accepted, 0);
    EXPECT_EQ(read.sink.by_kind[v1::PARTNER_KIND_TOTAL], s.records - s.duplicates);
  }
}

TEST(CensusReaderRealDataTest, WorldTotalsEndUseRowsAreAllUnsupportedClassification) {
  FileRead read;
  ReadRealFile(std::string(kWorld) + "census_trade_enduse_2016_2024.csv.gz", &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 31663);
  EXPECT_EQ(s.accepted + s.aggregates, 0);
  ASSERT_EQ(s.rejected.size(), 1u) << s.Format();
  EXPECT_EQ(s.rejected.at(v1::REJECT_REASON_UNSUPPORTED_CLASSIFICATION), s.rows);
  EXPECT_EQ(read.sink.rejects[0].value(), "enduse");
  EXPECT_EQ(read.sink.rejects[0].position().column(), "dimension");
}

TEST(CensusReaderRealDataTest, AtpMonthlyTotalsGiveImportsAndExportsForEveryMonth) {
  FileRead read;
  ReadRealFile(std::string(kAtp) + "census_atp_total_monthly_2013_2026.csv", &read);
  const ReadSummary& s = read.summary;
  EXPECT_EQ(s.rows, 164);
  EXPECT_EQ(s.records, 328);
  EXPECT_EQ(s.aggregates, 328);
  EXPECT_EQ(s.rejected_total(), 0) << s.Format();
  EXPECT_EQ(read.sink.first.value_usd(), 31281400000);
  EXPECT_EQ(read.sink.first.product_code(), "ATP");
  EXPECT_EQ(read.sink.first.period_yyyymm(), 201301);
}

TEST(CensusReaderRealDataTest, AtpAnnualTotalsHaveNoMappingSoEveryRowIsMissingColumn) {
  FileRead read;
  ReadRealFile(std::string(kAtp) + "census_atp_total_annual_2013_2025.csv", &read);
  EXPECT_EQ(read.summary.rows, 13);
  EXPECT_EQ(read.summary.rejected.at(v1::REJECT_REASON_MISSING_COLUMN), 13);
}

TEST(CensusReaderRealDataTest, ThePlainAndGzip334FamilyFilesOverlapAsExactDuplicatesInOneRelease) {
  // The 334-family CSV is a filter of the 2-4 digit gzip file: read as one release, each of its
  // rows is an exact duplicate of one already read.
  ReadOptions options;
  options.countries = &Countries();
  options.release_id = "2024";
  CheckingSink sink;
  CensusReader reader(options, &sink);
  ASSERT_TRUE(reader.ReadFile(std::string(kByCountry) +
                              "census_imports_naics2to4_by_country_2024_monthly.csv.gz")
                  .ok());
  ASSERT_TRUE(reader.ReadFile(std::string(kByCountry) +
                              "census_imports_naics334family_by_country_2024_monthly.csv")
                  .ok());
  const ReadSummary& last = reader.last_file_summary();
  EXPECT_TRUE(reader.summary().Balanced()) << reader.summary().Format();
  EXPECT_EQ(last.rows, 16776);
  EXPECT_EQ(last.duplicates, 16776) << last.Format();
  EXPECT_EQ(last.accepted + last.aggregates, 0);
}

}  // namespace
}  // namespace tradewatch::ingest
