#include "processors/stream_processor.h"

#include <chrono>
#include <utility>

#include "common/kafka/partitioner.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "processors/event_decoder.h"
#include "tradewatch/v1/rejected.pb.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

const char* OutcomeName(UpsertOutcome outcome) {
  switch (outcome) {
    case UpsertOutcome::kInserted: return "inserted";
    case UpsertOutcome::kReplaced: return "replaced";
    case UpsertOutcome::kDuplicate: return "duplicate";
    case UpsertOutcome::kConflict: return "conflict";
    case UpsertOutcome::kStale: return "stale";
  }
  return "unknown";
}

std::string Position(const kafka::ConsumedRecord& record) {
  return fmt::format("{}/{}@{}", record.topic(), record.partition(), record.offset());
}

// What a consumed observation must hold for the table to take it: the ingest readers guarantee
// it, but any producer can write to the topic. Returns the reason and message, or nullopt.
std::optional<std::pair<v1::RejectReason, std::string>> CheckObservation(
    const v1::TradeObservation& o) {
  if (o.flow() != v1::FLOW_IMPORTS && o.flow() != v1::FLOW_EXPORTS) {
    return std::make_pair(v1::REJECT_REASON_UNKNOWN_FLOW,
                          fmt::format("observation flow {} is neither imports nor exports",
                                      static_cast<int>(o.flow())));
  }
  if (o.product_code().empty() || o.product_code().size() > 8) {
    return std::make_pair(v1::REJECT_REASON_MALFORMED_PRODUCT_CODE,
                          fmt::format("observation product code '{}' is empty or longer than 8",
                                      o.product_code()));
  }
  if (o.partner_code().empty() || o.partner_code().size() > 4) {
    return std::make_pair(v1::REJECT_REASON_UNKNOWN_PARTNER,
                          fmt::format("observation partner code '{}' is empty or longer than 4",
                                      o.partner_code()));
  }
  const int32_t month = o.period_yyyymm() % 100;
  if (o.period_yyyymm() < 190001 || o.period_yyyymm() > 299912 || month < 1 || month > 12) {
    return std::make_pair(v1::REJECT_REASON_BAD_PERIOD,
                          fmt::format("observation period {} is not a yyyymm month",
                                      o.period_yyyymm()));
  }
  return std::nullopt;
}

}  // namespace

std::vector<OutgoingRecord> ResultRecords(const ReleaseResults& results, const StreamTopics& topics,
                                          int top_n) {
  std::vector<OutgoingRecord> records;
  records.reserve(results.shares.size() + results.balances.size());
  auto add = [&](const std::string& topic, int32_t partitions, std::string partition_key,
                 std::string key, std::string value, std::string_view schema) {
    OutgoingRecord r;
    r.topic = topic;
    r.partition = kafka::PartitionFor(partition_key, partitions);
    r.headers.push_back({std::string(kHeaderEventId), EventId(key, value)});
    r.headers.push_back({std::string(kHeaderSchema), std::string(schema)});
    r.key = std::move(key);
    r.value = std::move(value);
    records.push_back(std::move(r));
  };
  for (const v1::PartnerShares& full : results.shares) {
    v1::PartnerShares shares = TrimShares(full, top_n);
    add(topics.shares, topics.shares_partitions,
        fmt::format("{}/{}", ShortName(shares.flow()),
                    ProductPartitionKey(shares.classification(), shares.product_code())),
        SharesKey(shares), shares.SerializeAsString(), v1::PartnerShares::descriptor()->full_name());
  }
  for (const v1::BalanceResult& balance : results.balances) {
    add(topics.balance, topics.balance_partitions,
        ProductPartitionKey(balance.classification(), balance.product_code()),
        BalanceKey(balance), balance.SerializeAsString(),
        v1::BalanceResult::descriptor()->full_name());
  }
  return records;
}

StreamProcessor::StreamProcessor(StreamOptions options, EventSink* sink, ReleaseHook* hook,
                                 ProcessorMetrics* metrics)
    : options_(std::move(options)), sink_(sink), hook_(hook), metrics_(metrics) {}

StreamProcessor::~StreamProcessor() {
  if (auto status = Close(); !status.ok()) {
    Logger("processor")->warn("close at destruction: {}", std::string(status.message()));
  }
}

absl::StatusOr<std::unique_ptr<StreamProcessor>> StreamProcessor::Create(StreamOptions options,
                                                                         EventSink* sink,
                                                                         ReleaseHook* hook,
                                                                         ProcessorMetrics* metrics) {
  std::unique_ptr<StreamProcessor> processor(
      new StreamProcessor(std::move(options), sink, hook, metrics));
  kafka::ClientOptions member = processor->options_.client;
  for (const auto& [name, value] : processor->options_.member_properties) {
    member.properties[name] = value;
  }
  TW_ASSIGN_OR_RETURN(processor->consumer_,
                      kafka::KafkaConsumer::CreateMember(member,
                                                         processor->options_.group_id,
                                                         processor.get()));
  TW_RETURN_IF_ERROR(processor->consumer_->Subscribe({processor->options_.topics.observations}));
  Logger("processor")
      ->info("joined group {} on {}", processor->options_.group_id,
             processor->options_.topics.observations);
  return processor;
}

std::vector<int32_t> StreamProcessor::assigned() const {
  std::vector<int32_t> out;
  for (const auto& [p, state] : partitions_) out.push_back(p);
  return out;
}

StreamProcessor::Partition& StreamProcessor::PartitionState(int32_t p) {
  Partition& partition = partitions_[p];
  if (!partition.processor) {
    partition.processor = std::make_unique<PartitionProcessor>(options_.processor);
  }
  return partition;
}

void StreamProcessor::OnAssigned(std::vector<kafka::TopicPartition>* partitions) {
  auto committed = consumer_->Committed(*partitions, 30000);
  if (!committed.ok()) {
    rebalance_error_ = committed.status();
    return;
  }
  for (size_t i = 0; i < partitions->size(); ++i) {
    kafka::TopicPartition& tp = (*partitions)[i];
    const int64_t offset = (*committed)[i].offset;
    partitions_.erase(tp.partition);
    if (hook_ != nullptr) hook_->OnPartitionDropped(tp.partition);
    PartitionState(tp.partition);
    if (offset >= 0) {
      if (auto status = Restore(tp.partition, offset); !status.ok()) {
        rebalance_error_ = status;
        return;
      }
      tp.offset = offset;
    } else {
      tp.offset = kafka::kOffsetBeginning;
    }
    Logger("processor")
        ->info("assigned {}/{}: state rebuilt from {} records, consuming from {}", tp.topic,
               tp.partition, offset >= 0 ? offset : 0,
               offset >= 0 ? std::to_string(offset) : std::string("the beginning"));
  }
}

void StreamProcessor::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  for (const kafka::TopicPartition& tp : partitions) {
    partitions_.erase(tp.partition);
    if (hook_ != nullptr) hook_->OnPartitionDropped(tp.partition);
    if (metrics_ != nullptr) metrics_->RemoveLag(tp.partition);
    Logger("processor")->info("revoked {}/{}: state dropped", tp.topic, tp.partition);
  }
}

absl::Status StreamProcessor::Restore(int32_t p, int64_t committed) {
  Partition& partition = PartitionState(p);
  v1::TradeEvent event;
  return kafka::ReadPartitionRange(
      options_.client, options_.topics.observations, p, kafka::kOffsetBeginning, committed,
      [&](const kafka::ConsumedRecord& record) -> absl::Status {
        if (!ParseTradeEventReusing(record.value(), &event)) return absl::OkStatus();
        if (event.has_observation()) {
          if (!CheckObservation(event.observation())) {
            partition.processor->Apply(event.observation());
          }
        } else if (event.has_release_marker()) {
          return CloseRelease(p, partition, event.release_marker(), nullptr);
        }
        return absl::OkStatus();
      });
}

void StreamProcessor::Transient(const absl::Status& status) {
  Logger("processor")->warn("{} (carrying on)", std::string(status.message()));
  if (metrics_ != nullptr) metrics_->consumer_errors.Increment();
}

absl::Status StreamProcessor::Poll(int timeout_ms) {
  polled_record_ = false;
  absl::StatusOr<std::optional<kafka::ConsumedRecord>> record = consumer_->Poll(timeout_ms);
  if (!rebalance_error_.ok()) return std::exchange(rebalance_error_, absl::OkStatus());
  // Consumer errors (a broker connection lost, a rebalance under way) are transient: librdkafka
  // recovers by itself, so they are logged and counted, not fatal.
  if (!record.ok()) {
    Transient(record.status());
    return absl::OkStatus();
  }
  if (!*record) return absl::OkStatus();
  polled_record_ = true;
  return Handle(**record);
}

absl::Status StreamProcessor::Handle(const kafka::ConsumedRecord& record) {
  if (metrics_ != nullptr) metrics_->consumed.Increment();
  const int32_t p = record.partition();
  if (!ParseTradeEventReusing(record.value(), &event_)) {
    return DeadLetter(record, v1::REJECT_REASON_MALFORMED_RECORD,
                      "value is not a tradewatch.v1.TradeEvent");
  }
  Partition& partition = PartitionState(p);
  if (event_.has_observation()) {
    if (auto problem = CheckObservation(event_.observation())) {
      return DeadLetter(record, problem->first, problem->second);
    }
    UpsertOutcome outcome = partition.processor->Apply(event_.observation());
    if (metrics_ != nullptr) {
      metrics_->Upserts(OutcomeName(outcome)).Increment();
      if (event_.observation().period_yyyymm() > metrics_->latest_period.Value() &&
          (outcome == UpsertOutcome::kInserted || outcome == UpsertOutcome::kReplaced)) {
        metrics_->latest_period.Set(event_.observation().period_yyyymm());
      }
    }
    return absl::OkStatus();
  }
  if (!event_.has_release_marker()) {
    return DeadLetter(record, v1::REJECT_REASON_MALFORMED_RECORD,
                      "event holds neither an observation nor a release marker");
  }
  const auto started = std::chrono::steady_clock::now();
  TW_RETURN_IF_ERROR(CloseRelease(p, partition, event_.release_marker(), sink_));
  TW_RETURN_IF_ERROR(sink_->Flush(60000));
  // A commit refused because the group is rebalancing is not fatal: the outputs are delivered, and
  // the partition's next owner replays from the last commit, repeating byte-identical outputs.
  if (auto committed = consumer_->Commit({{options_.topics.observations, p, record.offset() + 1}});
      !committed.ok()) {
    Transient(committed);
  }
  ++markers_processed_;
  if (metrics_ != nullptr) {
    metrics_->releases.Increment();
    metrics_->last_release_timestamp.Set(static_cast<double>(record.timestamp_ms()) / 1000.0);
    metrics_->release_latency.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    auto marks = consumer_->CachedWatermarks(options_.topics.observations, p);
    if (marks.ok() && marks->second >= 0) {
      metrics_->Lag(p).Set(static_cast<double>(std::max<int64_t>(0, marks->second - record.offset() - 1)));
    }
  }
  Logger("processor")
      ->debug("release {} closed on partition {} at offset {}",
              event_.release_marker().release_id(), p, record.offset());
  return absl::OkStatus();
}

absl::Status StreamProcessor::CloseRelease(int32_t p, Partition& partition,
                                           const v1::ReleaseMarker& marker, EventSink* sink) {
  ReleaseResults results = partition.processor->CloseRelease(marker);
  if (sink != nullptr) {
    for (OutgoingRecord& record :
         ResultRecords(results, options_.topics, options_.processor.top_n)) {
      const std::string topic = record.topic;
      TW_RETURN_IF_ERROR(sink->Send(std::move(record)));
      if (metrics_ != nullptr) metrics_->Produced(topic).Increment();
    }
    if (metrics_ != nullptr) {
      for (const v1::PartnerShares& shares : results.shares) {
        metrics_->UpdateTopShares(shares);
        metrics_->UpdateRouteExposures(shares);
      }
    }
  }
  if (hook_ != nullptr) TW_RETURN_IF_ERROR(hook_->OnRelease(p, marker, results, sink));
  return absl::OkStatus();
}

OutgoingRecord ConsumedDeadLetter(const kafka::ConsumedRecord& record, v1::RejectReason reason,
                                  const std::string& message, const std::string& deadletter_topic) {
  v1::RejectedRecord reject;
  reject.set_reason(reason);
  const std::string position = Position(record);
  reject.set_message(fmt::format("{}: {}", position, message));
  reject.mutable_position()->set_source(position);
  reject.set_raw(std::string(record.value()));
  OutgoingRecord out;
  out.topic = deadletter_topic;
  out.partition = 0;
  out.key = std::string(record.topic());
  out.value = reject.SerializeAsString();
  out.headers.push_back({std::string(kHeaderEventId), EventId(position, out.value)});
  out.headers.push_back(
      {std::string(kHeaderSchema), v1::RejectedRecord::descriptor()->full_name()});
  out.headers.push_back({std::string(kHeaderSource), position});
  out.headers.push_back({std::string(kHeaderReason), ShortName(reason)});
  return out;
}

absl::Status StreamProcessor::DeadLetter(const kafka::ConsumedRecord& record,
                                         v1::RejectReason reason, const std::string& message) {
  OutgoingRecord out = ConsumedDeadLetter(record, reason, message, options_.topics.deadletter);
  Logger("processor")->warn("dead letter: {}: {}", Position(record), message);
  if (metrics_ != nullptr) {
    metrics_->Rejected(ShortName(reason)).Increment();
    metrics_->Produced(options_.topics.deadletter).Increment();
  }
  return sink_->Send(std::move(out));
}

absl::Status StreamProcessor::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    TW_RETURN_IF_ERROR(Poll(100));
  }
  return Close();
}

absl::Status StreamProcessor::Close() {
  if (closed_ || consumer_ == nullptr) return absl::OkStatus();
  closed_ = true;
  TW_RETURN_IF_ERROR(sink_->Flush(30000));
  auto status = consumer_->Close();
  Logger("processor")->info("left group {}", options_.group_id);
  return status;
}

}  // namespace tradewatch::processors
