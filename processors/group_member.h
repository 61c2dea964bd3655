// The consumer-group member both processing loops are built on (StreamProcessor over the
// observation topic, ShippingStream over the shipping transit topic): join and subscribe, rebuild a
// partition's state on assignment by replaying it from the beginning up to the group's committed
// offset, drop it on revocation, poll one record at a time, commit after a marker's outputs are
// delivered, leave the group on Close. A subclass holds the per-partition state and says what a
// record does.
//
// Single-threaded: every call, and every callback, happens on the thread that calls Poll().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_consumer.h"
#include "common/kafka/kafka_producer.h"
#include "tradewatch/v1/rejected.pb.h"

namespace tradewatch::processors {

class GroupMember : private kafka::RebalanceListener {
 public:
  ~GroupMember() override = default;

  // Handles at most one record (or a rebalance) waiting up to timeout_ms. An error is fatal for
  // the loop: outputs could not be delivered, or a partition's state could not be rebuilt.
  // Consumer and commit errors are transient: logged, counted (OnTransient), and the loop carries
  // on.
  absl::Status Poll(int timeout_ms);

  // Leaves the group cleanly (revoking partitions) after flushing the sink. Subclasses call it
  // from their destructor, while their state still exists.
  absl::Status Close();

  // Partitions currently assigned.
  std::vector<int32_t> assigned() const { return assigned_; }
  // Whether the last Poll handled a record (a loop over several members drains each in turn).
  bool polled_record() const { return polled_record_; }

 protected:
  // `name` names the loop in logs ("processor", "shipping"); `sink` receives outputs and dead
  // letters and must outlive the member.
  GroupMember(std::string name, kafka::ClientOptions client, EventSink* sink)
      : name_(std::move(name)), client_(std::move(client)), sink_(sink) {}

  // Creates the consumer (client properties overlaid with `member_properties`) and subscribes to
  // `topic`.
  absl::Status Join(const std::map<std::string, std::string>& member_properties,
                    const std::string& group_id, const std::string& topic);

  // Exactly-once: `producer` (transactional, InitTransactions done; the member's sink as well)
  // opens a transaction at the first record handled after a commit; DeliverAndCommit, an idle
  // Poll with a timeout, a revocation and Close commit it with the consumed next-offsets sent to
  // it. A failed transaction is aborted and the member rejoins its group: every partition is then
  // rebuilt from its committed offset and consumed again from there. A fatal error (fenced by a
  // newer instance of the same transactional id) is returned. Call before the first Poll.
  void UseTransactions(kafka::KafkaProducer* producer) { transactions_ = producer; }

  // Fresh state for partition `p`, discarding any it had.
  virtual void ResetPartition(int32_t p) = 0;
  // Drops the state of partition `p` (revoked).
  virtual void DropPartition(int32_t p) = 0;
  // Applies one record of the rebuild (records [beginning, committed) of the partition); emits
  // nothing.
  virtual absl::Status Replay(int32_t p, const kafka::ConsumedRecord& record) = 0;
  // Handles one consumed record.
  virtual absl::Status Handle(const kafka::ConsumedRecord& record) = 0;
  // A transient error the loop carries on after (already logged).
  virtual void OnTransient(const absl::Status&) {}

  // At least once: flushes the sink, then commits the offset after `record` (a marker whose
  // outputs are delivered). A commit refused because the group is rebalancing is transient: the
  // outputs are delivered, and the partition's next owner replays from the last commit, repeating
  // byte-identical outputs. Exactly once: commits the open transaction (see UseTransactions).
  absl::Status DeliverAndCommit(const kafka::ConsumedRecord& record);

  // Logs and counts an error the loop carries on after.
  void Transient(const absl::Status& status);

  // The dead-letter record of `record` to `deadletter_topic`, logged and sent to the sink.
  absl::Status SendDeadLetter(const kafka::ConsumedRecord& record,
                              tradewatch::v1::RejectReason reason, const std::string& message,
                              const std::string& deadletter_topic);

  const kafka::ClientOptions& client() const { return client_; }
  kafka::KafkaConsumer& consumer() { return *consumer_; }
  EventSink* sink() const { return sink_; }
  const std::string& name() const { return name_; }

 private:
  void OnAssigned(std::vector<kafka::TopicPartition>* partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;

  // Sends the consumed next-offsets to the open transaction and commits it.
  absl::Status TryCommit();
  // TryCommit, else abort (no rejoin: at a revocation or close, the next assignment rebuilds).
  absl::Status CommitOrAbort(std::string_view when);
  // TryCommit, else AbortAndRejoin.
  absl::Status CommitTransaction();
  absl::Status AbortAndRejoin(const absl::Status& cause);

  std::string name_;
  kafka::ClientOptions client_;
  std::map<std::string, std::string> member_properties_;
  kafka::KafkaProducer* transactions_ = nullptr;
  bool in_transaction_ = false;
  std::map<int32_t, int64_t> pending_offsets_;  // next offsets consumed in the open transaction
  EventSink* sink_;
  std::string group_id_;
  std::string topic_;
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  std::vector<int32_t> assigned_;
  // An error raised inside a rebalance callback, returned by the next Poll.
  absl::Status rebalance_error_;
  bool closed_ = false;
  bool polled_record_ = false;
};

// The dead-letter record of a consumed record a loop cannot take: partition 0, key = the source
// topic, value = a RejectedRecord (reason, "topic/partition@offset: message", the raw bytes),
// headers tw-event-id, tw-schema, tw-source ("topic/partition@offset") and tw-reason.
OutgoingRecord ConsumedDeadLetter(const kafka::ConsumedRecord& record,
                                  tradewatch::v1::RejectReason reason, const std::string& message,
                                  const std::string& deadletter_topic);

}  // namespace tradewatch::processors
