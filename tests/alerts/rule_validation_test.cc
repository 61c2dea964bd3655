#include "alerts/rule_validation.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tradewatch::alerts {
namespace {

using ::testing::HasSubstr;

// A valid rule; each test breaks one thing. Line numbers below refer to this text:
// line 2 is the rule (column 5), 4-8 its selector, 9 above, 10 clear, 11 severity, 12-14 labels
// and annotations.
constexpr char kValid[] = R"y(rules:
  - name: TaiwanShareHigh
    metric: partner_share
    selector:
      flow: imports
      product_code: "3344"
      partner: "5830"
      window: t12m
    above: 0.30
    clear: 0.28
    severity: page
    labels: {team: risk}
    annotations:
      summary: "{{ partner }} at {{ value }}"
)y";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The error message of the rules, or "" when they are valid.
std::string Problems(const std::string& yaml) {
  auto rules = ParseRuleFile(yaml, "test.yaml", {"USMCA", "ASEAN"});
  return rules.ok() ? "" : std::string(rules.status().message());
}

TEST(RuleValidationTest, ValidRuleHasNoProblems) { EXPECT_EQ(Problems(kValid), ""); }

TEST(RuleValidationTest, NameIsRequired) {
  EXPECT_EQ(Problems(Replace(kValid, "- name: TaiwanShareHigh\n    metric", "- metric")),
            "test.yaml:2:5: rules[0].name: required");
}

TEST(RuleValidationTest, NameMustBeAValidIdentifier) {
  EXPECT_EQ(Problems(Replace(kValid, "TaiwanShareHigh", "taiwan-share")),
            "test.yaml:2:5: rules[0].name: \"taiwan-share\" is not a valid name "
            "([a-zA-Z_][a-zA-Z0-9_]*)");
}

TEST(RuleValidationTest, NamesMustBeUnique) {
  std::string twice = std::string(kValid) + std::string(kValid).substr(7);
  EXPECT_EQ(Problems(twice),
            "test.yaml:15:5: rules[1].name: duplicate rule name \"TaiwanShareHigh\" (first used "
            "by rules[0] at line 2)");
}

TEST(RuleValidationTest, NamesMustBeUniqueAcrossFiles) {
  std::string a = ::testing::TempDir() + "rule_validation_a.yaml";
  std::string b = ::testing::TempDir() + "rule_validation_b.yaml";
  std::ofstream(a) << kValid;
  std::ofstream(b) << "# second file\n" << kValid;
  auto rules = LoadRuleFiles({a, b}, {});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(),
            b + ":3:5: rules[0].name: rule name \"TaiwanShareHigh\" already defined at " + a +
                ":2:5");
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(RuleValidationTest, LoadRuleFilesConcatenatesTheFiles) {
  std::string a = ::testing::TempDir() + "rule_validation_c.yaml";
  std::string b = ::testing::TempDir() + "rule_validation_d.yaml";
  std::ofstream(a) << kValid;
  std::ofstream(b) << Replace(kValid, "TaiwanShareHigh", "Other");
  auto rules = LoadRuleFiles({a, b}, {});
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->rules_size(), 2);
  EXPECT_EQ(rules->rules(1).name(), "Other");
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(RuleValidationTest, LoadRuleFilesNamesAMissingFile) {
  auto rules = LoadRuleFiles({"no/such/rules.yaml"}, {});
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(rules.status().message(), HasSubstr("no/such/rules.yaml"));
}

TEST(RuleValidationTest, MetricIsRequired) {
  EXPECT_EQ(Problems(Replace(kValid, "    metric: partner_share\n", "")),
            "test.yaml:2:5: rules[0].metric: required");
}

TEST(RuleValidationTest, SelectorIsRequired) {
  std::string yaml = Replace(kValid,
                             "    selector:\n      flow: imports\n      product_code: \"3344\"\n"
                             "      partner: \"5830\"\n      window: t12m\n",
                             "");
  EXPECT_EQ(Problems(yaml), "test.yaml:2:5: rules[0].selector: required");
}

TEST(RuleValidationTest, ProductCodeIsRequired) {
  EXPECT_EQ(Problems(Replace(kValid, "      product_code: \"3344\"\n", "")),
            "test.yaml:4:5: rules[0].selector.product_code: required");
}

TEST(RuleValidationTest, WindowIsRequired) {
  EXPECT_EQ(Problems(Replace(kValid, "      window: t12m\n", "")),
            "test.yaml:4:5: rules[0].selector.window: required");
}

TEST(RuleValidationTest, FlowIsRequiredForShareRules) {
  EXPECT_EQ(Problems(Replace(kValid, "      flow: imports\n", "")),
            "test.yaml:4:5: rules[0].selector.flow: required for partner_share rules");
}

TEST(RuleValidationTest, MeasureMustBelongToTheFlow) {
  EXPECT_EQ(Problems(Replace(kValid, "      flow: imports\n",
                             "      flow: imports\n      measure: total_exports\n")),
            "test.yaml:6:7: rules[0].selector.measure: total_exports is not a measure of imports");
}

TEST(RuleValidationTest, PartnerIsRequiredForPartnerShareRules) {
  EXPECT_EQ(Problems(Replace(kValid, "      partner: \"5830\"\n", "")),
            "test.yaml:4:5: rules[0].selector.partner: required for partner_share rules");
}

TEST(RuleValidationTest, PartnerMustBeACensusCountryCode) {
  EXPECT_EQ(Problems(Replace(kValid, "partner: \"5830\"", "partner: \"0020\"")),
            "test.yaml:7:7: rules[0].selector.partner: \"0020\" is not a Census country code "
            "(four digits, the first 1-7 or 9)");
}

TEST(RuleValidationTest, PartnerOnlyForPartnerShareRules) {
  std::string yaml = Replace(kValid, "metric: partner_share", "metric: hhi");
  yaml = Replace(yaml, "{{ partner }} at ", "");
  EXPECT_EQ(Problems(yaml),
            "test.yaml:7:7: rules[0].selector.partner: only partner_share rules select a partner");
}

TEST(RuleValidationTest, RegionIsRequiredForRegionShareRules) {
  std::string yaml = Replace(kValid, "metric: partner_share", "metric: region_share");
  yaml = Replace(yaml, "      partner: \"5830\"\n", "");
  yaml = Replace(yaml, "{{ partner }} at ", "");
  EXPECT_EQ(Problems(yaml),
            "test.yaml:4:5: rules[0].selector.region: required for region_share rules");
}

TEST(RuleValidationTest, RegionMustBeInTheRegionTable) {
  std::string yaml = Replace(kValid, "metric: partner_share", "metric: region_share");
  yaml = Replace(yaml, "partner: \"5830\"", "region: NAFTA");
  yaml = Replace(yaml, "{{ partner }} at ", "");
  EXPECT_EQ(Problems(yaml),
            "test.yaml:7:7: rules[0].selector.region: unknown region \"NAFTA\" (known: USMCA, "
            "ASEAN)");
}

TEST(RuleValidationTest, RegionOnlyForRegionShareRules) {
  std::string yaml =
      Replace(kValid, "      window: t12m\n", "      window: t12m\n      region: USMCA\n");
  EXPECT_EQ(Problems(yaml),
            "test.yaml:9:7: rules[0].selector.region: only region_share rules select a region");
}

// kValid turned into a route_exposure rule on `chokepoint` (the line of the partner, line 7).
std::string RouteExposureRule(const std::string& chokepoint) {
  std::string yaml = Replace(kValid, "metric: partner_share", "metric: route_exposure");
  yaml = Replace(yaml, "partner: \"5830\"", "chokepoint: " + chokepoint);
  return Replace(yaml, "{{ partner }} at ", "{{ chokepoint }} at ");
}

// Problems of `yaml` with the chokepoints of a route table.
std::string ProblemsWithRoutes(const std::string& yaml) {
  auto rules = ParseRuleFile(yaml, "test.yaml",
                             RuleReferences({"USMCA"}, {"chokepoint5", "chokepoint11"}));
  return rules.ok() ? "" : std::string(rules.status().message());
}

TEST(RuleValidationTest, RouteExposureRuleOnAKnownChokepointIsValid) {
  EXPECT_EQ(ProblemsWithRoutes(RouteExposureRule("chokepoint5")), "");
  EXPECT_EQ(Problems(RouteExposureRule("chokepoint5")), "");  // no route table: not checked
}

TEST(RuleValidationTest, ChokepointMustBeInTheRouteTable) {
  EXPECT_EQ(ProblemsWithRoutes(RouteExposureRule("chokepoint9")),
            "test.yaml:7:7: rules[0].selector.chokepoint: unknown chokepoint \"chokepoint9\" "
            "(known: chokepoint5, chokepoint11)");
}

TEST(RuleValidationTest, ChokepointIsRequiredForRouteExposureRules) {
  std::string yaml =
      Replace(RouteExposureRule("chokepoint5"), "      chokepoint: chokepoint5\n", "");
  yaml = Replace(yaml, "{{ chokepoint }} at ", "");
  EXPECT_EQ(ProblemsWithRoutes(yaml),
            "test.yaml:4:5: rules[0].selector.chokepoint: required for route_exposure rules");
}

TEST(RuleValidationTest, ChokepointOnlyForRouteExposureRules) {
  std::string yaml = Replace(kValid, "      window: t12m\n",
                             "      window: t12m\n      chokepoint: chokepoint5\n");
  EXPECT_EQ(ProblemsWithRoutes(yaml),
            "test.yaml:9:7: rules[0].selector.chokepoint: only route_exposure rules select a "
            "chokepoint");
}

TEST(RuleValidationTest, FlowIsRequiredForRouteExposureRules) {
  std::string yaml = Replace(RouteExposureRule("chokepoint5"), "      flow: imports\n", "");
  EXPECT_EQ(ProblemsWithRoutes(yaml),
            "test.yaml:4:5: rules[0].selector.flow: required for route_exposure rules");
}

TEST(RuleValidationTest, ChokepointTemplateOnlyForRouteExposureRules) {
  std::string yaml = Replace(kValid, "{{ partner }} at ", "{{ chokepoint }} at ");
  EXPECT_EQ(ProblemsWithRoutes(yaml),
            "test.yaml:14:16: rules[0].annotations[0].value: {{ chokepoint }} is only known to "
            "route_exposure and shipping rules");
}

TEST(RuleValidationTest, ChokepointIsAReservedLabel) {
  std::string yaml = Replace(kValid, "labels: {team: risk}", "labels: {chokepoint: x}");
  EXPECT_THAT(Problems(yaml), HasSubstr("rules[0].labels[0].name: \"chokepoint\" is reserved"));
}

TEST(RuleValidationTest, ChokepointIdsAreTheRouteTablesInOrder) {
  tradewatch::v1::RouteTable routes;
  routes.add_chokepoints()->set_id("chokepoint11");
  routes.add_chokepoints()->set_id("chokepoint5");
  EXPECT_THAT(ChokepointIds(routes), ::testing::ElementsAre("chokepoint11", "chokepoint5"));
}

TEST(RuleValidationTest, AboveOrBelowIsRequired) {
  std::string yaml = Replace(kValid, "    above: 0.30\n    clear: 0.28\n", "");
  EXPECT_EQ(Problems(yaml), "test.yaml:2:5: rules[0]: one of above and below is required");
}

TEST(RuleValidationTest, AboveAndBelowTogetherAreAnError) {
  std::string yaml = Replace(kValid, "    above: 0.30\n", "    above: 0.30\n    below: 0.10\n");
  EXPECT_EQ(Problems(yaml), "test.yaml:2:5: rules[0]: set only one of above and below");
}

TEST(RuleValidationTest, ClearMayNotBeAboveAnAboveThreshold) {
  EXPECT_EQ(Problems(Replace(kValid, "clear: 0.28", "clear: 0.32")),
            "test.yaml:10:5: rules[0].clear: 0.32 is above the threshold 0.3 (an above rule "
            "clears at or below it)");
}

TEST(RuleValidationTest, ClearMayNotBeBelowABelowThreshold) {
  std::string yaml = Replace(kValid, "above: 0.30", "below: 0.30");
  EXPECT_EQ(Problems(yaml),
            "test.yaml:10:5: rules[0].clear: 0.28 is below the threshold 0.3 (a below rule "
            "clears at or above it)");
}

TEST(RuleValidationTest, ThresholdMustBeFinite) {
  std::string yaml = Replace(kValid, "above: 0.30\n    clear: 0.28", "above: .nan");
  EXPECT_EQ(Problems(yaml), "test.yaml:9:5: rules[0].above: must be a finite number");
}

TEST(RuleValidationTest, ForReleasesIsAtMost24) {
  std::string yaml = Replace(kValid, "    severity: page\n",
                             "    severity: page\n    for_releases: 25\n");
  EXPECT_EQ(Problems(yaml), "test.yaml:12:5: rules[0].for_releases: 25 is outside 0..24");
}

TEST(RuleValidationTest, SeverityIsRequired) {
  EXPECT_EQ(Problems(Replace(kValid, "    severity: page\n", "")),
            "test.yaml:2:5: rules[0].severity: required");
}

TEST(RuleValidationTest, SeverityMustBeKnown) {
  EXPECT_EQ(Problems(Replace(kValid, "severity: page", "severity: critical")),
            "test.yaml:11:5: rules[0].severity: \"critical\" is not one of page, warning, info");
}

TEST(RuleValidationTest, LabelNamesMustBeValid) {
  EXPECT_EQ(Problems(Replace(kValid, "{team: risk}", "{team-name: risk}")),
            "test.yaml:12:14: rules[0].labels[0].name: \"team-name\" is not a label name "
            "([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
}

TEST(RuleValidationTest, LabelsMayNotUseReservedNames) {
  EXPECT_EQ(Problems(Replace(kValid, "{team: risk}", "{severity: low}")),
            "test.yaml:12:14: rules[0].labels[0].name: \"severity\" is reserved (set from the "
            "rule: alertname, rule, severity, product_code, flow, partner, region, chokepoint, "
            "window)");
}

TEST(RuleValidationTest, LabelValuesAreRequired) {
  EXPECT_EQ(Problems(Replace(kValid, "{team: risk}", "{team: \"\"}")),
            "test.yaml:12:20: rules[0].labels[0].value: required");
}

TEST(RuleValidationTest, AnnotationNamesMustBeValidAndUnique) {
  std::string yaml = std::string(kValid) + "      summary: again\n";
  EXPECT_THAT(Problems(yaml), HasSubstr("test.yaml:15:7: rules[0].annotations[1].name: "
                                        "\"summary\" given twice"));
  yaml = std::string(kValid) + "      run book: x\n";
  EXPECT_THAT(Problems(yaml),
              HasSubstr("test.yaml:15:7: rules[0].annotations[1].name: \"run book\" is not a "
                        "label name"));
}

TEST(RuleValidationTest, SummaryIsRequired) {
  std::string yaml = Replace(kValid, "      summary: ", "      description: ");
  EXPECT_EQ(Problems(yaml), "test.yaml:13:5: rules[0].annotations: summary is required");
}

TEST(RuleValidationTest, UnknownTemplateIsAnError) {
  EXPECT_EQ(Problems(Replace(kValid, "{{ value }}", "{{ share }}")),
            "test.yaml:14:16: rules[0].annotations[0].value: unknown template {{ share }} "
            "(known: value, threshold, clear, partner, region, chokepoint, product_code, window, "
            "period, date, ratio)");
}

TEST(RuleValidationTest, UnclosedTemplateIsAnError) {
  EXPECT_EQ(Problems(Replace(kValid, "{{ value }}", "{{ value")),
            "test.yaml:14:16: rules[0].annotations[0].value: unclosed \"{{\" in \"{{ value\"");
}

TEST(RuleValidationTest, PartnerTemplateOnlyForPartnerRules) {
  std::string yaml = Replace(kValid, "metric: partner_share", "metric: hhi");
  yaml = Replace(yaml, "      partner: \"5830\"\n", "");
  EXPECT_EQ(Problems(yaml), "test.yaml:13:16: rules[0].annotations[0].value: {{ partner }} is "
                            "only known to partner_share rules");
}

TEST(RuleValidationTest, ParseErrorsNameFileLineAndPath) {
  EXPECT_EQ(Problems(Replace(kValid, "      partner:", "      partnr:")),
            "test.yaml:7:7: rules[0].selector.partnr: unknown key");
  EXPECT_EQ(Problems(Replace(kValid, "above: 0.30", "above: high")),
            "test.yaml:9:12: rules[0].above: expected a number, got \"high\"");
}

TEST(RuleValidationTest, EveryProblemIsReportedOnItsOwnLine) {
  std::string yaml = Replace(kValid, "severity: page", "severity: critical");
  yaml = Replace(yaml, "      window: t12m\n", "");
  EXPECT_EQ(Problems(yaml),
            "test.yaml:4:5: rules[0].selector.window: required\n"
            "test.yaml:10:5: rules[0].severity: \"critical\" is not one of page, warning, info");
}

TEST(RuleValidationTest, WithoutLinesMessagesStartWithThePath) {
  tradewatch::v1::RuleFile rules;
  rules.add_rules()->set_name("A");
  absl::Status status = ValidateRuleFile(rules, {});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("rules[0].metric: required"));
}

TEST(RuleValidationTest, DefaultRulesAreValid) {
  tradewatch::v1::RegionTable regions;
  ASSERT_TRUE(LoadYamlFile(std::string(TRADEWATCH_SOURCE_DIR) + "/deploy/regions/regions.yaml",
                           &regions)
                  .ok());
  tradewatch::v1::RouteTable routes;
  ASSERT_TRUE(LoadYamlFile(std::string(TRADEWATCH_SOURCE_DIR) + "/deploy/routes/routes.yaml",
                           &routes)
                  .ok());
  auto rules = LoadRuleFiles({std::string(TRADEWATCH_SOURCE_DIR) + "/deploy/rules/default.yaml"},
                             RuleReferences(RegionNames(regions), ChokepointIds(routes)));
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules_size(), 17);
}

}  // namespace
}  // namespace tradewatch::alerts
