#include "alerts/prometheus_export.h"

#include <string>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/alerts/alert_fixtures.h"

namespace tradewatch::alerts {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::tradewatch::alerts::fixtures;  // NOLINT: fixtures of this test folder

const std::string kRules =
    "rules:\n" + TaiwanRuleYaml(0.30, 0.28, 1, R"y(    labels: {team: risk}
    annotations:
      summary: "{{ partner }} supplies {{ value }} of {{ product_code }} ({{ window }},
        {{ period }})"
      description: "above {{ threshold }}, clears below {{ clear }}; it's 'quoted'"
)y") + R"y(  - name: Concentrated
    metric: hhi
    selector: {flow: imports, product_code: "3344", window: t12m}
    above: 0.15
    severity: warning
    annotations:
      summary: "HHI {{ value }}"
  - name: DeficitHigh
    metric: balance
    selector: {product_code: "334", window: year}
    above: 300e9
    severity: info
    annotations:
      summary: "deficit {{ value }} over {{ threshold }}"
      description: |
        two
        lines
)y";

TEST(PrometheusExportTest, OneAlertingRulePerRuleReadingTheAlertSeries) {
  std::string out = ExportPrometheusRules(Rules(kRules));
  EXPECT_THAT(out, HasSubstr("  - name: tradewatch-rules\n    rules:\n"
                             "      - alert: TaiwanShareHigh\n"
                             "        expr: 'tradewatch_alert_value{rule=\"TaiwanShareHigh\"} and "
                             "on(rule) (tradewatch_alert_active{rule=\"TaiwanShareHigh\"} == 1)'\n"
                             "        labels:\n"
                             "          severity: 'page'\n"
                             "          team: 'risk'\n"
                             "        annotations:\n"));
}

TEST(PrometheusExportTest, TemplatesBecomePrometheusTemplatesOrLiteralText) {
  std::string out = ExportPrometheusRules(Rules(kRules));
  EXPECT_THAT(out, HasSubstr("summary: '5830 supplies {{ $value | humanizePercentage }} of 3344 "
                             "(t12m, the latest period)'"));
  EXPECT_THAT(out, HasSubstr("description: 'above 30.0%, clears below 28.0%; it''s ''quoted'''"));
  EXPECT_THAT(out, HasSubstr("summary: 'HHI {{ printf \"%.3f\" $value }}'"));
  EXPECT_THAT(out, HasSubstr("summary: 'deficit ${{ $value | humanize }} over $300.00B'"));
  EXPECT_THAT(out, HasSubstr("description: \"two\\nlines\\n\""));
}

TEST(PrometheusExportTest, RouteExposureRulesExportAsPercentagesWithTheChokepointId) {
  std::string out = ExportPrometheusRules(Rules(R"y(rules:
  - name: MalaccaExposureHigh
    metric: route_exposure
    selector: {flow: imports, product_code: "3344", chokepoint: chokepoint5, window: t12m}
    above: 0.20
    clear: 0.18
    severity: warning
    annotations:
      summary: "{{ value }} of {{ product_code }} via {{ chokepoint }}, above {{ threshold }}"
)y"));
  EXPECT_THAT(out, HasSubstr("      - alert: MalaccaExposureHigh\n"
                             "        expr: 'tradewatch_alert_value{rule=\"MalaccaExposureHigh\"} "
                             "and on(rule) (tradewatch_alert_active{rule=\"MalaccaExposureHigh\"} "
                             "== 1)'\n"));
  EXPECT_THAT(out, HasSubstr("summary: '{{ $value | humanizePercentage }} of 3344 via "
                             "chokepoint5, above 20.0%'"));
}

TEST(PrometheusExportTest, HealthRulesFollowTheRules) {
  std::string out = ExportPrometheusRules(Rules(kRules));
  size_t rules = out.find("- name: tradewatch-rules");
  size_t health = out.find("- name: tradewatch-health");
  ASSERT_NE(rules, std::string::npos);
  ASSERT_NE(health, std::string::npos);
  EXPECT_LT(rules, health);
  for (const char* alert : {"TradewatchMetricsAbsent", "TradewatchReleaseStale",
                            "TradewatchDeadLettersIncreasing", "TradewatchConsumerLagGrowing",
                            "TradewatchCensusReleaseMissed", "TradewatchCensusPollFailing"}) {
    EXPECT_THAT(out.substr(health), HasSubstr(std::string("- alert: ") + alert));
    EXPECT_THAT(out, HasSubstr(std::string(kRunbookBaseUrl) + "#" +
                               absl::AsciiStrToLower(alert)));
  }
  EXPECT_THAT(out, HasSubstr("or vector(0)"));
}

TEST(PrometheusExportTest, EmptyRuleFileStillHasTheHealthGroup) {
  std::string out = ExportPrometheusRules(tradewatch::v1::RuleFile());
  EXPECT_THAT(out, HasSubstr("  - name: tradewatch-rules\n    rules: []\n"));
  EXPECT_THAT(out, HasSubstr("TradewatchMetricsAbsent"));
}

TEST(PrometheusExportTest, OutputIsDeterministic) {
  EXPECT_EQ(ExportPrometheusRules(Rules(kRules)), ExportPrometheusRules(Rules(kRules)));
  EXPECT_THAT(ExportPrometheusRules(Rules(kRules)), Not(HasSubstr("{{ value }}")));
}

}  // namespace
}  // namespace tradewatch::alerts
