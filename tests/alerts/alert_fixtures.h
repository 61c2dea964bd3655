// Hand-written results and rules for the alert tests: one series, values chosen per period.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "alerts/rule_engine.h"
#include "alerts/rule_validation.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::alerts::fixtures {

namespace v1 = tradewatch::v1;

// Parses and validates rules written in YAML (origin "test.yaml"); fails the test on error.
inline v1::RuleFile Rules(const std::string& yaml) {
  auto rules = ParseRuleFile(yaml, "test.yaml", {"USMCA", "ASEAN"});
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : v1::RuleFile();
}

// The rule TaiwanShareHigh as an item of `rules:`: Taiwan's T12M share of NAICS 3344 imports
// above `above`, clearing below `clear`, severity page; `tail` holds the lines after `severity`
// (labels, annotations), indented four spaces.
inline std::string TaiwanRuleYaml(
    double above = 0.30, double clear = 0.28, int for_releases = 1,
    const std::string& tail = "    annotations: {summary: \"{{ partner }} at {{ value }}\"}\n") {
  return fmt::format(
      "  - name: TaiwanShareHigh\n"
      "    metric: partner_share\n"
      "    selector: {{flow: imports, product_code: \"3344\", partner: \"5830\", window: t12m}}\n"
      "    above: {}\n"
      "    clear: {}\n"
      "    for_releases: {}\n"
      "    severity: page\n"
      "{}",
      above, clear, for_releases, tail);
}

// A T12M (by default) NAICS 3344 imports result of $10B, complete, where `partners` are
// (code, share) pairs: each partner's value is its share of the total.
struct SharesSpec {
  int32_t period = 202501;
  std::vector<std::pair<std::string, double>> partners;
  double hhi = 0.1;
  bool complete = true;
  v1::WindowKind kind = v1::WINDOW_KIND_T12M;
  std::string product_code = "3344";
  v1::Measure measure = v1::MEASURE_GENERAL_IMPORTS;
  std::vector<std::pair<std::string, double>> regions;
  int64_t vintage = 1;
  // (chokepoint id, share) pairs: the exposures, named by ChokepointName.
  std::vector<std::pair<std::string, double>> exposures;
};

inline constexpr int64_t kTotalUsd = 10'000'000'000;

inline std::string PartnerName(const std::string& code) {
  if (code == "5830") return "Taiwan";
  if (code == "5570") return "Malaysia";
  if (code == "5520") return "Vietnam";
  if (code == "2010") return "Mexico";
  if (code == "rest") return "42 other countries";
  return "";
}

inline std::string ChokepointName(const std::string& id) {
  if (id == "chokepoint5") return "Malacca Strait";
  if (id == "chokepoint11") return "Taiwan Strait";
  return "";
}

inline v1::PartnerShares Shares(const SharesSpec& spec) {
  v1::PartnerShares s;
  s.set_flow(v1::FLOW_IMPORTS);
  s.set_measure(spec.measure);
  s.set_classification(v1::CLASSIFICATION_NAICS);
  s.set_product_code(spec.product_code);
  v1::Window* w = s.mutable_window();
  w->set_kind(spec.kind);
  w->set_end_period_yyyymm(spec.period);
  w->set_months(spec.kind == v1::WINDOW_KIND_MONTH ? 1 : 12);
  w->set_complete(spec.complete);
  w->set_months_with_data(spec.complete ? w->months() : w->months() - 3);
  s.set_total_usd(kTotalUsd);
  s.set_countries_usd(kTotalUsd);
  s.set_coverage(1);
  for (const auto& [code, share] : spec.partners) {
    v1::PartnerShare* p = s.add_partners();
    p->set_code(code);
    p->set_name(PartnerName(code));
    p->set_share(share);
    p->set_value_usd(static_cast<int64_t>(share * kTotalUsd));
  }
  for (const auto& [name, share] : spec.regions) {
    v1::RegionShare* r = s.add_regions();
    r->set_name(name);
    r->set_share(share);
    r->set_value_usd(static_cast<int64_t>(share * kTotalUsd));
  }
  for (const auto& [id, share] : spec.exposures) {
    v1::RouteExposure* e = s.add_exposures();
    e->set_chokepoint_id(id);
    e->set_chokepoint_name(ChokepointName(id));
    e->set_share(share);
    e->set_value_usd(static_cast<int64_t>(share * kTotalUsd));
    e->set_partner_count(3);
  }
  s.set_hhi(spec.hhi);
  s.set_vintage(spec.vintage);
  return s;
}

// Taiwan at `share`, the rest of the world beside it.
inline v1::PartnerShares TaiwanShare(int32_t period, double share, int64_t vintage = 1) {
  SharesSpec spec;
  spec.period = period;
  spec.partners = {{"5830", share}, {"rest", 1 - share}};
  spec.vintage = vintage;
  return Shares(spec);
}

// A T12M NAICS 334 balance; `growth` < -1 leaves deficit_growth unset.
inline v1::BalanceResult Balance(int32_t period, int64_t imports_usd, int64_t exports_usd,
                                 double growth, int64_t previous_balance_usd = 0) {
  v1::BalanceResult b;
  b.set_classification(v1::CLASSIFICATION_NAICS);
  b.set_product_code("334");
  v1::Window* w = b.mutable_window();
  w->set_kind(v1::WINDOW_KIND_T12M);
  w->set_end_period_yyyymm(period);
  w->set_months(12);
  w->set_months_with_data(12);
  w->set_complete(true);
  b.set_imports_measure(v1::MEASURE_GENERAL_IMPORTS);
  b.set_exports_measure(v1::MEASURE_TOTAL_EXPORTS);
  b.set_imports_usd(imports_usd);
  b.set_exports_usd(exports_usd);
  b.set_balance_usd(imports_usd - exports_usd);
  if (growth >= -1) {
    b.set_previous_balance_usd(previous_balance_usd);
    b.set_deficit_growth(growth);
  }
  b.set_vintage(1);
  return b;
}

// One release of `engine` (vintage 7) with these results.
inline std::vector<v1::AlertEvent> Release(RuleEngine& engine,
                                           const std::vector<v1::PartnerShares>& shares,
                                           const std::vector<v1::BalanceResult>& balances = {},
                                           const std::string& release_id = "r") {
  return engine.OnRelease({release_id, 7}, shares, balances);
}

// Consecutive months from `first` (yyyymm), `count` of them.
inline std::vector<int32_t> Months(int32_t first, int count) {
  std::vector<int32_t> out;
  int32_t p = first;
  for (int i = 0; i < count; ++i) {
    out.push_back(p);
    p = p % 100 == 12 ? (p / 100 + 1) * 100 + 1 : p + 1;
  }
  return out;
}

}  // namespace tradewatch::alerts::fixtures
