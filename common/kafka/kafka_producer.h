// An idempotent librdkafka producer behind EventSink: explicit partitions, headers, lz4, delivery
// errors surfaced as Status from Flush, librdkafka logs routed to the "kafka" spdlog logger.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_options.h"

namespace tradewatch::kafka {

class KafkaProducer : public EventSink {
 public:
  // Defaults before options.properties: enable.idempotence=true, acks=all,
  // compression.type=lz4, linger.ms=5, queue.buffering.max.messages=200000,
  // queue.buffering.max.kbytes=65536, batch.num.messages=10000, client.id=<client_id>-producer.
  // A bad property is an error naming it.
  static absl::StatusOr<std::unique_ptr<KafkaProducer>> Create(const ClientOptions& options);
  ~KafkaProducer() override;  // flushes for up to 10 s, then destroys the client

  // Queues the record, polling for delivery reports; when the local queue is full it waits
  // (serving delivery reports) up to 30 s. Not thread-safe.
  absl::Status Send(OutgoingRecord record) override;
  absl::Status Flush(int timeout_ms) override;

  // Partition count of `topic` from broker metadata (cached).
  absl::StatusOr<int32_t> PartitionCount(const std::string& topic);

  // Records delivered and failed since creation.
  int64_t delivered() const;
  int64_t failed() const;

 private:
  struct State;
  explicit KafkaProducer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tradewatch::kafka
