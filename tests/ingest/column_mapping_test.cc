#include "ingest/column_mapping.h"

#include <string>
#include <vector>

#include "common/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/ingest_support.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/csv_reader.h"
#include "ingest/record_sink.h"

namespace tradewatch::ingest {
namespace {

using testing::Cat;
using testing::Countries;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using tradewatch::v1::ColumnMapping;

const std::string kTestdata = std::string(TRADEWATCH_SOURCE_DIR) + "/tests/testdata/ingest/";
constexpr char kShared[] = "../shared/data/";


std::vector<std::string> Split(std::string_view header) {
  CsvReader reader(header);
  CsvRecord record;
  EXPECT_TRUE(reader.Next(&record));
  return std::vector<std::string>(record.fields.begin(), record.fields.end());
}

// The header row of a real data file.
std::vector<std::string> HeaderOf(const std::string& path) {
  auto text = ReadFileContents(path);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return {};
  return Split(text->substr(0, text->find('\n')));
}

std::string DetectedName(const std::vector<std::string>& header) {
  const ColumnMapping* m = DetectMapping(header);
  return m == nullptr ? "<none>" : m->name();
}

// A mapping that passes ValidateMapping, for the negative tests to break one field of.
ColumnMapping ValidMapping() {
  ColumnMapping m;
  m.set_name("sheet");
  m.set_product_column("product");
  m.set_partner_code_column("partner");
  m.set_period_column("month");
  auto* v = m.add_value_columns();
  v->set_column("imports");
  v->set_flow(v1::FLOW_IMPORTS);
  return m;
}

TEST(ColumnMappingTest, BuiltinsInDetectionOrder) {
  std::vector<std::string> names;
  for (const auto& m : BuiltinMappings()) names.push_back(m.name());
  EXPECT_THAT(names,
              ElementsAre("census_hitech", "census", "census_world_totals", "census_atp_totals"));
}

TEST(ColumnMappingTest, EveryBuiltinIsValid) {
  for (const auto& m : BuiltinMappings()) {
    EXPECT_TRUE(ValidateMapping(m).ok()) << m.name() << ": " << ValidateMapping(m);
  }
}

TEST(ColumnMappingTest, FindsBuiltinsByName) {
  ASSERT_NE(FindBuiltinMapping("census"), nullptr);
  EXPECT_EQ(FindBuiltinMapping("census")->product_column(), "NAICS");
  ASSERT_NE(FindBuiltinMapping("census_atp_totals"), nullptr);
  EXPECT_EQ(FindBuiltinMapping("no_such_mapping"), nullptr);
}

TEST(ColumnMappingTest, DetectsCensusForNaicsApiHeaders) {
  EXPECT_EQ(DetectedName(Split("CTY_CODE,NAICS_LDESC,GEN_VAL_MO,YEAR,MONTH,CTY_NAME,NAICS")),
            "census");
  EXPECT_EQ(DetectedName(HeaderOf(std::string(kShared) +
                                  "census_naics_by_country/census_imports_naics_3344.csv")),
            "census");
  EXPECT_EQ(DetectedName(HeaderOf(std::string(kShared) +
                                  "census_naics_by_country/"
                                  "census_exports_naics2to4_by_country_2024_monthly.csv.gz")),
            "census");
  EXPECT_EQ(DetectedName(HeaderOf(std::string(kShared) +
                                  "census_naics3_by_country_2013_2025/"
                                  "census_imports_naics334_top30_countries_monthly_2013-01_2025-"
                                  "11.csv")),
            "census");
}

TEST(ColumnMappingTest, DetectsCensusHitechForHitechHeaders) {
  EXPECT_EQ(DetectedName(Split("CTY_CODE,CTY_NAME,HITECH,HITECH_DESC,GEN_VAL_MO,GEN_VAL_YR,time")),
            "census_hitech");
}

TEST(ColumnMappingTest, DetectsWorldTotalsForBothColumnOrders) {
  EXPECT_EQ(DetectedName(HeaderOf(std::string(kShared) +
                                  "census_naics_world_totals/census_imports_naics_2016_2024.csv.gz")),
            "census_world_totals");
  EXPECT_EQ(DetectedName(HeaderOf(
                std::string(kShared) +
                "census_naics_world_totals/census_exports_naics_3digit_2016_2024.csv.gz")),
            "census_world_totals");
}

TEST(ColumnMappingTest, DetectsAtpTotals) {
  EXPECT_EQ(DetectedName(HeaderOf(std::string(kShared) +
                                  "census_atp/census_atp_total_monthly_2013_2026.csv")),
            "census_atp_totals");
}

TEST(ColumnMappingTest, DetectsNothingForOtherTables) {
  EXPECT_EQ(DetectMapping(HeaderOf(std::string(kShared) +
                                   "census_naics_by_country/hs_component_imports.csv")),
            nullptr);
  EXPECT_EQ(DetectMapping(HeaderOf(std::string(kShared) +
                                   "census_naics_by_country/fred_price_indexes_3344.csv")),
            nullptr);
  EXPECT_EQ(DetectMapping(HeaderOf(std::string(kShared) +
                                   "census_atp/census_atp_total_annual_2013_2025.csv")),
            nullptr);
  EXPECT_EQ(DetectMapping({}), nullptr);
  // Only part of a signature is not enough.
  EXPECT_EQ(DetectMapping(Split("category_code,value_mo,time")), nullptr);
  EXPECT_EQ(DetectMapping(Split("year,month,imports_musd")), nullptr);
}

TEST(ColumnMappingTest, WorldTotalsTakeTheFlowFromItsColumnAndFixThePartnerToTheTotal) {
  const ColumnMapping* m = FindBuiltinMapping("census_world_totals");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->flow_column(), "flow");
  EXPECT_EQ(m->fixed_partner_code(), "-");
  ASSERT_EQ(m->value_columns_size(), 1);
  EXPECT_EQ(m->value_columns(0).flow(), v1::FLOW_UNSPECIFIED);
  EXPECT_EQ(m->classification_column(), "dimension");
}

TEST(ColumnMappingTest, ValidateRequiresAProduct) {
  ColumnMapping m = ValidMapping();
  m.clear_product_column();
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("'sheet'"));
  EXPECT_THAT(status.message(), HasSubstr("product_column"));
  m.set_fixed_product_code("ATP");
  EXPECT_TRUE(ValidateMapping(m).ok());
}

TEST(ColumnMappingTest, ValidateRequiresAPartner) {
  ColumnMapping m = ValidMapping();
  m.clear_partner_code_column();
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("partner_code_column"));
  m.set_partner_name_column("CTY_NAME");
  EXPECT_TRUE(ValidateMapping(m).ok());
  m.clear_partner_name_column();
  m.set_fixed_partner_code("-");
  EXPECT_TRUE(ValidateMapping(m).ok());
}

TEST(ColumnMappingTest, ValidateRequiresAPeriodOrBothYearAndMonth) {
  ColumnMapping m = ValidMapping();
  m.clear_period_column();
  m.set_year_column("year");
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("period_column"));
  m.set_month_column("month");
  EXPECT_TRUE(ValidateMapping(m).ok());
}

TEST(ColumnMappingTest, ValidateRequiresAValueColumn) {
  ColumnMapping m = ValidMapping();
  m.clear_value_columns();
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("value_columns"));
}

TEST(ColumnMappingTest, ValidateRejectsValueColumnWithoutName) {
  ColumnMapping m = ValidMapping();
  m.add_value_columns()->set_flow(v1::FLOW_EXPORTS);
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("value_columns[1].column"));
}

TEST(ColumnMappingTest, ValidateRejectsValueWithoutFlowWhenThereIsNoFlowColumn) {
  ColumnMapping m = ValidMapping();
  m.mutable_value_columns(0)->set_flow(v1::FLOW_UNSPECIFIED);
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("value_columns[0]"));
  EXPECT_THAT(status.message(), HasSubstr("flow_column"));
  m.set_flow_column("flow");
  EXPECT_TRUE(ValidateMapping(m).ok());
}

TEST(ColumnMappingTest, ValidateRejectsNegativeScale) {
  ColumnMapping m = ValidMapping();
  m.mutable_value_columns(0)->set_scale_to_usd(-1000);
  absl::Status status = ValidateMapping(m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("scale_to_usd"));
}

TEST(ColumnMappingTest, LoadsAMappingFromYaml) {
  auto m = LoadMappingFile(kTestdata + "partner_sheet_mapping.yaml");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->name(), "partner_sheet");
  EXPECT_EQ(m->product_column(), "product");
  EXPECT_EQ(m->partner_code_column(), "partner_code");
  EXPECT_EQ(m->partner_name_column(), "partner");
  EXPECT_EQ(m->period_column(), "month");
  ASSERT_EQ(m->value_columns_size(), 2);
  EXPECT_EQ(m->value_columns(0).column(), "imports_kusd");
  EXPECT_EQ(m->value_columns(0).scale_to_usd(), 1000);
  EXPECT_EQ(m->value_columns(1).flow(), v1::FLOW_EXPORTS);
}

TEST(ColumnMappingTest, ReaderUsesAYamlMappingForATableWithOtherColumnNames) {
  auto m = LoadMappingFile(kTestdata + "partner_sheet_mapping.yaml");
  ASSERT_TRUE(m.ok()) << m.status();
  ReadOptions options;
  options.countries = &Countries();
  options.release_id = "sheet";
  options.mapping = *m;
  CollectingSink sink;
  CensusReader reader(options, &sink);
  ASSERT_TRUE(reader.ReadFile(kTestdata + "partner_sheet.csv").ok());
  const ReadSummary& s = reader.summary();
  EXPECT_TRUE(s.Balanced()) << s.Format();
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.records, 6);
  EXPECT_EQ(s.accepted, 4);
  EXPECT_EQ(s.aggregates, 2);
  EXPECT_EQ(s.rejected_total(), 0) << s.Format();
  ASSERT_EQ(sink.observations.size(), 6u);
  const auto& taiwan_imports = sink.observations[0];
  EXPECT_EQ(taiwan_imports.partner_code(), "5830");
  EXPECT_EQ(taiwan_imports.product_code(), "3344");
  EXPECT_EQ(taiwan_imports.flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(taiwan_imports.measure(), v1::MEASURE_GENERAL_IMPORTS);
  EXPECT_EQ(taiwan_imports.period_yyyymm(), 202401);
  EXPECT_EQ(taiwan_imports.value_usd(), 1500500);
  EXPECT_EQ(sink.observations[1].flow(), v1::FLOW_EXPORTS);
  EXPECT_EQ(sink.observations[1].measure(), v1::MEASURE_TOTAL_EXPORTS);
  EXPECT_EQ(sink.observations[1].value_usd(), 20000);
  EXPECT_EQ(sink.observations[2].partner_name(), "Korea, South");
  EXPECT_EQ(sink.observations[3].value_usd(), 12250);
  EXPECT_EQ(sink.observations[4].partner_kind(), v1::PARTNER_KIND_GROUP);
}

TEST(ColumnMappingTest, YamlUnknownKeyIsAnErrorNamingTheFileAndKey) {
  std::string path = kTestdata + "mapping_unknown_key.yaml";
  auto m = LoadMappingFile(path);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr(path));
  EXPECT_THAT(m.status().message(), HasSubstr("partner_column"));
}

TEST(ColumnMappingTest, YamlWrongTypeIsAnErrorNamingTheFile) {
  std::string path = kTestdata + "mapping_wrong_type.yaml";
  auto m = LoadMappingFile(path);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr(path));
}

TEST(ColumnMappingTest, InvalidMappingFromYamlIsAnErrorNamingTheFile) {
  std::string path = kTestdata + "mapping_no_values.yaml";
  auto m = LoadMappingFile(path);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr(path));  // unnamed: the mapping takes the path
  EXPECT_THAT(m.status().message(), HasSubstr("value_columns"));
}

TEST(ColumnMappingTest, MissingMappingFileNamesThePath) {
  auto m = LoadMappingFile(kTestdata + "no_such_mapping.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("no_such_mapping.yaml"));
}

}  // namespace
}  // namespace tradewatch::ingest
