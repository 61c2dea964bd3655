#include "alerts/rule_text.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "common/yaml_config.h"
#include "fmt/format.h"

namespace tradewatch::alerts {
namespace v1 = tradewatch::v1;

const std::vector<std::string>& TemplateNames() {
  static const auto* const kNames = new std::vector<std::string>{
      "value",      "threshold",    "clear",  "partner", "region",
      "chokepoint", "product_code", "window", "period", "date", "ratio"};
  return *kNames;
}

absl::StatusOr<std::vector<TemplatePart>> ParseTemplate(std::string_view text) {
  std::vector<TemplatePart> parts;
  while (!text.empty()) {
    size_t open = text.find("{{");
    if (open == std::string_view::npos) {
      parts.push_back({std::string(text), ""});
      break;
    }
    if (open > 0) parts.push_back({std::string(text.substr(0, open)), ""});
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(
          fmt::format("unclosed \"{{{{\" in \"{}\"", std::string(text.substr(open))));
    }
    std::string_view inside = text.substr(open + 2, close - open - 2);
    while (!inside.empty() && absl::ascii_isspace(inside.front())) inside.remove_prefix(1);
    while (!inside.empty() && absl::ascii_isspace(inside.back())) inside.remove_suffix(1);
    std::string name(inside);
    const auto& known = TemplateNames();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(fmt::format("unknown template {{{{ {} }}}} (known: {})",
                                                    name, absl::StrJoin(known, ", ")));
    }
    parts.push_back({"", std::move(name)});
    text.remove_prefix(close + 2);
  }
  return parts;
}

TemplateValues RuleTemplateValues(const v1::Rule& rule) {
  TemplateValues values;
  values.threshold = FormatFigure(rule.metric(), Threshold(rule));
  values.clear = FormatFigure(rule.metric(), ClearThreshold(rule));
  values.partner = rule.selector().partner();
  values.region = rule.selector().region();
  values.chokepoint =
      rule.has_route() ? rule.route().chokepoint() : rule.selector().chokepoint();
  values.product_code = rule.selector().product_code();
  values.window = WindowName(rule.selector().window());
  return values;
}

std::string RenderTemplate(const std::vector<TemplatePart>& parts, const TemplateValues& values) {
  const std::pair<const char*, const std::string*> by_name[] = {
      {"value", &values.value},       {"threshold", &values.threshold},
      {"clear", &values.clear},       {"partner", &values.partner},
      {"region", &values.region},     {"chokepoint", &values.chokepoint},
      {"product_code", &values.product_code},
      {"window", &values.window},     {"period", &values.period},
      {"date", &values.date},         {"ratio", &values.ratio}};
  std::string out;
  for (const TemplatePart& part : parts) {
    if (part.placeholder.empty()) {
      out += part.text;
      continue;
    }
    for (const auto& [name, text] : by_name) {
      if (part.placeholder == name) out += *text;
    }
  }
  return out;
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = absl::ascii_isalpha(c) || c == '_' || (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

std::string FlowName(v1::Flow flow) {
  return EnumShortName(*v1::Flow_descriptor()->FindValueByNumber(flow));
}

std::string WindowName(v1::WindowKind kind) {
  return EnumShortName(*v1::WindowKind_descriptor()->FindValueByNumber(kind));
}

std::string MetricName(v1::RuleMetric metric) {
  return EnumShortName(*v1::RuleMetric_descriptor()->FindValueByNumber(metric));
}

bool IsPercentMetric(v1::RuleMetric metric) {
  return metric == v1::RULE_METRIC_PARTNER_SHARE || metric == v1::RULE_METRIC_REGION_SHARE ||
         metric == v1::RULE_METRIC_ROUTE_EXPOSURE || metric == v1::RULE_METRIC_DEFICIT_GROWTH ||
         metric == v1::RULE_METRIC_TRANSIT_RATIO;
}

bool IsShippingMetric(v1::RuleMetric metric) {
  return metric == v1::RULE_METRIC_TRANSIT_RATIO ||
         metric == v1::RULE_METRIC_TRANSIT_STALENESS_DAYS;
}

bool IsShippingRule(const v1::Rule& rule) {
  return IsShippingMetric(rule.metric()) || rule.has_route();
}

namespace {
// fmt writes -0.0 as "-0.0"; a figure that rounds to zero is written without a sign.
std::string FixedNoNegativeZero(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text[0] == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}
}  // namespace

std::string FormatFigure(v1::RuleMetric metric, double value) {
  if (IsPercentMetric(metric)) return FixedNoNegativeZero(value * 100, 1) + "%";
  if (metric == v1::RULE_METRIC_HHI) return FixedNoNegativeZero(value, 3);
  if (metric == v1::RULE_METRIC_TRANSIT_STALENESS_DAYS) {
    return fmt::format("{} days", FixedNoNegativeZero(value, 0));
  }
  std::string billions = FixedNoNegativeZero(std::fabs(value) / 1e9, 2);
  bool negative = value < 0 && billions.find_first_not_of("0.") != std::string::npos;
  return fmt::format("{}${}B", negative ? "-" : "", billions);
}

std::string FormatWindowEnd(v1::WindowKind kind, int32_t period_yyyymm) {
  if (kind == v1::WINDOW_KIND_YEAR) return fmt::format("{:04d}", period_yyyymm / 100);
  return fmt::format("{:04d}-{:02d}", period_yyyymm / 100, period_yyyymm % 100);
}

double Threshold(const v1::Rule& rule) { return rule.has_above() ? rule.above() : rule.below(); }

double ClearThreshold(const v1::Rule& rule) {
  return rule.has_clear() ? rule.clear() : Threshold(rule);
}

}  // namespace tradewatch::alerts
