// The processing loop: a consumer-group member over the observation topic. Each assigned
// partition has its own PartitionProcessor, rebuilt on assignment by replaying the partition from
// the beginning up to the group's committed offset. On every release marker the partition's changed
// results are published (shares and balances), handed to the ReleaseHook (the rule engine, wired in
// by tools/), delivered, and only then is the marker's offset committed: outputs are
// at-least-once, and deterministic, so a repeat carries the same key, bytes and event id.
//
// Single-threaded: every call, and every hook callback, happens on the thread that calls Poll().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_consumer.h"
#include "processors/group_member.h"
#include "processors/partition_processor.h"
#include "processors/processor_metrics.h"
#include "tradewatch/v1/rejected.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::processors {

// What the results of a release feed beyond the derived topics.
class ReleaseHook {
 public:
  virtual ~ReleaseHook() = default;
  // Called for every release marker of a partition, in offset order. `sink` is null while the
  // partition's state is rebuilt (replay): the hook must update its state and emit nothing.
  // Records sent to `sink` are delivered before the marker's offset is committed.
  virtual absl::Status OnRelease(int32_t partition, const tradewatch::v1::ReleaseMarker& marker,
                                 const ReleaseResults& results, EventSink* sink) = 0;
  // The partition was revoked: drop its state.
  virtual void OnPartitionDropped(int32_t partition) = 0;
};

// Full topic names (prefix included) and their partition counts.
struct StreamTopics {
  std::string observations;
  std::string shares;
  int32_t shares_partitions = 1;
  std::string balance;
  int32_t balance_partitions = 1;
  std::string deadletter;
};

struct StreamOptions {
  kafka::ClientOptions client;
  // librdkafka properties for the group member only, over client.properties (the embedded
  // broker's rebalance waits session.timeout.ms, so the demo shortens it).
  std::map<std::string, std::string> member_properties;
  std::string group_id = "tradewatch-processor";
  StreamTopics topics;
  ProcessorOptions processor;
  // Exactly once: the loop's own transactional producer (InitTransactions done), which must also
  // be the sink it is created with; null for at least once (GroupMember::UseTransactions).
  kafka::KafkaProducer* transactions = nullptr;
};

class StreamProcessor : public GroupMember {
 public:
  // Joins the group and subscribes. `sink` (the producer), `hook` and `metrics` must outlive the
  // processor; hook and metrics may be null.
  static absl::StatusOr<std::unique_ptr<StreamProcessor>> Create(StreamOptions options,
                                                                 EventSink* sink,
                                                                 ReleaseHook* hook,
                                                                 ProcessorMetrics* metrics);
  ~StreamProcessor() override;

  // Polls until `stop` becomes true, then Close()s.
  absl::Status Run(const std::atomic<bool>& stop);

  // Release markers processed since start, over all partitions (replays excluded).
  int64_t markers_processed() const { return markers_processed_; }

 private:
  StreamProcessor(StreamOptions options, EventSink* sink, ReleaseHook* hook,
                  ProcessorMetrics* metrics);

  void ResetPartition(int32_t p) override;
  void DropPartition(int32_t p) override;
  absl::Status Replay(int32_t p, const kafka::ConsumedRecord& record) override;
  absl::Status Handle(const kafka::ConsumedRecord& record) override;
  void OnTransient(const absl::Status& status) override;

  absl::Status CloseRelease(int32_t p, PartitionProcessor& partition,
                            const tradewatch::v1::ReleaseMarker& marker, EventSink* sink);
  absl::Status DeadLetter(const kafka::ConsumedRecord& record, tradewatch::v1::RejectReason reason,
                          const std::string& message);
  PartitionProcessor& PartitionState(int32_t p);

  StreamOptions options_;
  ReleaseHook* hook_;
  ProcessorMetrics* metrics_;
  std::map<int32_t, std::unique_ptr<PartitionProcessor>> partitions_;
  tradewatch::v1::TradeEvent event_;
  tradewatch::v1::TradeEvent replay_event_;
  int64_t markers_processed_ = 0;
};

// The output records of a release's results: trimmed shares on the shares topic, balances on the
// balance topic, keyed, partitioned and with event-id and schema headers. Pure; exposed for tests.
std::vector<OutgoingRecord> ResultRecords(const ReleaseResults& results, const StreamTopics& topics,
                                          int top_n);

}  // namespace tradewatch::processors
