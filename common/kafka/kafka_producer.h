// An idempotent librdkafka producer behind EventSink: explicit partitions, headers, lz4, delivery
// errors surfaced as Status from Flush, librdkafka logs routed to the "kafka" spdlog logger.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_consumer.h"
#include "common/kafka/kafka_options.h"

namespace tradewatch::kafka {

class KafkaProducer : public EventSink {
 public:
  // Defaults before options.properties: enable.idempotence=true, acks=all,
  // compression.type=lz4, linger.ms=5, queue.buffering.max.messages=200000,
  // queue.buffering.max.kbytes=65536, batch.num.messages=10000, client.id=<client_id>-producer.
  // Properties from options.properties override these. A bad property (or a conflicting pair,
  // such as acks=1 with idempotence) is InvalidArgument naming it with librdkafka's message.
  static absl::StatusOr<std::unique_ptr<KafkaProducer>> Create(const ClientOptions& options);
  ~KafkaProducer() override;  // flushes for up to 10 s, then destroys the client

  // Queues the record (copied) on its explicit partition, polling for delivery reports; when the
  // local queue is full it waits (serving delivery reports) up to 30 s, then ResourceExhausted.
  // A negative partition is InvalidArgument; a partition the topic does not have is NotFound
  // naming topic/partition and key, here or (before the topic's metadata is known) from Flush.
  // Not thread-safe.
  absl::Status Send(OutgoingRecord record) override;
  // Waits for every queued record; returns the first delivery failure since the last Flush
  // (naming topic/partition and key) and forgets it, else DeadlineExceeded when records are
  // still queued after timeout_ms. Not thread-safe.
  absl::Status Flush(int timeout_ms) override;

  // Partition count of `topic` from broker metadata (cached; waits up to 10 s). NotFound when
  // the cluster does not have the topic; asking never creates it.
  absl::StatusOr<int32_t> PartitionCount(const std::string& topic);

  // Kafka transactions, for a producer created with a `transactional.id` property. Each call is
  // bounded by its timeout; an error names the step and librdkafka's message, and says whether
  // the transaction must be aborted (FailedPrecondition), may be retried (Unavailable), or the
  // producer is fenced or otherwise fatal (Aborted: create a new one).
  absl::Status InitTransactions(int timeout_ms);
  absl::Status BeginTransaction();
  // Adds a group member's next-offsets to the open transaction: they are committed with it, and
  // not at all if it aborts (exactly-once consume-transform-produce). `group` from
  // KafkaConsumer::GroupMetadata of the member that consumed them.
  absl::Status SendOffsetsToTransaction(const std::vector<TopicPartition>& offsets,
                                        const ConsumerGroupMetadata& group, int timeout_ms);
  absl::Status CommitTransaction(int timeout_ms);
  absl::Status AbortTransaction(int timeout_ms);

  // Records delivered and failed since creation. Safe to read from any thread.
  int64_t delivered() const;
  int64_t failed() const;

 private:
  struct State;
  explicit KafkaProducer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tradewatch::kafka
