// tradewatch: one command, subcommands per stage (like kcat or promtool).
#include <cstdio>

#include "CLI/CLI.hpp"
#include "common/logging.h"
#include "tools/report_command.h"
#include "tools/rules_command.h"
#include "tools/service_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "tradewatch: a monitor of supply-chain dependence in US trade (Census releases by NAICS "
      "and partner, shares, concentration, balances, alerts)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tradewatch 0.1.0");
  int exit_code = 0;
  app.add_option_function<std::string>(
         "--log-level",
         [](const std::string& level) {
           if (!tradewatch::SetLogLevel(level)) throw CLI::ValidationError("--log-level", level);
         },
         "trace, debug, info (default), warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  tradewatch::tools::AddReportCommands(app, &exit_code);
  tradewatch::tools::AddRulesCommands(app, &exit_code);
  tradewatch::tools::AddServiceCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // CLI11 reports usage errors by exception
    return app.exit(e);
  }
  return exit_code;
}
