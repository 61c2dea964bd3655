// The Prometheus rule file generated from the alert rules (`tradewatch rules export
// --prometheus`), for Prometheus 2.x (checked with promtool 2.42).
//
// Group `tradewatch-rules`: one alerting rule per rule, in rule order:
//   alert: <name>
//   expr: tradewatch_alert_value{rule="<name>"}
//           and on(rule) (tradewatch_alert_active{rule="<name>"} == 1)
//   labels: severity and the rule's labels
//   annotations: the rule's, with templates converted (see below)
// The engine decides when a rule fires (event time, for_releases, hysteresis); Prometheus only
// routes it, so the expression has no `for`. $value is the watched value, and the alert's labels
// are those of the series (AlertEvent.labels plus `rule`).
//
// Templates: {{ value }} becomes `{{ $value | humanizePercentage }}` for shares, route exposures
// and deficit growth, `${{ $value | humanize }}` for balances and `{{ printf "%.3f" $value }}` for
// HHI (humanize would write an HHI of 0.162 as "162m"). {{ threshold }}, {{ clear }},
// {{ partner }} (the code), {{ region }}, {{ chokepoint }} (the id), {{ product_code }} and
// {{ window }} become the rule's literal text;
// {{ period }} becomes "the latest period" (no period label is exported: it would add a series
// per month), {{ date }} "the latest day"; {{ ratio }} is the value of a transit_ratio rule and
// "below <route.ratio_below>" of a composite rule; staleness renders as "{{ $value }} days".
//
// Group `tradewatch-health`: pipeline health from the processor's and ingest's metrics:
// TradewatchMetricsAbsent, TradewatchReleaseStale, TradewatchDeadLettersIncreasing,
// TradewatchConsumerLagGrowing, and from the Census API poller's (`ingest census --api --watch`):
// TradewatchCensusReleaseMissed (the awaited month's deadline has passed) and
// TradewatchCensusPollFailing (three polls failed in a row), and from the shipping loop's:
// TradewatchShippingStale (a chokepoint's latest day is over 9 days old by the wall clock) (see
// docs/runbooks.md).
//
// The output is deterministic: the same rules give byte-identical text.
#pragma once

#include <string>

#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::alerts {

// Base of the runbook links of the health rules (docs/runbooks.md in the repository).
inline constexpr char kRunbookBaseUrl[] =
    "https://github.com/tradewatch/tradewatch/blob/main/docs/runbooks.md";

// The rule file for `rules`, which must be valid (ValidateRuleFile).
std::string ExportPrometheusRules(const tradewatch::v1::RuleFile& rules);

}  // namespace tradewatch::alerts
