// The route table (deploy/routes/routes.yaml, tradewatch.v1.RouteTable): which chokepoints the
// sea freight from each partner to the US passes. ComputeShares turns it into exposures
// (ShareOptions::routes); this file checks a table before anything uses it.
#pragma once

#include "absl/status/status.h"
#include "common/yaml_config.h"
#include "tradewatch/v1/config.pb.h"

namespace tradewatch::processors {

// Checks a route table:
// - version required;
// - at least one chokepoint; each id "chokepoint" followed by digits (the PortWatch portid), each
//   name non-empty; ids and names unique;
// - every route: a unique non-empty name; members (member_codes and/or member_code_prefix: a route
//   without either is empty); each member code a Census country code (four digits, the first
//   1-7 or 9) listed once in the route; the prefix one to three digits; each chokepoint id one of
//   the table's, listed once in the route; an assumption (why the members take the route).
// Every problem is reported, one per line of the status message, with its path and the entry's
// name, positioned through `lines` when given:
//   routes.yaml:97:22: routes[3].chokepoint_ids[0]: route "Malaysia: from the Strait of Malacca
//   ports": unknown chokepoint "chokepoint9" (known: chokepoint1, ...)
// and without `lines` starting with the path.
absl::Status ValidateRouteTable(const tradewatch::v1::RouteTable& table,
                                const YamlLines* lines = nullptr);

}  // namespace tradewatch::processors
