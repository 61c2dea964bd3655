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

// One consumed record. Views stay valid while the record lives.
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
  // The first header named `name`, if any.
  std::optional<std::string_view> header(std::string_view name) const;
  std::vector<RecordHeader> headers() const;
  int64_t timestamp_ms() const;

 private:
  friend class KafkaConsumer;
  struct Message;
  explicit ConsumedRecord(std::unique_ptr<Message> message);
  std::unique_ptr<Message> message_;
};

// Told of group rebalances, from inside Poll() on the polling thread.
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Before the partitions are assigned. The listener may set each TopicPartition's start offset
  // (default kOffsetStored: the committed offset, else auto.offset.reset=earliest).
  virtual void OnAssigned(std::vector<TopicPartition>* partitions) = 0;
  // Before the partitions are taken away (also on Close()).
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
};

class KafkaConsumer {
 public:
  // A group member. Defaults before options.properties: group.id=<group_id>,
  // enable.auto.commit=false, enable.auto.offset.store=false, auto.offset.reset=earliest,
  // partition.assignment.strategy=range,roundrobin, queued.max.messages.kbytes=65536,
  // fetch.max.bytes=52428800, client.id=<client_id>-consumer. `listener` may be null and must
  // outlive the consumer.
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> CreateMember(
      const ClientOptions& options, const std::string& group_id, RebalanceListener* listener);
  // A reader with no group membership and no commits: use Assign().
  static absl::StatusOr<std::unique_ptr<KafkaConsumer>> CreateReader(const ClientOptions& options);
  ~KafkaConsumer();  // Close()s if still open

  absl::Status Subscribe(const std::vector<std::string>& topics);
  absl::Status Assign(const std::vector<TopicPartition>& partitions);

  // The next record, or nullopt when none arrived within timeout_ms. Partition EOF is not an
  // error and not a record. Consumer errors (all brokers down, unknown topic) are a Status.
  absl::StatusOr<std::optional<ConsumedRecord>> Poll(int timeout_ms);

  // Synchronous commit of the given next-offsets.
  absl::Status Commit(const std::vector<TopicPartition>& offsets);
  // Committed next-offsets of the partitions (offset kOffsetStored when none).
  absl::StatusOr<std::vector<TopicPartition>> Committed(std::vector<TopicPartition> partitions,
                                                        int timeout_ms);
  // (low, high) watermarks of a partition from the broker.
  absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(const std::string& topic,
                                                         int32_t partition, int timeout_ms);
  // Partition count of `topic` from broker metadata.
  absl::StatusOr<int32_t> PartitionCount(const std::string& topic, int timeout_ms);

  // Leaves the group (revoking through the listener) and closes. Idempotent.
  absl::Status Close();

 private:
  struct State;
  explicit KafkaConsumer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads partition `partition` of `topic` from `from_offset` up to (excluding) `to_offset` with a
// reader, calling fn for each record; stops early on an error from fn. Used to rebuild state from
// the compacted topic. Offsets removed by compaction are skipped, so fewer records than
// to - from may arrive.
absl::Status ReadPartitionRange(const ClientOptions& options, const std::string& topic,
                                int32_t partition, int64_t from_offset, int64_t to_offset,
                                const std::function<absl::Status(const ConsumedRecord&)>& fn);

}  // namespace tradewatch::kafka
