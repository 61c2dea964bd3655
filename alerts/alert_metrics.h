// The alert module's Prometheus metrics, declared once and built from one registry:
//
//   tradewatch_alert_active{rule, <alert labels>}          1 while the rule fires, else 0
//   tradewatch_alert_value{rule, <alert labels>}           the watched value (share, HHI, USD,
//                                                          growth fraction) at its latest period
//   tradewatch_alert_transitions_total{rule, state}        alert events, state firing|resolved
//
// <alert labels> are the rule's identifying labels (AlertEvent.labels: the rule's own labels plus
// product_code, flow, partner, region, chokepoint, window, severity), so the series count is
// bounded by the rules: one active and one value series per rule, two transition counters per
// rule.
// The exported Prometheus rules (prometheus_export.h) read these series.
//
// Several engines (one per processing partition) may feed one AlertMetrics: call Update for each
// engine. Update touches only the series of the rules that engine has evaluated, so engines whose
// partitions carry different rules' figures never overwrite each other. (If two engines evaluated
// the same rule, the last Update wins.)
//
// Thread safety: as prometheus-cpp gives: series may be created and set from any thread, and a
// scrape may run concurrently. Update reads the engine, which is not thread-safe: call it on the
// engine's own thread (after OnRelease).
#pragma once

#include <string>

#include "alerts/rule_engine.h"
#include "alerts/shipping_rules.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::alerts {

class AlertMetrics {
 public:
  // Registers the three families in `registry`, which must outlive this object.
  explicit AlertMetrics(prometheus::Registry& registry);

  // Sets the active and value series of every rule `engine` has evaluated.
  void Update(const RuleEngine& engine);
  void Update(const ShippingRuleEngine& engine);

  // Counts one transition (tradewatch_alert_transitions_total{rule, state}).
  void Count(const tradewatch::v1::AlertEvent& event);

 private:
  prometheus::Family<prometheus::Gauge>& active_;
  prometheus::Family<prometheus::Gauge>& value_;
  prometheus::Family<prometheus::Counter>& transitions_;

  void Set(const WatchedValue& watched);
};

}  // namespace tradewatch::alerts
