#include "processors/shipping_stream.h"

#include <utility>

#include "common/kafka/partitioner.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "processors/stream_processor.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

prometheus::Family<prometheus::Gauge>& Gauge(prometheus::Registry& registry,
                                             const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Counter>& Counter(prometheus::Registry& registry,
                                                 const std::string& name,
                                                 const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

bool ParseShippingEvent(std::string_view bytes, v1::ShippingEvent* event) {
  event->Clear();
  return event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

ShippingMetrics::ShippingMetrics(prometheus::Registry& registry)
    : releases(Counter(registry, "tradewatch_shipping_releases_total",
                       "Shipping release markers processed (one per partition).")
                   .Add({})),
      consumed(Counter(registry, "tradewatch_shipping_records_consumed_total",
                       "Shipping transit-topic records consumed.")
                   .Add({})),
      transits_(Gauge(registry, "tradewatch_shipping_transits_7d",
                      "Vessel transits of a chokepoint over the 7 days to its latest day (the "
                      "days present, when some are missing).")),
      baseline_(Gauge(registry, "tradewatch_shipping_baseline_7d",
                      "Baseline 7-day transits of a chokepoint: the median of the same weeks a "
                      "year earlier, else of the trailing 90 days. Absent without one.")),
      ratio_(Gauge(registry, "tradewatch_shipping_transit_ratio",
                   "7-day transits over their baseline (1 = as usual). Absent when not judged "
                   "(a gap in the window, no baseline).")),
      status_(Gauge(registry, "tradewatch_shipping_status",
                    "1 for a chokepoint's status at the latest shipping release horizon "
                    "(normal, disrupted, gap, stale, no_baseline), 0 for the others.")),
      episode_open_(Gauge(registry, "tradewatch_shipping_episode_open",
                          "1 while a disruption episode of the chokepoint is open (ratio fell "
                          "below 0.7 and has not been back at or above 0.8).")),
      latest_day_(Gauge(registry, "tradewatch_shipping_latest_day_timestamp_seconds",
                        "The latest day with transit data of a chokepoint, 00:00 UTC.")),
      rejected_(Counter(registry, "tradewatch_shipping_records_rejected_total",
                        "Shipping transit-topic records sent to the dead-letter topic, by "
                        "reason.")) {}

prometheus::Counter& ShippingMetrics::Rejected(const std::string& reason) {
  return rejected_.Add({{"reason", reason}});
}

void ShippingMetrics::Update(const std::vector<v1::ChokepointStatus>& latest) {
  static const v1::TransitStatus kStatuses[] = {
      v1::TRANSIT_STATUS_NORMAL, v1::TRANSIT_STATUS_DISRUPTED, v1::TRANSIT_STATUS_GAP,
      v1::TRANSIT_STATUS_STALE, v1::TRANSIT_STATUS_NO_BASELINE};
  for (const v1::ChokepointStatus& s : latest) {
    const prometheus::Labels labels{{"chokepoint", s.chokepoint_id()},
                                    {"name", s.chokepoint_name()}};
    transits_.Add(labels).Set(static_cast<double>(s.transits_7d()));
    if (s.has_baseline_7d()) {
      baseline_.Add(labels).Set(s.baseline_7d());
    } else if (baseline_.Has(labels)) {
      baseline_.Remove(&baseline_.Add(labels));
    }
    if (s.has_ratio()) {
      ratio_.Add(labels).Set(s.ratio());
    } else if (ratio_.Has(labels)) {
      ratio_.Remove(&ratio_.Add(labels));
    }
    for (v1::TransitStatus status : kStatuses) {
      prometheus::Labels with = labels;
      with.emplace("status", TransitStatusName(status));
      status_.Add(with).Set(s.status() == status ? 1 : 0);
    }
    episode_open_.Add(labels).Set(s.episode_start_yyyymmdd() != 0 ? 1 : 0);
    latest_day_.Add(labels).Set(static_cast<double>(DayNumber(s.date_yyyymmdd())) * 86400.0);
  }
}

std::vector<OutgoingRecord> StatusRecords(const ShippingReleaseResults& results,
                                          const ShippingTopics& topics) {
  std::vector<OutgoingRecord> records;
  records.reserve(results.statuses.size());
  for (const v1::ChokepointStatus& status : results.statuses) {
    OutgoingRecord r;
    r.topic = topics.status;
    r.partition = kafka::PartitionFor(status.chokepoint_id(), topics.status_partitions);
    r.key = ChokepointStatusKey(status);
    r.value = status.SerializeAsString();
    r.headers.push_back({std::string(kHeaderEventId), EventId(r.key, r.value)});
    r.headers.push_back(
        {std::string(kHeaderSchema), v1::ChokepointStatus::descriptor()->full_name()});
    records.push_back(std::move(r));
  }
  return records;
}

ShippingStream::ShippingStream(ShippingStreamOptions options, EventSink* sink, ShippingHook* hook,
                               ShippingMetrics* metrics)
    : options_(std::move(options)), sink_(sink), hook_(hook), metrics_(metrics) {}

ShippingStream::~ShippingStream() {
  if (auto status = Close(); !status.ok()) {
    Logger("shipping")->warn("close at destruction: {}", std::string(status.message()));
  }
}

absl::StatusOr<std::unique_ptr<ShippingStream>> ShippingStream::Create(
    ShippingStreamOptions options, EventSink* sink, ShippingHook* hook, ShippingMetrics* metrics) {
  std::unique_ptr<ShippingStream> stream(
      new ShippingStream(std::move(options), sink, hook, metrics));
  kafka::ClientOptions member = stream->options_.client;
  for (const auto& [name, value] : stream->options_.member_properties) {
    member.properties[name] = value;
  }
  TW_ASSIGN_OR_RETURN(stream->consumer_, kafka::KafkaConsumer::CreateMember(
                                             member, stream->options_.group_id, stream.get()));
  TW_RETURN_IF_ERROR(stream->consumer_->Subscribe({stream->options_.topics.transits}));
  Logger("shipping")
      ->info("joined group {} on {}", stream->options_.group_id, stream->options_.topics.transits);
  return stream;
}

std::vector<int32_t> ShippingStream::assigned() const {
  std::vector<int32_t> out;
  for (const auto& [p, state] : partitions_) out.push_back(p);
  return out;
}

ShippingPartition& ShippingStream::PartitionState(int32_t p) {
  auto& state = partitions_[p];
  if (!state) state = std::make_unique<ShippingPartition>(options_.chokepoint);
  return *state;
}

void ShippingStream::OnAssigned(std::vector<kafka::TopicPartition>* partitions) {
  auto committed = consumer_->Committed(*partitions, 30000);
  if (!committed.ok()) {
    rebalance_error_ = committed.status();
    return;
  }
  for (size_t i = 0; i < partitions->size(); ++i) {
    kafka::TopicPartition& tp = (*partitions)[i];
    const int64_t offset = (*committed)[i].offset;
    partitions_.erase(tp.partition);
    if (hook_ != nullptr) hook_->OnShippingPartitionDropped(tp.partition);
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
    Logger("shipping")
        ->info("assigned {}/{}: state rebuilt from {} records", tp.topic, tp.partition,
               offset >= 0 ? offset : 0);
  }
}

void ShippingStream::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  for (const kafka::TopicPartition& tp : partitions) {
    partitions_.erase(tp.partition);
    if (hook_ != nullptr) hook_->OnShippingPartitionDropped(tp.partition);
    Logger("shipping")->info("revoked {}/{}: state dropped", tp.topic, tp.partition);
  }
}

absl::Status ShippingStream::Restore(int32_t p, int64_t committed) {
  ShippingPartition& state = PartitionState(p);
  v1::ShippingEvent event;
  return kafka::ReadPartitionRange(
      options_.client, options_.topics.transits, p, kafka::kOffsetBeginning, committed,
      [&](const kafka::ConsumedRecord& record) -> absl::Status {
        if (!ParseShippingEvent(record.value(), &event)) return absl::OkStatus();
        if (event.has_transit()) {
          if (!CheckTransit(event.transit())) state.Apply(event.transit());
        } else if (event.has_release_marker()) {
          return CloseRelease(p, event.release_marker(), nullptr);
        }
        return absl::OkStatus();
      });
}

absl::Status ShippingStream::Poll(int timeout_ms) {
  polled_record_ = false;
  absl::StatusOr<std::optional<kafka::ConsumedRecord>> record = consumer_->Poll(timeout_ms);
  if (!rebalance_error_.ok()) return std::exchange(rebalance_error_, absl::OkStatus());
  if (!record.ok()) {
    Logger("shipping")->warn("{} (carrying on)", std::string(record.status().message()));
    return absl::OkStatus();
  }
  if (!*record) return absl::OkStatus();
  polled_record_ = true;
  return Handle(**record);
}

absl::Status ShippingStream::Handle(const kafka::ConsumedRecord& record) {
  if (metrics_ != nullptr) metrics_->consumed.Increment();
  const int32_t p = record.partition();
  auto dead_letter = [&](v1::RejectReason reason, const std::string& message) {
    Logger("shipping")
        ->warn("dead letter: {}/{}@{}: {}", record.topic(), p, record.offset(), message);
    if (metrics_ != nullptr) metrics_->Rejected(ShortName(reason)).Increment();
    return sink_->Send(ConsumedDeadLetter(record, reason, message, options_.topics.deadletter));
  };
  if (!ParseShippingEvent(record.value(), &event_)) {
    return dead_letter(v1::REJECT_REASON_MALFORMED_RECORD,
                       "value is not a tradewatch.v1.ShippingEvent");
  }
  ShippingPartition& state = PartitionState(p);
  if (event_.has_transit()) {
    if (auto problem = CheckTransit(event_.transit())) {
      return dead_letter(problem->first, problem->second);
    }
    state.Apply(event_.transit());
    return absl::OkStatus();
  }
  if (!event_.has_release_marker()) {
    return dead_letter(v1::REJECT_REASON_MALFORMED_RECORD,
                       "event holds neither a transit nor a release marker");
  }
  TW_RETURN_IF_ERROR(CloseRelease(p, event_.release_marker(), sink_));
  TW_RETURN_IF_ERROR(sink_->Flush(60000));
  if (auto committed = consumer_->Commit({{options_.topics.transits, p, record.offset() + 1}});
      !committed.ok()) {
    Logger("shipping")->warn("{} (carrying on)", std::string(committed.message()));
  }
  ++markers_processed_;
  if (metrics_ != nullptr) metrics_->releases.Increment();
  return absl::OkStatus();
}

absl::Status ShippingStream::CloseRelease(int32_t p, const v1::ShippingReleaseMarker& marker,
                                          EventSink* sink) {
  ShippingPartition& state = PartitionState(p);
  ShippingReleaseResults results = state.CloseRelease(marker);
  if (sink != nullptr) {
    for (OutgoingRecord& record : StatusRecords(results, options_.topics)) {
      TW_RETURN_IF_ERROR(sink->Send(std::move(record)));
    }
  }
  // Replays too: the gauges describe the state, which a replay rebuilds.
  if (metrics_ != nullptr) metrics_->Update(results.latest);
  if (hook_ != nullptr) {
    TW_RETURN_IF_ERROR(hook_->OnShippingRelease(p, marker, state, results, sink));
  }
  return absl::OkStatus();
}

absl::Status ShippingStream::Close() {
  if (closed_ || consumer_ == nullptr) return absl::OkStatus();
  closed_ = true;
  TW_RETURN_IF_ERROR(sink_->Flush(30000));
  auto status = consumer_->Close();
  Logger("shipping")->info("left group {}", options_.group_id);
  return status;
}

}  // namespace tradewatch::processors
