#include "processors/shipping_stream.h"

#include <utility>

#include "common/kafka/partitioner.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "processors/metric_family.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

bool ParseShippingEvent(std::string_view bytes, v1::ShippingEvent* event) {
  event->Clear();
  return event->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

ShippingMetrics::ShippingMetrics(prometheus::Registry& registry)
    : releases(DeclareFamily<prometheus::Counter>(
          registry, "tradewatch_shipping_releases_total",
          "Shipping release markers processed (one per partition).")
          .Add({})),
      consumed(DeclareFamily<prometheus::Counter>(
          registry, "tradewatch_shipping_records_consumed_total",
          "Shipping transit-topic records consumed.")
          .Add({})),
      transits_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_shipping_transits_7d",
          "Vessel transits of a chokepoint over the 7 days to its latest day (the "
          "days present, when some are missing).")),
      baseline_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_shipping_baseline_7d",
          "Baseline 7-day transits of a chokepoint: the median of the same weeks a "
          "year earlier, else of the trailing 90 days. Absent without one.")),
      ratio_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_shipping_transit_ratio",
          "7-day transits over their baseline (1 = as usual). Absent when not judged "
          "(a gap in the window, no baseline).")),
      status_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_shipping_status",
          "1 for a chokepoint's status at the latest shipping release horizon "
          "(normal, disrupted, gap, stale, no_baseline), 0 for the others.")),
      episode_open_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_shipping_episode_open",
          "1 while a disruption episode of the chokepoint is open (ratio fell "
          "below 0.7 and has not been back at or above 0.8).")),
      latest_day_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_shipping_latest_day_timestamp_seconds",
          "The latest day with transit data of a chokepoint, 00:00 UTC.")),
      rejected_(DeclareFamily<prometheus::Counter>(
          registry, "tradewatch_shipping_records_rejected_total",
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
    : GroupMember("shipping", options.client, sink),
      options_(std::move(options)),
      hook_(hook),
      metrics_(metrics) {}

ShippingStream::~ShippingStream() {
  if (auto status = Close(); !status.ok()) {
    Logger("shipping")->warn("close at destruction: {}", std::string(status.message()));
  }
}

absl::StatusOr<std::unique_ptr<ShippingStream>> ShippingStream::Create(
    ShippingStreamOptions options, EventSink* sink, ShippingHook* hook, ShippingMetrics* metrics) {
  std::unique_ptr<ShippingStream> stream(
      new ShippingStream(std::move(options), sink, hook, metrics));
  const ShippingStreamOptions& o = stream->options_;
  if (o.transactions != nullptr) stream->UseTransactions(o.transactions);
  TW_RETURN_IF_ERROR(stream->Join(o.member_properties, o.group_id, o.topics.transits));
  return stream;
}

ShippingPartition& ShippingStream::PartitionState(int32_t p) {
  auto& state = partitions_[p];
  if (!state) state = std::make_unique<ShippingPartition>(options_.chokepoint);
  return *state;
}

void ShippingStream::ResetPartition(int32_t p) {
  DropPartition(p);
  PartitionState(p);
}

void ShippingStream::DropPartition(int32_t p) {
  partitions_.erase(p);
  if (hook_ != nullptr) hook_->OnShippingPartitionDropped(p);
}

absl::Status ShippingStream::Replay(int32_t p, const kafka::ConsumedRecord& record) {
  if (!ParseShippingEvent(record.value(), &event_)) return absl::OkStatus();
  if (event_.has_transit()) {
    if (!CheckTransit(event_.transit())) PartitionState(p).Apply(event_.transit());
  } else if (event_.has_release_marker()) {
    return CloseRelease(p, event_.release_marker(), nullptr);
  }
  return absl::OkStatus();
}

absl::Status ShippingStream::Handle(const kafka::ConsumedRecord& record) {
  if (metrics_ != nullptr) metrics_->consumed.Increment();
  const int32_t p = record.partition();
  auto dead_letter = [&](v1::RejectReason reason, const std::string& message) {
    if (metrics_ != nullptr) metrics_->Rejected(ShortName(reason)).Increment();
    return SendDeadLetter(record, reason, message, options_.topics.deadletter);
  };
  if (!ParseShippingEvent(record.value(), &event_)) {
    return dead_letter(v1::REJECT_REASON_MALFORMED_RECORD,
                       "value is not a tradewatch.v1.ShippingEvent");
  }
  if (event_.has_transit()) {
    if (auto problem = CheckTransit(event_.transit())) {
      return dead_letter(problem->first, problem->second);
    }
    PartitionState(p).Apply(event_.transit());
    return absl::OkStatus();
  }
  if (!event_.has_release_marker()) {
    return dead_letter(v1::REJECT_REASON_MALFORMED_RECORD,
                       "event holds neither a transit nor a release marker");
  }
  TW_RETURN_IF_ERROR(CloseRelease(p, event_.release_marker(), sink()));
  TW_RETURN_IF_ERROR(DeliverAndCommit(record));
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

}  // namespace tradewatch::processors
