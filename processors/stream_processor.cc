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
    : GroupMember("processor", options.client, sink),
      options_(std::move(options)),
      hook_(hook),
      metrics_(metrics) {}

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
  const StreamOptions& o = processor->options_;
  if (o.transactions != nullptr) processor->UseTransactions(o.transactions);
  TW_RETURN_IF_ERROR(processor->Join(o.member_properties, o.group_id, o.topics.observations));
  return processor;
}

PartitionProcessor& StreamProcessor::PartitionState(int32_t p) {
  auto& partition = partitions_[p];
  if (!partition) partition = std::make_unique<PartitionProcessor>(options_.processor);
  return *partition;
}

void StreamProcessor::ResetPartition(int32_t p) {
  partitions_.erase(p);
  if (hook_ != nullptr) hook_->OnPartitionDropped(p);
  PartitionState(p);
}

void StreamProcessor::DropPartition(int32_t p) {
  partitions_.erase(p);
  if (hook_ != nullptr) hook_->OnPartitionDropped(p);
  if (metrics_ != nullptr) metrics_->RemoveLag(p);
}

absl::Status StreamProcessor::Replay(int32_t p, const kafka::ConsumedRecord& record) {
  if (!ParseTradeEventReusing(record.value(), &replay_event_)) return absl::OkStatus();
  PartitionProcessor& partition = PartitionState(p);
  if (replay_event_.has_observation()) {
    if (!CheckObservation(replay_event_.observation())) {
      partition.Apply(replay_event_.observation());
    }
  } else if (replay_event_.has_release_marker()) {
    return CloseRelease(p, partition, replay_event_.release_marker(), nullptr);
  }
  return absl::OkStatus();
}

void StreamProcessor::OnTransient(const absl::Status&) {
  if (metrics_ != nullptr) metrics_->consumer_errors.Increment();
}

absl::Status StreamProcessor::Handle(const kafka::ConsumedRecord& record) {
  if (metrics_ != nullptr) metrics_->consumed.Increment();
  const int32_t p = record.partition();
  if (!ParseTradeEventReusing(record.value(), &event_)) {
    return DeadLetter(record, v1::REJECT_REASON_MALFORMED_RECORD,
                      "value is not a tradewatch.v1.TradeEvent");
  }
  PartitionProcessor& partition = PartitionState(p);
  if (event_.has_observation()) {
    if (auto problem = CheckObservation(event_.observation())) {
      return DeadLetter(record, problem->first, problem->second);
    }
    UpsertOutcome outcome = partition.Apply(event_.observation());
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
  TW_RETURN_IF_ERROR(CloseRelease(p, partition, event_.release_marker(), sink()));
  TW_RETURN_IF_ERROR(DeliverAndCommit(record));
  ++markers_processed_;
  if (metrics_ != nullptr) {
    metrics_->releases.Increment();
    metrics_->last_release_timestamp.Set(static_cast<double>(record.timestamp_ms()) / 1000.0);
    metrics_->release_latency.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    auto marks = consumer().CachedWatermarks(options_.topics.observations, p);
    if (marks.ok() && marks->second >= 0) {
      metrics_->Lag(p).Set(static_cast<double>(std::max<int64_t>(0, marks->second - record.offset() - 1)));
    }
  }
  Logger("processor")
      ->debug("release {} closed on partition {} at offset {}",
              event_.release_marker().release_id(), p, record.offset());
  return absl::OkStatus();
}

absl::Status StreamProcessor::CloseRelease(int32_t p, PartitionProcessor& partition,
                                           const v1::ReleaseMarker& marker, EventSink* sink) {
  ReleaseResults results = partition.CloseRelease(marker);
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

absl::Status StreamProcessor::DeadLetter(const kafka::ConsumedRecord& record,
                                         v1::RejectReason reason, const std::string& message) {
  if (metrics_ != nullptr) {
    metrics_->Rejected(ShortName(reason)).Increment();
    metrics_->Produced(options_.topics.deadletter).Increment();
  }
  return SendDeadLetter(record, reason, message, options_.topics.deadletter);
}

absl::Status StreamProcessor::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    TW_RETURN_IF_ERROR(Poll(100));
  }
  return Close();
}

}  // namespace tradewatch::processors
