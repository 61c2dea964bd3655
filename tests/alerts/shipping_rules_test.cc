// The shipping rule engine on hand-made chokepoint series: the composite rule of the shipping
// issue (exposure of NAICS 3344 imports to the Malacca Strait above 20% while its 7-day transits
// are below 70% of baseline), the as-of join of days to trade periods, transit_ratio and staleness
// rules, revisions, determinism, the trade engine leaving shipping rules alone, and the
// validation of shipping rules.
//
// The series are built by the chokepoint analytics (ChokepointSeries + EvaluateTimeline) from
// daily transits: a steady 100 transits a day from 2024-09-01, so that every day from October
// 2024 on has a same-week-last-year baseline of 700, and a dip to 30 a day. A window ending k days
// into the dip (k = 1..6) holds k dip days: its ratio is (700 - 70k) / 700 = 1 - 0.1k, so the
// fourth dip day is the first strictly below 0.7, and after the dip the ratio is 0.8 (not
// strictly above 0.8) with two dip days left in the window and 0.9 with one.
#include "alerts/shipping_rules.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alerts/rule_engine.h"
#include "common/period.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "processors/chokepoint_analytics.h"
#include "processors/shipping_processor.h"
#include "tests/alerts/alert_fixtures.h"

namespace tradewatch::alerts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace ::tradewatch::alerts::fixtures;  // NOLINT: fixtures of this test folder

constexpr int32_t kFirst = 20240901;  // first day of every series
constexpr int64_t kSteady = 100;      // transits a day outside the dips
constexpr int64_t kLow = 30;          // transits a day in a dip

// The example of the shipping issue (as deploy/rules/default.yaml writes it), for_releases days.
std::string MalaccaCompositeYaml(int for_releases = 1) {
  return fmt::format(
      "  - name: SemiconductorImportsMalaccaDisrupted\n"
      "    metric: route_exposure\n"
      "    selector: {{flow: imports, measure: general_imports, product_code: \"3344\", "
      "chokepoint: chokepoint5, window: t12m}}\n"
      "    above: 0.20\n"
      "    clear: 0.18\n"
      "    for_releases: {}\n"
      "    route: {{chokepoint: chokepoint5, ratio_below: 0.70, ratio_clear: 0.80}}\n"
      "    severity: page\n"
      "    labels: {{team: supply-chain-risk}}\n"
      "    annotations:\n"
      "      summary: \"{{{{ value }}}} through {{{{ chokepoint }}}}, transits at {{{{ ratio }}}} "
      "on {{{{ date }}}} ({{{{ window }}}} to {{{{ period }}}})\"\n",
      for_releases);
}

std::string TransitRatioYaml(const std::string& chokepoint, int for_releases) {
  return fmt::format(
      "  - name: TransitsLow_{0}\n"
      "    metric: transit_ratio\n"
      "    selector: {{chokepoint: {0}}}\n"
      "    below: 0.70\n"
      "    clear: 0.80\n"
      "    for_releases: {1}\n"
      "    severity: warning\n"
      "    annotations: {{summary: \"{{{{ chokepoint }}}} at {{{{ value }}}} on {{{{ date }}}}\"}}\n",
      chokepoint, for_releases);
}

std::string StalenessYaml(const std::string& chokepoint) {
  return fmt::format(
      "  - name: DataStale_{0}\n"
      "    metric: transit_staleness_days\n"
      "    selector: {{chokepoint: {0}}}\n"
      "    above: 9\n"
      "    severity: warning\n"
      "    annotations: {{summary: \"{{{{ chokepoint }}}} {{{{ value }}}} old on {{{{ date }}}}\"}}\n",
      chokepoint);
}

std::unique_ptr<ShippingRuleEngine> Engine(const std::string& yaml) {
  auto engine = ShippingRuleEngine::Create(Rules(yaml));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

v1::ChokepointTransit Transit(const std::string& id, int32_t date, int64_t total) {
  v1::ChokepointTransit t;
  t.set_chokepoint_id(id);
  t.set_chokepoint_name(ChokepointName(id));
  t.set_date_yyyymmdd(date);
  t.set_n_total(static_cast<int32_t>(total));
  t.set_n_tanker(static_cast<int32_t>(total / 4));
  t.set_n_cargo(static_cast<int32_t>(total - total / 4));
  t.set_vintage(1);
  return t;
}

// A chokepoint's evaluated days from kFirst to `last`: total(date) transits a day, except the
// days for which present(date) is false.
struct Route {
  std::string id;
  processors::ChokepointTimeline timeline;

  // The chokepoint as a release leaves it.
  ChokepointDays Days(int32_t changed_from) const {
    return ChokepointDays{id, ChokepointName(id), timeline.days, changed_from};
  }
  const v1::ChokepointStatus& At(int32_t date) const {
    return timeline.days.at(static_cast<size_t>(DayNumber(date) - DayNumber(kFirst)));
  }
};

Route MakeRoute(const std::string& id, int32_t last, const std::function<int64_t(int32_t)>& total,
                const std::function<bool(int32_t)>& present = [](int32_t) { return true; }) {
  processors::ChokepointSeries series(id, ChokepointName(id));
  for (int32_t d = kFirst; d <= last; d = AddDays(d, 1)) {
    if (present(d)) series.Upsert(Transit(id, d, total(d)));
  }
  return Route{id, processors::EvaluateTimeline(series, processors::ChokepointOptions{})};
}

// kLow a day from `from` to `to` (inclusive), kSteady otherwise.
std::function<int64_t(int32_t)> Dip(int32_t from, int32_t to) {
  return [from, to](int32_t d) { return d >= from && d <= to ? kLow : kSteady; };
}

std::function<int64_t(int32_t)> Steady() {
  return [](int32_t) { return kSteady; };
}

// NAICS 3344 general imports, T12M to `period`, complete, with `exposure` to chokepoint5.
v1::PartnerShares Exposure(int32_t period, double exposure, int64_t vintage = 1) {
  SharesSpec spec;
  spec.period = period;
  spec.partners = {{"5830", 0.30}, {"5570", 0.10}, {"rest", 0.60}};
  spec.exposures = {{"chokepoint5", exposure}, {"chokepoint11", 0.40}};
  spec.vintage = vintage;
  return Shares(spec);
}

std::vector<v1::AlertEvent> Release(ShippingRuleEngine& engine, int32_t through,
                                    const std::vector<ChokepointDays>& days,
                                    const std::string& release_id = "portwatch") {
  return engine.OnRelease({release_id, 42, through}, days);
}

// "FIRING@20251016/NEW_DATA" for compact comparisons.
std::string Brief(const v1::AlertEvent& e) {
  return fmt::format("{}@{}/{}", v1::AlertState_Name(e.state()).substr(12), e.date_yyyymmdd(),
                     v1::AlertCause_Name(e.evidence().cause()).substr(12));
}

std::vector<std::string> Briefs(const std::vector<v1::AlertEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(Brief(e));
  return out;
}

std::string LabelValue(const v1::AlertEvent& e, const std::string& name) {
  for (const v1::Label& l : e.labels()) {
    if (l.name() == name) return l.value();
  }
  return "<absent>";
}

struct Watched {
  int32_t period = 0;
  double value = 0;
  bool firing = false;
};

std::vector<Watched> WatchedValues(const ShippingRuleEngine& engine) {
  std::vector<Watched> out;
  engine.ForEachWatched([&](const WatchedValue& w) {
    out.push_back({w.period_yyyymm, w.value, w.firing});
  });
  return out;
}

// ----- Composite rules -----------------------------------------------------------------------

TEST(ShippingRulesTest, CompositeFiresOnTheFirstDayBelowRatioWhileExposureIsAboveThreshold) {
  constexpr int32_t kDip = 20251013;  // six days at 30: 2025-10-13..18
  const Route malacca = MakeRoute("chokepoint5", 20251031, Dip(kDip, AddDays(kDip, 5)));
  // The fixture as the header reasons about it.
  EXPECT_DOUBLE_EQ(malacca.At(20251012).baseline_7d(), 700);
  EXPECT_EQ(malacca.At(20251012).baseline_kind(), v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR);
  EXPECT_DOUBLE_EQ(malacca.At(20251015).ratio(), 0.7);  // three dip days: not strictly below
  EXPECT_DOUBLE_EQ(malacca.At(20251016).ratio(), 0.6);  // four: the first day below 0.7
  EXPECT_DOUBLE_EQ(malacca.At(20251023).ratio(), 0.8);  // two left: not strictly above 0.8
  EXPECT_DOUBLE_EQ(malacca.At(20251024).ratio(), 0.9);  // one left: above ratio_clear

  auto engine = Engine("rules:\n" + MalaccaCompositeYaml());
  const v1::PartnerShares shares = Exposure(202509, 0.25);
  ASSERT_TRUE(engine->WantsShares(shares));
  engine->OnShares(shares);
  const auto events = Release(*engine, 20251031, {malacca.Days(kFirst)});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@20251016/NEW_DATA", "RESOLVED@20251024/NEW_DATA"));

  const v1::AlertEvent& firing = events[0];
  EXPECT_EQ(firing.rule(), "SemiconductorImportsMalaccaDisrupted");
  EXPECT_EQ(firing.severity(), "page");
  EXPECT_EQ(firing.date_yyyymmdd(), 20251016);
  EXPECT_EQ(firing.period_yyyymm(), 202510);
  // The trade side: the T12M exposure to 2025-09, in force in October.
  EXPECT_DOUBLE_EQ(firing.evidence().value(), 0.25);
  EXPECT_DOUBLE_EQ(firing.evidence().threshold(), 0.20);
  EXPECT_DOUBLE_EQ(firing.evidence().clear(), 0.18);
  EXPECT_EQ(firing.evidence().numerator_usd(), static_cast<int64_t>(0.25 * kTotalUsd));
  EXPECT_EQ(firing.evidence().denominator_usd(), kTotalUsd);
  EXPECT_EQ(firing.evidence().window().end_period_yyyymm(), 202509);
  EXPECT_EQ(firing.evidence().release_id(), "portwatch");
  ASSERT_GE(firing.evidence().top_partners_size(), 1);
  EXPECT_EQ(firing.evidence().top_partners(0).code(), "5830");
  // The route side: the day's status.
  EXPECT_EQ(firing.route().chokepoint_id(), "chokepoint5");
  EXPECT_EQ(firing.route().chokepoint_name(), "Malacca Strait");
  EXPECT_EQ(firing.route().status().date_yyyymmdd(), 20251016);
  EXPECT_LT(firing.route().status().ratio(), 0.7);
  EXPECT_DOUBLE_EQ(firing.route().status().ratio(), 0.6);
  EXPECT_EQ(firing.route().status().transits_7d(), 4 * kLow + 3 * kSteady);
  EXPECT_DOUBLE_EQ(firing.route().ratio_threshold(), 0.7);
  EXPECT_DOUBLE_EQ(firing.route().ratio_clear(), 0.8);
  EXPECT_EQ(firing.route().release_through_yyyymmdd(), 20251031);
  EXPECT_EQ(LabelValue(firing, "chokepoint"), "chokepoint5");
  EXPECT_EQ(LabelValue(firing, "product_code"), "3344");
  EXPECT_EQ(LabelValue(firing, "flow"), "imports");
  EXPECT_EQ(LabelValue(firing, "window"), "t12m");
  EXPECT_EQ(LabelValue(firing, "team"), "supply-chain-risk");
  ASSERT_EQ(firing.annotations_size(), 1);
  EXPECT_EQ(firing.annotations(0).value(),
            "25.0% through Malacca Strait (chokepoint5), transits at 60.0% on 2025-10-16 "
            "(t12m to 2025-09)");

  const v1::AlertEvent& resolved = events[1];
  EXPECT_EQ(resolved.date_yyyymmdd(), 20251024);
  EXPECT_DOUBLE_EQ(resolved.evidence().value(), 0.25);  // the trade side still beyond: the route
  EXPECT_GT(resolved.route().status().ratio(), 0.8);    // side cleared it
  EXPECT_EQ(LabelValue(resolved, "chokepoint"), "chokepoint5");

  // Nothing new: nothing to say.
  EXPECT_THAT(Release(*engine, 20251031, {malacca.Days(0)}), IsEmpty());
}

TEST(ShippingRulesTest, CompositeForReleasesCountsConsecutiveDays) {
  constexpr int32_t kDip = 20251013;
  const Route malacca = MakeRoute("chokepoint5", 20251031, Dip(kDip, AddDays(kDip, 5)));
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml(3));
  engine->OnShares(Exposure(202509, 0.25));
  // Below 0.7 on 2025-10-16 (0.6), 17 (0.5), 18 (0.4): the third day fires. Still below on
  // 19 .. 21, at 0.7 on 22 and 0.8 on 23, above 0.8 on 24.
  EXPECT_THAT(Briefs(Release(*engine, 20251031, {malacca.Days(kFirst)})),
              ElementsAre("FIRING@20251018/NEW_DATA", "RESOLVED@20251024/NEW_DATA"));
}

TEST(ShippingRulesTest, CompositeDoesNotFireWhileExposureIsBelowThresholdEvenWhenTransitsDrop) {
  constexpr int32_t kDip = 20251013;
  const Route malacca = MakeRoute("chokepoint5", 20251031, Dip(kDip, AddDays(kDip, 5)));
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml());
  engine->OnShares(Exposure(202509, 0.15));
  EXPECT_THAT(Release(*engine, 20251031, {malacca.Days(kFirst)}), IsEmpty());
  // Evaluated all the same: the watched value is the trade figure of the last day.
  const auto watched = WatchedValues(*engine);
  ASSERT_EQ(watched.size(), 1u);
  EXPECT_EQ(watched[0].period, 202510);
  EXPECT_DOUBLE_EQ(watched[0].value, 0.15);
  EXPECT_FALSE(watched[0].firing);
}

TEST(ShippingRulesTest, CompositeResolvesOnTheFirstDayOfAPeriodWhoseExposureIsBelowClear) {
  constexpr int32_t kDip = 20251013;  // transits stay at 30 a day to the end
  const std::function<int64_t(int32_t)> total = Dip(kDip, 20991231);
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml());
  engine->OnShares(Exposure(202509, 0.25));
  const Route october = MakeRoute("chokepoint5", 20251031, total);
  EXPECT_THAT(Briefs(Release(*engine, 20251031, {october.Days(kFirst)})),
              ElementsAre("FIRING@20251016/NEW_DATA"));

  // The T12M exposure to 2025-11 is 15%, below clear 18%, before the November days arrive: the
  // first November day, still with transits at 30%, resolves on the trade side.
  engine->OnShares(Exposure(202511, 0.15));
  const Route november = MakeRoute("chokepoint5", 20251115, total);
  const auto events = Release(*engine, 20251115, {november.Days(20251101)});
  ASSERT_THAT(Briefs(events), ElementsAre("RESOLVED@20251101/NEW_DATA"));
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 0.15);
  EXPECT_EQ(events[0].evidence().window().end_period_yyyymm(), 202511);
  EXPECT_DOUBLE_EQ(events[0].route().status().ratio(), 0.3);  // the route side still beyond
}

TEST(ShippingRulesTest, ALaterTradeFigureForDaysAlreadyEvaluatedResolvesByRevision) {
  constexpr int32_t kDip = 20251013;
  const Route malacca = MakeRoute("chokepoint5", 20251130, Dip(kDip, 20991231));
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml());
  engine->OnShares(Exposure(202509, 0.25));
  EXPECT_THAT(Briefs(Release(*engine, 20251130, {malacca.Days(kFirst)})),
              ElementsAre("FIRING@20251016/NEW_DATA"));

  // The 2025-11 exposure (15%) comes after the November days were evaluated, with no change to
  // the route: the walk re-runs from 2025-11-01 (where the rule now resolves) and, as for any
  // revision (shipping_rules.h), the one transition is reported at the last evaluated day.
  engine->OnShares(Exposure(202511, 0.15));
  const auto events = Release(*engine, 20251130, {malacca.Days(0)}, "census-2025-11");
  ASSERT_THAT(Briefs(events), ElementsAre("RESOLVED@20251130/REVISION"));
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 0.15);
  EXPECT_EQ(events[0].evidence().window().end_period_yyyymm(), 202511);
  EXPECT_EQ(events[0].evidence().release_id(), "census-2025-11");
  // The same figure again changes nothing.
  engine->OnShares(Exposure(202511, 0.15));
  EXPECT_THAT(Release(*engine, 20251130, {malacca.Days(0)}), IsEmpty());
}

TEST(ShippingRulesTest, ATradeFigureAppliesToDaysOfItsMonthAndLaterNotBefore) {
  // Transits at 30 a day from 2025-09-20: below 0.7 from 2025-09-23 (four dip days) on.
  const Route malacca = MakeRoute("chokepoint5", 20251010, Dip(20250920, 20991231));
  ASSERT_LT(malacca.At(20250923).ratio(), 0.7);
  ASSERT_DOUBLE_EQ(malacca.At(20250922).ratio(), 0.7);

  // 15% to 2025-08 (in force in September), 25% to 2025-10 (in force from October 1).
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml());
  engine->OnShares(Exposure(202510, 0.25));
  engine->OnShares(Exposure(202508, 0.15));
  const auto events = Release(*engine, 20251010, {malacca.Days(kFirst)});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@20251001/NEW_DATA"));
  EXPECT_EQ(events[0].evidence().window().end_period_yyyymm(), 202510);
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 0.25);

  // A figure to a later month changes no October day.
  engine->OnShares(Exposure(202511, 0.10));
  EXPECT_THAT(Release(*engine, 20251010, {malacca.Days(0)}), IsEmpty());

  // Without the 2025-08 figure the September days have no trade figure at all: same transition.
  auto only_october = Engine("rules:\n" + MalaccaCompositeYaml());
  only_october->OnShares(Exposure(202510, 0.25));
  EXPECT_THAT(Briefs(Release(*only_october, 20251010, {malacca.Days(kFirst)})),
              ElementsAre("FIRING@20251001/NEW_DATA"));

  // With the 25% figure to 2025-08 instead, the September days fire at the first low day.
  auto august = Engine("rules:\n" + MalaccaCompositeYaml());
  august->OnShares(Exposure(202508, 0.25));
  EXPECT_THAT(Briefs(Release(*august, 20251010, {malacca.Days(kFirst)})),
              ElementsAre("FIRING@20250923/NEW_DATA"));
}

TEST(ShippingRulesTest, CompositeIgnoresSharesOfAnotherSeriesAndIncompleteWindows) {
  const Route malacca = MakeRoute("chokepoint5", 20251031, Dip(20251013, 20251018));
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml());
  SharesSpec other;
  other.period = 202509;
  other.exposures = {{"chokepoint5", 0.5}};
  other.product_code = "3341";
  EXPECT_FALSE(engine->WantsShares(Shares(other)));
  engine->OnShares(Shares(other));
  SharesSpec incomplete = other;
  incomplete.product_code = "3344";
  incomplete.complete = false;
  EXPECT_TRUE(engine->WantsShares(Shares(incomplete)));
  engine->OnShares(Shares(incomplete));
  EXPECT_THAT(Release(*engine, 20251031, {malacca.Days(kFirst)}), IsEmpty());
  EXPECT_TRUE(WatchedValues(*engine).empty());  // no trade figure: no day evaluated
}

// ----- transit_ratio rules -------------------------------------------------------------------

TEST(ShippingRulesTest, TransitRatioSkipsDaysWithoutRatioAndFiresAfterConsecutiveLowDays) {
  // 30 a day from 2025-10-06 to 2025-10-26, and no record for 2025-10-10: the windows ending
  // 2025-10-10 .. 16 are GAP (no ratio).
  constexpr int32_t kDip = 20251006;
  constexpr int32_t kMissing = 20251010;
  const Route malacca = MakeRoute("chokepoint5", 20251105, Dip(kDip, 20251026),
                                  [](int32_t d) { return d != kMissing; });
  EXPECT_DOUBLE_EQ(malacca.At(20251008).ratio(), 0.7);
  EXPECT_DOUBLE_EQ(malacca.At(20251009).ratio(), 0.6);
  for (int32_t d = kMissing; d <= 20251016; d = AddDays(d, 1)) {
    EXPECT_FALSE(malacca.At(d).has_ratio()) << d;
    EXPECT_EQ(malacca.At(d).status(), v1::TRANSIT_STATUS_GAP) << d;
  }
  EXPECT_DOUBLE_EQ(malacca.At(20251017).ratio(), 0.3);

  // for_releases 2: 2025-10-09 is the first low day, the GAP days neither count nor break the
  // run, 2025-10-17 is the second. After the dip: 0.8 on 2025-10-31, 0.9 on 2025-11-01.
  auto engine = Engine("rules:\n" + TransitRatioYaml("chokepoint5", 2));
  const auto events = Release(*engine, 20251105, {malacca.Days(kFirst)});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@20251017/NEW_DATA", "RESOLVED@20251101/NEW_DATA"));
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 0.3);
  EXPECT_DOUBLE_EQ(events[0].evidence().threshold(), 0.7);
  EXPECT_DOUBLE_EQ(events[0].route().ratio_threshold(), 0.7);
  EXPECT_DOUBLE_EQ(events[0].route().ratio_clear(), 0.8);
  EXPECT_EQ(events[0].route().status().date_yyyymmdd(), 20251017);
  EXPECT_EQ(events[0].evidence().vintage(), 42);  // the shipping release's
  EXPECT_EQ(LabelValue(events[0], "chokepoint"), "chokepoint5");
  EXPECT_EQ(LabelValue(events[0], "product_code"), "<absent>");
  EXPECT_EQ(events[0].annotations(0).value(),
            "Malacca Strait (chokepoint5) at 30.0% on 2025-10-17");
  EXPECT_DOUBLE_EQ(events[1].evidence().value(), 0.9);
  EXPECT_EQ(events[1].period_yyyymm(), 202511);
}

TEST(ShippingRulesTest, TransitRatioReadsOnlyItsChokepoint) {
  const Route malacca = MakeRoute("chokepoint5", 20251031, Dip(20251013, 20251018));
  const Route taiwan = MakeRoute("chokepoint11", 20251031, Dip(20251020, 20251025));
  auto engine = Engine("rules:\n" + TransitRatioYaml("chokepoint11", 1));
  EXPECT_THAT(engine->chokepoints(), ElementsAre("chokepoint11"));
  // Another partition's chokepoint only: nothing.
  EXPECT_THAT(Release(*engine, 20251031, {malacca.Days(kFirst)}), IsEmpty());
  const auto events = Release(*engine, 20251031, {malacca.Days(0), taiwan.Days(kFirst)});
  EXPECT_THAT(Briefs(events), ElementsAre("FIRING@20251023/NEW_DATA", "RESOLVED@20251031/NEW_DATA"));
}

TEST(ShippingRulesTest, OneReleaseOfTheHistoryAndTheSameHistoryInWeeklyReleasesAgree) {
  constexpr int32_t kLast = 20251105;
  const auto total = Dip(20251006, 20251026);
  const auto present = [](int32_t d) { return d != 20251010; };
  const Route whole = MakeRoute("chokepoint5", kLast, total, present);
  auto at_once = Engine("rules:\n" + TransitRatioYaml("chokepoint5", 2));
  const auto expected = Briefs(Release(*at_once, kLast, {whole.Days(kFirst)}));
  ASSERT_EQ(expected.size(), 2u);

  auto weekly = Engine("rules:\n" + TransitRatioYaml("chokepoint5", 2));
  processors::ShippingPartition partition{processors::ChokepointOptions{}};
  std::vector<std::string> got;
  int32_t d = kFirst;
  for (int32_t through = 20250930; through <= kLast + 7; through = AddDays(through, 7)) {
    for (; d <= std::min(through, kLast); d = AddDays(d, 1)) {
      if (present(d)) partition.Apply(Transit("chokepoint5", d, total(d)));
    }
    v1::ShippingReleaseMarker marker;
    marker.set_through_yyyymmdd(through);
    const processors::ShippingReleaseResults results = partition.CloseRelease(marker);
    const processors::ChokepointState& state = partition.chokepoints().at("chokepoint5");
    auto changed = results.changed_from.find("chokepoint5");
    const ChokepointDays days{"chokepoint5", "Malacca Strait", state.timeline.days,
                              changed == results.changed_from.end() ? 0 : changed->second};
    for (const auto& e : Release(*weekly, through, {days})) got.push_back(Brief(e));
  }
  EXPECT_EQ(got, expected);
}

// ----- transit_staleness_days rules ----------------------------------------------------------

// Statuses of `id` for every day from `first` to `last`.
std::vector<v1::ChokepointStatus> PlainDays(const std::string& id, int32_t first, int32_t last) {
  std::vector<v1::ChokepointStatus> days;
  for (int32_t d = first; d <= last; d = AddDays(d, 1)) {
    v1::ChokepointStatus s;
    s.set_chokepoint_id(id);
    s.set_chokepoint_name(ChokepointName(id));
    s.set_date_yyyymmdd(d);
    s.set_as_of_yyyymmdd(d);
    s.set_status(v1::TRANSIT_STATUS_NO_BASELINE);
    days.push_back(s);
  }
  return days;
}

TEST(ShippingRulesTest, StalenessFiresWhenTheLatestDayIsMoreThanNineDaysBeforeTheHorizon) {
  auto engine =
      Engine("rules:\n" + StalenessYaml("chokepoint5") + StalenessYaml("chokepoint11"));
  // Horizon 2025-10-20: Malacca's latest day is 2025-10-08 (12 days), Taiwan's 2025-10-17 (3).
  const auto malacca = PlainDays("chokepoint5", 20251001, 20251008);
  const auto taiwan = PlainDays("chokepoint11", 20251001, 20251017);
  auto events = Release(*engine, 20251020,
                        {{"chokepoint5", "Malacca Strait", malacca, 20251001},
                         {"chokepoint11", "Taiwan Strait", taiwan, 20251001}});
  ASSERT_THAT(Briefs(events), ElementsAre("FIRING@20251020/NEW_DATA"));
  const v1::AlertEvent& e = events[0];
  EXPECT_EQ(e.rule(), "DataStale_chokepoint5");
  EXPECT_DOUBLE_EQ(e.evidence().value(), 12);
  EXPECT_DOUBLE_EQ(e.evidence().threshold(), 9);
  EXPECT_EQ(e.route().staleness_days(), 12);
  EXPECT_EQ(e.route().release_through_yyyymmdd(), 20251020);
  EXPECT_EQ(e.route().status().date_yyyymmdd(), 20251008);
  EXPECT_EQ(e.route().status().as_of_yyyymmdd(), 20251020);
  EXPECT_EQ(e.period_yyyymm(), 202510);
  EXPECT_EQ(e.annotations(0).value(), "Malacca Strait (chokepoint5) 12 days old on 2025-10-20");

  // A week later Malacca has fresh data (0 days: resolved) and Taiwan none (10 days: fires):
  // a chokepoint the release brings nothing new for keeps ageing.
  const auto malacca_fresh = PlainDays("chokepoint5", 20251001, 20251027);
  events = Release(*engine, 20251027,
                   {{"chokepoint5", "Malacca Strait", malacca_fresh, 20251009},
                    {"chokepoint11", "Taiwan Strait", taiwan, 0}});
  ASSERT_THAT(Briefs(events), ElementsAre("RESOLVED@20251027/NEW_DATA", "FIRING@20251027/NEW_DATA"));
  EXPECT_EQ(events[0].rule(), "DataStale_chokepoint5");
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 0);
  EXPECT_EQ(events[1].rule(), "DataStale_chokepoint11");
  EXPECT_DOUBLE_EQ(events[1].evidence().value(), 10);
  EXPECT_EQ(events[1].route().staleness_days(), 10);
}

TEST(ShippingRulesTest, StalenessAtExactlyTheThresholdDoesNotFire) {
  auto engine = Engine("rules:\n" + StalenessYaml("chokepoint5"));
  const auto malacca = PlainDays("chokepoint5", 20251001, 20251011);
  EXPECT_THAT(Release(*engine, 20251020, {{"chokepoint5", "Malacca Strait", malacca, 20251001}}),
              IsEmpty());  // 9 days: not strictly above 9
  EXPECT_THAT(Briefs(Release(*engine, 20251021, {{"chokepoint5", "Malacca Strait", malacca, 0}})),
              ElementsAre("FIRING@20251021/NEW_DATA"));
}

// ----- Revisions -----------------------------------------------------------------------------

TEST(ShippingRulesTest, ARestatementThatRemovesTheLowDaysResolvesOnceByRevision) {
  constexpr int32_t kDip = 20251013;  // 30 a day to 2025-10-18, the last day of the first release
  constexpr int32_t kLast = 20251018;
  auto engine = Engine("rules:\n" + TransitRatioYaml("chokepoint5", 1));
  processors::ShippingPartition partition{processors::ChokepointOptions{}};
  for (int32_t d = kFirst; d <= kLast; d = AddDays(d, 1)) {
    partition.Apply(Transit("chokepoint5", d, d >= kDip ? kLow : kSteady));
  }
  auto release = [&](int32_t through, const std::string& id) {
    v1::ShippingReleaseMarker marker;
    marker.set_through_yyyymmdd(through);
    const auto results = partition.CloseRelease(marker);
    auto changed = results.changed_from.find("chokepoint5");
    const ChokepointDays days{"chokepoint5", "Malacca Strait",
                              partition.chokepoints().at("chokepoint5").timeline.days,
                              changed == results.changed_from.end() ? 0 : changed->second};
    return engine->OnRelease({id, 43, through}, std::vector<ChokepointDays>{days});
  };
  EXPECT_THAT(Briefs(release(kLast, "pw-1")), ElementsAre("FIRING@20251016/NEW_DATA"));

  // The last day restated lower, still disrupted: the walk re-runs, the state stays: nothing.
  partition.Apply(Transit("chokepoint5", kLast, 20));
  EXPECT_THAT(release(kLast, "pw-2"), IsEmpty());

  // PortWatch restates the six dip days to the usual 100: every ratio is 1 again.
  for (int32_t d = kDip; d <= kLast; d = AddDays(d, 1)) {
    partition.Apply(Transit("chokepoint5", d, kSteady));
  }
  const auto events = release(kLast, "pw-3");
  ASSERT_THAT(Briefs(events), ElementsAre("RESOLVED@20251018/REVISION"));
  EXPECT_DOUBLE_EQ(events[0].evidence().value(), 1.0);
  EXPECT_DOUBLE_EQ(events[0].route().status().ratio(), 1.0);
  EXPECT_EQ(events[0].evidence().release_id(), "pw-3");
  const auto watched = WatchedValues(*engine);
  ASSERT_EQ(watched.size(), 1u);
  EXPECT_FALSE(watched[0].firing);
}

TEST(ShippingRulesTest, ARestatementThatCreatesLowDaysFiresOnceByRevisionThenNewDaysGoOn) {
  auto engine = Engine("rules:\n" + TransitRatioYaml("chokepoint5", 1));
  const Route steady = MakeRoute("chokepoint5", 20251018, Steady());
  EXPECT_THAT(Release(*engine, 20251018, {steady.Days(kFirst)}), IsEmpty());
  // 2025-10-13..18 restated to 30, and three new steady days: the restated days fire (reported at
  // the last evaluated day, 2025-10-18, by revision), the new days 19 (0.4) and 20 (0.5) keep it
  // firing, 21 (0.6) too.
  const Route restated = MakeRoute("chokepoint5", 20251021, Dip(20251013, 20251018));
  EXPECT_THAT(Briefs(Release(*engine, 20251021, {restated.Days(20251013)})),
              ElementsAre("FIRING@20251018/REVISION"));
}

// ----- Determinism and the trade engine ------------------------------------------------------

std::vector<std::string> Scenario() {
  auto engine = Engine("rules:\n" + MalaccaCompositeYaml() + TransitRatioYaml("chokepoint5", 1) +
                       StalenessYaml("chokepoint11"));
  std::vector<std::string> out;
  const Route malacca = MakeRoute("chokepoint5", 20251031, Dip(20251013, 20251018));
  const auto taiwan = PlainDays("chokepoint11", 20251001, 20251015);
  engine->OnShares(Exposure(202509, 0.25));
  for (const auto& e : Release(*engine, 20251031,
                               {malacca.Days(kFirst), {"chokepoint11", "Taiwan Strait", taiwan,
                                                       20251001}})) {
    out.push_back(e.SerializeAsString());
  }
  engine->OnShares(Exposure(202510, 0.15));
  for (const auto& e : Release(*engine, 20251031, {malacca.Days(0)})) {
    out.push_back(e.SerializeAsString());
  }
  return out;
}

TEST(ShippingRulesTest, TheSameInputsGiveByteIdenticalEvents) {
  const auto first = Scenario();
  // The composite and the ratio rule fire on 2025-10-16 and resolve on 2025-10-24, Taiwan is
  // stale (16 days at 2025-10-31); the later exposure below clear changes no state.
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(first, Scenario());
}

TEST(ShippingRulesTest, TheTradeRuleEngineLeavesCompositeAndShippingRulesAlone) {
  const std::string yaml = "rules:\n" + MalaccaCompositeYaml() +
                           "  - name: MalaccaExposureHigh\n"
                           "    metric: route_exposure\n"
                           "    selector: {flow: imports, product_code: \"3344\", "
                           "chokepoint: chokepoint5, window: t12m}\n"
                           "    above: 0.20\n"
                           "    severity: warning\n"
                           "    annotations: {summary: \"{{ chokepoint }} at {{ value }}\"}\n" +
                           TransitRatioYaml("chokepoint5", 1);
  auto trade = RuleEngine::Create(Rules(yaml));
  ASSERT_TRUE(trade.ok()) << trade.status();
  const std::vector<v1::PartnerShares> shares = {Exposure(202509, 0.25)};
  const auto events = (*trade)->OnRelease({"census", 7}, shares, {});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rule(), "MalaccaExposureHigh");
  EXPECT_EQ(events[0].state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(events[0].date_yyyymmdd(), 0);
  int watched = 0;
  (*trade)->ForEachWatched([&](const WatchedValue& w) {
    ++watched;
    EXPECT_EQ(w.rule->name(), "MalaccaExposureHigh");
  });
  EXPECT_EQ(watched, 1);

  // And the shipping engine keeps only the composite and transit_ratio rules.
  auto shipping = Engine(yaml);
  ASSERT_EQ(shipping->rules().rules_size(), 2);
  EXPECT_EQ(shipping->rules().rules(0).name(), "SemiconductorImportsMalaccaDisrupted");
  EXPECT_EQ(shipping->rules().rules(1).name(), "TransitsLow_chokepoint5");
}

// ----- Validation ----------------------------------------------------------------------------

std::string Problems(const std::string& yaml) {
  auto rules = ParseRuleFile(yaml, "test.yaml",
                             RuleReferences({"USMCA"}, {"chokepoint5", "chokepoint11"}));
  return rules.ok() ? "" : std::string(rules.status().message());
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ShippingRuleValidationTest, TheRulesOfTheseTestsAreValid) {
  EXPECT_EQ(Problems("rules:\n" + MalaccaCompositeYaml() + TransitRatioYaml("chokepoint5", 2) +
                     StalenessYaml("chokepoint11")),
            "");
}

TEST(ShippingRuleValidationTest, TransitRatioRulesSelectAChokepointOnly) {
  const std::string yaml = Replace("rules:\n" + TransitRatioYaml("chokepoint5", 1),
                                   "{chokepoint: chokepoint5}",
                                   "{chokepoint: chokepoint5, product_code: \"3344\"}");
  EXPECT_THAT(Problems(yaml),
              HasSubstr("rules[0].selector.product_code: transit_ratio rules select a chokepoint "
                        "only, not a product_code"));
}

TEST(ShippingRuleValidationTest, ShippingRulesRequireAChokepoint) {
  const std::string yaml =
      Replace("rules:\n" + StalenessYaml("chokepoint5"), "{chokepoint: chokepoint5}", "{}");
  EXPECT_THAT(Problems(yaml), HasSubstr("rules[0].selector.chokepoint: required"));
}

TEST(ShippingRuleValidationTest, ShippingRulesNameAKnownChokepoint) {
  const std::string yaml = "rules:\n" + TransitRatioYaml("chokepoint9", 1);
  EXPECT_THAT(Problems(yaml), HasSubstr("rules[0].selector.chokepoint: unknown chokepoint "
                                        "\"chokepoint9\" (known: chokepoint5, chokepoint11)"));
  // Without a route table the id is not checked.
  EXPECT_TRUE(ParseRuleFile(yaml, "test.yaml", {"USMCA"}).ok());
  // The route's chokepoint is checked too.
  const std::string composite =
      Replace(Replace("rules:\n" + MalaccaCompositeYaml(), "metric: route_exposure", "metric: hhi"),
              "chokepoint: chokepoint5, window", "window");
  EXPECT_EQ(Problems(composite), "");
  EXPECT_THAT(Problems(Replace(composite, "{chokepoint: chokepoint5,", "{chokepoint: chokepoint9,")),
              HasSubstr("rules[0].route.chokepoint: unknown chokepoint \"chokepoint9\""));
}

TEST(ShippingRuleValidationTest, ARouteConditionIsForShareRulesNotBalances) {
  const std::string hhi =
      Replace(Replace("rules:\n" + MalaccaCompositeYaml(), "metric: route_exposure", "metric: hhi"),
              "chokepoint: chokepoint5, window", "window");
  EXPECT_EQ(Problems(hhi), "");
  std::string balance = Replace(hhi, "metric: hhi", "metric: balance");
  balance = Replace(balance, "flow: imports, measure: general_imports, ", "");
  balance = Replace(balance, "above: 0.20\n    clear: 0.18", "above: 1000000000");
  balance = Replace(balance, "{{ value }} through {{ chokepoint }}, ", "");
  EXPECT_THAT(Problems(balance),
              HasSubstr("rules[0].route: a route condition needs a partner_share, region_share, "
                        "route_exposure or hhi rule, not balance"));
}

TEST(ShippingRuleValidationTest, ShippingMetricsTakeNoRouteCondition) {
  const std::string yaml = Replace("rules:\n" + TransitRatioYaml("chokepoint5", 1),
                                   "    severity: warning\n",
                                   "    severity: warning\n"
                                   "    route: {chokepoint: chokepoint5, ratio_below: 0.7}\n");
  EXPECT_THAT(Problems(yaml), HasSubstr("rules[0].route: transit_ratio rules read the chokepoint "
                                        "already"));
}

TEST(ShippingRuleValidationTest, RatioBelowIsRequiredAndWithinZeroToTwo) {
  const std::string base = "rules:\n" + MalaccaCompositeYaml();
  EXPECT_THAT(Problems(Replace(base, "ratio_below: 0.70, ratio_clear: 0.80", "ratio_clear: 0.80")),
              HasSubstr("rules[0].route.ratio_below: required"));
  EXPECT_THAT(Problems(Replace(base, "ratio_below: 0.70", "ratio_below: 0")),
              HasSubstr("rules[0].route.ratio_below: 0 is outside (0, 2]"));
  EXPECT_THAT(Problems(Replace(base, "ratio_below: 0.70, ratio_clear: 0.80", "ratio_below: 2.5")),
              HasSubstr("rules[0].route.ratio_below: 2.5 is outside (0, 2]"));
  EXPECT_EQ(Problems(Replace(base, "ratio_below: 0.70, ratio_clear: 0.80", "ratio_below: 2")), "");
}

TEST(ShippingRuleValidationTest, RatioClearIsNotBelowRatioBelow) {
  const std::string base = "rules:\n" + MalaccaCompositeYaml();
  EXPECT_THAT(Problems(Replace(base, "ratio_clear: 0.80", "ratio_clear: 0.6")),
              HasSubstr("rules[0].route.ratio_clear: 0.6 is below ratio_below 0.7"));
  EXPECT_EQ(Problems(Replace(base, "ratio_clear: 0.80", "ratio_clear: 0.7")), "");
}

TEST(ShippingRuleValidationTest, ARouteExposureRuleWatchesTheRouteItIsExposedTo) {
  const std::string yaml = Replace("rules:\n" + MalaccaCompositeYaml(),
                                   "route: {chokepoint: chokepoint5", "route: {chokepoint: chokepoint11");
  EXPECT_THAT(Problems(yaml),
              HasSubstr("rules[0].route.chokepoint: \"chokepoint11\" is not the exposure's "
                        "chokepoint \"chokepoint5\""));
}

TEST(ShippingRuleValidationTest, DateAndRatioTemplatesAreForShippingRulesOnly) {
  const std::string plain = "rules:\n" +
                            TaiwanRuleYaml(0.30, 0.28, 1,
                                           "    annotations: {summary: \"{{ partner }} on "
                                           "{{ date }}\"}\n");
  EXPECT_THAT(Problems(plain), HasSubstr("{{ date }} is only known to shipping rules"));
  // A route condition makes the same rule a shipping rule.
  const std::string composite =
      Replace(plain, "    severity: page\n",
              "    severity: page\n    route: {chokepoint: chokepoint11, ratio_below: 0.7}\n");
  EXPECT_EQ(Problems(composite), "");
}

TEST(ShippingRuleValidationTest, ShippingMetricsHaveNoProductCodeTemplate) {
  const std::string yaml = Replace("rules:\n" + TransitRatioYaml("chokepoint5", 1),
                                   "{{ chokepoint }} at", "{{ product_code }} at");
  EXPECT_THAT(Problems(yaml),
              HasSubstr("{{ product_code }} is not known to transit_ratio rules"));
}

// ----- The shipping issue's fixtures through the shipped rules ---------------------------------
//
// deploy/rules/default.yaml's shipping rules (disruption per chokepoint, the two composite rules,
// staleness) on the Malacca Strait (chokepoint5) and the Taiwan Strait (chokepoint11), both at a
// steady 100 transits a day, 3344 exposed 25% to Malacca and 40% to the Taiwan Strait.

class DefaultShippingRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules =
        LoadRuleFiles({std::string(TRADEWATCH_SOURCE_DIR) + "/deploy/rules/default.yaml"}, {});
    ASSERT_TRUE(rules.ok()) << rules.status();
    auto engine = ShippingRuleEngine::Create(*rules);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    ASSERT_GT(engine_->rules().rules_size(), 10);
    for (int32_t period = 202409; period <= 202512;
         period = period % 100 == 12 ? period + 89 : period + 1) {
      engine_->OnShares(Exposure(period, 0.25));
    }
  }

  // Every transition of one release carrying both straits through `through`.
  std::vector<std::string> Run(const Route& malacca, const Route& taiwan, int32_t through) {
    auto events = Release(*engine_, through, {malacca.Days(kFirst), taiwan.Days(kFirst)});
    std::vector<std::string> out;
    for (const v1::AlertEvent& e : events) out.push_back(e.rule() + " " + Brief(e));
    return out;
  }

  std::unique_ptr<ShippingRuleEngine> engine_;
};

TEST_F(DefaultShippingRulesTest, ThreeMissingDaysAreAGapAndRaiseNothing) {
  const Route malacca = MakeRoute("chokepoint5", 20251031, Steady(), [](int32_t d) {
    return d < 20251010 || d > 20251012;
  });
  ASSERT_EQ(malacca.At(20251012).status(), v1::TRANSIT_STATUS_GAP);
  EXPECT_THAT(Run(malacca, MakeRoute("chokepoint11", 20251031, Steady()), 20251031), IsEmpty());
}

TEST_F(DefaultShippingRulesTest, SixDaysOfZeroTransitsAreADisruptionAndFireTheCompositeRule) {
  // k zero days in a window leave 700 - 100k of a 700 baseline: the third (ratio 4/7) is the
  // first below 0.7; back above 0.8 when one zero day is left (6/7), on 2025-10-21.
  const Route malacca = MakeRoute("chokepoint5", 20251031, [](int32_t d) -> int64_t {
    return d >= 20251010 && d <= 20251015 ? 0 : kSteady;
  });
  EXPECT_THAT(Run(malacca, MakeRoute("chokepoint11", 20251031, Steady()), 20251031),
              ElementsAre("MalaccaStraitTransitsLow FIRING@20251012/NEW_DATA",
                          "SemiconductorImportsMalaccaDisrupted FIRING@20251012/NEW_DATA",
                          "MalaccaStraitTransitsLow RESOLVED@20251021/NEW_DATA",
                          "SemiconductorImportsMalaccaDisrupted RESOLVED@20251021/NEW_DATA"));
}

TEST_F(DefaultShippingRulesTest, ATenfoldSpikeNowOrAYearAgoRaisesNothing) {
  const Route malacca = MakeRoute("chokepoint5", 20251031, [](int32_t d) -> int64_t {
    return d == 20241010 || d == 20251010 ? 10 * kSteady : kSteady;
  });
  EXPECT_THAT(Run(malacca, MakeRoute("chokepoint11", 20251031, Steady()), 20251031), IsEmpty());
}

TEST_F(DefaultShippingRulesTest, AStaleFeedRaisesTheStalenessAlertOnly) {
  // Malacca's feed stops on 2025-10-01 while the Taiwan Strait's goes on to the horizon.
  const Route malacca = MakeRoute("chokepoint5", 20251001, Steady());
  const Route taiwan = MakeRoute("chokepoint11", 20251020, Steady());
  EXPECT_THAT(Run(malacca, taiwan, 20251020),
              ElementsAre("MalaccaStraitDataStale FIRING@20251020/NEW_DATA"));
}

}  // namespace
}  // namespace tradewatch::alerts
