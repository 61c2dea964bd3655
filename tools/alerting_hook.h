// Wires the rule engine into the processing loop: one RuleEngine per observation-topic partition
// (a rule's figure lives on one partition), alert events published to tradewatch.alerts.v1 keyed
// by rule and labels, partitioned by rule, with event-id and schema headers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "alerts/alert_metrics.h"
#include "alerts/rule_engine.h"
#include "processors/stream_processor.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::tools {

class AlertingHook : public processors::ReleaseHook {
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

  // Transitions published since creation.
  int64_t published() const { return published_; }

 private:
  tradewatch::v1::RuleFile rules_;
  std::string alerts_topic_;
  int32_t alerts_partitions_;
  std::map<int32_t, std::unique_ptr<alerts::RuleEngine>> engines_;
  alerts::AlertMetrics* metrics_;
  Listener listener_;
  int64_t published_ = 0;
};

// The alert topic record of an event.
OutgoingRecord AlertRecord(const tradewatch::v1::AlertEvent& event, const std::string& topic,
                           int32_t partitions);

}  // namespace tradewatch::tools
