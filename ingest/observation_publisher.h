// The producing end of ingest: a RecordSink that writes every observation the readers deliver to
// the observation topic (key = full identity, partition from the product code, headers: event id,
// schema, source position) and every rejected record to the dead-letter topic (headers: reason and
// position), then closes the release with one marker per partition.
//
// Not thread-safe; runs on the reader's thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/event_sink.h"
#include "ingest/ingest_metrics.h"
#include "ingest/record_sink.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::ingest {

struct PublishTopics {
  std::string observations;         // full name, prefix included
  int32_t observation_partitions = 1;
  std::string deadletter;
};

class ObservationPublisher : public RecordSink {
 public:
  // `sink` and `metrics` (may be null) must outlive the publisher.
  ObservationPublisher(PublishTopics topics, EventSink* sink, IngestMetrics* metrics = nullptr);

  void OnObservation(const tradewatch::v1::TradeObservation& observation) override;
  void OnReject(const tradewatch::v1::RejectedRecord& reject) override;

  // Writes one release marker to every partition (observation_count = the observations written
  // to that partition in this release) and flushes. Returns the first send or delivery error.
  absl::Status FinishRelease(const std::string& release_id, int64_t vintage,
                             int32_t through_period_yyyymm);

  // The first error of a Send since the last FinishRelease (OnObservation cannot return one).
  const absl::Status& status() const { return status_; }
  int64_t observations_sent() const { return observations_sent_; }
  int64_t rejects_sent() const { return rejects_sent_; }

 private:
  void Send(OutgoingRecord record);

  PublishTopics topics_;
  EventSink* sink_;
  IngestMetrics* metrics_;
  absl::Status status_;
  std::vector<int64_t> per_partition_;
  int64_t observations_sent_ = 0;
  int64_t rejects_sent_ = 0;
  tradewatch::v1::TradeEvent event_;
};

// The marker record of `partition` (key "release/<release_id>"), as FinishRelease writes it.
OutgoingRecord ReleaseMarkerRecord(const std::string& topic, int32_t partition,
                                   const tradewatch::v1::ReleaseMarker& marker);

}  // namespace tradewatch::ingest
