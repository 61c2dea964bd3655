#include "tools/rules_command.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "alerts/prometheus_export.h"
#include "alerts/rule_validation.h"
#include "common/status_macros.h"
#include "tools/reference_data.h"

namespace tradewatch::tools {

// Generated from deploy/rules/default.yaml by tools/CMakeLists.txt.
extern const char* const kEmbeddedRulesYaml;

namespace {

namespace v1 = tradewatch::v1;

constexpr char kEmbeddedRulesOrigin[] = "deploy/rules/default.yaml";

struct RulesOptions {
  std::vector<std::string> files;  // empty: the built-in rules
  std::string regions_path;        // empty: the built-in region table
  std::string routes_path;         // empty: the built-in route table
  std::string output;              // export only; empty: stdout
  bool prometheus = false;
};

// The regions and chokepoints rules may name, from the chosen (or built-in) tables.
absl::StatusOr<alerts::RuleReferences> ReferencesFrom(const RulesOptions& o) {
  TW_ASSIGN_OR_RETURN(v1::RegionTable regions, LoadRegions(o.regions_path));
  TW_ASSIGN_OR_RETURN(v1::RouteTable routes, LoadRoutes(o.routes_path));
  return alerts::RuleReferences(alerts::RegionNames(regions), alerts::ChokepointIds(routes));
}

// Prints "FILE: N rules OK" per file, or its problems; then checks names across the files.
int RunCheck(const RulesOptions& o) {
  auto references = ReferencesFrom(o);
  if (!references.ok()) {
    std::fprintf(stderr, "tradewatch: %s\n", std::string(references.status().message()).c_str());
    return 1;
  }
  std::vector<std::string> files = o.files;
  if (files.empty()) files.push_back("");  // the built-in rules
  bool ok = true;
  for (const std::string& file : files) {
    std::vector<std::string> one;
    if (!file.empty()) one.push_back(file);
    auto rules = LoadRules(one, *references);
    const char* name = file.empty() ? kEmbeddedRulesOrigin : file.c_str();
    if (rules.ok()) {
      std::printf("%s: %d rules OK\n", name, rules->rules_size());
    } else {
      std::fprintf(stderr, "%s\n", std::string(rules.status().message()).c_str());
      ok = false;
    }
  }
  if (ok && o.files.size() > 1) {  // names must also be unique across the files
    auto all = alerts::LoadRuleFiles(o.files, *references);
    if (!all.ok()) {
      std::fprintf(stderr, "%s\n", std::string(all.status().message()).c_str());
      ok = false;
    }
  }
  return ok ? 0 : 1;
}

absl::Status RunExport(const RulesOptions& o) {
  TW_ASSIGN_OR_RETURN(alerts::RuleReferences references, ReferencesFrom(o));
  TW_ASSIGN_OR_RETURN(v1::RuleFile rules, LoadRules(o.files, references));
  std::string text = alerts::ExportPrometheusRules(rules);
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return absl::OkStatus();
  }
  std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return absl::UnavailableError(o.output + ": cannot write the rule file");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::RuleFile> LoadRules(const std::vector<std::string>& files,
                                       const alerts::RuleReferences& references) {
  if (files.empty()) {
    return alerts::ParseRuleFile(kEmbeddedRulesYaml, kEmbeddedRulesOrigin, references);
  }
  return alerts::LoadRuleFiles(files, references);
}

void AddRulesCommands(CLI::App& app, int* exit_code) {
  auto* rules = app.add_subcommand("rules", "Check alert rule files and export them to Prometheus");
  rules->require_subcommand(1);

  static RulesOptions check_o, export_o;
  auto* check = rules->add_subcommand(
      "check", "Validate rule files (default: the built-in deploy/rules/default.yaml); prints "
               "\"FILE: N rules OK\" or every problem as file:line:column: path: message");
  check->add_option("files", check_o.files, "rule files (YAML)");
  check->add_option("--regions", check_o.regions_path,
                    "region membership table for region_share rules (default: built in)");
  check->add_option("--routes", check_o.routes_path,
                    "route table for route_exposure rules (default: deploy/routes/routes.yaml, "
                    "built in)");
  check->callback([exit_code] { *exit_code = RunCheck(check_o); });

  auto* exporter = rules->add_subcommand(
      "export", "Write the Prometheus rule file of the alert rules plus the health rules");
  exporter->add_flag("--prometheus", export_o.prometheus, "Prometheus 2.x rule file format")
      ->required();
  exporter->add_option("--rules", export_o.files,
                       "rule files (default: the built-in deploy/rules/default.yaml)");
  exporter->add_option("-o,--output", export_o.output, "output file (default: stdout)");
  exporter->add_option("--regions", export_o.regions_path,
                       "region membership table for region_share rules (default: built in)");
  exporter->add_option("--routes", export_o.routes_path,
                       "route table for route_exposure rules (default: deploy/routes/routes.yaml, "
                       "built in)");
  exporter->callback([exit_code] {
    if (auto s = RunExport(export_o); !s.ok()) {
      std::fprintf(stderr, "tradewatch: %s\n", std::string(s.message()).c_str());
      *exit_code = 1;
    }
  });
}

}  // namespace tradewatch::tools
