// `tradewatch rules check` and `tradewatch rules export --prometheus`: validate alert rule files
// and generate the Prometheus rule file from them. With no rule files both use the rules built
// into the binary from deploy/rules/default.yaml.
#pragma once

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "alerts/rule_validation.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::tools {

// Adds `rules check [FILE...] [--regions FILE] [--routes FILE]` and
// `rules export --prometheus [--rules FILE...] [-o OUT] [--regions FILE] [--routes FILE]` to the
// app. The chosen
// subcommand stores its exit code in `*exit_code` (1 on invalid rules or an unwritable output).
void AddRulesCommands(CLI::App& app, int* exit_code);

// The validated rules of `files` (alerts::LoadRuleFiles, in order), or with no files the rules
// built in from deploy/rules/default.yaml. `references` hold the regions region_share rules and
// the chokepoints route_exposure rules may name (alerts::RegionNames of the region table,
// alerts::ChokepointIds of the route table). Errors are file:line:column: path: message, one per
// line.
absl::StatusOr<tradewatch::v1::RuleFile> LoadRules(const std::vector<std::string>& files,
                                                   const alerts::RuleReferences& references);

}  // namespace tradewatch::tools
