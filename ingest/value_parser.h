// Parsing of trade values and product codes, shared by every reader.
#pragma once

#include <cstdint>
#include <string_view>

#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::ingest {

// Values above this many US dollars in one month for one partner and product are absurd: the
// whole of US goods trade is about 3e12 a year.
inline constexpr int64_t kAbsurdValueUsd = 10'000'000'000'000;  // 1e13

enum class ValueError { kNone, kNonNumeric, kNegative, kAbsurd };

// Parses a decimal number ("35471972", "31281.4", "-5") and multiplies it by `scale_to_usd`,
// rounding half away from zero to whole dollars. Leading and trailing blanks are allowed.
ValueError ParseValueUsd(std::string_view text, double scale_to_usd, int64_t* value_usd);

// True when `code` is of the form of a code of `classification`: NAICS two to six digits (Census
// trade codes may end in X for combined categories: "1121X", "31131X"), a sector range "31-33", or
// "-" (all NAICS); HITECH "00".."10", "ATP" or "-".
bool IsWellFormedProductCode(tradewatch::v1::Classification classification, std::string_view code);

}  // namespace tradewatch::ingest
