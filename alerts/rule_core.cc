#include "alerts/rule_core.h"

#include <algorithm>
#include <cmath>

#include "alerts/rule_text.h"
#include "fmt/format.h"

namespace tradewatch::alerts::internal {

namespace v1 = tradewatch::v1;

namespace {

constexpr int kTopPartners = 5;

v1::Measure ImportsOrExportsDefault(v1::Flow flow, v1::Measure measure) {
  if (measure != v1::MEASURE_UNSPECIFIED) return measure;
  if (flow == v1::FLOW_IMPORTS) return v1::MEASURE_GENERAL_IMPORTS;
  if (flow == v1::FLOW_EXPORTS) return v1::MEASURE_TOTAL_EXPORTS;
  return v1::MEASURE_UNSPECIFIED;
}

v1::Classification ClassificationDefault(v1::Classification classification) {
  return classification == v1::CLASSIFICATION_UNSPECIFIED ? v1::CLASSIFICATION_NAICS
                                                          : classification;
}

}  // namespace

std::string ShareKey(v1::Flow flow, v1::Measure measure, v1::Classification classification,
                     const std::string& product_code, v1::WindowKind kind) {
  return fmt::format("{}|{}|{}|{}|{}", static_cast<int>(flow),
                     static_cast<int>(ImportsOrExportsDefault(flow, measure)),
                     static_cast<int>(ClassificationDefault(classification)), product_code,
                     static_cast<int>(kind));
}

std::string BalanceKey(v1::Classification classification, const std::string& product_code,
                       v1::WindowKind kind, v1::Measure imports_measure) {
  return fmt::format("{}|{}|{}|{}", static_cast<int>(ClassificationDefault(classification)),
                     product_code, static_cast<int>(kind),
                     static_cast<int>(ImportsOrExportsDefault(v1::FLOW_IMPORTS, imports_measure)));
}

bool IsBalanceMetric(v1::RuleMetric metric) {
  return metric == v1::RULE_METRIC_BALANCE || metric == v1::RULE_METRIC_DEFICIT_GROWTH;
}

namespace {

// The processors' pseudo-partners: not suppliers, so never among the top partners.
bool IsPseudoPartner(const std::string& code) {
  return code == "rest" || code == "not_in_detail";
}

// Whether a result's window may be evaluated by `rule`.
bool Qualifies(const v1::Rule& rule, const v1::Window& window) {
  return window.complete() || rule.include_incomplete_windows();
}

}  // namespace

std::optional<Figure> ShareFigure(const v1::Rule& rule, const v1::PartnerShares& shares) {
  if (!Qualifies(rule, shares.window())) return std::nullopt;
  if (shares.total_usd() <= 0 && shares.window().months_with_data() <= 0) return std::nullopt;
  Figure figure;
  v1::AlertEvidence& e = figure.evidence;
  const v1::RuleSelector& selector = rule.selector();
  switch (rule.metric()) {
    case v1::RULE_METRIC_PARTNER_SHARE: {
      figure.partner_display = selector.partner();
      e.set_value(0);  // absent from a window with data: no imports from the partner
      for (const v1::PartnerShare& p : shares.partners()) {
        if (p.code() != selector.partner()) continue;
        e.set_value(p.share());
        e.set_numerator_usd(p.value_usd());
        if (!p.name().empty()) figure.partner_display = fmt::format("{} ({})", p.name(), p.code());
        break;
      }
      e.set_denominator_usd(shares.total_usd());
      break;
    }
    case v1::RULE_METRIC_REGION_SHARE: {
      e.set_value(0);
      for (const v1::RegionShare& r : shares.regions()) {
        if (r.name() != selector.region()) continue;
        e.set_value(r.share());
        e.set_numerator_usd(r.value_usd());
        break;
      }
      e.set_denominator_usd(shares.total_usd());
      break;
    }
    case v1::RULE_METRIC_ROUTE_EXPOSURE: {
      figure.chokepoint_display = selector.chokepoint();
      e.set_value(0);  // a result without the chokepoint: no routed partner
      for (const v1::RouteExposure& x : shares.exposures()) {
        if (x.chokepoint_id() != selector.chokepoint()) continue;
        e.set_value(x.share());
        e.set_numerator_usd(x.value_usd());
        if (!x.chokepoint_name().empty()) {
          figure.chokepoint_display =
              fmt::format("{} ({})", x.chokepoint_name(), x.chokepoint_id());
        }
        break;
      }
      e.set_denominator_usd(shares.total_usd());
      break;
    }
    case v1::RULE_METRIC_HHI:
      e.set_value(shares.hhi());
      e.set_denominator_usd(shares.total_usd());
      break;
    default:
      return std::nullopt;
  }
  if (!std::isfinite(e.value())) return std::nullopt;
  for (const v1::PartnerShare& p : shares.partners()) {
    if (e.top_partners_size() == kTopPartners) break;
    if (!IsPseudoPartner(p.code())) *e.add_top_partners() = p;
  }
  *e.mutable_window() = shares.window();
  e.set_vintage(shares.vintage());
  return figure;
}

std::optional<Figure> BalanceFigure(const v1::Rule& rule, const v1::BalanceResult& balance) {
  if (!Qualifies(rule, balance.window())) return std::nullopt;
  if (balance.window().months_with_data() <= 0 && balance.imports_usd() == 0 &&
      balance.exports_usd() == 0) {
    return std::nullopt;
  }
  Figure figure;
  v1::AlertEvidence& e = figure.evidence;
  if (rule.metric() == v1::RULE_METRIC_BALANCE) {
    e.set_value(static_cast<double>(balance.balance_usd()));
    e.set_numerator_usd(balance.imports_usd());
    e.set_denominator_usd(balance.exports_usd());
  } else {
    if (!balance.has_deficit_growth() || !std::isfinite(balance.deficit_growth())) {
      return std::nullopt;
    }
    e.set_value(balance.deficit_growth());
    e.set_numerator_usd(balance.balance_usd());
    e.set_denominator_usd(balance.previous_balance_usd());
  }
  // The largest contributors to the deficit stand in for the top partners.
  for (const v1::BalanceContributor& c : balance.contributors()) {
    if (e.top_partners_size() == kTopPartners) break;
    v1::PartnerShare* p = e.add_top_partners();
    p->set_code(c.code());
    p->set_name(c.name());
    p->set_value_usd(c.balance_usd());
    p->set_share(c.contribution());
  }
  *e.mutable_window() = balance.window();
  e.set_vintage(balance.vintage());
  return figure;
}

bool Beyond(const v1::Rule& rule, double value) {
  return rule.has_above() ? value > rule.above() : value < rule.below();
}

bool Cleared(const v1::Rule& rule, double value) {
  const double clear = ClearThreshold(rule);
  return rule.has_above() ? value < clear : value > clear;
}

Machine StepMachine(const v1::Rule& rule, Machine m, bool beyond, bool cleared,
                    v1::AlertState* transition) {
  *transition = v1::ALERT_STATE_UNSPECIFIED;
  if (m.firing) {
    if (cleared) {
      *transition = v1::ALERT_STATE_RESOLVED;
      return Machine{};
    }
    return m;
  }
  m.streak = beyond ? m.streak + 1 : 0;
  if (m.streak >= std::max(1, rule.for_releases())) {
    m.firing = true;
    *transition = v1::ALERT_STATE_FIRING;
  }
  return m;
}

std::vector<v1::Label> IdentifyingLabels(const v1::Rule& rule) {
  std::vector<v1::Label> labels(rule.labels().begin(), rule.labels().end());
  auto add = [&labels](const char* name, const std::string& value) {
    v1::Label label;
    label.set_name(name);
    label.set_value(value);
    labels.push_back(std::move(label));
  };
  const v1::RuleSelector& s = rule.selector();
  if (IsShippingMetric(rule.metric())) {
    add("chokepoint", s.chokepoint());
    add("severity", rule.severity());
    std::stable_sort(labels.begin(), labels.end(),
                     [](const v1::Label& a, const v1::Label& b) { return a.name() < b.name(); });
    return labels;
  }
  add("product_code", s.product_code());
  if (!IsBalanceMetric(rule.metric()) && s.flow() != v1::FLOW_UNSPECIFIED) {
    add("flow", FlowName(s.flow()));
  }
  if (!s.partner().empty()) add("partner", s.partner());
  if (!s.region().empty()) add("region", s.region());
  if (!s.chokepoint().empty()) {
    add("chokepoint", s.chokepoint());
  } else if (rule.has_route()) {
    add("chokepoint", rule.route().chokepoint());
  }
  add("window", WindowName(s.window()));
  add("severity", rule.severity());
  std::stable_sort(labels.begin(), labels.end(),
                   [](const v1::Label& a, const v1::Label& b) { return a.name() < b.name(); });
  return labels;
}

std::vector<v1::AlertEvent> OrderedEvents(PendingEvents pending) {
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
  });
  std::vector<v1::AlertEvent> out;
  out.reserve(pending.size());
  for (auto& e : pending) out.push_back(std::move(std::get<3>(e)));
  return out;
}

}  // namespace tradewatch::alerts::internal
