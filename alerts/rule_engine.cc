#include "alerts/rule_engine.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <tuple>
#include <utility>

#include "alerts/rule_core.h"
#include "alerts/rule_text.h"
#include "alerts/rule_validation.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;

using internal::BalanceFigure;
using internal::BalanceKey;
using internal::Beyond;
using internal::Cleared;
using internal::Figure;
using internal::IdentifyingLabels;
using internal::IsBalanceMetric;
using internal::Machine;
using internal::ShareFigure;
using internal::ShareKey;
using internal::StepMachine;

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
    if (IsShippingRule(rule)) continue;  // the shipping rule engine's (shipping_rules.h)
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
  internal::PendingEvents events;
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
        const double value = it->second.evidence.value();
        m = StepMachine(rule, m, Beyond(rule, value), Cleared(rule, value), &ignored);
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
      const double value = figure.evidence.value();
      state.machine =
          StepMachine(rule, state.machine, Beyond(rule, value), Cleared(rule, value), &transition);
      figure.after = state.machine;
      state.last_evaluated = period;
      if (transition != v1::ALERT_STATE_UNSPECIFIED) {
        events.emplace_back(period, index, static_cast<int>(events.size()),
                            state.MakeEvent(transition, v1::ALERT_CAUSE_NEW_DATA, period, release));
      }
    }
  }

  return internal::OrderedEvents(std::move(events));
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
