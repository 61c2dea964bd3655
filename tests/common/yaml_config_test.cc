#include "common/yaml_config.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tradewatch/v1/config.pb.h"

namespace tradewatch {
namespace {

using ::testing::HasSubstr;
using tradewatch::v1::ColumnMapping;
using tradewatch::v1::RegionTable;

TEST(YamlConfigTest, ParsesStringsEnumsNumbersListsAndMaps) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto(R"(
name: atp_totals
fixed_product_code: ATP
classification: CLASSIFICATION_HITECH
fixed_partner_code: "-"
year_column: year
month_column: month
value_columns:
  - column: imports_musd
    flow: FLOW_IMPORTS
    scale_to_usd: 1000000
  - column: exports_musd
    flow: FLOW_EXPORTS
    scale_to_usd: 0.5
classification_values:
  naics: CLASSIFICATION_NAICS
)",
                                         "mapping.yaml", &m);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(m.name(), "atp_totals");
  EXPECT_EQ(m.fixed_product_code(), "ATP");
  EXPECT_EQ(m.classification(), v1::CLASSIFICATION_HITECH);
  EXPECT_EQ(m.fixed_partner_code(), "-");
  ASSERT_EQ(m.value_columns_size(), 2);
  EXPECT_EQ(m.value_columns(0).column(), "imports_musd");
  EXPECT_EQ(m.value_columns(0).flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(m.value_columns(0).scale_to_usd(), 1e6);
  EXPECT_EQ(m.value_columns(1).flow(), v1::FLOW_EXPORTS);
  EXPECT_EQ(m.value_columns(1).scale_to_usd(), 0.5);
  ASSERT_EQ(m.classification_values().count("naics"), 1u);
  EXPECT_EQ(m.classification_values().at("naics"), v1::CLASSIFICATION_NAICS);
}

TEST(YamlConfigTest, QuotedCodeWithLeadingZerosStaysAString) {
  RegionTable t;
  absl::Status status = ParseYamlToProto(R"(
version: "2024-01"
regions:
  - name: ASEAN
    census_code: "0027"
    member_codes: ["5610", "5460"]
)",
                                         "regions.yaml", &t);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(t.regions_size(), 1);
  EXPECT_EQ(t.regions(0).census_code(), "0027");
  EXPECT_THAT(t.regions(0).member_codes(), ::testing::ElementsAre("5610", "5460"));
  EXPECT_EQ(t.version(), "2024-01");
}

TEST(YamlConfigTest, UnquotedCodeWithLeadingZerosStaysAString) {
  RegionTable t;
  absl::Status status =
      ParseYamlToProto("regions:\n  - name: EU\n    census_code: 0003\n", "regions.yaml", &t);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(t.regions(0).census_code(), "0003");
}

TEST(YamlConfigTest, QuotedNumberStaysAString) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto("fixed_product_code: \"334\"\n", "m.yaml", &m);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(m.fixed_product_code(), "334");
}

// YAML resolves the plain scalars 31-33 and 2024-01 to strings (they are not numbers in any
// YAML schema), so a string field must receive them as written.
TEST(YamlConfigTest, UnquotedDashedScalarIsAString) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto("fixed_product_code: 31-33\n", "m.yaml", &m);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(m.fixed_product_code(), "31-33");

  RegionTable t;
  status = ParseYamlToProto("version: 2024-01\n", "regions.yaml", &t);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(t.version(), "2024-01");
}

// YAML 1.2 core-schema numbers that are not JSON numbers: a leading dot, a plus sign, a
// trailing dot.
TEST(YamlConfigTest, YamlNumbersThatAreNotJsonNumbersStillParse) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto(
      "value_columns:\n  - column: a\n    scale_to_usd: .5\n  - column: b\n    scale_to_usd: "
      "+1000\n  - column: c\n    scale_to_usd: 2.\n",
      "numbers.yaml", &m);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(m.value_columns_size(), 3);
  EXPECT_EQ(m.value_columns(0).scale_to_usd(), 0.5);
  EXPECT_EQ(m.value_columns(1).scale_to_usd(), 1000);
  EXPECT_EQ(m.value_columns(2).scale_to_usd(), 2);
}

TEST(YamlConfigTest, PlainNumbersParseForNumericFields) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto(
      "value_columns:\n  - column: a\n    scale_to_usd: 1e6\n  - column: b\n    scale_to_usd: "
      "0.001\n  - column: c\n    scale_to_usd: 1000\n",
      "numbers.yaml", &m);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(m.value_columns_size(), 3);
  EXPECT_EQ(m.value_columns(0).scale_to_usd(), 1e6);
  EXPECT_EQ(m.value_columns(1).scale_to_usd(), 0.001);
  EXPECT_EQ(m.value_columns(2).scale_to_usd(), 1000);
}

TEST(YamlConfigTest, UnknownFieldIsAnErrorNamingTheOriginAndTheField) {
  ColumnMapping m;
  absl::Status status =
      ParseYamlToProto("name: x\nproduct_colum: NAICS\n", "deploy/mapping.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("deploy/mapping.yaml"));
  EXPECT_THAT(status.message(), HasSubstr("product_colum"));
}

TEST(YamlConfigTest, UnknownNestedFieldIsAnError) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto(
      "value_columns:\n  - column: GEN_VAL_MO\n    units: usd\n", "nested.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("nested.yaml"));
  EXPECT_THAT(status.message(), HasSubstr("units"));
}

TEST(YamlConfigTest, WrongTypeIsAnErrorNamingTheOrigin) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto(
      "value_columns:\n  - column: GEN_VAL_MO\n    scale_to_usd: lots\n", "types.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("types.yaml"));
}

TEST(YamlConfigTest, UnknownEnumValueIsAnError) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto("classification: HS\n", "enum.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("enum.yaml"));
}

TEST(YamlConfigTest, ListWhereAScalarBelongsIsAnError) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto("name: [a, b]\n", "list.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("list.yaml"));
}

TEST(YamlConfigTest, YamlSyntaxErrorNamesOriginAndLine) {
  ColumnMapping m;
  absl::Status status = ParseYamlToProto("name: x\nvalue_columns: [a, b\n", "broken.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("broken.yaml:"));
}

TEST(YamlConfigTest, LoadYamlFileReadsTheFile) {
  std::string path = ::testing::TempDir() + "yaml_config_test_load.yaml";
  {
    std::ofstream out(path);
    out << "name: from_file\nproduct_column: NAICS\n";
  }
  ColumnMapping m;
  absl::Status status = LoadYamlFile(path, &m);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(m.name(), "from_file");
  EXPECT_EQ(m.product_column(), "NAICS");
  std::remove(path.c_str());
}

TEST(YamlConfigTest, LoadYamlFileErrorsNameThePath) {
  std::string path = ::testing::TempDir() + "yaml_config_test_unknown.yaml";
  {
    std::ofstream out(path);
    out << "name: x\nbogus: 1\n";
  }
  ColumnMapping m;
  absl::Status status = LoadYamlFile(path, &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(path));
  std::remove(path.c_str());
}

TEST(YamlConfigTest, LoadYamlFileOfMissingPathNamesThePath) {
  ColumnMapping m;
  absl::Status status = LoadYamlFile("no/such/dir/mapping.yaml", &m);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("no/such/dir/mapping.yaml"));
}

}  // namespace
}  // namespace tradewatch
