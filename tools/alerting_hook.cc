#include "tools/alerting_hook.h"

#include <utility>

#include "common/kafka/partitioner.h"
#include "common/logging.h"
#include "common/period.h"
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
  TW_RETURN_IF_ERROR(Publish(events, sink));
  if (metrics_ != nullptr) metrics_->Update(*engine);
  return absl::OkStatus();
}

absl::Status AlertingHook::Publish(const std::vector<v1::AlertEvent>& events, EventSink* sink) {
  if (sink == nullptr) return absl::OkStatus();
  for (const v1::AlertEvent& event : events) {
    TW_RETURN_IF_ERROR(sink->Send(AlertRecord(event, alerts_topic_, alerts_partitions_)));
    ++published_;
    Logger("alerts")->info("{} {} at {}", event.rule(), ShortName(event.state()),
                           event.date_yyyymmdd() != 0 ? FormatDate(event.date_yyyymmdd())
                                                      : FormatPeriod(event.period_yyyymm()));
    if (metrics_ != nullptr) metrics_->Count(event);
    if (listener_) listener_(event);
  }
  return absl::OkStatus();
}

void AlertingHook::OnPartitionDropped(int32_t partition) { engines_.erase(partition); }

void AlertingHook::FollowShares(kafka::ClientOptions client, std::string shares_topic) {
  shares_client_ = std::move(client);
  shares_topic_ = std::move(shares_topic);
}

alerts::ShippingRelease ShippingReleaseOf(const v1::ShippingReleaseMarker& marker) {
  return {marker.release_id(), marker.vintage(), marker.through_yyyymmdd()};
}

std::vector<alerts::ChokepointDays> ChokepointDaysOf(
    const processors::ShippingPartition& state, const processors::ShippingReleaseResults& results) {
  std::vector<alerts::ChokepointDays> chokepoints;
  for (const auto& [id, chokepoint] : state.chokepoints()) {
    auto changed = results.changed_from.find(id);
    chokepoints.push_back({id, chokepoint.series.name(), chokepoint.timeline.days,
                           changed == results.changed_from.end() ? 0 : changed->second});
  }
  return chokepoints;
}

absl::Status AlertingHook::CatchUpShares(const alerts::ShippingRuleEngine& wanted) {
  if (!shares_client_) return absl::OkStatus();
  TW_ASSIGN_OR_RETURN(auto reader, kafka::KafkaConsumer::CreateReader(*shares_client_));
  TW_ASSIGN_OR_RETURN(int32_t partitions, reader->PartitionCount(shares_topic_, 10000));
  for (int32_t p = 0; p < partitions; ++p) {
    TW_ASSIGN_OR_RETURN(auto marks, reader->Watermarks(shares_topic_, p, 10000));
    int64_t& position = shares_positions_[p];
    if (position < marks.first) position = marks.first;
    if (position >= marks.second) continue;
    TW_RETURN_IF_ERROR(kafka::ReadPartitionRange(
        *shares_client_, shares_topic_, p, position, marks.second,
        [&](const kafka::ConsumedRecord& record) -> absl::Status {
          v1::PartnerShares shares;
          if (shares.ParseFromArray(record.value().data(),
                                    static_cast<int>(record.value().size())) &&
              wanted.WantsShares(shares)) {
            for (auto& [owner, engine] : shipping_engines_) engine->OnShares(shares);
            shares_table_[std::string(record.key())] = std::move(shares);
          }
          return absl::OkStatus();
        }));
    position = marks.second;
  }
  return absl::OkStatus();
}

absl::Status AlertingHook::OnShippingRelease(int32_t partition,
                                             const v1::ShippingReleaseMarker& marker,
                                             const processors::ShippingPartition& state,
                                             const processors::ShippingReleaseResults& results,
                                             EventSink* sink) {
  auto& engine = shipping_engines_[partition];
  if (!engine) {
    TW_ASSIGN_OR_RETURN(engine, alerts::ShippingRuleEngine::Create(rules_));
    // A new engine starts from the table read so far; later records reach it in CatchUpShares.
    for (const auto& [key, shares] : shares_table_) engine->OnShares(shares);
  }
  if (engine->rules().rules_size() == 0) return absl::OkStatus();
  TW_RETURN_IF_ERROR(CatchUpShares(*engine));
  TW_RETURN_IF_ERROR(Publish(
      engine->OnRelease(ShippingReleaseOf(marker), ChokepointDaysOf(state, results)), sink));
  if (metrics_ != nullptr) metrics_->Update(*engine);
  return absl::OkStatus();
}

void AlertingHook::OnShippingPartitionDropped(int32_t partition) {
  shipping_engines_.erase(partition);
}

}  // namespace tradewatch::tools
