#include "ingest/transit_publisher.h"

#include <algorithm>
#include <utility>

#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "fmt/format.h"
#include "ingest/outgoing_records.h"

namespace tradewatch::ingest {

namespace v1 = tradewatch::v1;

TransitPublisher::TransitPublisher(TransitTopics topics, EventSink* sink)
    : topics_(std::move(topics)),
      sink_(sink),
      per_partition_(static_cast<size_t>(std::max(1, topics_.transit_partitions)), 0) {}

bool TransitPublisher::Send(OutgoingRecord record) {
  if (!status_.ok()) return false;
  status_ = sink_->Send(std::move(record));
  return status_.ok();
}

void TransitPublisher::OnTransit(const v1::ChokepointTransit& transit) {
  // One chokepoint's days meet on one partition, so a consumer sees them in publication order.
  const int32_t partition =
      kafka::PartitionFor(transit.chokepoint_id(), topics_.transit_partitions);
  v1::ShippingEvent event;
  *event.mutable_transit() = transit;
  OutgoingRecord record =
      TaggedRecord(topics_.transits, partition, TransitKey(transit), event.SerializeAsString(),
                   v1::ShippingEvent::descriptor()->full_name());
  record.headers.push_back({std::string(kHeaderSource),
                            fmt::format("{}:{}", transit.source(), transit.source_line())});
  if (Send(std::move(record))) {
    ++transits_sent_;
    ++per_partition_[static_cast<size_t>(partition)];
    latest_date_ = std::max(latest_date_, transit.date_yyyymmdd());
  }
}

void TransitPublisher::OnReject(const v1::RejectedRecord& reject) {
  if (Send(DeadLetterRecord(topics_.deadletter, reject))) ++rejects_sent_;
}

absl::Status TransitPublisher::FinishRelease(const std::string& release_id, int64_t vintage,
                                            int32_t through_yyyymmdd) {
  for (int32_t p = 0; p < static_cast<int32_t>(per_partition_.size()); ++p) {
    v1::ShippingEvent event;
    v1::ShippingReleaseMarker* marker = event.mutable_release_marker();
    marker->set_release_id(release_id);
    marker->set_vintage(vintage);
    marker->set_through_yyyymmdd(through_yyyymmdd > 0 ? through_yyyymmdd : latest_date_);
    marker->set_transit_count(per_partition_[static_cast<size_t>(p)]);
    Send(TaggedRecord(topics_.transits, p, fmt::format("release/{}", release_id),
                      event.SerializeAsString(), v1::ShippingEvent::descriptor()->full_name()));
    per_partition_[static_cast<size_t>(p)] = 0;
  }
  absl::Status status = std::exchange(status_, absl::OkStatus());
  absl::Status flushed = sink_->Flush(120000);
  return status.ok() ? flushed : status;
}

}  // namespace tradewatch::ingest
