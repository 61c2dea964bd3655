#include "ingest/observation_publisher.h"

#include <utility>

#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "fmt/format.h"
#include "ingest/outgoing_records.h"
#include "ingest/read_summary.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;

}  // namespace

ObservationPublisher::ObservationPublisher(PublishTopics topics, EventSink* sink,
                                           IngestMetrics* metrics)
    : topics_(std::move(topics)),
      sink_(sink),
      metrics_(metrics),
      per_partition_(topics_.observation_partitions, 0) {}

void ObservationPublisher::Send(OutgoingRecord record) {
  if (!status_.ok()) return;
  status_ = sink_->Send(std::move(record));
}

void ObservationPublisher::OnObservation(const v1::TradeObservation& observation) {
  *event_.mutable_observation() = observation;
  const int32_t partition = kafka::PartitionFor(
      ProductPartitionKey(observation.classification(), observation.product_code()),
      topics_.observation_partitions);
  OutgoingRecord record =
      TaggedRecord(topics_.observations, partition, ObservationKey(observation),
                   event_.SerializeAsString(), v1::TradeEvent::descriptor()->full_name());
  record.headers.push_back({std::string(kHeaderSource),
                            fmt::format("{}:{}", observation.source(), observation.source_line())});
  Send(std::move(record));
  ++per_partition_[partition];
  ++observations_sent_;
  if (metrics_ != nullptr) metrics_->published.Increment();
}

void ObservationPublisher::OnReject(const v1::RejectedRecord& reject) {
  Send(DeadLetterRecord(topics_.deadletter, reject));
  ++rejects_sent_;
  if (metrics_ != nullptr) metrics_->Rejected(RejectReasonName(reject.reason())).Increment();
}

OutgoingRecord ReleaseMarkerRecord(const std::string& topic, int32_t partition,
                                   const v1::ReleaseMarker& marker) {
  v1::TradeEvent event;
  *event.mutable_release_marker() = marker;
  return TaggedRecord(topic, partition, fmt::format("release/{}", marker.release_id()),
                      event.SerializeAsString(), v1::TradeEvent::descriptor()->full_name());
}

absl::Status ObservationPublisher::FinishRelease(const std::string& release_id, int64_t vintage,
                                                 int32_t through_period_yyyymm) {
  for (int32_t p = 0; p < topics_.observation_partitions; ++p) {
    v1::ReleaseMarker marker;
    marker.set_release_id(release_id);
    marker.set_vintage(vintage);
    marker.set_through_period_yyyymm(through_period_yyyymm);
    marker.set_observation_count(per_partition_[p]);
    Send(ReleaseMarkerRecord(topics_.observations, p, marker));
    per_partition_[p] = 0;
  }
  absl::Status status = std::exchange(status_, absl::OkStatus());
  absl::Status flushed = sink_->Flush(120000);
  return status.ok() ? flushed : status;
}

}  // namespace tradewatch::ingest
