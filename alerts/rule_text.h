// Text shared by rule validation, the rule engine and the Prometheus export: label values of
// selector fields, how figures are written, and the annotation templates ({{ value }} ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tradewatch/v1/results.pb.h"
#include "tradewatch/v1/rules.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::alerts {

// The template names annotation values may use, in documentation order: value, threshold,
// clear, partner, region, chokepoint, product_code, window, period, date (the day of a shipping
// rule's transition), ratio (the chokepoint's transits over baseline, of a shipping rule).
const std::vector<std::string>& TemplateNames();

// A piece of an annotation template: literal text, or a placeholder (`{{ name }}`, with any
// spaces inside the braces) whose name is in `placeholder`.
struct TemplatePart {
  std::string text;
  std::string placeholder;  // empty for literal text
};

// Splits an annotation value into literal text and placeholders. Errors (lower case, without
// position: the caller knows where the value is) for an unclosed `{{` and an unknown name.
absl::StatusOr<std::vector<TemplatePart>> ParseTemplate(std::string_view text);

// The text each placeholder stands for.
struct TemplateValues {
  std::string value;
  std::string threshold;
  std::string clear;
  std::string partner;
  std::string region;
  std::string chokepoint;
  std::string product_code;
  std::string window;
  std::string period;
  std::string date;
  std::string ratio;
};

// The values a rule fixes by itself: threshold and clear (FormatFigure), the partner code, region,
// chokepoint id, product code and window name. `value` and `period` are left empty.
TemplateValues RuleTemplateValues(const tradewatch::v1::Rule& rule);

// The template with each placeholder replaced by its value.
std::string RenderTemplate(const std::vector<TemplatePart>& parts, const TemplateValues& values);

// [a-zA-Z_][a-zA-Z0-9_]*: a Prometheus label name, and a rule name.
bool IsValidName(std::string_view name);

// Short lower-case names used in labels and YAML: "imports", "t12m", "partner_share".
std::string FlowName(tradewatch::v1::Flow flow);
std::string WindowName(tradewatch::v1::WindowKind kind);
std::string MetricName(tradewatch::v1::RuleMetric metric);

// True for metrics that are fractions shown as percentages: shares, route exposures, deficit
// growth and transit ratios.
bool IsPercentMetric(tradewatch::v1::RuleMetric metric);

// Metrics read from the chokepoint statuses (transit_ratio, transit_staleness_days).
bool IsShippingMetric(tradewatch::v1::RuleMetric metric);

// Rules the shipping rule engine evaluates: a shipping metric, or a composite rule (with a
// route condition). The trade rule engine skips them.
bool IsShippingRule(const tradewatch::v1::Rule& rule);

// A figure of `metric` as annotations show it: shares, exposures and growth as a percentage with
// one decimal ("34.9%"), HHI with three decimals ("0.162"), balances in billions of US dollars
// ("$291.29B", "-$0.05B"), staleness in whole days ("12 days").
std::string FormatFigure(tradewatch::v1::RuleMetric metric, double value);

// The window's end period: "2025" for a year window, "2025-04" otherwise.
std::string FormatWindowEnd(tradewatch::v1::WindowKind kind, int32_t period_yyyymm);

// The firing threshold of a validated rule (above or below), and its clear threshold (the
// threshold itself when `clear` is unset).
double Threshold(const tradewatch::v1::Rule& rule);
double ClearThreshold(const tradewatch::v1::Rule& rule);

}  // namespace tradewatch::alerts
