// `tradewatch report chokepoints`: read IMF PortWatch chokepoint transit files with the PortWatch
// reader, run the chokepoint analytics (processors/chokepoint_analytics.h) over each
// chokepoint's days, and print each chokepoint's latest status and, with --history, every
// disruption episode. No Kafka.
#pragma once

#include "CLI/CLI.hpp"

namespace tradewatch::tools {

// Adds `chokepoints` to the `report` subcommand. When it runs, its exit code goes to
// `*exit_code`.
void AddChokepointReport(CLI::App* report, int* exit_code);

}  // namespace tradewatch::tools
