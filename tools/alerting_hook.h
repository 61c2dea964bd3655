// Wires the rule engines into the processing loops: one RuleEngine per observation-topic partition
// (a rule's figure lives on one partition) and one ShippingRuleEngine per shipping-transit
// partition (a shipping rule lives with its chokepoint). Alert events of both are published to
// tradewatch.alerts.v1 keyed by rule and labels, partitioned by rule, with event-id and schema
// headers.
//
// Composite rules join the trade side as a global table: before each shipping release is
// evaluated, the hook reads the shares topic from where it left off to its end (FollowShares) and
// hands the series the composite rules read to the shipping engines.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_metrics.h"
#include "alerts/rule_engine.h"
#include "alerts/shipping_rules.h"
#include "common/kafka/kafka_consumer.h"
#include "processors/shipping_stream.h"
#include "processors/stream_processor.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::tools {

class AlertingHook : public processors::ReleaseHook, public processors::ShippingHook {
 public:
  // Called for each published transition (the demo prints its timeline from it).
  using Listener = std::function<void(const tradewatch::v1::AlertEvent&)>;

  // `rules` must be valid (RuleEngine::Create succeeds on it). `metrics` (may be null) is
  // refreshed after every release and counts every published transition; it must outlive the
  // hook.
  AlertingHook(tradewatch::v1::RuleFile rules, std::string alerts_topic, int32_t alerts_partitions,
               alerts::AlertMetrics* metrics);

  void set_listener(Listener listener) { listener_ = std::move(listener); }

  absl::Status OnRelease(int32_t partition, const tradewatch::v1::ReleaseMarker& marker,
                         const processors::ReleaseResults& results, EventSink* sink) override;
  void OnPartitionDropped(int32_t partition) override;

  // Composite rules read the trade side from `shares_topic` (full name) through `client`.
  // Without it, composite rules see no trade figure and never fire.
  void FollowShares(kafka::ClientOptions client, std::string shares_topic);

  absl::Status OnShippingRelease(int32_t partition,
                                 const tradewatch::v1::ShippingReleaseMarker& marker,
                                 const processors::ShippingPartition& state,
                                 const processors::ShippingReleaseResults& results,
                                 EventSink* sink) override;
  void OnShippingPartitionDropped(int32_t partition) override;

  // Transitions published since creation.
  int64_t published() const { return published_; }

 private:
  tradewatch::v1::RuleFile rules_;
  std::string alerts_topic_;
  int32_t alerts_partitions_;
  std::map<int32_t, std::unique_ptr<alerts::RuleEngine>> engines_;
  std::map<int32_t, std::unique_ptr<alerts::ShippingRuleEngine>> shipping_engines_;
  // Reads the shares topic from where it left off to its end, keeping the composite rules' series
  // (latest record per key) and handing each new record to every shipping engine.
  absl::Status CatchUpShares(const alerts::ShippingRuleEngine& wanted);
  absl::Status Publish(const std::vector<tradewatch::v1::AlertEvent>& events, EventSink* sink);
  std::optional<kafka::ClientOptions> shares_client_;
  std::string shares_topic_;
  std::map<int32_t, int64_t> shares_positions_;
  std::map<std::string, tradewatch::v1::PartnerShares> shares_table_;
  alerts::AlertMetrics* metrics_;
  Listener listener_;
  int64_t published_ = 0;
};

// What the shipping rule engine reads of a shipping release: the release (id, vintage, horizon)
// and every chokepoint of the partition with its days and its earliest changed day.
alerts::ShippingRelease ShippingReleaseOf(const tradewatch::v1::ShippingReleaseMarker& marker);
std::vector<alerts::ChokepointDays> ChokepointDaysOf(
    const processors::ShippingPartition& state, const processors::ShippingReleaseResults& results);

// The alert topic record of an event.
OutgoingRecord AlertRecord(const tradewatch::v1::AlertEvent& event, const std::string& topic,
                           int32_t partitions);

}  // namespace tradewatch::tools
