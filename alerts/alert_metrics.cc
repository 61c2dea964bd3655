#include "alerts/alert_metrics.h"

#include "common/yaml_config.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;

prometheus::Labels SeriesLabels(const std::string& rule, const std::vector<v1::Label>& labels) {
  prometheus::Labels out{{"rule", rule}};
  for (const v1::Label& label : labels) out.emplace(label.name(), label.value());
  return out;
}

}  // namespace

AlertMetrics::AlertMetrics(prometheus::Registry& registry)
    : active_(prometheus::BuildGauge()
                  .Name("tradewatch_alert_active")
                  .Help("1 while the alert rule fires, 0 when it does not (event time: the state "
                        "at the rule's latest evaluated period)")
                  .Register(registry)),
      value_(prometheus::BuildGauge()
                 .Name("tradewatch_alert_value")
                 .Help("The figure an alert rule watches at its latest evaluated period: a share "
                       "or HHI (0..1), a balance (US dollars) or a deficit growth (fraction)")
                 .Register(registry)),
      transitions_(prometheus::BuildCounter()
                       .Name("tradewatch_alert_transitions_total")
                       .Help("Alert events emitted, by rule and state (firing, resolved)")
                       .Register(registry)) {}

void AlertMetrics::Set(const WatchedValue& watched) {
  prometheus::Labels labels = SeriesLabels(watched.rule->name(), *watched.labels);
  active_.Add(labels).Set(watched.firing ? 1 : 0);
  value_.Add(labels).Set(watched.value);
}

void AlertMetrics::Update(const RuleEngine& engine) {
  engine.ForEachWatched([this](const WatchedValue& watched) { Set(watched); });
}

void AlertMetrics::Update(const ShippingRuleEngine& engine) {
  engine.ForEachWatched([this](const WatchedValue& watched) { Set(watched); });
}

void AlertMetrics::Count(const v1::AlertEvent& event) {
  std::string state =
      EnumShortName(*v1::AlertState_descriptor()->FindValueByNumber(event.state()));
  transitions_.Add({{"rule", event.rule()}, {"state", state}}).Increment();
}

}  // namespace tradewatch::alerts
