// A librdkafka consumer: group member (subscribe, rebalance callbacks, manual commits) or plain
// reader of assigned partitions (state restore, tests, benchmarks).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_options.h"

namespace tradewatch::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  // For assignment: start offset (kOffsetBeginning, kOffsetEnd, kOffsetStored or >= 0).
  // For commits: the next offset to read.
  int64_t offset = -1000;
  bool operator==(const TopicPartition&) const = default;
};

inline constexpr int64_t kOffsetBeginning = -2;  // RD_KAFKA_OFFSET_BEGINNING
inline constexpr int64_t kOffsetEnd = -1;        // RD_KAFKA_OFFSET_END
inline constexpr int64_t kOffsetStored = -1000;  // RD_KAFKA_OFFSET_STORED (committed, else reset)

// One consumed record, wrapping librdkafka's message: key(), value() and the headers are views
// into it, valid while the record lives. A record must be destroyed before the consumer that
// returned it. Not thread-safe (headers are parsed on first access).
class ConsumedRecord {
 public:
  ~ConsumedRecord();
  ConsumedRecord(ConsumedRecord&&) noexcept;
  ConsumedRecord& operator=(ConsumedRecord&&) noexcept;

  const std::string& topic() const;
  int32_t partition() const;
  int64_t offset() const;
  std::string_view key() const;
  std::string_view value() const;
  // The first header named `name`, if any (a null header value reads as empty).
  std::optional<std::string_view> header(std::string_view name) const;
  // Every header, in record order (copies).
  std::vector<RecordHeader> headers() const;
  // The record's timestamp (create time unless the topic says log-append time), ms since epoch.
  int64_t timestamp_ms() const;

 private:
  friend class KafkaConsumer;
  struct Message;
  explicit ConsumedRecord(std::unique_ptr<Message> message);
  std::unique_ptr<Message> message_;
};

// Told of group rebalances, from inside Poll() (and Close()) on the polling thread. The listener
// may call the consumer's Committed(), Watermarks() and PartitionCount() and may read partitions
// with ReadPartitionRange(); it must not call Poll() or Close(). Eager protocol: every rebalance
// revokes the whole assignment, then assigns the new one.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Before the partitions are assigned. The listener may set each TopicPartition's start offset
  // (default kOffsetStored: the committed offset, else auto.offset.reset=earliest); entries it
  // adds, removes or reorders are ignored, only offsets matched by topic and partition count.
  virtual void OnAssigned(std::vector<TopicPartition>* partitions) = 0;
  // Before the partitions are taken away (also on Close()).
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

// Not thread-safe: one thread calls every method (librdkafka's own threads never call in).
// A group member's identity for a transaction (librdkafka's consumer group metadata: group id,
// generation, member id), from KafkaConsumer::GroupMetadata, for
// KafkaProducer::SendOffsetsToTransaction. Opaque.
class ConsumerGroupMetadata {
 public:
  struct Impl;
  explicit ConsumerGroupMetadata(std::unique_ptr<Impl> impl);
  ~ConsumerGroupMetadata();
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class KafkaConsumer {
 public:
  // A group member. Defaults before options.properties: group.id=<group_id>,
  // enable.auto.commit=false, enable.auto.offset.store=false, auto.offset.reset=earliest,
  // partition.assignment.strategy=range,roundrobin, queued.max.messages.kbytes=65536,
  // fetch.max.bytes=52428800, client.id=<client_id>-consumer. `listener` may be null and must
  // outlive the consumer. A bad property is InvalidArgument naming it. Joining takes a few
  // seconds (the group coordinator waits for other members); Poll() drives it.
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> CreateMember(
      const ClientOptions& options, const std::string& group_id, RebalanceListener* listener);
  // A reader with no group membership and no commits: use Assign(). librdkafka requires a
  // group.id, so a unique unused one is generated; enable.partition.eof=true,
  // auto.offset.reset=earliest, client.id=<client_id>-reader.
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> CreateReader(const ClientOptions& options);
  ~KafkaConsumer();  // Close()s if still open

  // Group members only (FailedPrecondition on a reader).
  absl::Status Subscribe(const std::vector<std::string>& topics);
  // Replaces the assignment; each partition starts at its offset (kOffsetStored: committed,
  // else earliest).
  absl::Status Assign(const std::vector<TopicPartition>& partitions);

  // The next record, or nullopt when none arrived within timeout_ms. Partition EOF is not an
  // error and not a record. Consumer errors (all brokers down, unknown topic) are a Status naming
  // the topic/partition when known; most are transient (librdkafka keeps retrying), so a caller
  // may log them and poll again.
  absl::StatusOr<std::optional<ConsumedRecord>> Poll(int timeout_ms);

  // Synchronous commit of the given next-offsets (>= 0). Group members only.
  absl::Status Commit(const std::vector<TopicPartition>& offsets);
  // The member's current group metadata, for committing offsets inside a producer's transaction
  // (exactly-once consume-transform-produce). Group members only.
  absl::StatusOr<std::unique_ptr<ConsumerGroupMetadata>> GroupMetadata();
  // Committed next-offsets of the partitions, in the same order (offset kOffsetStored when none).
  absl::StatusOr<std::vector<TopicPartition>> Committed(std::vector<TopicPartition> partitions,
                                                        int timeout_ms);
  // (low, high) watermarks of an assigned partition as last seen in fetch responses: no broker
  // round trip (a query to the embedded broker takes about 500 ms). Unknown offsets are -1.
  absl::StatusOr<std::pair<int64_t, int64_t>> CachedWatermarks(const std::string& topic,
                                                               int32_t partition);
  // (low, high) watermarks of a partition from the broker.
  absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(const std::string& topic,
                                                         int32_t partition, int timeout_ms);
  // Partition count of `topic` from broker metadata.
  absl::StatusOr<int32_t> PartitionCount(const std::string& topic, int timeout_ms);

  // Leaves the group (revoking through the listener) and closes. Idempotent. Afterwards every
  // other method returns FailedPrecondition.
  absl::Status Close();

 private:
  // Reads the partition-EOF marks that Poll() hides.
  friend absl::Status ReadPartitionRange(
      const ClientOptions& options, const std::string& topic, int32_t partition,
      int64_t from_offset, int64_t to_offset,
      const std::function<absl::Status(const ConsumedRecord&)>& fn);
  struct State;
  explicit KafkaConsumer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads partition `partition` of `topic` from `from_offset` (>= 0, or kOffsetBeginning) up to
// (excluding) `to_offset` with a new reader, calling fn for each record on the calling thread;
// stops early on an error from fn, which is returned. Used to rebuild state from the compacted
// topic. Offsets removed by compaction are skipped, so fewer records than to - from may arrive.
// Stops at the partition's end (its high watermark when the read starts) when `to_offset` lies
// beyond it. Returns at once when from >= to. A lost broker connection is waited out;
// DeadlineExceeded naming topic/partition/offset when no record arrives for 30 s.
absl::Status ReadPartitionRange(const ClientOptions& options, const std::string& topic,
                                int32_t partition, int64_t from_offset, int64_t to_offset,
                                const std::function<absl::Status(const ConsumedRecord&)>& fn);

}  // namespace tradewatch::kafka
