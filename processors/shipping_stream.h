// The shipping processing loop: a consumer-group member over tradewatch.shipping.transits.v1 (its
// own group, beside the observation topic's). Each assigned partition has a ShippingPartition,
// rebuilt on assignment by replaying the partition from the beginning up to the group's committed
// offset. At every shipping release marker the partition's changed day statuses are published to
// tradewatch.shipping.status.v1, handed to the ShippingHook (the shipping rules, wired in by
// tools/), delivered, and only then is the marker's offset committed: at-least-once and
// deterministic, as the observation loop (stream_processor.h).
//
// Bad records (not a ShippingEvent, neither transit nor marker, a transit without id, with a
// date that is not a day, or a negative count) go to the dead-letter topic with their topic,
// partition, offset and reason; nothing else is lost.
//
// Single-threaded: every call, and every hook callback, happens on the thread that calls Poll().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_consumer.h"
#include "processors/group_member.h"
#include "processors/shipping_processor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "tradewatch/v1/shipping.pb.h"

namespace tradewatch::processors {

// What a shipping release feeds beyond the status topic.
class ShippingHook {
 public:
  virtual ~ShippingHook() = default;
  // Called for every shipping release marker of a partition, in offset order, after
  // `partition.CloseRelease`. `sink` is null while the partition's state is rebuilt (replay): the
  // hook must update its state and emit nothing.
  virtual absl::Status OnShippingRelease(int32_t partition,
                                         const tradewatch::v1::ShippingReleaseMarker& marker,
                                         const ShippingPartition& state,
                                         const ShippingReleaseResults& results,
                                         EventSink* sink) = 0;
  // The partition was revoked: drop its state.
  virtual void OnShippingPartitionDropped(int32_t partition) = 0;
};

// The shipping metrics, one series per chokepoint and measure (labels chokepoint, name):
//
//   tradewatch_shipping_transits_7d              transits over the 7 days to the latest day
//   tradewatch_shipping_baseline_7d              their baseline (absent without one)
//   tradewatch_shipping_transit_ratio            transits_7d / baseline_7d (absent unjudged)
//   tradewatch_shipping_status{status}           1 for the chokepoint's status at the release
//                                                horizon (normal, disrupted, gap, stale,
//                                                no_baseline), 0 for the others
//   tradewatch_shipping_episode_open             1 while a disruption episode is open
//   tradewatch_shipping_latest_day_timestamp_seconds   the latest day with data (00:00 UTC)
//
// plus tradewatch_shipping_releases_total, tradewatch_shipping_records_consumed_total and
// tradewatch_shipping_records_rejected_total{reason}.
class ShippingMetrics {
 public:
  explicit ShippingMetrics(prometheus::Registry& registry);

  // Sets the per-chokepoint series from a release's latest statuses.
  void Update(const std::vector<tradewatch::v1::ChokepointStatus>& latest);

  prometheus::Counter& releases;
  prometheus::Counter& consumed;
  prometheus::Counter& Rejected(const std::string& reason);

 private:
  prometheus::Family<prometheus::Gauge>& transits_;
  prometheus::Family<prometheus::Gauge>& baseline_;
  prometheus::Family<prometheus::Gauge>& ratio_;
  prometheus::Family<prometheus::Gauge>& status_;
  prometheus::Family<prometheus::Gauge>& episode_open_;
  prometheus::Family<prometheus::Gauge>& latest_day_;
  prometheus::Family<prometheus::Counter>& rejected_;
};

struct ShippingTopics {
  std::string transits;
  std::string status;
  int32_t status_partitions = 1;
  std::string deadletter;
};

struct ShippingStreamOptions {
  kafka::ClientOptions client;
  std::map<std::string, std::string> member_properties;
  std::string group_id = "tradewatch-processor.shipping";
  ShippingTopics topics;
  ChokepointOptions chokepoint;
  // Exactly once: the loop's own transactional producer (InitTransactions done), which must also
  // be the sink it is created with; null for at least once (GroupMember::UseTransactions).
  kafka::KafkaProducer* transactions = nullptr;
};

class ShippingStream : public GroupMember {
 public:
  // Joins the group and subscribes. `sink`, `hook` and `metrics` must outlive the stream; hook
  // and metrics may be null.
  static absl::StatusOr<std::unique_ptr<ShippingStream>> Create(ShippingStreamOptions options,
                                                                EventSink* sink,
                                                                ShippingHook* hook,
                                                                ShippingMetrics* metrics);
  ~ShippingStream() override;

  // Shipping release markers processed since start, over all partitions (replays excluded).
  int64_t markers_processed() const { return markers_processed_; }

 private:
  ShippingStream(ShippingStreamOptions options, EventSink* sink, ShippingHook* hook,
                 ShippingMetrics* metrics);
  void ResetPartition(int32_t p) override;
  void DropPartition(int32_t p) override;
  absl::Status Replay(int32_t p, const kafka::ConsumedRecord& record) override;
  absl::Status Handle(const kafka::ConsumedRecord& record) override;
  absl::Status CloseRelease(int32_t p, const tradewatch::v1::ShippingReleaseMarker& marker,
                            EventSink* sink);
  ShippingPartition& PartitionState(int32_t p);

  ShippingStreamOptions options_;
  ShippingHook* hook_;
  ShippingMetrics* metrics_;
  std::map<int32_t, std::unique_ptr<ShippingPartition>> partitions_;
  tradewatch::v1::ShippingEvent event_;
  int64_t markers_processed_ = 0;
};

// The status-topic records of a release: key "chokepoint11/2025-10-22", partition = murmur2 of the
// chokepoint id, value ChokepointStatus, with event-id and schema headers. Pure.
std::vector<OutgoingRecord> StatusRecords(const ShippingReleaseResults& results,
                                          const ShippingTopics& topics);

}  // namespace tradewatch::processors
