#include "common/yaml_config.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tradewatch/v1/config.pb.h"
#include "tradewatch/v1/rules.pb.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch {
namespace {

using ::testing::HasSubstr;
using tradewatch::v1::ColumnMapping;
using tradewatch::v1::KafkaConfig;
using tradewatch::v1::RegionTable;
using tradewatch::v1::RuleFile;

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

// The error message of parsing `yaml` (named `origin`) into a T, or "ok".
template <typename T>
std::string ParseError(const std::string& yaml, const char* origin) {
  T message;
  absl::Status status = ParseYamlToProto(yaml, origin, &message);
  return status.ok() ? "ok" : std::string(status.message());
}

// Errors name origin:line:column, then the path of the value, then what is wrong.
TEST(YamlConfigTest, UnknownKeyNamesFileLineColumnAndPath) {
  EXPECT_EQ(ParseError<RuleFile>(R"(rules:
  - name: A
    selector:
      product_code: "3344"
      partnr: "5830"
)",
                                 "rules.yaml"),
            "rules.yaml:5:7: rules[0].selector.partnr: unknown key");
}

TEST(YamlConfigTest, WrongScalarTypeNamesExpectedAndGot) {
  EXPECT_EQ(ParseError<RuleFile>("rules:\n  - name: A\n  - name: B\n    above: high\n",
                                 "rules.yaml"),
            "rules.yaml:4:12: rules[1].above: expected a number, got \"high\"");
}

TEST(YamlConfigTest, QuotedNumberIsNotANumber) {
  EXPECT_EQ(ParseError<RuleFile>("rules:\n  - above: \"0.3\"\n", "rules.yaml"),
            "rules.yaml:2:12: rules[0].above: expected a number, got \"0.3\"");
}

TEST(YamlConfigTest, SequenceWhereAMapBelongsIsAnError) {
  EXPECT_EQ(ParseError<RuleFile>("rules:\n  - selector: [a]\n", "rules.yaml"),
            "rules.yaml:2:15: rules[0].selector: expected a map, got a sequence");
}

TEST(YamlConfigTest, MapWhereASequenceBelongsIsAnError) {
  EXPECT_EQ(ParseError<RuleFile>("rules:\n  name: A\n", "rules.yaml"),
            "rules.yaml:2:3: rules: expected a sequence, got a map");
}

TEST(YamlConfigTest, DocumentThatIsNotAMapIsAnError) {
  EXPECT_EQ(ParseError<RuleFile>("- a\n- b\n", "rules.yaml"),
            "rules.yaml:1:1: expected a map, got a sequence");
}

TEST(YamlConfigTest, EmptyDocumentLeavesTheMessageEmpty) {
  EXPECT_EQ(ParseError<RuleFile>("# nothing yet\n", "rules.yaml"), "ok");
}

TEST(YamlConfigTest, EnumsTakeFullOrLowerCaseShortNames) {
  RuleFile f;
  absl::Status status = ParseYamlToProto(R"(rules:
  - metric: partner_share
    selector: {flow: imports, measure: general_imports, window: t12m}
  - metric: RULE_METRIC_HHI
    selector: {flow: FLOW_EXPORTS, measure: MEASURE_TOTAL_EXPORTS, window: WINDOW_KIND_YEAR}
)",
                                         "rules.yaml", &f);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(f.rules(0).metric(), v1::RULE_METRIC_PARTNER_SHARE);
  EXPECT_EQ(f.rules(0).selector().flow(), v1::FLOW_IMPORTS);
  EXPECT_EQ(f.rules(0).selector().measure(), v1::MEASURE_GENERAL_IMPORTS);
  EXPECT_EQ(f.rules(0).selector().window(), v1::WINDOW_KIND_T12M);
  EXPECT_EQ(f.rules(1).metric(), v1::RULE_METRIC_HHI);
  EXPECT_EQ(f.rules(1).selector().flow(), v1::FLOW_EXPORTS);
  EXPECT_EQ(f.rules(1).selector().window(), v1::WINDOW_KIND_YEAR);
}

TEST(YamlConfigTest, UnknownEnumNameListsTheShortNames) {
  EXPECT_EQ(ParseError<RuleFile>("rules:\n  - selector:\n      window: T12M\n", "rules.yaml"),
            "rules.yaml:3:15: rules[0].selector.window: unknown WindowKind \"T12M\" (expected "
            "one of month, t12m, ytd, year)");
}

TEST(YamlConfigTest, EnumShortNameDropsTheTypePrefix) {
  EXPECT_EQ(EnumShortName(*v1::Flow_descriptor()->FindValueByNumber(v1::FLOW_IMPORTS)), "imports");
  EXPECT_EQ(EnumShortName(*v1::WindowKind_descriptor()->FindValueByNumber(v1::WINDOW_KIND_T12M)),
            "t12m");
  EXPECT_EQ(EnumShortName(*v1::RuleMetric_descriptor()->FindValueByNumber(
                v1::RULE_METRIC_DEFICIT_GROWTH)),
            "deficit_growth");
}

TEST(YamlConfigTest, MapOfStringsParses) {
  KafkaConfig k;
  absl::Status status = ParseYamlToProto(R"(brokers: 127.0.0.1:9092
properties:
  security.protocol: SASL_SSL
  linger.ms: 5
  enable.idempotence: "true"
)",
                                         "service.yaml", &k);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(k.brokers(), "127.0.0.1:9092");
  EXPECT_EQ(k.properties().at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(k.properties().at("linger.ms"), "5");
  EXPECT_EQ(k.properties().at("enable.idempotence"), "true");
}

TEST(YamlConfigTest, MapValueOfTheWrongTypeNamesTheEntry) {
  EXPECT_EQ(ParseError<KafkaConfig>("properties:\n  acks: [all]\n", "service.yaml"),
            "service.yaml:2:9: properties[acks]: expected a string, got a sequence");
}

TEST(YamlConfigTest, UnquotedBooleanIsNotAString) {
  EXPECT_EQ(ParseError<KafkaConfig>("brokers: true\n", "service.yaml"),
            "service.yaml:1:10: brokers: expected a string, got \"true\"");
}

TEST(YamlConfigTest, Int64AndBoolsParseFromYamlScalars) {
  KafkaConfig k;
  absl::Status status = ParseYamlToProto(R"(skip_topic_creation: true
embedded_brokers: 3
topics:
  alerts:
    retention_ms: 34992000000
)",
                                         "service.yaml", &k);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(k.skip_topic_creation());
  EXPECT_EQ(k.embedded_brokers(), 3);
  EXPECT_EQ(k.topics().alerts().retention_ms(), 34992000000);
}

TEST(YamlConfigTest, IntegerOutOfRangeIsAnError) {
  EXPECT_EQ(ParseError<KafkaConfig>("embedded_brokers: 3000000000\n", "service.yaml"),
            "service.yaml:1:19: embedded_brokers: 3000000000 is out of range for int32");
}

TEST(YamlConfigTest, FractionForAnIntegerIsAnError) {
  EXPECT_EQ(ParseError<KafkaConfig>("embedded_brokers: 1.5\n", "service.yaml"),
            "service.yaml:1:19: embedded_brokers: expected an integer, got \"1.5\"");
}

TEST(YamlConfigTest, QuotedBooleanIsNotABoolean) {
  EXPECT_EQ(ParseError<KafkaConfig>("skip_topic_creation: \"yes\"\n", "service.yaml"),
            "service.yaml:1:22: skip_topic_creation: expected true or false, got \"yes\"");
}

TEST(YamlConfigTest, OptionalFieldsKeepPresence) {
  RuleFile f;
  absl::Status status =
      ParseYamlToProto("rules:\n  - above: 0\n  - below: 0.1\n    clear: ~\n", "rules.yaml", &f);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(f.rules(0).has_above());
  EXPECT_EQ(f.rules(0).above(), 0);
  EXPECT_FALSE(f.rules(0).has_below());
  EXPECT_TRUE(f.rules(1).has_below());
  EXPECT_FALSE(f.rules(1).has_clear());
}

TEST(YamlConfigTest, JsonNamesAreAcceptedToo) {
  RuleFile f;
  absl::Status status = ParseYamlToProto(
      "rules:\n  - forReleases: 2\n    selector: {productCode: 3344}\n", "rules.yaml", &f);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(f.rules(0).for_releases(), 2);
  EXPECT_EQ(f.rules(0).selector().product_code(), "3344");
}

TEST(YamlConfigTest, KeyGivenTwiceIsAnError) {
  EXPECT_EQ(ParseError<RuleFile>("rules:\n  - name: A\n    name: B\n", "rules.yaml"),
            "rules.yaml:3:5: rules[0].name: key given twice");
}

TEST(YamlConfigTest, RepeatedMessagesAndLabelListsParse) {
  RuleFile f;
  absl::Status status = ParseYamlToProto(R"(rules:
  - name: A
    labels:
      - name: team
        value: risk
  - name: B
    annotations:
      summary: "{{ value }} now"
      runbook_url: https://example.org/r
)",
                                         "rules.yaml", &f);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(f.rules_size(), 2);
  EXPECT_EQ(f.rules(0).labels(0).name(), "team");
  EXPECT_EQ(f.rules(0).labels(0).value(), "risk");
  ASSERT_EQ(f.rules(1).annotations_size(), 2);
  EXPECT_EQ(f.rules(1).annotations(0).name(), "summary");
  EXPECT_EQ(f.rules(1).annotations(0).value(), "{{ value }} now");
  EXPECT_EQ(f.rules(1).annotations(1).name(), "runbook_url");
}

TEST(YamlConfigTest, YamlLinesFindPathsAndTheirNearestAncestor) {
  RuleFile f;
  YamlLines lines;
  absl::Status status = ParseYamlToProto(R"(rules:
  - name: A
  - name: B
    selector:
      flow: imports
)",
                                         "rules.yaml", &f, &lines);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(lines.origin(), "rules.yaml");
  EXPECT_EQ(lines.Find("rules[1]").line, 3);
  EXPECT_EQ(lines.Find("rules[1].selector.flow").line, 5);
  EXPECT_EQ(lines.Find("rules[1].selector.flow").column, 7);
  // Missing fields point at the map that lacks them.
  EXPECT_EQ(lines.Find("rules[1].selector.window").line, 4);
  EXPECT_EQ(lines.Find("rules[1].severity").line, 3);
  EXPECT_EQ(lines.Format("rules[1].severity", "required"),
            "rules.yaml:3:5: rules[1].severity: required");
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
