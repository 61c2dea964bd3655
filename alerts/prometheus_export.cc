#include "alerts/prometheus_export.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "alerts/rule_text.h"
#include "fmt/format.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A YAML scalar that reads back as exactly `text`: single-quoted (only ' is escaped, by doubling)
// unless it holds a line break or another control character, then double-quoted with escapes.
std::string Quote(std::string_view text) {
  bool control = std::any_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  std::string out;
  if (!control) {
    out += '\'';
    for (char c : text) {
      if (c == '\'') out += '\'';
      out += c;
    }
    out += '\'';
    return out;
  }
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

struct AlertingRule {
  std::string alert;
  std::string expr;
  std::string for_duration;  // empty: none
  Pairs labels;
  Pairs annotations;
};

void WriteRule(const AlertingRule& rule, std::string* out) {
  *out += fmt::format("      - alert: {}\n", rule.alert);
  *out += fmt::format("        expr: {}\n", Quote(rule.expr));
  if (!rule.for_duration.empty()) *out += fmt::format("        for: {}\n", rule.for_duration);
  for (const auto& [key, pairs] : {std::pair{"labels", &rule.labels},
                                   std::pair{"annotations", &rule.annotations}}) {
    if (pairs->empty()) continue;
    *out += fmt::format("        {}:\n", key);
    for (const auto& [name, value] : *pairs) {
      *out += fmt::format("          {}: {}\n", name, Quote(value));
    }
  }
}

void WriteGroup(std::string_view name, const std::vector<AlertingRule>& rules, std::string* out) {
  *out += fmt::format("  - name: {}\n", name);
  if (rules.empty()) {
    *out += "    rules: []\n";
    return;
  }
  *out += "    rules:\n";
  for (const AlertingRule& rule : rules) WriteRule(rule, out);
}

// An annotation of a rule as a Prometheus template.
std::string ConvertTemplate(const v1::Rule& rule, const std::string& text) {
  auto parts = ParseTemplate(text);
  if (!parts.ok()) return text;  // rules are validated before export
  TemplateValues values = RuleTemplateValues(rule);
  if (IsPercentMetric(rule.metric())) {
    values.value = "{{ $value | humanizePercentage }}";
  } else if (rule.metric() == v1::RULE_METRIC_HHI) {
    values.value = "{{ printf \"%.3f\" $value }}";
  } else if (rule.metric() == v1::RULE_METRIC_TRANSIT_STALENESS_DAYS) {
    values.value = "{{ $value }} days";
  } else {
    values.value = "${{ $value | humanize }}";
  }
  values.period = "the latest period";
  // Shipping rules: Prometheus holds the rule's one figure, not the day or the route's ratio.
  values.date = "the latest day";
  if (rule.metric() == v1::RULE_METRIC_TRANSIT_RATIO) {
    values.ratio = values.value;
  } else if (rule.has_route()) {
    values.ratio = "below " + FormatFigure(v1::RULE_METRIC_TRANSIT_RATIO, rule.route().ratio_below());
  }
  return RenderTemplate(*parts, values);
}

AlertingRule FromRule(const v1::Rule& rule) {
  AlertingRule out;
  out.alert = rule.name();
  out.expr = fmt::format(
      "tradewatch_alert_value{{rule=\"{0}\"}} and on(rule) "
      "(tradewatch_alert_active{{rule=\"{0}\"}} == 1)",
      rule.name());
  out.labels.emplace_back("severity", rule.severity());
  for (const v1::Label& label : rule.labels()) out.labels.emplace_back(label.name(), label.value());
  std::sort(out.labels.begin(), out.labels.end());
  for (const v1::Label& annotation : rule.annotations()) {
    out.annotations.emplace_back(annotation.name(), ConvertTemplate(rule, annotation.value()));
  }
  return out;
}

std::string Runbook(std::string_view alert) {
  std::string anchor(alert);
  std::transform(anchor.begin(), anchor.end(), anchor.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return fmt::format("{}#{}", kRunbookBaseUrl, anchor);
}

std::vector<AlertingRule> HealthRules() {
  std::vector<AlertingRule> rules;
  rules.push_back(
      {"TradewatchMetricsAbsent",
       "absent(up{job=\"tradewatch\"} == 1) or on() absent(tradewatch_processor_releases_total)",
       "5m",
       {{"severity", "page"}},
       {{"summary", "tradewatch is not scraped or exports no processor metrics"},
        {"description",
         "Prometheus has had no healthy scrape of job=\"tradewatch\", or no "
         "tradewatch_processor_releases_total series, for 5 minutes: every tradewatch alert is "
         "blind until it is back."},
        {"runbook_url", Runbook("TradewatchMetricsAbsent")}}});
  rules.push_back(
      {"TradewatchReleaseStale",
       "time() - tradewatch_processor_last_release_timestamp_seconds > 45 * 86400 and "
       "tradewatch_processor_last_release_timestamp_seconds > 0",
       "",
       {{"severity", "warning"}},
       {{"summary", "no Census release processed for more than 45 days"},
        {"description",
         "The last release marker was processed {{ $value | humanizeDuration }} ago. Census "
         "publishes about 35 days after each month ends, so a gap over 45 days means a release "
         "was missed or not ingested; alerts are evaluated on stale data meanwhile."},
        {"runbook_url", Runbook("TradewatchReleaseStale")}}});
  rules.push_back(
      {"TradewatchDeadLettersIncreasing",
       "(sum(increase(tradewatch_ingest_records_rejected_total[1h])) or vector(0)) + "
       "(sum(increase(tradewatch_processor_records_rejected_total[1h])) or vector(0)) > 0",
       "",
       {{"severity", "warning"}},
       {{"summary", "records are being rejected to the dead-letter topic"},
        {"description",
         "Ingest or the processor rejected records in the last hour (see "
         "tradewatch_ingest_records_rejected_total and tradewatch_processor_records_rejected_total "
         "by reason); each one is on tradewatch.deadletter.v1 with its source, position, raw "
         "bytes and reason."},
        {"runbook_url", Runbook("TradewatchDeadLettersIncreasing")}}});
  rules.push_back(
      {"TradewatchConsumerLagGrowing",
       "sum(deriv(tradewatch_processor_consumer_lag_records[15m])) > 0 and "
       "sum(tradewatch_processor_consumer_lag_records) > 1000",
       "15m",
       {{"severity", "warning"}},
       {{"summary", "the processor is falling behind the observation topic"},
        {"description",
         "Consumer lag has grown for 15 minutes and is over 1000 records "
         "(growing by {{ $value | humanize }} records per second): results and alerts are "
         "delayed."},
        {"runbook_url", Runbook("TradewatchConsumerLagGrowing")}}});
  rules.push_back(
      {"TradewatchCensusReleaseMissed",
       "time() - tradewatch_ingest_census_release_deadline_timestamp_seconds > 0 and "
       "tradewatch_ingest_census_release_deadline_timestamp_seconds > 0",
       "",
       {{"severity", "warning"}},
       {{"summary", "the awaited Census release was not published by its deadline"},
        {"description",
         "The Census API poller has not seen the release of the month it awaits "
         "(tradewatch_ingest_census_next_release_period_yyyymm) {{ $value | humanizeDuration }} "
         "after its deadline: the expected day, about 35 days after the month ended, plus "
         "census_api.calendar.missed_release_margin_days. Either Census is late or the poller "
         "cannot read the release; alerts are evaluated on stale data meanwhile."},
        {"runbook_url", Runbook("TradewatchCensusReleaseMissed")}}});
  rules.push_back(
      {"TradewatchCensusPollFailing",
       "tradewatch_ingest_census_consecutive_poll_failures >= 3",
       "",
       {{"severity", "warning"}},
       {{"summary", "the Census API poller has failed {{ $value }} polls in a row"},
        {"description",
         "Every Census API poll since the last success failed, each after its retries (see "
         "tradewatch_ingest_census_poll_errors_total by kind: http_4xx is a wrong query or key, "
         "http_5xx, timeout and connection the API or the network). A failed poll publishes "
         "nothing, so new releases and revisions wait until it succeeds."},
        {"runbook_url", Runbook("TradewatchCensusPollFailing")}}});
  rules.push_back(
      {"TradewatchShippingStale",
       "time() - tradewatch_shipping_latest_day_timestamp_seconds > 9 * 86400",
       "1h",
       {{"severity", "warning"}},
       {{"summary", "no shipping data for {{ $labels.name }} for more than 9 days"},
        {"description",
         "The latest day with transit data of {{ $labels.name }} ({{ $labels.chokepoint }}) is "
         "{{ $value | humanizeDuration }} old. PortWatch publishes weekly with a lag of 5 to 7 "
         "days: the feed or `tradewatch ingest portwatch` stopped, and the chokepoint's "
         "disruption and composite rules are blind meanwhile (in event time, the "
         "transit_staleness_days rules see a feed that stops for one chokepoint only)."},
        {"runbook_url", Runbook("TradewatchShippingStale")}}});
  return rules;
}

}  // namespace

std::string ExportPrometheusRules(const v1::RuleFile& rules) {
  std::string out =
      "# Prometheus alerting rules generated by `tradewatch rules export --prometheus` from the\n"
      "# tradewatch rule files (deploy/rules/*.yaml), plus the pipeline health rules.\n"
      "# Do not edit: change the rules YAML and regenerate.\n"
      "groups:\n";
  std::vector<AlertingRule> converted;
  for (const v1::Rule& rule : rules.rules()) converted.push_back(FromRule(rule));
  WriteGroup("tradewatch-rules", converted, &out);
  WriteGroup("tradewatch-health", HealthRules(), &out);
  return out;
}

}  // namespace tradewatch::alerts
