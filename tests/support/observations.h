// Builders of TradeObservations for processor tests.
#pragma once

#include <string>
#include <utility>

#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::testing {

// An observation on the default bases: general imports, total exports, NAICS.
inline tradewatch::v1::TradeObservation Obs(tradewatch::v1::Flow flow, std::string naics,
                                            std::string partner,
                                            tradewatch::v1::PartnerKind kind, int32_t period,
                                            int64_t value, int64_t vintage = 1) {
  tradewatch::v1::TradeObservation o;
  o.set_flow(flow);
  o.set_measure(flow == tradewatch::v1::FLOW_IMPORTS ? tradewatch::v1::MEASURE_GENERAL_IMPORTS
                                                     : tradewatch::v1::MEASURE_TOTAL_EXPORTS);
  o.set_classification(tradewatch::v1::CLASSIFICATION_NAICS);
  o.set_product_code(std::move(naics));
  o.set_partner_code(std::move(partner));
  o.set_partner_kind(kind);
  o.set_period_yyyymm(period);
  o.set_value_usd(value);
  o.set_vintage(vintage);
  return o;
}

}  // namespace tradewatch::testing
