// The Prometheus queries of the Grafana dashboards (deploy/grafana/dashboards/*.json), for tests
// that check them (tests/deploy) or run them against a live Prometheus (end-to-end): every panel
// target's `expr`, with Grafana's template variables substituted by concrete values, the template
// variables' own queries, and the tradewatch metric names an expression selects.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace tradewatch::testing {

// One query of one panel.
struct PanelQuery {
  std::string dashboard;  // the dashboard's title
  std::string panel;      // the panel's title, variables unsubstituted ("... of $naics")
  std::string expr;       // the target's PromQL, variables unsubstituted
};

// Calls `fn` on every panel of `dashboard`, the panels nested in (collapsed) rows included, in
// document order. Rows themselves are not passed.
inline void ForEachPanel(simdjson::dom::element dashboard,
                         const std::function<void(simdjson::dom::element)>& fn) {
  simdjson::dom::array panels;
  if (dashboard["panels"].get(panels) != simdjson::SUCCESS) return;
  for (simdjson::dom::element panel : panels) {
    std::string_view type;
    if (panel["type"].get(type) == simdjson::SUCCESS && type == "row") {
      ForEachPanel(panel, fn);
      continue;
    }
    fn(panel);
  }
}

// The dashboard JSON files of `dir` (*.json), sorted by name.
inline std::vector<std::string> DashboardFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every target expression of every panel of the dashboards in `dir`, in file then panel order.
// A file that does not parse, or a target without an `expr` string, is a test failure (and is
// skipped); so is a directory without dashboards.
inline std::vector<PanelQuery> LoadDashboardQueries(const std::string& dir) {
  std::vector<PanelQuery> queries;
  const std::vector<std::string> files = DashboardFiles(dir);
  if (files.empty()) ADD_FAILURE() << "no dashboard JSON in " << dir;
  for (const std::string& file : files) {
    simdjson::dom::parser parser;
    simdjson::dom::element dashboard;
    if (auto error = parser.load(file).get(dashboard); error != simdjson::SUCCESS) {
      ADD_FAILURE() << file << ": " << simdjson::error_message(error);
      continue;
    }
    std::string_view title;
    if (dashboard["title"].get(title) != simdjson::SUCCESS) {
      ADD_FAILURE() << file << ": no title";
    }
    ForEachPanel(dashboard, [&](simdjson::dom::element panel) {
      std::string_view panel_title;
      if (panel["title"].get(panel_title) != simdjson::SUCCESS) panel_title = "(untitled)";
      simdjson::dom::array targets;
      if (panel["targets"].get(targets) != simdjson::SUCCESS) return;  // text panels
      for (simdjson::dom::element target : targets) {
        std::string_view expr;
        if (target["expr"].get(expr) != simdjson::SUCCESS) {
          ADD_FAILURE() << file << ": panel '" << panel_title << "' has a target without expr";
          continue;
        }
        queries.push_back({std::string(title), std::string(panel_title), std::string(expr)});
      }
    });
  }
  return queries;
}

// One template variable whose options come from a query (label_values(metric, label)).
struct VariableQuery {
  std::string dashboard;  // the dashboard's title
  std::string name;       // the variable's name, without the `$`
  std::string query;      // its query
};

// The query of every template variable of the dashboards in `dir` that has one, in file then
// variable order. Grafana stores it as {"query": {"query": ...}} or as a plain string.
inline std::vector<VariableQuery> LoadVariableQueries(const std::string& dir) {
  std::vector<VariableQuery> queries;
  for (const std::string& file : DashboardFiles(dir)) {
    simdjson::dom::parser parser;
    simdjson::dom::element dashboard;
    if (parser.load(file).get(dashboard) != simdjson::SUCCESS) continue;  // LoadDashboardQueries
    std::string_view title;
    if (dashboard["title"].get(title) != simdjson::SUCCESS) title = file;
    simdjson::dom::array variables;
    if (dashboard["templating"]["list"].get(variables) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element variable : variables) {
      std::string_view name, query;
      if (variable["name"].get(name) != simdjson::SUCCESS) name = "";
      if (variable["query"]["query"].get(query) == simdjson::SUCCESS ||
          variable["query"].get(query) == simdjson::SUCCESS) {
        queries.push_back({std::string(title), std::string(name), std::string(query)});
      }
    }
  }
  return queries;
}

// The tradewatch metric names `expr` selects, in order, repeats included. Names may hold digits
// (tradewatch_shipping_transits_7d).
inline std::vector<std::string> MetricNames(const std::string& expr) {
  std::vector<std::string> names;
  static const std::regex name("\\btradewatch_[a-z0-9_]+");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name); it != std::sregex_iterator();
       ++it) {
    names.push_back(it->str());
  }
  return names;
}

// Replaces Grafana's variable references in `expr` by the values of `vars` (keyed by name without
// the `$`: {"naics", "3344"}, {"__rate_interval", "1m"}): `$name`, `${name}`, `${name:format}`
// (the format is ignored) and the deprecated `[[name]]`. As in Grafana, `$name` takes the longest
// run of word characters, so `$__range_ms` is not `$__range` followed by "_ms". References to
// names not in `vars` (and PromQL's own `$1` in label_replace) are left as they are.
inline std::string SubstituteGrafanaVariables(std::string expr,
                                              const std::map<std::string, std::string>& vars) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  out.reserve(expr.size());
  size_t i = 0;
  while (i < expr.size()) {
    size_t end = std::string::npos;  // one past the reference
    std::string name;
    if (expr[i] == '$' && i + 1 < expr.size() && expr[i + 1] == '{') {
      const size_t close = expr.find('}', i + 2);
      if (close != std::string::npos) {
        name = expr.substr(i + 2, close - i - 2);
        name = name.substr(0, name.find(':'));
        end = close + 1;
      }
    } else if (expr[i] == '$') {
      size_t j = i + 1;
      while (j < expr.size() && is_word(expr[j])) ++j;
      name = expr.substr(i + 1, j - i - 1);
      end = j;
    } else if (expr.compare(i, 2, "[[") == 0) {
      const size_t close = expr.find("]]", i + 2);
      if (close != std::string::npos) {
        name = expr.substr(i + 2, close - i - 2);
        name = name.substr(0, name.find(':'));
        end = close + 2;
      }
    }
    auto value = name.empty() ? vars.end() : vars.find(name);
    if (end != std::string::npos && value != vars.end()) {
      out += value->second;
      i = end;
    } else {
      out += expr[i];
      ++i;
    }
  }
  return out;
}

}  // namespace tradewatch::testing
