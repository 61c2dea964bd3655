#include "alerts/alert_metrics.h"

#include <map>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/alerts/alert_fixtures.h"

namespace tradewatch::alerts {
namespace {

using namespace ::tradewatch::alerts::fixtures;  // NOLINT: fixtures of this test folder

const std::string kTwoRules =
    "rules:\n" +
    TaiwanRuleYaml(0.30, 0.28, 1,
                   "    labels: {team: risk}\n    annotations: {summary: \"{{ value }}\"}\n") +
    R"y(  - name: DeficitGrowthHigh
    metric: deficit_growth
    selector: {product_code: "334", window: t12m}
    above: 0.20
    severity: warning
    annotations: {summary: "{{ value }}"}
)y";

// The value of the series of `family` whose labels include all of `labels`; nullopt if none.
std::optional<double> Value(prometheus::Registry& registry, const std::string& family,
                            const std::map<std::string, std::string>& labels) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> have;
      for (const auto& l : m.label) have[l.name] = l.value;
      bool match = true;
      for (const auto& [k, v] : labels) match = match && have.count(k) && have[k] == v;
      if (!match) continue;
      return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return std::nullopt;
}

std::unique_ptr<RuleEngine> Engine() {
  auto engine = RuleEngine::Create(Rules(kTwoRules));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return *std::move(engine);
}

TEST(AlertMetricsTest, UpdateSetsActiveAndValueWithTheAlertLabels) {
  prometheus::Registry registry;
  AlertMetrics metrics(registry);
  auto engine = Engine();
  Release(*engine, {TaiwanShare(202504, 0.34)}, {});
  metrics.Update(*engine);
  std::map<std::string, std::string> labels = {
      {"rule", "TaiwanShareHigh"}, {"partner", "5830"}, {"product_code", "3344"},
      {"flow", "imports"},         {"window", "t12m"},  {"severity", "page"},
      {"team", "risk"}};
  EXPECT_EQ(Value(registry, "tradewatch_alert_active", labels), 1);
  EXPECT_EQ(Value(registry, "tradewatch_alert_value", labels), 0.34);
  // Rules without an evaluated period have no series.
  EXPECT_EQ(Value(registry, "tradewatch_alert_active", {{"rule", "DeficitGrowthHigh"}}),
            std::nullopt);

  Release(*engine, {TaiwanShare(202505, 0.27)}, {});
  metrics.Update(*engine);
  EXPECT_EQ(Value(registry, "tradewatch_alert_active", labels), 0);
  EXPECT_EQ(Value(registry, "tradewatch_alert_value", labels), 0.27);
}

TEST(AlertMetricsTest, CountCountsTransitionsByRuleAndState) {
  prometheus::Registry registry;
  AlertMetrics metrics(registry);
  auto engine = Engine();
  for (const auto& e : Release(*engine, {TaiwanShare(202501, 0.31), TaiwanShare(202502, 0.20),
                                          TaiwanShare(202503, 0.35)},
                                         {})) {
    metrics.Count(e);
  }
  EXPECT_EQ(Value(registry, "tradewatch_alert_transitions_total",
                  {{"rule", "TaiwanShareHigh"}, {"state", "firing"}}),
            2);
  EXPECT_EQ(Value(registry, "tradewatch_alert_transitions_total",
                  {{"rule", "TaiwanShareHigh"}, {"state", "resolved"}}),
            1);
}

TEST(AlertMetricsTest, SeveralEnginesFeedOneMetricsWithoutOverwritingEachOther) {
  prometheus::Registry registry;
  AlertMetrics metrics(registry);
  // Partition 0 carries the 3344 shares, partition 1 the 334 balances.
  auto shares_partition = Engine();
  auto balance_partition = Engine();
  Release(*shares_partition, {TaiwanShare(202504, 0.34)}, {});
  Release(*balance_partition, {}, {Balance(202504, 550e9, 250e9, 0.05, 285e9)});
  metrics.Update(*shares_partition);
  metrics.Update(*balance_partition);
  EXPECT_EQ(Value(registry, "tradewatch_alert_value", {{"rule", "TaiwanShareHigh"}}), 0.34);
  EXPECT_EQ(Value(registry, "tradewatch_alert_value", {{"rule", "DeficitGrowthHigh"}}), 0.05);
  EXPECT_EQ(Value(registry, "tradewatch_alert_active", {{"rule", "DeficitGrowthHigh"}}), 0);

  Release(*balance_partition, {}, {Balance(202505, 600e9, 250e9, 0.25, 280e9)});
  metrics.Update(*balance_partition);
  EXPECT_EQ(Value(registry, "tradewatch_alert_active", {{"rule", "DeficitGrowthHigh"}}), 1);
  EXPECT_EQ(Value(registry, "tradewatch_alert_active", {{"rule", "TaiwanShareHigh"}}), 1);
}

}  // namespace
}  // namespace tradewatch::alerts
