#include "tools/alerting_hook.h"

#include <utility>

#include "common/kafka/partitioner.h"
#include "common/logging.h"
#include "common/record_keys.h"
#include "common/status_macros.h"

namespace tradewatch::tools {

namespace v1 = tradewatch::v1;

OutgoingRecord AlertRecord(const v1::AlertEvent& event, const std::string& topic,
                           int32_t partitions) {
  OutgoingRecord r;
  r.topic = topic;
  r.partition = kafka::PartitionFor(event.rule(), partitions);
  r.key = AlertKey(event);
  r.value = event.SerializeAsString();
  // The key names the alert, not the transition: the id covers the event's bytes too.
  r.headers.push_back({std::string(kHeaderEventId), EventId(r.key, r.value)});
  r.headers.push_back({std::string(kHeaderSchema), v1::AlertEvent::descriptor()->full_name()});
  return r;
}

AlertingHook::AlertingHook(v1::RuleFile rules, std::string alerts_topic, int32_t alerts_partitions,
                           alerts::AlertMetrics* metrics)
    : rules_(std::move(rules)),
      alerts_topic_(std::move(alerts_topic)),
      alerts_partitions_(alerts_partitions),
      metrics_(metrics) {}

absl::Status AlertingHook::OnRelease(int32_t partition, const v1::ReleaseMarker& marker,
                                     const processors::ReleaseResults& results, EventSink* sink) {
  auto& engine = engines_[partition];
  if (!engine) {
    TW_ASSIGN_OR_RETURN(engine, alerts::RuleEngine::Create(rules_));
  }
  alerts::ReleaseContext context{marker.release_id(), marker.vintage()};
  std::vector<v1::AlertEvent> events = engine->OnRelease(context, results.shares, results.balances);
  if (sink != nullptr) {
    for (const v1::AlertEvent& event : events) {
      TW_RETURN_IF_ERROR(sink->Send(AlertRecord(event, alerts_topic_, alerts_partitions_)));
      ++published_;
      Logger("alerts")->info("{} {} at {}", event.rule(), ShortName(event.state()),
                             event.period_yyyymm());
      if (metrics_ != nullptr) metrics_->Count(event);
      if (listener_) listener_(event);
    }
  }
  if (metrics_ != nullptr) metrics_->Update(*engine);
  return absl::OkStatus();
}

void AlertingHook::OnPartitionDropped(int32_t partition) { engines_.erase(partition); }

}  // namespace tradewatch::tools
