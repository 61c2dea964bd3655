// Internals shared by the trade rule engine (rule_engine.h) and the shipping rule engine
// (shipping_rules.h): the figures a result gives a rule, the hysteresis state machine and the
// identifying labels. Not a public interface: include only from alerts/.
#pragma once

#include <optional>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::alerts::internal {

// Where a rule stands after an evaluated period.
struct Machine {
  bool firing = false;
  int streak = 0;  // consecutive evaluated periods beyond the threshold while not firing
};

// One evaluated period of a rule: the evidence of its value (threshold, clear, release and cause
// are filled when an event is made) and the state after stepping it.
struct Figure {
  tradewatch::v1::AlertEvidence evidence;
  std::string partner_display;     // "Taiwan (5830)", for {{ partner }}
  std::string chokepoint_display;  // "Malacca Strait (chokepoint5)", for {{ chokepoint }}
  Machine after;
};

// The key matching a PartnerShares result to the share rules of its series (defaults applied).
std::string ShareKey(tradewatch::v1::Flow flow, tradewatch::v1::Measure measure,
                     tradewatch::v1::Classification classification,
                     const std::string& product_code, tradewatch::v1::WindowKind kind);
// The key matching a BalanceResult to balance rules.
std::string BalanceKey(tradewatch::v1::Classification classification,
                       const std::string& product_code, tradewatch::v1::WindowKind kind,
                       tradewatch::v1::Measure imports_measure);
bool IsBalanceMetric(tradewatch::v1::RuleMetric metric);

// The figure of a share, route_exposure or HHI rule in `shares`; nullopt when the window does not
// qualify or has no data.
std::optional<Figure> ShareFigure(const tradewatch::v1::Rule& rule,
                                  const tradewatch::v1::PartnerShares& shares);
// The figure of a balance or deficit_growth rule in `balance`.
std::optional<Figure> BalanceFigure(const tradewatch::v1::Rule& rule,
                                    const tradewatch::v1::BalanceResult& balance);

// Whether `value` is strictly beyond the rule's threshold (above: value > above; below: value <
// below), and strictly beyond its clear level the other way.
bool Beyond(const tradewatch::v1::Rule& rule, double value);
bool Cleared(const tradewatch::v1::Rule& rule, double value);

// Steps the state machine over one evaluated period: `beyond` (the condition holds) counts towards
// for_releases while not firing; `cleared` resolves a firing rule. Sets `*transition` when the
// state changes.
Machine StepMachine(const tradewatch::v1::Rule& rule, Machine m, bool beyond, bool cleared,
                    tradewatch::v1::AlertState* transition);

// Transitions as an engine collects them: (period or day, rule index, sequence, event).
using PendingEvents = std::vector<std::tuple<int32_t, int, int, tradewatch::v1::AlertEvent>>;

// The events ordered by period or day, then rule order, then sequence.
std::vector<tradewatch::v1::AlertEvent> OrderedEvents(PendingEvents pending);

// The rule's identifying labels (AlertEvent.labels), sorted by name.
std::vector<tradewatch::v1::Label> IdentifyingLabels(const tradewatch::v1::Rule& rule);

}  // namespace tradewatch::alerts::internal
