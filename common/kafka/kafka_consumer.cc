#include "common/kafka/kafka_consumer.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <utility>

#include "common/kafka/group_metadata_impl.h"
#include "common/kafka/kafka_admin.h"
#include "common/kafka/kafka_status.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::kafka {
namespace {

constexpr int kWatermarkTimeoutMs = 10000;
constexpr int kRangePollMs = 500;
constexpr auto kRangeNoProgress = std::chrono::seconds(30);

// Deletes librdkafka's TopicPartition objects of one call.
class PartitionList {
 public:
  explicit PartitionList(const std::vector<TopicPartition>& partitions) {
    for (const TopicPartition& tp : partitions) {
      RdKafka::TopicPartition* p = RdKafka::TopicPartition::create(tp.topic, tp.partition);
      p->set_offset(tp.offset);
      list_.push_back(p);
    }
  }
  ~PartitionList() { RdKafka::TopicPartition::destroy(list_); }
  std::vector<RdKafka::TopicPartition*>& list() { return list_; }

 private:
  std::vector<RdKafka::TopicPartition*> list_;
};

std::vector<TopicPartition> FromRdKafka(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::vector<TopicPartition> out;
  out.reserve(partitions.size());
  for (const RdKafka::TopicPartition* p : partitions) {
    // librdkafka reports "no offset" as OFFSET_INVALID (-1001); ours is kOffsetStored, which
    // assign() reads the same way: start from the committed offset.
    const int64_t offset = p->offset() == RdKafka::Topic::OFFSET_INVALID ? kOffsetStored
                                                                            : p->offset();
    out.push_back({p->topic(), p->partition(), offset});
  }
  return out;
}

// The first per-partition error of a call that succeeded as a whole.
absl::Status FirstPartitionError(const std::vector<RdKafka::TopicPartition*>& partitions,
                                 std::string_view what) {
  for (const RdKafka::TopicPartition* p : partitions) {
    if (p->err() != RdKafka::ERR_NO_ERROR) {
      return FromKafkaError(p->err(), fmt::format("kafka: {} {}/{} at offset {}", what, p->topic(),
                                                  p->partition(), p->offset()));
    }
  }
  return absl::OkStatus();
}

// Runs on the polling thread, inside consume() or close().
class RebalanceHandler : public RdKafka::RebalanceCb {
 public:
  explicit RebalanceHandler(RebalanceListener* listener) : listener_(listener) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    // The defaults (range,roundrobin) are eager; a cooperative strategy set through properties
    // needs the incremental calls.
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      std::vector<TopicPartition> assigned = FromRdKafka(partitions);
      if (listener_ != nullptr) listener_->OnAssigned(&assigned);
      for (RdKafka::TopicPartition* p : partitions) {
        auto it = std::find_if(assigned.begin(), assigned.end(), [p](const TopicPartition& tp) {
          return tp.partition == p->partition() && tp.topic == p->topic();
        });
        if (it != assigned.end()) p->set_offset(it->offset);
      }
      Report(cooperative ? ErrorOf(consumer->incremental_assign(partitions))
                         : consumer->assign(partitions),
             "assign");
      return;
    }
    if (err != RdKafka::ERR__REVOKE_PARTITIONS) {
      Logger("kafka")->error("kafka consumer: rebalance failed ({}); dropping the assignment",
                             RdKafka::err2str(err));
    }
    if (listener_ != nullptr) listener_->OnRevoked(FromRdKafka(partitions));
    Report(cooperative ? ErrorOf(consumer->incremental_unassign(partitions))
                       : consumer->unassign(),
           "unassign");
  }

 private:
  static RdKafka::ErrorCode ErrorOf(RdKafka::Error* error) {
    if (error == nullptr) return RdKafka::ERR_NO_ERROR;
    const RdKafka::ErrorCode code = error->code();
    delete error;
    return code;
  }
  static void Report(RdKafka::ErrorCode err, std::string_view what) {
    if (err != RdKafka::ERR_NO_ERROR) {
      const absl::Status status = FromKafkaError(err, fmt::format("kafka consumer: {}", what));
      Logger("kafka")->error("{}", std::string(status.message()));
    }
  }

  RebalanceListener* listener_;
};

KafkaProperties ConsumerDefaults(std::string group_id) {
  return {{"group.id", std::move(group_id)},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"queued.max.messages.kbytes", "65536"},
          {"fetch.max.bytes", "52428800"}};
}

// Calls fn(name, value) for each header in record order while it returns true. The C API reads
// headers in place, where the C++ Headers class copies every value. A null value reads as empty.
template <typename Fn>
void ForEachHeader(RdKafka::Message& message, Fn fn) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message.c_ptr(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    const std::string_view bytes = value == nullptr
                                       ? std::string_view()
                                       : std::string_view(static_cast<const char*>(value), size);
    if (!fn(std::string_view(name), bytes)) return;
  }
}

absl::StatusOr<std::unique_ptr<RdKafka::KafkaConsumer>> NewConsumer(
    const KafkaProperties& properties, RdKafka::RebalanceCb* rebalance) {
  TW_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, NewCppConf(properties));
  std::string error;
  if (rebalance != nullptr &&
      conf->set("rebalance_cb", rebalance, error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(fmt::format("kafka consumer: rebalance callback: {}", error));
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (consumer == nullptr) {
    // Properties valid one by one can still conflict.
    return absl::InvalidArgumentError(fmt::format("kafka consumer: {}", error));
  }
  return consumer;
}

std::string UniqueReaderGroup(const ClientOptions& options) {
  static std::atomic<int64_t> next{0};
  return fmt::format("{}-reader-{}-{}", options.client_id, getpid(), next.fetch_add(1));
}

}  // namespace

struct ConsumedRecord::Message {
  std::unique_ptr<RdKafka::Message> message;
  // Owned by the consumer's topic-name cache.
  const std::string* topic = nullptr;
};

ConsumedRecord::ConsumedRecord(std::unique_ptr<Message> message) : message_(std::move(message)) {}
ConsumedRecord::~ConsumedRecord() = default;
ConsumedRecord::ConsumedRecord(ConsumedRecord&&) noexcept = default;
ConsumedRecord& ConsumedRecord::operator=(ConsumedRecord&&) noexcept = default;

const std::string& ConsumedRecord::topic() const { return *message_->topic; }
int32_t ConsumedRecord::partition() const { return message_->message->partition(); }
int64_t ConsumedRecord::offset() const { return message_->message->offset(); }

std::string_view ConsumedRecord::key() const {
  const RdKafka::Message& m = *message_->message;
  if (m.key_pointer() == nullptr) return {};
  return {static_cast<const char*>(m.key_pointer()), m.key_len()};
}

std::string_view ConsumedRecord::value() const {
  const RdKafka::Message& m = *message_->message;
  if (m.payload() == nullptr) return {};
  return {static_cast<const char*>(m.payload()), m.len()};
}

std::optional<std::string_view> ConsumedRecord::header(std::string_view name) const {
  std::optional<std::string_view> found;
  ForEachHeader(*message_->message, [&](std::string_view header_name, std::string_view value) {
    if (header_name != name) return true;
    found = value;
    return false;
  });
  return found;
}

std::vector<RecordHeader> ConsumedRecord::headers() const {
  std::vector<RecordHeader> out;
  ForEachHeader(*message_->message, [&](std::string_view name, std::string_view value) {
    out.push_back({std::string(name), std::string(value)});
    return true;
  });
  return out;
}

int64_t ConsumedRecord::timestamp_ms() const { return message_->message->timestamp().timestamp; }

struct KafkaConsumer::State {
  explicit State(RebalanceListener* listener) : rebalance(listener) {}

  // Topic names live as long as the consumer, so records refer to them instead of copying.
  const std::string* TopicName(std::string_view name) {
    for (const auto& known : topic_names) {
      if (*known == name) return known.get();
    }
    topic_names.push_back(std::make_unique<const std::string>(name));
    return topic_names.back().get();
  }

  absl::Status CheckOpen(std::string_view what) const {
    if (!closed) return absl::OkStatus();
    return absl::FailedPreconditionError(
        fmt::format("kafka consumer: {} after Close()", what));
  }

  // Declared before the consumer, which calls it until destroyed.
  RebalanceHandler rebalance;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  bool reader = false;
  bool closed = false;
  // Offset of the last partition EOF that Poll() saw, -1 when none (ReadPartitionRange).
  int64_t eof_offset = -1;
  std::vector<std::unique_ptr<const std::string>> topic_names;
};

KafkaConsumer::KafkaConsumer(std::unique_ptr<State> state) : state_(std::move(state)) {}

absl::StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::CreateMember(
    const ClientOptions& options, const std::string& group_id, RebalanceListener* listener) {
  if (group_id.empty()) return absl::InvalidArgumentError("kafka consumer: empty group id");
  KafkaProperties defaults = ConsumerDefaults(group_id);
  defaults.emplace_back("partition.assignment.strategy", "range,roundrobin");
  TW_ASSIGN_OR_RETURN(KafkaProperties properties,
                      ClientProperties(options, "consumer", std::move(defaults)));
  auto state = std::make_unique<State>(listener);
  TW_ASSIGN_OR_RETURN(state->consumer, NewConsumer(properties, &state->rebalance));
  return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(std::move(state)));
}

absl::StatusOr<std::unique_ptr<KafkaConsumer>> KafkaConsumer::CreateReader(
    const ClientOptions& options) {
  KafkaProperties defaults = ConsumerDefaults(UniqueReaderGroup(options));
  defaults.emplace_back("enable.partition.eof", "true");
  TW_ASSIGN_OR_RETURN(KafkaProperties properties,
                      ClientProperties(options, "reader", std::move(defaults)));
  auto state = std::make_unique<State>(nullptr);
  state->reader = true;
  TW_ASSIGN_OR_RETURN(state->consumer, NewConsumer(properties, nullptr));
  return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(std::move(state)));
}

KafkaConsumer::~KafkaConsumer() {
  if (absl::Status status = Close(); !status.ok()) {
    Logger("kafka")->warn("kafka consumer: close at destruction: {}",
                          std::string(status.message()));
  }
}

absl::Status KafkaConsumer::Subscribe(const std::vector<std::string>& topics) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("subscribe"));
  if (state_->reader) {
    return absl::FailedPreconditionError("kafka consumer: a reader cannot subscribe: use Assign()");
  }
  return FromKafkaError(state_->consumer->subscribe(topics), "kafka consumer: subscribe");
}

absl::Status KafkaConsumer::Assign(const std::vector<TopicPartition>& partitions) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("assign"));
  PartitionList list(partitions);
  return FromKafkaError(state_->consumer->assign(list.list()), "kafka consumer: assign");
}

absl::StatusOr<std::optional<ConsumedRecord>> KafkaConsumer::Poll(int timeout_ms) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("poll"));
  std::unique_ptr<RdKafka::Message> message(state_->consumer->consume(timeout_ms));
  switch (message->err()) {
    case RdKafka::ERR_NO_ERROR: {
      auto wrapped = std::make_unique<ConsumedRecord::Message>();
      wrapped->topic = state_->TopicName(rd_kafka_topic_name(message->c_ptr()->rkt));
      wrapped->message = std::move(message);
      return std::optional<ConsumedRecord>(ConsumedRecord(std::move(wrapped)));
    }
    case RdKafka::ERR__TIMED_OUT:
      return std::nullopt;
    case RdKafka::ERR__PARTITION_EOF:
      state_->eof_offset = message->offset();
      return std::nullopt;
    default: {
      std::string context = "kafka: consume";
      if (const std::string topic = message->topic_name(); !topic.empty()) {
        context += fmt::format(" {}", topic);
        if (message->partition() >= 0) context += fmt::format("/{}", message->partition());
      }
      return FromKafkaError(message->err(), fmt::format("{} ({})", context, message->errstr()));
    }
  }
}

absl::Status KafkaConsumer::Commit(const std::vector<TopicPartition>& offsets) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("commit"));
  if (state_->reader) {
    return absl::FailedPreconditionError("kafka consumer: a reader never commits");
  }
  for (const TopicPartition& tp : offsets) {
    if (tp.offset < 0) {
      return absl::InvalidArgumentError(fmt::format("kafka: commit {}/{}: offset {} is negative",
                                                    tp.topic, tp.partition, tp.offset));
    }
  }
  PartitionList list(offsets);
  TW_RETURN_IF_ERROR(FromKafkaError(state_->consumer->commitSync(list.list()), "kafka: commit"));
  return FirstPartitionError(list.list(), "commit");
}

ConsumerGroupMetadata::ConsumerGroupMetadata(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

ConsumerGroupMetadata::~ConsumerGroupMetadata() = default;

absl::StatusOr<std::unique_ptr<ConsumerGroupMetadata>> KafkaConsumer::GroupMetadata() {
  TW_RETURN_IF_ERROR(state_->CheckOpen("group metadata"));
  if (state_->reader) {
    return absl::FailedPreconditionError("kafka consumer: a reader has no group metadata");
  }
  auto impl = std::make_unique<ConsumerGroupMetadata::Impl>();
  impl->metadata.reset(state_->consumer->groupMetadata());
  if (impl->metadata == nullptr) {
    return absl::FailedPreconditionError("kafka consumer: no group metadata (not a member yet)");
  }
  return std::make_unique<ConsumerGroupMetadata>(std::move(impl));
}

absl::StatusOr<std::vector<TopicPartition>> KafkaConsumer::Committed(
    std::vector<TopicPartition> partitions, int timeout_ms) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("committed"));
  PartitionList list(partitions);
  TW_RETURN_IF_ERROR(FromKafkaError(state_->consumer->committed(list.list(), timeout_ms),
                                    "kafka: committed offsets"));
  TW_RETURN_IF_ERROR(FirstPartitionError(list.list(), "committed offset of"));
  // librdkafka keeps the order of the list it was given.
  return FromRdKafka(list.list());
}

absl::StatusOr<std::pair<int64_t, int64_t>> KafkaConsumer::Watermarks(const std::string& topic,
                                                                      int32_t partition,
                                                                      int timeout_ms) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("watermarks"));
  int64_t low = 0;
  int64_t high = 0;
  TW_RETURN_IF_ERROR(FromKafkaError(
      state_->consumer->query_watermark_offsets(topic, partition, &low, &high, timeout_ms),
      fmt::format("kafka: watermarks of {}/{}", topic, partition)));
  return std::make_pair(low, high);
}

absl::StatusOr<std::pair<int64_t, int64_t>> KafkaConsumer::CachedWatermarks(
    const std::string& topic, int32_t partition) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("cached watermarks"));
  int64_t low = -1;
  int64_t high = -1;
  TW_RETURN_IF_ERROR(FromKafkaError(
      state_->consumer->get_watermark_offsets(topic, partition, &low, &high),
      fmt::format("kafka: cached watermarks of {}/{}", topic, partition)));
  return std::make_pair(low, high);
}

absl::StatusOr<int32_t> KafkaConsumer::PartitionCount(const std::string& topic, int timeout_ms) {
  TW_RETURN_IF_ERROR(state_->CheckOpen("partition count"));
  return PartitionCountOf(state_->consumer->c_ptr(), topic, timeout_ms);
}

absl::Status KafkaConsumer::Close() {
  if (state_->closed) return absl::OkStatus();
  state_->closed = true;
  return FromKafkaError(state_->consumer->close(), "kafka consumer: close");
}

absl::Status ReadPartitionRange(const ClientOptions& options, const std::string& topic,
                                int32_t partition, int64_t from_offset, int64_t to_offset,
                                const std::function<absl::Status(const ConsumedRecord&)>& fn) {
  if (from_offset >= to_offset) return absl::OkStatus();
  if (from_offset < 0 && from_offset != kOffsetBeginning) {
    return absl::InvalidArgumentError(
        fmt::format("kafka: read {}/{}: from offset {} is neither >= 0 nor kOffsetBeginning", topic,
                    partition, from_offset));
  }
  TW_ASSIGN_OR_RETURN(std::unique_ptr<KafkaConsumer> reader, KafkaConsumer::CreateReader(options));
  TW_ASSIGN_OR_RETURN(auto watermarks, reader->Watermarks(topic, partition, kWatermarkTimeoutMs));
  const auto [low, high] = watermarks;
  // Offsets below the low watermark were deleted; starting there avoids an out-of-range reset.
  const int64_t start = std::max(from_offset, low);
  const int64_t end = std::min(to_offset, high);
  if (start >= end) return absl::OkStatus();
  TW_RETURN_IF_ERROR(reader->Assign({{topic, partition, start}}));
  int64_t next = start;
  auto last_progress = std::chrono::steady_clock::now();
  for (;;) {
    absl::StatusOr<std::optional<ConsumedRecord>> record = reader->Poll(kRangePollMs);
    // A lost connection is transient (librdkafka reconnects); the deadline bounds the wait.
    if (!record.ok() && !absl::IsUnavailable(record.status())) return record.status();
    if (record.ok() && record->has_value()) {
      const ConsumedRecord& r = **record;
      // A compacted range may skip straight past the end.
      if (r.offset() >= end) return absl::OkStatus();
      TW_RETURN_IF_ERROR(fn(r));
      if (r.offset() >= end - 1) return absl::OkStatus();
      next = r.offset() + 1;
      last_progress = std::chrono::steady_clock::now();
      continue;
    }
    // The end of the partition: the range's last offsets held no data records (transaction
    // markers, or records compacted away).
    if (reader->state_->eof_offset >= 0) return absl::OkStatus();
    if (std::chrono::steady_clock::now() - last_progress > kRangeNoProgress) {
      return absl::DeadlineExceededError(
          fmt::format("kafka: read {}/{} at offset {}: no record for {} s (range ends at {})",
                      topic, partition, next, kRangeNoProgress.count(), end));
    }
  }
}

}  // namespace tradewatch::kafka
