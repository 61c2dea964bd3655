#include "alerts/shipping_rules.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "alerts/rule_core.h"
#include "alerts/rule_text.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;

using internal::Figure;
using internal::Machine;

enum class Kind { kRatio, kStaleness, kComposite };

Kind KindOf(const v1::Rule& rule) {
  if (rule.metric() == v1::RULE_METRIC_TRANSIT_RATIO) return Kind::kRatio;
  if (rule.metric() == v1::RULE_METRIC_TRANSIT_STALENESS_DAYS) return Kind::kStaleness;
  return Kind::kComposite;
}

const std::string& ChokepointOf(const v1::Rule& rule) {
  return rule.has_route() ? rule.route().chokepoint() : rule.selector().chokepoint();
}

double RatioClear(const v1::RouteCondition& route) {
  return route.has_ratio_clear() ? route.ratio_clear() : route.ratio_below();
}

// One evaluated day of a rule.
struct Point {
  double value = 0;                 // ratio, staleness days, or the trade value (composite)
  v1::ChokepointStatus status;      // the chokepoint's status that day
  int32_t staleness_days = 0;       // staleness rules
  int32_t through_yyyymmdd = 0;     // staleness rules: the release horizon
  const Figure* trade = nullptr;    // composite rules: the trade figure in force
  int32_t trade_period = 0;         // and its window end period
  Machine after;
};

}  // namespace

struct ShippingRuleEngine::RuleState {
  const v1::Rule* rule = nullptr;
  Kind kind = Kind::kRatio;
  std::vector<v1::Label> labels;
  std::vector<std::vector<TemplatePart>> templates;
  TemplateValues base_values;
  std::string share_key;  // composite rules: the series they read
  std::map<int32_t, Point> points;   // evaluated days (yyyymmdd)
  int32_t last_evaluated = 0;
  Machine machine;
  // Composite rules: trade figures by window end period, and the earliest period changed since
  // the last release (INT32_MAX: none).
  std::map<int32_t, Figure> trade;
  int32_t trade_changed_from = INT32_MAX;
  // Composite and ratio rules: the chokepoint's days with a ratio.
  std::map<int32_t, v1::ChokepointStatus> route_days;

  // Whether the condition holds on `p`, and whether a firing rule clears on it.
  std::pair<bool, bool> Judge(const Point& p) const {
    const v1::Rule& r = *rule;
    if (kind != Kind::kComposite) {
      return {internal::Beyond(r, p.value), internal::Cleared(r, p.value)};
    }
    const double ratio = p.status.ratio();
    const bool beyond = internal::Beyond(r, p.value) && ratio < r.route().ratio_below();
    const bool cleared = internal::Cleared(r, p.value) || ratio > RatioClear(r.route());
    return {beyond, cleared};
  }

  v1::AlertEvent MakeEvent(v1::AlertState state, v1::AlertCause cause, int32_t day,
                           const ShippingRelease& release) const {
    return MakeEvent(state, cause, day, points.at(day), release);
  }

  v1::AlertEvent MakeEvent(v1::AlertState state, v1::AlertCause cause, int32_t day,
                           const Point& p, const ShippingRelease& release) const {
    const v1::Rule& r = *rule;
    v1::AlertEvent event;
    event.set_rule(r.name());
    event.set_state(state);
    event.set_period_yyyymm(day / 100);
    event.set_date_yyyymmdd(day);
    event.set_severity(r.severity());
    for (const v1::Label& label : labels) *event.add_labels() = label;

    TemplateValues values = base_values;
    values.value = FormatFigure(r.metric(), p.value);
    values.date = FormatDate(day);
    values.ratio = p.status.has_ratio()
                       ? FormatFigure(v1::RULE_METRIC_TRANSIT_RATIO, p.status.ratio())
                       : std::string("no ratio");
    values.chokepoint = p.status.chokepoint_name().empty()
                            ? ChokepointOf(r)
                            : fmt::format("{} ({})", p.status.chokepoint_name(), ChokepointOf(r));
    if (kind == Kind::kComposite && p.trade != nullptr) {
      values.partner = p.trade->partner_display;
      values.period = FormatWindowEnd(r.selector().window(), p.trade_period);
    } else {
      values.period = FormatPeriod(day / 100);
    }
    for (size_t i = 0; i < templates.size(); ++i) {
      v1::Label* annotation = event.add_annotations();
      annotation->set_name(r.annotations(static_cast<int>(i)).name());
      annotation->set_value(RenderTemplate(templates[i], values));
    }

    v1::AlertEvidence* e = event.mutable_evidence();
    if (kind == Kind::kComposite && p.trade != nullptr) *e = p.trade->evidence;
    e->set_value(p.value);
    e->set_threshold(Threshold(r));
    e->set_clear(ClearThreshold(r));
    // The latest vintage behind the figure: the trade side's or this shipping release's.
    e->set_vintage(std::max(e->vintage(), release.vintage));
    e->set_release_id(release.release_id);
    e->set_cause(cause);

    v1::RouteEvidence* route = event.mutable_route();
    route->set_chokepoint_id(ChokepointOf(r));
    route->set_chokepoint_name(p.status.chokepoint_name());
    *route->mutable_status() = p.status;
    if (kind == Kind::kComposite) {
      route->set_ratio_threshold(r.route().ratio_below());
      route->set_ratio_clear(RatioClear(r.route()));
    } else if (kind == Kind::kRatio) {
      route->set_ratio_threshold(Threshold(r));
      route->set_ratio_clear(ClearThreshold(r));
    }
    route->set_staleness_days(p.staleness_days);
    route->set_release_through_yyyymmdd(release.through_yyyymmdd);
    return event;
  }

  // Replaces the points from `from` on with `fresh` (ascending keys >= from), re-walks the points
  // already evaluated and steps the new ones. Appends (day, sequence, event) to `events`.
  void Apply(int32_t from, std::map<int32_t, Point> fresh, const ShippingRelease& release,
             int index, internal::PendingEvents* events) {
    const int32_t old_last = last_evaluated;
    const bool was_firing = machine.firing;
    // The last evaluated day as it was: a revision that leaves no evaluated day resolves there.
    std::optional<Point> old_last_point;
    if (auto it = points.find(old_last); it != points.end()) old_last_point = it->second;
    // Days already evaluated that the update no longer evaluates (a restated day without a ratio)
    // leave; the others are replaced.
    for (auto it = points.lower_bound(from); it != points.end();) {
      if (fresh.count(it->first) == 0) {
        it = points.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<int32_t> new_days;
    for (auto& [day, point] : fresh) {
      if (old_last != 0 && day <= old_last) {
        points[day] = std::move(point);
      } else {
        points[day] = std::move(point);
        new_days.push_back(day);
      }
    }
    if (old_last != 0 && from <= old_last) {
      auto it = points.lower_bound(from);
      Machine m = it == points.begin() ? Machine{} : std::prev(it)->second.after;
      int32_t last_old_point = 0;
      for (; it != points.end() && it->first <= old_last; ++it) {
        auto [beyond, cleared] = Judge(it->second);
        v1::AlertState ignored;
        m = internal::StepMachine(*rule, m, beyond, cleared, &ignored);
        it->second.after = m;
        last_old_point = it->first;
      }
      machine = m;
      last_evaluated = last_old_point;
      if (last_old_point == 0) {  // no evaluated day left before the new ones
        auto before = points.lower_bound(from);
        machine = before == points.begin() ? Machine{} : std::prev(before)->second.after;
        last_evaluated = before == points.begin() ? 0 : std::prev(before)->first;
      }
      if (machine.firing != was_firing && last_evaluated != 0) {
        v1::AlertState now = machine.firing ? v1::ALERT_STATE_FIRING : v1::ALERT_STATE_RESOLVED;
        events->emplace_back(last_evaluated, index, static_cast<int>(events->size()),
                             MakeEvent(now, v1::ALERT_CAUSE_REVISION, last_evaluated, release));
      } else if (was_firing && last_evaluated == 0 && old_last_point) {
        // No day is evaluated any more (every one restated away): the alert cannot stay firing.
        events->emplace_back(old_last, index, static_cast<int>(events->size()),
                             MakeEvent(v1::ALERT_STATE_RESOLVED, v1::ALERT_CAUSE_REVISION,
                                       old_last, *old_last_point, release));
      }
    }
    for (int32_t day : new_days) {
      Point& p = points.at(day);
      auto [beyond, cleared] = Judge(p);
      v1::AlertState transition;
      machine = internal::StepMachine(*rule, machine, beyond, cleared, &transition);
      p.after = machine;
      last_evaluated = day;
      if (transition != v1::ALERT_STATE_UNSPECIFIED) {
        events->emplace_back(day, index, static_cast<int>(events->size()),
                             MakeEvent(transition, v1::ALERT_CAUSE_NEW_DATA, day, release));
      }
    }
  }
};

ShippingRuleEngine::ShippingRuleEngine(const v1::RuleFile& rules) {
  for (const v1::Rule& rule : rules.rules()) {
    if (IsShippingRule(rule)) *rules_.add_rules() = rule;
  }
  states_.resize(rules_.rules_size());
  for (int i = 0; i < rules_.rules_size(); ++i) {
    const v1::Rule& rule = rules_.rules(i);
    RuleState& state = states_[i];
    state.rule = &rule;
    state.kind = KindOf(rule);
    state.labels = internal::IdentifyingLabels(rule);
    state.base_values = RuleTemplateValues(rule);
    for (const v1::Label& annotation : rule.annotations()) {
      auto parts = ParseTemplate(annotation.value());
      state.templates.push_back(parts.ok() ? *std::move(parts) : std::vector<TemplatePart>{});
    }
    const v1::RuleSelector& s = rule.selector();
    if (state.kind == Kind::kComposite) {
      state.share_key =
          internal::ShareKey(s.flow(), s.measure(), s.classification(), s.product_code(),
                             s.window());
    }
  }
}

ShippingRuleEngine::~ShippingRuleEngine() = default;

absl::StatusOr<std::unique_ptr<ShippingRuleEngine>> ShippingRuleEngine::Create(
    const v1::RuleFile& rules, const RuleReferences& references) {
  TW_RETURN_IF_ERROR(ValidateRuleFile(rules, references));
  return std::unique_ptr<ShippingRuleEngine>(new ShippingRuleEngine(rules));
}

bool ShippingRuleEngine::WantsShares(const v1::PartnerShares& shares) const {
  const std::string key = internal::ShareKey(shares.flow(), shares.measure(),
                                             shares.classification(), shares.product_code(),
                                             shares.window().kind());
  return std::any_of(states_.begin(), states_.end(),
                     [&](const RuleState& s) { return s.share_key == key; });
}

void ShippingRuleEngine::OnShares(const v1::PartnerShares& shares) {
  const std::string key = internal::ShareKey(shares.flow(), shares.measure(),
                                             shares.classification(), shares.product_code(),
                                             shares.window().kind());
  const int32_t period = shares.window().end_period_yyyymm();
  for (RuleState& state : states_) {
    if (state.share_key.empty() || state.share_key != key) continue;
    std::optional<Figure> figure = internal::ShareFigure(*state.rule, shares);
    if (!figure) continue;  // the window does not qualify: the recorded figure stays
    auto it = state.trade.find(period);
    if (it != state.trade.end() && it->second.evidence.SerializeAsString() ==
                                       figure->evidence.SerializeAsString()) {
      continue;
    }
    state.trade[period] = *std::move(figure);
    state.trade_changed_from = std::min(state.trade_changed_from, period);
  }
}

std::vector<v1::AlertEvent> ShippingRuleEngine::OnRelease(
    const ShippingRelease& release, std::span<const ChokepointDays> chokepoints) {
  internal::PendingEvents events;
  for (size_t index = 0; index < states_.size(); ++index) {
    RuleState& state = states_[index];
    const v1::Rule& rule = *state.rule;
    const std::string& id = ChokepointOf(rule);
    const ChokepointDays* days = nullptr;
    for (const ChokepointDays& c : chokepoints) {
      if (c.id == id) days = &c;
    }
    if (days == nullptr || days->days.empty()) continue;  // another partition's chokepoint

    if (state.kind == Kind::kStaleness) {
      const v1::ChokepointStatus& latest = days->days.back();
      const int32_t through = release.through_yyyymmdd;
      if (through == 0) continue;
      Point p;
      p.status = latest;
      p.status.set_as_of_yyyymmdd(through);
      p.staleness_days =
          std::max(0, DayNumber(through) - DayNumber(latest.date_yyyymmdd()));
      p.through_yyyymmdd = through;
      p.value = p.staleness_days;
      std::map<int32_t, Point> fresh;
      // A horizon already evaluated is judged again; later points stay (their horizons are later).
      for (auto it = state.points.upper_bound(through); it != state.points.end(); ++it) {
        fresh.emplace(it->first, it->second);
      }
      fresh[through] = std::move(p);
      state.Apply(through, std::move(fresh), release, static_cast<int>(index), &events);
      continue;
    }

    // Ratio and composite rules: the route side's days with a ratio.
    int32_t from = INT32_MAX;
    if (days->changed_from_yyyymmdd != 0) {
      from = days->changed_from_yyyymmdd;
      state.route_days.erase(state.route_days.lower_bound(from), state.route_days.end());
      for (const v1::ChokepointStatus& day : days->days) {
        if (day.date_yyyymmdd() >= from && day.has_ratio()) {
          state.route_days.emplace(day.date_yyyymmdd(), day);
        }
      }
    }
    if (state.kind == Kind::kComposite && state.trade_changed_from != INT32_MAX) {
      from = std::min(from, state.trade_changed_from * 100 + 1);
      state.trade_changed_from = INT32_MAX;
    }
    if (from == INT32_MAX) continue;

    std::map<int32_t, Point> fresh;
    for (auto it = state.route_days.lower_bound(from); it != state.route_days.end(); ++it) {
      Point p;
      p.status = it->second;
      if (state.kind == Kind::kRatio) {
        p.value = it->second.ratio();
      } else {
        auto in_force = state.trade.upper_bound(it->first / 100);
        if (in_force == state.trade.begin()) continue;  // no trade figure yet
        --in_force;
        p.trade = &in_force->second;
        p.trade_period = in_force->first;
        p.value = in_force->second.evidence.value();
      }
      fresh.emplace(it->first, std::move(p));
    }
    state.Apply(from, std::move(fresh), release, static_cast<int>(index), &events);
  }
  return internal::OrderedEvents(std::move(events));
}

void ShippingRuleEngine::ForEachWatched(const std::function<void(const WatchedValue&)>& fn) const {
  for (const RuleState& state : states_) {
    if (state.last_evaluated == 0) continue;
    WatchedValue watched;
    watched.rule = state.rule;
    watched.labels = &state.labels;
    watched.period_yyyymm = state.last_evaluated / 100;
    watched.value = state.points.at(state.last_evaluated).value;
    watched.firing = state.machine.firing;
    fn(watched);
  }
}

std::vector<std::string> ShippingRuleEngine::chokepoints() const {
  std::set<std::string> ids;
  for (const RuleState& state : states_) ids.insert(ChokepointOf(*state.rule));
  return {ids.begin(), ids.end()};
}

}  // namespace tradewatch::alerts
