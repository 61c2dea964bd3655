#include "alerts/rule_engine.h"

#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/alerts/alert_fixtures.h"

namespace tradewatch::alerts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::tradewatch::alerts::fixtures;  // NOLINT: fixtures of this test folder

std::string TaiwanRule(double above, double clear, int for_releases) {
  return "rules:\n" + TaiwanRuleYaml(above, clear, for_releases);
}

std::unique_ptr<RuleEngine> Engine(const std::string& yaml) {
  auto engine = RuleEngine::Create(Rules(yaml));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

// "FIRING@202502/NEW_DATA" for compact comparisons.
std::string Brief(const v1::AlertEvent& e) {
  return fmt::format("{}@{}/{}", v1::AlertState_Name(e.state()).substr(12), e.period_yyyymm(),
                     v1::AlertCause_Name(e.evidence().cause()).substr(12));
}

std::vector<std::string> Briefs(const std::vector<v1::AlertEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(Brief(e));
  return out;
}

TEST(RuleEngineTest, FiresOnceAfterTwoConsecutiveReleasesAboveThreshold) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 2));
  EXPECT_THAT(Release(*engine, {TaiwanShare(202501, 0.31)}), ::testing::IsEmpty());
  auto events = Release(*engine, {TaiwanShare(202502, 0.32)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Brief(events[0]), "FIRING@202502/NEW_DATA");
  EXPECT_EQ(events[0].rule(), "TaiwanShareHigh");
  EXPECT_EQ(events[0].severity(), "page");
  EXPECT_THAT(Release(*engine, {TaiwanShare(202503, 0.33)}), ::testing::IsEmpty());
}

TEST(RuleEngineTest, AValueBelowTheThresholdRestartsTheCount) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 2));
  EXPECT_THAT(Release(*engine, {TaiwanShare(202501, 0.31)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {TaiwanShare(202502, 0.29)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {TaiwanShare(202503, 0.31)}), ::testing::IsEmpty());
  EXPECT_THAT(Briefs(Release(*engine, {TaiwanShare(202504, 0.31)})),
              ElementsAre("FIRING@202504/NEW_DATA"));
}

TEST(RuleEngineTest, StaysFiringBetweenClearAndThresholdAndResolvesBelowClear) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  EXPECT_THAT(Briefs(Release(*engine, {TaiwanShare(202501, 0.31)})),
              ElementsAre("FIRING@202501/NEW_DATA"));
  EXPECT_THAT(Release(*engine, {TaiwanShare(202502, 0.29)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {TaiwanShare(202503, 0.28)}), ::testing::IsEmpty());
  EXPECT_THAT(Briefs(Release(*engine, {TaiwanShare(202504, 0.279)})),
              ElementsAre("RESOLVED@202504/NEW_DATA"));
  // Between clear and threshold again: not firing, and it stays so.
  EXPECT_THAT(Release(*engine, {TaiwanShare(202505, 0.29)}), ::testing::IsEmpty());
}

TEST(RuleEngineTest, BelowRuleFiresBelowAndResolvesAboveClear) {
  auto engine = Engine(R"y(rules:
  - name: UsmcaLow
    metric: region_share
    selector: {flow: imports, product_code: "3341", region: USMCA, window: t12m}
    below: 0.25
    clear: 0.27
    severity: warning
    annotations: {summary: "{{ region }} at {{ value }}"}
)y");
  auto usmca = [](int32_t period, double share) {
    SharesSpec spec;
    spec.period = period;
    spec.product_code = "3341";
    spec.partners = {{"2010", share}, {"rest", 1 - share}};
    spec.regions = {{"USMCA", share}};
    return Shares(spec);
  };
  EXPECT_THAT(Release(*engine, {usmca(202401, 0.30)}), ::testing::IsEmpty());
  auto fired = Release(*engine, {usmca(202402, 0.24)});
  EXPECT_THAT(Briefs(fired), ElementsAre("FIRING@202402/NEW_DATA"));
  EXPECT_EQ(fired[0].annotations(0).value(), "USMCA at 24.0%");
  EXPECT_THAT(Release(*engine, {usmca(202403, 0.26)}), ::testing::IsEmpty());
  EXPECT_THAT(Briefs(Release(*engine, {usmca(202404, 0.271)})),
              ElementsAre("RESOLVED@202404/NEW_DATA"));
}

TEST(RuleEngineTest, IncompleteWindowsAreSkipped) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  SharesSpec spec;
  spec.period = 202501;
  spec.partners = {{"5830", 0.40}};
  spec.complete = false;
  EXPECT_THAT(Release(*engine, {Shares(spec)}), ::testing::IsEmpty());
  int watched = 0;
  engine->ForEachWatched([&](const WatchedValue&) { ++watched; });
  EXPECT_EQ(watched, 0);
}

TEST(RuleEngineTest, IncompleteWindowsCountWhenTheRuleIncludesThem) {
  auto engine = Engine("rules:\n" +
                       TaiwanRuleYaml(0.30, 0.28, 1,
                                      "    include_incomplete_windows: true\n"
                                      "    annotations: {summary: \"{{ value }}\"}\n"));
  SharesSpec spec;
  spec.period = 202501;
  spec.partners = {{"5830", 0.40}};
  spec.complete = false;
  EXPECT_THAT(Briefs(Release(*engine, {Shares(spec)})), ElementsAre("FIRING@202501/NEW_DATA"));
}

TEST(RuleEngineTest, BackfillInOneReleaseGivesTheSameTransitionsAsMonthByMonthReplay) {
  const std::vector<double> values = {0.25, 0.31, 0.32, 0.29, 0.27, 0.26, 0.31,
                                      0.33, 0.35, 0.24, 0.22, 0.36, 0.37, 0.27};
  std::vector<int32_t> periods = Months(202401, static_cast<int>(values.size()));
  std::vector<v1::PartnerShares> all;
  for (size_t i = 0; i < values.size(); ++i) all.push_back(TaiwanShare(periods[i], values[i]));

  auto backfill = Engine(TaiwanRule(0.30, 0.28, 2));
  std::vector<v1::AlertEvent> at_once = Release(*backfill, all, {}, "backfill");

  auto live = Engine(TaiwanRule(0.30, 0.28, 2));
  std::vector<v1::AlertEvent> one_by_one;
  for (const auto& s : all) {
    for (auto& e : Release(*live, {s}, {}, "backfill")) one_by_one.push_back(e);
  }
  EXPECT_THAT(Briefs(at_once),
              ElementsAre("FIRING@202403/NEW_DATA", "RESOLVED@202405/NEW_DATA",
                          "FIRING@202408/NEW_DATA", "RESOLVED@202410/NEW_DATA",
                          "FIRING@202501/NEW_DATA", "RESOLVED@202502/NEW_DATA"));
  ASSERT_EQ(at_once.size(), one_by_one.size());
  for (size_t i = 0; i < at_once.size(); ++i) {
    EXPECT_EQ(at_once[i].SerializeAsString(), one_by_one[i].SerializeAsString()) << i;
  }
}

TEST(RuleEngineTest, RevisionThatChangesNoStateEmitsNothing) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  EXPECT_THAT(Briefs(Release(*engine, {TaiwanShare(202501, 0.31), TaiwanShare(202502, 0.32)})),
              ElementsAre("FIRING@202501/NEW_DATA"));
  // Revised, still above: nothing. Revised into the hysteresis band: still firing, nothing.
  EXPECT_THAT(Release(*engine, {TaiwanShare(202502, 0.33, 2)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {TaiwanShare(202502, 0.29, 3)}), ::testing::IsEmpty());
  // The same value again (a new vintage of unchanged data): nothing.
  EXPECT_THAT(Release(*engine, {TaiwanShare(202502, 0.29, 4)}), ::testing::IsEmpty());
}

TEST(RuleEngineTest, RevisionThatCrossesInTheMiddleButEndsInTheSameStateEmitsNothing) {
  auto engine = Engine(TaiwanRule(0.30, 0.30, 1));
  EXPECT_THAT(Release(*engine, {TaiwanShare(202501, 0.20), TaiwanShare(202502, 0.21),
                                TaiwanShare(202503, 0.22)}),
              ::testing::IsEmpty());
  // 202502 revised above: it would have fired at 202502 and resolved at 202503.
  EXPECT_THAT(Release(*engine, {TaiwanShare(202502, 0.35, 2)}), ::testing::IsEmpty());
}

TEST(RuleEngineTest, RevisionThatCrossesEmitsOneRevisionEventAtTheLastPeriod) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  EXPECT_THAT(Briefs(Release(*engine, {TaiwanShare(202501, 0.31), TaiwanShare(202502, 0.32),
                                       TaiwanShare(202503, 0.33)})),
              ElementsAre("FIRING@202501/NEW_DATA"));
  auto events = Release(*engine,
                        {TaiwanShare(202501, 0.20, 2), TaiwanShare(202502, 0.21, 2),
                         TaiwanShare(202503, 0.22, 2)},
                        {}, "2025-04-revision");
  ASSERT_THAT(Briefs(events), ElementsAre("RESOLVED@202503/REVISION"));
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 0.22);
  EXPECT_EQ(events[0].evidence().release_id(), "2025-04-revision");
  EXPECT_EQ(events[0].evidence().vintage(), 2);
}

TEST(RuleEngineTest, RevisionAndNewDataInOneReleaseEmitInPeriodOrder) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  EXPECT_THAT(Release(*engine, {TaiwanShare(202501, 0.20), TaiwanShare(202502, 0.21)}),
              ::testing::IsEmpty());
  // The release revises 202502 above the threshold and brings 202503 below clear.
  EXPECT_THAT(Briefs(Release(*engine, {TaiwanShare(202503, 0.20), TaiwanShare(202502, 0.31, 2)})),
              ElementsAre("FIRING@202502/REVISION", "RESOLVED@202503/NEW_DATA"));
}

// Taiwan's share of NAICS 3344 imports below 5%; `extra` adds lines to the rule.
std::string TaiwanLowRule(const std::string& extra = "") {
  return R"y(rules:
  - name: TaiwanShareLow
    metric: partner_share
    selector: {flow: imports, product_code: "3344", partner: "5830", window: t12m}
    below: 0.05
    severity: info
    annotations: {summary: "{{ partner }} at {{ value }}"}
)y" + extra;
}

TEST(RuleEngineTest, MissingPartnerCountsAsZero) {
  auto engine = Engine(TaiwanLowRule());
  SharesSpec spec;
  spec.partners = {{"5570", 0.6}, {"rest", 0.4}};
  auto events = Release(*engine, {Shares(spec)});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@202501/NEW_DATA"));
  EXPECT_EQ(events[0].evidence().value(), 0);
  EXPECT_EQ(events[0].evidence().numerator_usd(), 0);
  EXPECT_EQ(events[0].evidence().denominator_usd(), kTotalUsd);
  EXPECT_EQ(events[0].annotations(0).value(), "5830 at 0.0%");
}

TEST(RuleEngineTest, AWindowWithoutDataIsNotEvaluated) {
  auto engine = Engine(TaiwanLowRule("    include_incomplete_windows: true\n"));
  v1::PartnerShares empty = Shares(SharesSpec{});
  empty.set_total_usd(0);
  empty.mutable_window()->set_months_with_data(0);
  empty.mutable_window()->set_complete(false);
  EXPECT_THAT(Release(*engine, {empty}), ::testing::IsEmpty());
}

constexpr char kGrowthRule[] = R"y(rules:
  - name: DeficitGrowthHigh
    metric: deficit_growth
    selector: {product_code: "334", window: t12m}
    above: 0.20
    clear: 0.15
    severity: warning
    annotations:
      summary: "deficit {{ value }} in {{ period }}"
)y";

TEST(RuleEngineTest, PeriodsWithoutDeficitGrowthAreSkipped) {
  auto engine = Engine(kGrowthRule);
  EXPECT_THAT(Release(*engine, {}, {Balance(202412, 500e9, 200e9, -2)}), ::testing::IsEmpty());
  int watched = 0;
  engine->ForEachWatched([&](const WatchedValue&) { ++watched; });
  EXPECT_EQ(watched, 0);
  auto events = Release(*engine, {}, {Balance(202501, 550e9, 200e9, 0.25, 280e9)});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@202501/NEW_DATA"));
  EXPECT_EQ(events[0].evidence().numerator_usd(), 350'000'000'000);
  EXPECT_EQ(events[0].evidence().denominator_usd(), 280'000'000'000);
  EXPECT_EQ(events[0].annotations(0).value(), "deficit 25.0% in 2025-01");
  // A skipped period neither resolves nor breaks anything.
  EXPECT_THAT(Release(*engine, {}, {Balance(202502, 550e9, 200e9, -2)}), ::testing::IsEmpty());
  EXPECT_THAT(Briefs(Release(*engine, {}, {Balance(202503, 550e9, 200e9, 0.1, 500e9)})),
              ElementsAre("RESOLVED@202503/NEW_DATA"));
}

TEST(RuleEngineTest, BalanceRuleWatchesTheBalanceInDollars) {
  auto engine = Engine(R"y(rules:
  - name: DeficitHigh
    metric: balance
    selector: {product_code: "334", window: t12m}
    above: 300e9
    severity: info
    annotations:
      summary: "deficit {{ value }} over {{ threshold }} ({{ window }})"
)y");
  auto events = Release(*engine, {}, {Balance(202501, 551'190'000'000, 251'000'000'000, 0.1)});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@202501/NEW_DATA"));
  EXPECT_EQ(events[0].annotations(0).value(), "deficit $300.19B over $300.00B (t12m)");
  EXPECT_EQ(events[0].evidence().numerator_usd(), 551'190'000'000);
  EXPECT_EQ(events[0].evidence().denominator_usd(), 251'000'000'000);
  EXPECT_THAT(events[0].labels(), ::testing::SizeIs(3));  // product_code, severity, window
}

TEST(RuleEngineTest, TemplatesRenderFiguresPartnerAndPeriod) {
  auto engine = Engine("rules:\n" + TaiwanRuleYaml(0.30, 0.28, 1, R"y(    annotations:
      summary: "{{partner}} supplies {{ value }} of {{ product_code }} ({{ window }} to
        {{ period }})"
      description: "above {{ threshold }}, clears below {{ clear }}"
)y") + R"y(  - name: Concentrated
    metric: hhi
    selector: {flow: imports, product_code: "3344", window: year}
    above: 0.15
    severity: warning
    annotations:
      summary: "HHI {{ value }} over {{ threshold }} in {{ period }}"
)y");
  SharesSpec year;
  year.period = 202512;
  year.kind = v1::WINDOW_KIND_YEAR;
  year.hhi = 0.16189;
  year.partners = {{"5830", 0.3495}};
  auto events = Release(*engine, {TaiwanShare(202504, 0.34949), Shares(year)});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].annotations(0).name(), "summary");
  EXPECT_EQ(events[0].annotations(0).value(),
            "Taiwan (5830) supplies 34.9% of 3344 (t12m to 2025-04)");
  EXPECT_EQ(events[0].annotations(1).value(), "above 30.0%, clears below 28.0%");
  EXPECT_EQ(events[1].annotations(0).value(), "HHI 0.162 over 0.150 in 2025");
}

TEST(RuleEngineTest, LabelsAreTheRuleLabelsAndTheSelectorSortedByName) {
  auto engine = Engine("rules:\n" +
                       TaiwanRuleYaml(0.30, 0.30, 1,
                                      "    labels: {team: risk, area: chips}\n"
                                      "    annotations: {summary: \"{{ value }}\"}\n"));
  auto events = Release(*engine, {TaiwanShare(202501, 0.31)});
  ASSERT_EQ(events.size(), 1u);
  std::vector<std::string> labels;
  for (const auto& l : events[0].labels()) labels.push_back(l.name() + "=" + l.value());
  EXPECT_THAT(labels, ElementsAre("area=chips", "flow=imports", "partner=5830",
                                  "product_code=3344", "severity=page", "team=risk",
                                  "window=t12m"));
}

TEST(RuleEngineTest, EvidenceCarriesTheFiguresBehindTheTransition) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  SharesSpec spec;
  spec.period = 202504;
  spec.vintage = 12;
  spec.partners = {{"5830", 0.31}, {"5570", 0.12}, {"5520", 0.10}, {"2010", 0.06},
                   {"5800", 0.05}, {"5700", 0.04}, {"rest", 0.32}};
  std::vector<v1::PartnerShares> shares = {Shares(spec)};
  auto events = engine->OnRelease({"2025-06", 12}, shares, {});
  ASSERT_EQ(events.size(), 1u);
  const v1::AlertEvidence& e = events[0].evidence();
  EXPECT_DOUBLE_EQ(e.value(), 0.31);
  EXPECT_DOUBLE_EQ(e.threshold(), 0.30);
  EXPECT_DOUBLE_EQ(e.clear(), 0.28);
  EXPECT_EQ(e.numerator_usd(), 3'100'000'000);
  EXPECT_EQ(e.denominator_usd(), kTotalUsd);
  std::vector<std::string> top;
  for (const auto& p : e.top_partners()) top.push_back(p.code());
  EXPECT_THAT(top, ElementsAre("5830", "5570", "5520", "2010", "5800"));
  EXPECT_EQ(e.window().end_period_yyyymm(), 202504);
  EXPECT_EQ(e.window().kind(), v1::WINDOW_KIND_T12M);
  EXPECT_EQ(e.vintage(), 12);
  EXPECT_EQ(e.release_id(), "2025-06");
  EXPECT_EQ(e.cause(), v1::ALERT_CAUSE_NEW_DATA);
}

TEST(RuleEngineTest, TopPartnersSkipThePseudoPartners) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  SharesSpec spec;
  spec.partners = {{"rest", 0.5}, {"5830", 0.31}, {"not_in_detail", 0.19}};
  auto events = Release(*engine, {Shares(spec)});
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].evidence().top_partners_size(), 1);
  EXPECT_EQ(events[0].evidence().top_partners(0).code(), "5830");
}

TEST(RuleEngineTest, SameInputsGiveByteIdenticalEvents) {
  std::vector<v1::PartnerShares> all;
  std::vector<int32_t> periods = Months(202401, 8);
  for (size_t i = 0; i < periods.size(); ++i) {
    all.push_back(TaiwanShare(periods[i], i % 3 == 0 ? 0.25 : 0.32));
  }
  auto a = Engine(TaiwanRule(0.30, 0.28, 1));
  auto b = Engine(TaiwanRule(0.30, 0.28, 1));
  auto ea = Release(*a, all);
  auto eb = Release(*b, all);
  ASSERT_FALSE(ea.empty());
  ASSERT_EQ(ea.size(), eb.size());
  for (size_t i = 0; i < ea.size(); ++i) {
    EXPECT_EQ(ea[i].SerializeAsString(), eb[i].SerializeAsString());
  }
}

TEST(RuleEngineTest, RulesMatchFlowMeasureClassificationCodeAndWindow) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  SharesSpec other;
  other.partners = {{"5830", 0.5}};
  other.measure = v1::MEASURE_IMPORTS_FOR_CONSUMPTION;  // the rule's default is general imports
  EXPECT_THAT(Release(*engine, {Shares(other)}), ::testing::IsEmpty());
  other.measure = v1::MEASURE_GENERAL_IMPORTS;
  other.product_code = "334";
  EXPECT_THAT(Release(*engine, {Shares(other)}), ::testing::IsEmpty());
  other.product_code = "3344";
  other.kind = v1::WINDOW_KIND_MONTH;
  EXPECT_THAT(Release(*engine, {Shares(other)}), ::testing::IsEmpty());
  other.kind = v1::WINDOW_KIND_T12M;
  EXPECT_THAT(Briefs(Release(*engine, {Shares(other)})), ElementsAre("FIRING@202501/NEW_DATA"));
}

TEST(RuleEngineTest, EventsAreOrderedByPeriodThenRuleOrder) {
  auto engine = Engine(R"y(rules:
  - name: First
    metric: hhi
    selector: {flow: imports, product_code: "3344", window: t12m}
    above: 0.10
    severity: info
    annotations: {summary: "{{ value }}"}
  - name: Second
    metric: partner_share
    selector: {flow: imports, product_code: "3344", partner: "5830", window: t12m}
    above: 0.30
    severity: info
    annotations: {summary: "{{ value }}"}
)y");
  SharesSpec a;
  a.period = 202501;
  a.partners = {{"5830", 0.31}};
  a.hhi = 0.05;
  SharesSpec b = a;
  b.period = 202502;
  b.hhi = 0.2;
  auto events = Release(*engine, {Shares(b), Shares(a)});
  std::vector<std::string> order;
  for (const auto& e : events) order.push_back(e.rule() + "@" + std::to_string(e.period_yyyymm()));
  EXPECT_THAT(order, ElementsAre("Second@202501", "First@202502"));
}

TEST(RuleEngineTest, ForEachWatchedReportsTheLatestValueAndState) {
  auto engine = Engine(TaiwanRule(0.30, 0.28, 1));
  Release(*engine, {TaiwanShare(202501, 0.31), TaiwanShare(202502, 0.29)});
  std::vector<std::string> seen;
  engine->ForEachWatched([&](const WatchedValue& w) {
    seen.push_back(fmt::format("{} {} {} {} {}", w.rule->name(), w.period_yyyymm, w.value,
                               w.firing, w.labels->size()));
  });
  EXPECT_THAT(seen, ElementsAre("TaiwanShareHigh 202502 0.29 true 5"));
}

TEST(RuleEngineTest, CreateRejectsInvalidRules) {
  v1::RuleFile rules;
  rules.add_rules()->set_name("no metric");
  auto engine = RuleEngine::Create(rules);
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(engine.status().message(), HasSubstr("rules[0].metric: required"));
}

TEST(RuleEngineTest, CreateChecksRegionNamesWhenGiven) {
  v1::RuleFile rules = Rules(R"y(rules:
  - name: UsmcaLow
    metric: region_share
    selector: {flow: imports, product_code: "3341", region: USMCA, window: t12m}
    below: 0.25
    severity: warning
    annotations: {summary: "{{ value }}"}
)y");
  EXPECT_TRUE(RuleEngine::Create(rules).ok());
  EXPECT_TRUE(RuleEngine::Create(rules, {"USMCA"}).ok());
  auto engine = RuleEngine::Create(rules, {"ASEAN"});
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(engine.status().message(),
              HasSubstr("rules[0].selector.region: unknown region \"USMCA\""));
}

// The route_exposure rule of issue 6: 3344 imports' exposure to the Malacca Strait above 20%,
// clearing below 18%, two releases.
constexpr char kMalaccaRule[] = R"y(rules:
  - name: MalaccaExposureHigh
    metric: route_exposure
    selector: {flow: imports, product_code: "3344", chokepoint: chokepoint5, window: t12m}
    above: 0.20
    clear: 0.18
    for_releases: 2
    severity: warning
    annotations:
      summary: "{{ value }} via {{ chokepoint }} ({{ period }})"
)y";

v1::PartnerShares Exposed(int32_t period, double malacca, double taiwan_strait = 0.4) {
  SharesSpec spec;
  spec.period = period;
  spec.partners = {{"5830", 0.35}, {"5570", malacca}, {"rest", 0.65 - malacca}};
  spec.exposures = {{"chokepoint5", malacca}, {"chokepoint11", taiwan_strait}};
  return Shares(spec);
}

TEST(RuleEngineTest, RouteExposureRuleFiresAfterTwoReleasesAndResolvesBelowClear) {
  auto engine = Engine(kMalaccaRule);
  EXPECT_THAT(Release(*engine, {Exposed(202112, 0.233)}), ::testing::IsEmpty());
  auto fired = Release(*engine, {Exposed(202201, 0.229)});
  ASSERT_THAT(Briefs(fired), ElementsAre("FIRING@202201/NEW_DATA"));
  EXPECT_EQ(fired[0].annotations(0).value(), "22.9% via Malacca Strait (chokepoint5) (2022-01)");
  EXPECT_DOUBLE_EQ(fired[0].evidence().value(), 0.229);
  EXPECT_EQ(fired[0].evidence().numerator_usd(), static_cast<int64_t>(0.229 * kTotalUsd));
  EXPECT_EQ(fired[0].evidence().denominator_usd(), kTotalUsd);
  std::vector<std::string> labels;
  for (const auto& l : fired[0].labels()) labels.push_back(l.name() + "=" + l.value());
  EXPECT_THAT(labels, ElementsAre("chokepoint=chokepoint5", "flow=imports", "product_code=3344",
                                  "severity=warning", "window=t12m"));
  // Hysteresis: between the clear level and the threshold it keeps firing.
  EXPECT_THAT(Release(*engine, {Exposed(202202, 0.19)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {Exposed(202203, 0.181)}), ::testing::IsEmpty());
  EXPECT_THAT(Briefs(Release(*engine, {Exposed(202204, 0.176)})),
              ElementsAre("RESOLVED@202204/NEW_DATA"));
  // Once above the threshold again is not enough: two releases are.
  EXPECT_THAT(Release(*engine, {Exposed(202205, 0.21)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {Exposed(202206, 0.19)}), ::testing::IsEmpty());
  EXPECT_THAT(Release(*engine, {Exposed(202207, 0.21)}), ::testing::IsEmpty());
}

TEST(RuleEngineTest, RouteExposureReadsOnlyItsChokepointAndAnAbsentOneIsZero) {
  auto engine = Engine(kMalaccaRule);
  // The Taiwan Strait's 45% is not the Malacca Strait's exposure.
  EXPECT_THAT(Release(*engine, {Exposed(202501, 0.13, 0.45)}), ::testing::IsEmpty());
  SharesSpec without;  // a result computed without a route table
  without.period = 202502;
  without.partners = {{"5570", 0.3}, {"rest", 0.7}};
  EXPECT_THAT(Release(*engine, {Shares(without)}), ::testing::IsEmpty());
  std::vector<std::string> watched;
  engine->ForEachWatched([&](const WatchedValue& w) {
    watched.push_back(fmt::format("{} {} {}", w.rule->name(), w.period_yyyymm, w.value));
  });
  EXPECT_THAT(watched, ElementsAre("MalaccaExposureHigh 202502 0"));
}

TEST(RuleEngineTest, CreateChecksChokepointIdsWhenGiven) {
  v1::RuleFile rules = Rules(kMalaccaRule);
  EXPECT_TRUE(RuleEngine::Create(rules).ok());
  EXPECT_TRUE(RuleEngine::Create(rules, RuleReferences({}, {"chokepoint5"})).ok());
  auto engine = RuleEngine::Create(rules, RuleReferences({"USMCA"}, {"chokepoint1"}));
  ASSERT_FALSE(engine.ok());
  EXPECT_THAT(engine.status().message(),
              HasSubstr("rules[0].selector.chokepoint: unknown chokepoint \"chokepoint5\" "
                        "(known: chokepoint1)"));
}

}  // namespace
}  // namespace tradewatch::alerts
