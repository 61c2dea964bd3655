// Dependency analytics over the upsert table (pure): partner shares with top N, rest and the
// part not in detail, region aggregates cross-checked against Census group rows, exposures to
// chokepoints (route table), HHI, balances with year-over-year deficit growth and partner
// contributions, and supplier shifts.
//
// Levels are never summed across: every figure reads exactly one series (one product code).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "processors/trade_table.h"
#include "tradewatch/v1/config.pb.h"
#include "tradewatch/v1/results.pb.h"

namespace tradewatch::processors {

// Readable name of a partner code ("5830" -> "Taiwan").
using PartnerNamer = std::function<std::string(std::string_view code)>;

struct ShareOptions {
  // Countries listed by name; the others are summed into "rest". 0 lists every country.
  int top_n = 10;
  // When the source's total row is present and countries cover less than this fraction of it,
  // shares are of the total and the remainder is "not in detail"; otherwise shares are over
  // countries only (so an aggregate row never changes a share).
  double coverage_threshold = 0.99;
  // Region membership; nullptr for no regions. Must outlive the call.
  const tradewatch::v1::RegionTable* regions = nullptr;
  // Route table (valid: ValidateRouteTable); nullptr for no exposures. Must outlive the call.
  // A chokepoint's exposure sums the countries of every route through it, each country once, by
  // the same member sums as regions.
  const tradewatch::v1::RouteTable* routes = nullptr;
  // Names for partner codes; nullptr leaves names empty.
  PartnerNamer namer;
};

// Shares of `series` over the window `kind` ending at `period_yyyymm`.
tradewatch::v1::PartnerShares ComputeShares(const Series& series,
                                            tradewatch::v1::WindowKind kind,
                                            int32_t period_yyyymm, const ShareOptions& options);

// The emitted form of a full result (computed with top_n = 0): the first `top_n` countries, then
// "rest" summing the others, then "not_in_detail" as computed. Equal to ComputeShares with
// `top_n`, without computing the window again. top_n <= 0 returns the result unchanged.
tradewatch::v1::PartnerShares TrimShares(const tradewatch::v1::PartnerShares& full, int top_n);

// The window's completeness for a series: months with any data out of the window's months.
tradewatch::v1::Window WindowWithCoverage(const Series& series, tradewatch::v1::WindowKind kind,
                                          int32_t period_yyyymm);

// Balance = imports - exports (positive = deficit) over the window, with the previous year's
// balance and deficit growth when that window is complete for both flows, and each partner's
// contribution when both series carry partner detail. Either series may be nullptr (treated as
// no data). The total of a flow is its total row when present in every month, else the sum over
// countries.
tradewatch::v1::BalanceResult ComputeBalance(const Series* imports, const Series* exports,
                                             tradewatch::v1::WindowKind kind,
                                             int32_t period_yyyymm, const PartnerNamer& namer,
                                             int top_n = 10);

// Share-point moves between two share results of the same series (computed with top_n = 0).
// The `top_n` largest gains and losses.
tradewatch::v1::SupplierShift ComputeShift(const tradewatch::v1::PartnerShares& from,
                                           const tradewatch::v1::PartnerShares& to, int top_n);

// Adds, for every (flow, measure) with HITECH group series ("01".."10") and no "ATP" series, an
// "ATP" series holding per (partner, period) the sum of the groups present: all Advanced
// Technology Products, as Census defines the total (the ten groups are disjoint, so this is not a
// sum across levels). Each derived cell takes the latest vintage of its parts. A one-shot
// derivation over the table as it is: call it after the last upsert. Returns the series added.
int DeriveAtpSeries(TradeTable* table);

// Checks a region table: names unique and non-empty, each region with members or a prefix.
// Returns an error message, or an empty string when valid.
std::string ValidateRegionTable(const tradewatch::v1::RegionTable& table);

}  // namespace tradewatch::processors
