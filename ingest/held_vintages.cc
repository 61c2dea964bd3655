#include "ingest/held_vintages.h"

#include <algorithm>

#include "common/packed_code.h"

namespace tradewatch::ingest {

IdentityKey ObservationIdentity(const tradewatch::v1::TradeObservation& o) {
  return IdentityKey{PackCode<uint64_t>(o.product_code()), PackCode<uint64_t>(o.partner_code()),
                     o.period_yyyymm(), static_cast<uint8_t>(o.flow()),
                     static_cast<uint8_t>(o.measure()), static_cast<uint8_t>(o.classification())};
}

void HeldVintages::Hold(const tradewatch::v1::TradeObservation& observation) {
  auto [it, inserted] = held_.try_emplace(ObservationIdentity(observation));
  if (!inserted && it->second.vintage > observation.vintage()) return;
  it->second = {observation.value_usd(), observation.vintage()};
  latest_period_ = std::max(latest_period_, observation.period_yyyymm());
  max_vintage_ = std::max(max_vintage_, observation.vintage());
}

VintageDiff HeldVintages::Diff(
    const std::vector<tradewatch::v1::TradeObservation>& fetched) const {
  VintageDiff diff;
  for (const tradewatch::v1::TradeObservation& o : fetched) {
    diff.latest_fetched_period = std::max(diff.latest_fetched_period, o.period_yyyymm());
    auto it = held_.find(ObservationIdentity(o));
    if (it == held_.end()) {
      diff.changes.push_back({o, std::nullopt});
      ++diff.added;
    } else if (it->second.value_usd != o.value_usd()) {
      diff.changes.push_back({o, it->second});
      ++diff.revised;
    } else {
      ++diff.unchanged;
    }
  }
  return diff;
}

void HeldVintages::Apply(const VintageDiff& diff) {
  for (const VintageChange& change : diff.changes) Hold(change.observation);
}

const HeldValue* HeldVintages::Find(const tradewatch::v1::TradeObservation& observation) const {
  auto it = held_.find(ObservationIdentity(observation));
  return it == held_.end() ? nullptr : &it->second;
}

}  // namespace tradewatch::ingest
