// What the poller holds: the latest vintage of every observation identity it has published or
// read back from the observation topic, and the comparison of a fresh API answer with it. Pure:
// protos in, protos out.
//
// A fetched observation whose identity is not held is new; one whose value differs from the held
// value is a revision; the rest are unchanged and are not published again. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ingest/census_reader.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::ingest {

struct HeldValue {
  int64_t value_usd = 0;
  int64_t vintage = 0;
};

// One observation to publish: new, or a revision of `previous`.
struct VintageChange {
  tradewatch::v1::TradeObservation observation;
  std::optional<HeldValue> previous;  // empty: a new identity

  bool is_revision() const { return previous.has_value(); }
};

struct VintageDiff {
  // In the order fetched.
  std::vector<VintageChange> changes;
  int64_t added = 0;
  int64_t revised = 0;
  int64_t unchanged = 0;
  // Latest period among the fetched observations, yyyymm; 0 when none.
  int32_t latest_fetched_period = 0;

  bool empty() const { return changes.empty(); }
};

// The identity of an observation (flow, measure, classification, product, partner, period)
// packed for hashing.
IdentityKey ObservationIdentity(const tradewatch::v1::TradeObservation& observation);

class HeldVintages {
 public:
  // Holds `observation` unless a later vintage of its identity is held (equal vintages: the later
  // call wins, as on a compacted topic read in offset order).
  void Hold(const tradewatch::v1::TradeObservation& observation);

  // Compares `fetched` (one answer: no identity twice) with what is held.
  VintageDiff Diff(const std::vector<tradewatch::v1::TradeObservation>& fetched) const;

  // Holds every change of `diff` (after it was published).
  void Apply(const VintageDiff& diff);

  // The held value of an identity, or null.
  const HeldValue* Find(const tradewatch::v1::TradeObservation& observation) const;

  // Latest period held, yyyymm; 0 when nothing is held.
  int32_t latest_period() const { return latest_period_; }
  // Largest vintage held; 0 when nothing is held.
  int64_t max_vintage() const { return max_vintage_; }
  size_t size() const { return held_.size(); }

 private:
  absl::flat_hash_map<IdentityKey, HeldValue> held_;
  int32_t latest_period_ = 0;
  int64_t max_vintage_ = 0;
};

}  // namespace tradewatch::ingest
