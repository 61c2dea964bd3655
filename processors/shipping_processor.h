// The state of one partition of the shipping transit topic and what a shipping release marker
// makes of it (pure: protos in, protos out). Transits upsert into their chokepoint's series as
// they arrive; a release marker re-evaluates every chokepoint the release touched (the 7-day
// windows, baselines and disruption episodes of chokepoint_analytics.h) and returns the day
// statuses that changed: the records of tradewatch.shipping.status.v1 ("final result only": a
// restated day re-emits the days whose windows, baselines or episode state it changed, nothing
// else).
//
// Not thread-safe: one per partition.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "processors/chokepoint_analytics.h"
#include "tradewatch/v1/rejected.pb.h"
#include "tradewatch/v1/shipping.pb.h"

namespace tradewatch::processors {

// What a consumed transit must hold for a series to take it: an id, a real date, counts that are
// not negative. The reader guarantees it, but any producer can write to the topic. Returns the
// reason and a message naming the value, or nullopt.
std::optional<std::pair<tradewatch::v1::RejectReason, std::string>> CheckTransit(
    const tradewatch::v1::ChokepointTransit& transit);

// One chokepoint of a partition.
struct ChokepointState {
  ChokepointSeries series;
  // The evaluation as of the last release (days first..last date).
  ChokepointTimeline timeline;
  // The earliest day upserted since the last release, yyyymmdd; 0 when none.
  int32_t dirty_from = 0;
};

// What one release marker produces.
struct ShippingReleaseResults {
  // Day statuses that changed (new days included), by chokepoint id, then date.
  std::vector<tradewatch::v1::ChokepointStatus> statuses;
  // The chokepoints the release changed, with their earliest changed day.
  std::map<std::string, int32_t> changed_from;
  // Every chokepoint of the partition at the release horizon (StatusAsOf through_yyyymmdd, or
  // its latest day when the marker has no horizon), by id.
  std::vector<tradewatch::v1::ChokepointStatus> latest;
};

class ShippingPartition {
 public:
  explicit ShippingPartition(ChokepointOptions options) : options_(options) {}

  // Upserts one transit. Precondition: CheckTransit(transit) is nullopt. Returns false when the
  // day already held exactly these counts.
  bool Apply(const tradewatch::v1::ChokepointTransit& transit);

  // Closes the release: re-evaluates the chokepoints changed since the previous marker.
  ShippingReleaseResults CloseRelease(const tradewatch::v1::ShippingReleaseMarker& marker);

  const std::map<std::string, ChokepointState>& chokepoints() const { return chokepoints_; }
  const ChokepointOptions& options() const { return options_; }

 private:
  ChokepointOptions options_;
  std::map<std::string, ChokepointState> chokepoints_;
};

}  // namespace tradewatch::processors
