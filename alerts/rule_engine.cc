#include "alerts/rule_engine.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <tuple>
#include <utility>

#include "alerts/rule_text.h"
#include "alerts/rule_validation.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;

constexpr int kTopPartners = 5;

// Where a rule stands after an evaluated period.
struct Machine {
  bool firing = false;
  int streak = 0;  // consecutive evaluated periods beyond the threshold while not firing
};

// One evaluated period of a rule: the evidence of its value (threshold, clear, release and cause
// are filled when an event is made) and the state after stepping it.
struct Figure {
  v1::AlertEvidence evidence;
  std::string partner_display;     // "Taiwan (5830)", for {{ partner }}
  std::string chokepoint_display;  // "Malacca Strait (chokepoint5)", for {{ chokepoint }}
  Machine after;
};

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

// The processors' pseudo-partners: not suppliers, so never among the top partners.
bool IsPseudoPartner(const std::string& code) {
  return code == "rest" || code == "not_in_detail";
}

// Whether a result's window may be evaluated by `rule`.
bool Qualifies(const v1::Rule& rule, const v1::Window& window) {
  return window.complete() || rule.include_incomplete_windows();
}

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

// Steps the state machine over one evaluated value; sets `*transition` when the state changes.
Machine Step(const v1::Rule& rule, Machine m, double value, v1::AlertState* transition) {
  *transition = v1::ALERT_STATE_UNSPECIFIED;
  const bool above = rule.has_above();
  if (m.firing) {
    const double clear = ClearThreshold(rule);
    if (above ? value < clear : value > clear) {
      *transition = v1::ALERT_STATE_RESOLVED;
      return Machine{};
    }
    return m;
  }
  const bool beyond = above ? value > rule.above() : value < rule.below();
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
  add("product_code", s.product_code());
  if (!IsBalanceMetric(rule.metric()) && s.flow() != v1::FLOW_UNSPECIFIED) {
    add("flow", FlowName(s.flow()));
  }
  if (!s.partner().empty()) add("partner", s.partner());
  if (!s.region().empty()) add("region", s.region());
  if (!s.chokepoint().empty()) add("chokepoint", s.chokepoint());
  add("window", WindowName(s.window()));
  add("severity", rule.severity());
  std::stable_sort(labels.begin(), labels.end(),
                   [](const v1::Label& a, const v1::Label& b) { return a.name() < b.name(); });
  return labels;
}

}  // namespace

struct RuleEngine::RuleState {
  const v1::Rule* rule = nullptr;
  std::vector<v1::Label> labels;
  // Parsed annotation templates, in the rule's order.
  std::vector<std::vector<TemplatePart>> templates;
  TemplateValues base_values;  // what the rule fixes: threshold, clear, region, ...
  // Evaluated periods (window end, yyyymm) and their figures.
  std::map<int32_t, Figure> figures;
  int32_t last_evaluated = 0;  // 0 before the first evaluated period
  Machine machine;             // the state after last_evaluated

  v1::AlertEvent MakeEvent(v1::AlertState state, v1::AlertCause cause, int32_t period,
                           const ReleaseContext& release) const {
    const Figure& figure = figures.at(period);
    v1::AlertEvent event;
    event.set_rule(rule->name());
    event.set_state(state);
    event.set_period_yyyymm(period);
    event.set_severity(rule->severity());
    for (const v1::Label& label : labels) *event.add_labels() = label;
    TemplateValues values = base_values;
    values.value = FormatFigure(rule->metric(), figure.evidence.value());
    values.partner = figure.partner_display;
    if (!figure.chokepoint_display.empty()) values.chokepoint = figure.chokepoint_display;
    values.period = FormatWindowEnd(rule->selector().window(), period);
    for (size_t i = 0; i < templates.size(); ++i) {
      v1::Label* annotation = event.add_annotations();
      annotation->set_name(rule->annotations(static_cast<int>(i)).name());
      annotation->set_value(RenderTemplate(templates[i], values));
    }
    v1::AlertEvidence* e = event.mutable_evidence();
    *e = figure.evidence;
    e->set_threshold(Threshold(*rule));
    e->set_clear(ClearThreshold(*rule));
    if (e->vintage() == 0) e->set_vintage(release.vintage);
    e->set_release_id(release.release_id);
    e->set_cause(cause);
    return event;
  }
};

RuleEngine::RuleEngine(const v1::RuleFile& rules) : rules_(rules) {
  states_.resize(rules_.rules_size());
  for (int i = 0; i < rules_.rules_size(); ++i) {
    const v1::Rule& rule = rules_.rules(i);
    RuleState& state = states_[i];
    state.rule = &rule;
    state.labels = IdentifyingLabels(rule);
    state.base_values = RuleTemplateValues(rule);
    for (const v1::Label& annotation : rule.annotations()) {
      auto parts = ParseTemplate(annotation.value());
      state.templates.push_back(parts.ok() ? *std::move(parts) : std::vector<TemplatePart>{});
    }
    const v1::RuleSelector& s = rule.selector();
    if (IsBalanceMetric(rule.metric())) {
      balance_rules_[BalanceKey(s.classification(), s.product_code(), s.window(), s.measure())]
          .push_back(i);
    } else {
      share_rules_[ShareKey(s.flow(), s.measure(), s.classification(), s.product_code(),
                            s.window())]
          .push_back(i);
    }
  }
}

RuleEngine::~RuleEngine() = default;

absl::StatusOr<std::unique_ptr<RuleEngine>> RuleEngine::Create(const v1::RuleFile& rules) {
  return Create(rules, {});
}

absl::StatusOr<std::unique_ptr<RuleEngine>> RuleEngine::Create(
    const v1::RuleFile& rules, const RuleReferences& references) {
  TW_RETURN_IF_ERROR(ValidateRuleFile(rules, references));
  return std::unique_ptr<RuleEngine>(new RuleEngine(rules));
}

const std::vector<v1::Label>& RuleEngine::labels(int index) const {
  return states_.at(index).labels;
}

std::vector<v1::AlertEvent> RuleEngine::OnRelease(
    const ReleaseContext& release, std::span<const v1::PartnerShares> shares,
    std::span<const v1::BalanceResult> balances) {
  // Rule index -> period -> the figure this release gives it (nullopt: the period is skipped).
  // A result given twice for one period: the later one counts.
  std::map<int, std::map<int32_t, std::optional<Figure>>> updates;
  for (const v1::PartnerShares& s : shares) {
    auto it = share_rules_.find(ShareKey(s.flow(), s.measure(), s.classification(),
                                         s.product_code(), s.window().kind()));
    if (it == share_rules_.end()) continue;
    for (int index : it->second) {
      updates[index][s.window().end_period_yyyymm()] = ShareFigure(rules_.rules(index), s);
    }
  }
  for (const v1::BalanceResult& b : balances) {
    auto it = balance_rules_.find(BalanceKey(b.classification(), b.product_code(),
                                             b.window().kind(), b.imports_measure()));
    if (it == balance_rules_.end()) continue;
    for (int index : it->second) {
      updates[index][b.window().end_period_yyyymm()] = BalanceFigure(rules_.rules(index), b);
    }
  }

  // (period, rule index, sequence) orders the events.
  std::vector<std::tuple<int32_t, int, int, v1::AlertEvent>> events;
  for (auto& [index, periods] : updates) {
    RuleState& state = states_[index];
    const v1::Rule& rule = *state.rule;
    int32_t earliest_revised = INT32_MAX;
    std::vector<int32_t> fresh;
    for (auto& [period, figure] : periods) {
      if (!figure) continue;  // skipped, or no longer qualifies: the recorded figure stays
      if (state.last_evaluated != 0 && period <= state.last_evaluated) {
        auto it = state.figures.find(period);
        if (it == state.figures.end()) {  // a gap filled late
          state.figures.emplace(period, *std::move(figure));
          earliest_revised = std::min(earliest_revised, period);
        } else {
          bool changed = it->second.evidence.value() != figure->evidence.value();
          Machine after = it->second.after;
          it->second = *std::move(figure);
          it->second.after = after;
          if (changed) earliest_revised = std::min(earliest_revised, period);
        }
      } else {
        state.figures[period] = *std::move(figure);
        fresh.push_back(period);
      }
    }

    if (earliest_revised != INT32_MAX) {
      const bool was_firing = state.machine.firing;
      auto it = state.figures.lower_bound(earliest_revised);
      Machine m = it == state.figures.begin() ? Machine{} : std::prev(it)->second.after;
      for (; it != state.figures.end() && it->first <= state.last_evaluated; ++it) {
        v1::AlertState ignored;
        m = Step(rule, m, it->second.evidence.value(), &ignored);
        it->second.after = m;
      }
      state.machine = m;
      if (m.firing != was_firing) {
        v1::AlertState now = m.firing ? v1::ALERT_STATE_FIRING : v1::ALERT_STATE_RESOLVED;
        events.emplace_back(state.last_evaluated, index, static_cast<int>(events.size()),
                            state.MakeEvent(now, v1::ALERT_CAUSE_REVISION, state.last_evaluated,
                                            release));
      }
    }

    for (int32_t period : fresh) {  // ascending: `periods` is ordered
      Figure& figure = state.figures.at(period);
      v1::AlertState transition;
      state.machine = Step(rule, state.machine, figure.evidence.value(), &transition);
      figure.after = state.machine;
      state.last_evaluated = period;
      if (transition != v1::ALERT_STATE_UNSPECIFIED) {
        events.emplace_back(period, index, static_cast<int>(events.size()),
                            state.MakeEvent(transition, v1::ALERT_CAUSE_NEW_DATA, period, release));
      }
    }
  }

  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
  });
  std::vector<v1::AlertEvent> out;
  out.reserve(events.size());
  for (auto& e : events) out.push_back(std::move(std::get<3>(e)));
  return out;
}

void RuleEngine::ForEachWatched(const std::function<void(const WatchedValue&)>& fn) const {
  for (const RuleState& state : states_) {
    if (state.last_evaluated == 0) continue;
    WatchedValue watched;
    watched.rule = state.rule;
    watched.labels = &state.labels;
    watched.period_yyyymm = state.last_evaluated;
    watched.value = state.figures.at(state.last_evaluated).evidence.value();
    watched.firing = state.machine.firing;
    fn(watched);
  }
}

}  // namespace tradewatch::alerts
