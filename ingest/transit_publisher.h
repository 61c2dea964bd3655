// The producing end of `tradewatch ingest portwatch`: a TransitSink that writes every transit to
// tradewatch.shipping.transits.v1 (key "chokepoint1/2025-03-14", partition = murmur2 of the
// chokepoint id, value a ShippingEvent holding the ChokepointTransit, headers tw-event-id,
// tw-schema, tw-source) and every rejected row to the dead-letter topic (as the Census ingest
// does: DeadLetterRecord); FinishRelease then ends the release with a ShippingReleaseMarker on
// every partition (key "release/<release_id>"), which the shipping processor evaluates at.
//
// Not thread-safe; runs on the reader's thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/event_sink.h"
#include "ingest/transit_sink.h"

namespace tradewatch::ingest {

struct TransitTopics {
  std::string transits;  // full name, prefix included
  int32_t transit_partitions = 1;
  std::string deadletter;
};

class TransitPublisher : public TransitSink {
 public:
  // `sink` must outlive the publisher.
  TransitPublisher(TransitTopics topics, EventSink* sink);

  void OnTransit(const tradewatch::v1::ChokepointTransit& transit) override;
  void OnReject(const tradewatch::v1::RejectedRecord& reject) override;

  // Writes a release marker to every partition (with the count of transits sent to it since the
  // previous marker, and the horizon `through_yyyymmdd`: the release's publication date, 0 for
  // the latest transit date sent), then flushes. Returns the first send error since the last
  // FinishRelease, else the delivery result.
  absl::Status FinishRelease(const std::string& release_id, int64_t vintage,
                             int32_t through_yyyymmdd);

  // The first error of a Send since the last Finish (OnTransit cannot return one).
  const absl::Status& status() const { return status_; }
  // Records queued (delivery is confirmed by Finish).
  int64_t transits_sent() const { return transits_sent_; }
  int64_t rejects_sent() const { return rejects_sent_; }

 private:
  // Sends unless an earlier send failed; true when the record was queued.
  bool Send(OutgoingRecord record);

  TransitTopics topics_;
  EventSink* sink_;
  absl::Status status_;
  int64_t transits_sent_ = 0;
  std::vector<int64_t> per_partition_;
  int32_t latest_date_ = 0;
  int64_t rejects_sent_ = 0;
};

}  // namespace tradewatch::ingest
