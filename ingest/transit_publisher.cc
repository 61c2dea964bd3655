#include "ingest/transit_publisher.h"

#include <utility>

#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "fmt/format.h"
#include "ingest/outgoing_records.h"

namespace tradewatch::ingest {

namespace v1 = tradewatch::v1;

TransitPublisher::TransitPublisher(TransitTopics topics, EventSink* sink)
    : topics_(std::move(topics)), sink_(sink) {}

bool TransitPublisher::Send(OutgoingRecord record) {
  if (!status_.ok()) return false;
  status_ = sink_->Send(std::move(record));
  return status_.ok();
}

void TransitPublisher::OnTransit(const v1::ChokepointTransit& transit) {
  // One chokepoint's days meet on one partition, so a consumer sees them in publication order.
  const int32_t partition =
      kafka::PartitionFor(transit.chokepoint_id(), topics_.transit_partitions);
  OutgoingRecord record =
      TaggedRecord(topics_.transits, partition, TransitKey(transit), transit.SerializeAsString(),
                   v1::ChokepointTransit::descriptor()->full_name());
  record.headers.push_back({std::string(kHeaderSource),
                            fmt::format("{}:{}", transit.source(), transit.source_line())});
  if (Send(std::move(record))) ++transits_sent_;
}

void TransitPublisher::OnReject(const v1::RejectedRecord& reject) {
  if (Send(DeadLetterRecord(topics_.deadletter, reject))) ++rejects_sent_;
}

absl::Status TransitPublisher::Finish() {
  absl::Status status = std::exchange(status_, absl::OkStatus());
  absl::Status flushed = sink_->Flush(120000);
  return status.ok() ? flushed : status;
}

}  // namespace tradewatch::ingest
