#include "common/kafka/kafka_producer.h"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <map>

#include "absl/strings/escaping.h"
#include "common/kafka/group_metadata_impl.h"
#include "common/kafka/kafka_admin.h"
#include "common/kafka/kafka_status.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::kafka {
namespace {

constexpr auto kQueueFullWait = std::chrono::seconds(30);
constexpr int kMetadataTimeoutMs = 10000;
constexpr int kCloseFlushMs = 10000;
// Keys are record identities (text); a corrupt one is shown escaped and cut.
constexpr size_t kMaxKeyShown = 120;

std::string Where(std::string_view topic, int32_t partition, std::string_view key) {
  const std::string_view shown = key.substr(0, kMaxKeyShown);
  return fmt::format("{}/{} key '{}{}'", topic, partition,
                     absl::CHexEscape(absl::string_view(shown.data(), shown.size())),
                     key.size() > kMaxKeyShown ? "..." : "");
}

// Served from poll() and flush() on the thread that calls Send/Flush; the counters are atomic so
// that delivered()/failed() may be read from another thread (metrics).
class DeliveryReports : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      delivered_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    failed_.fetch_add(1, std::memory_order_relaxed);
    if (first_failure_.ok()) {
      const std::string_view key(static_cast<const char*>(message.key_pointer()),
                                 message.key_pointer() != nullptr ? message.key_len() : 0);
      first_failure_ = FromKafkaError(
          message.err(),
          fmt::format("kafka: delivery to {}",
                      Where(message.topic_name(), message.partition(), key)));
    }
  }

  absl::Status TakeFirstFailure() { return std::exchange(first_failure_, absl::OkStatus()); }
  int64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  int64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_{0};
  absl::Status first_failure_;
};

}  // namespace

struct KafkaProducer::State {
  // Declared before the producer, which calls it until destroyed.
  DeliveryReports reports;
  std::unique_ptr<RdKafka::Producer> producer;
  std::map<std::string, int32_t, std::less<>> partition_counts;
};

KafkaProducer::KafkaProducer(std::unique_ptr<State> state) : state_(std::move(state)) {}

absl::StatusOr<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const ClientOptions& options) {
  TW_ASSIGN_OR_RETURN(KafkaProperties properties,
                      ClientProperties(options, "producer",
                                       {{"enable.idempotence", "true"},
                                        {"acks", "all"},
                                        {"compression.type", "lz4"},
                                        {"linger.ms", "5"},
                                        {"queue.buffering.max.messages", "200000"},
                                        {"queue.buffering.max.kbytes", "65536"},
                                        {"batch.num.messages", "10000"}}));
  TW_ASSIGN_OR_RETURN(std::unique_ptr<RdKafka::Conf> conf, NewCppConf(properties));
  auto state = std::make_unique<State>();
  std::string error;
  if (conf->set("dr_cb", &state->reports, error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(fmt::format("kafka producer: delivery callback: {}", error));
  }
  state->producer.reset(RdKafka::Producer::create(conf.get(), error));
  if (state->producer == nullptr) {
    // Properties valid one by one can still conflict (enable.idempotence with acks=1).
    return absl::InvalidArgumentError(fmt::format("kafka producer: {}", error));
  }
  return std::unique_ptr<KafkaProducer>(new KafkaProducer(std::move(state)));
}

KafkaProducer::~KafkaProducer() {
  if (state_->producer->flush(kCloseFlushMs) != RdKafka::ERR_NO_ERROR) {
    Logger("kafka")->error("kafka producer: {} records undelivered after {} ms at close",
                           state_->producer->outq_len(), kCloseFlushMs);
  }
  if (absl::Status failure = state_->reports.TakeFirstFailure(); !failure.ok()) {
    Logger("kafka")->error("kafka producer: delivery failed and was never flushed: {}",
                           std::string(failure.message()));
  }
}

absl::Status KafkaProducer::Send(OutgoingRecord record) {
  if (record.partition < 0) {
    return absl::InvalidArgumentError(
        fmt::format("kafka: send to {}: partition is negative",
                    Where(record.topic, record.partition, record.key)));
  }
  std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
  for (const RecordHeader& header : record.headers) {
    headers->add(header.name, header.value.data(), header.value.size());
  }
  const auto deadline = std::chrono::steady_clock::now() + kQueueFullWait;
  for (;;) {
    const RdKafka::ErrorCode err = state_->producer->produce(
        record.topic, record.partition, RdKafka::Producer::RK_MSG_COPY, record.value.data(),
        record.value.size(), record.key.data(), record.key.size(), 0, headers.get(), nullptr);
    if (err == RdKafka::ERR_NO_ERROR) {
      // produce() took the headers.
      headers.release();
      state_->producer->poll(0);
      return absl::OkStatus();
    }
    if (err != RdKafka::ERR__QUEUE_FULL || std::chrono::steady_clock::now() >= deadline) {
      return FromKafkaError(
          err, fmt::format("kafka: send to {}", Where(record.topic, record.partition, record.key)));
    }
    // The local queue drains as deliveries are confirmed; serving the reports frees it.
    state_->producer->poll(100);
  }
}

absl::Status KafkaProducer::Flush(int timeout_ms) {
  const RdKafka::ErrorCode err = state_->producer->flush(timeout_ms);
  if (absl::Status failure = state_->reports.TakeFirstFailure(); !failure.ok()) return failure;
  if (err == RdKafka::ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        fmt::format("kafka: flush: {} records still queued after {} ms",
                    state_->producer->outq_len(), timeout_ms));
  }
  return FromKafkaError(err, "kafka: flush");
}

namespace {

// Takes ownership of librdkafka's transactional error object.
absl::Status FromTransactionError(RdKafka::Error* raw, std::string_view step) {
  std::unique_ptr<RdKafka::Error> error(raw);
  if (error == nullptr) return absl::OkStatus();
  const std::string message = fmt::format("kafka: {}: {} ({})", step, error->str(), error->name());
  if (error->is_fatal()) {
    return absl::AbortedError(message + "; the producer is unusable (fatal or fenced)");
  }
  if (error->txn_requires_abort()) {
    return absl::FailedPreconditionError(message + "; the transaction must be aborted");
  }
  if (error->is_retriable()) return absl::UnavailableError(message + "; retriable");
  return absl::InternalError(message);
}

}  // namespace

absl::Status KafkaProducer::InitTransactions(int timeout_ms) {
  return FromTransactionError(state_->producer->init_transactions(timeout_ms),
                              "init transactions");
}

absl::Status KafkaProducer::BeginTransaction() {
  return FromTransactionError(state_->producer->begin_transaction(), "begin transaction");
}

absl::Status KafkaProducer::SendOffsetsToTransaction(const std::vector<TopicPartition>& offsets,
                                                     const ConsumerGroupMetadata& group,
                                                     int timeout_ms) {
  std::vector<RdKafka::TopicPartition*> list;
  for (const TopicPartition& tp : offsets) {
    RdKafka::TopicPartition* p = RdKafka::TopicPartition::create(tp.topic, tp.partition);
    p->set_offset(tp.offset);
    list.push_back(p);
  }
  absl::Status status = FromTransactionError(
      state_->producer->send_offsets_to_transaction(list, group.impl().metadata.get(),
                                                    timeout_ms),
      "send offsets to transaction");
  RdKafka::TopicPartition::destroy(list);
  return status;
}

absl::Status KafkaProducer::CommitTransaction(int timeout_ms) {
  return FromTransactionError(state_->producer->commit_transaction(timeout_ms),
                              "commit transaction");
}

absl::Status KafkaProducer::AbortTransaction(int timeout_ms) {
  return FromTransactionError(state_->producer->abort_transaction(timeout_ms),
                              "abort transaction");
}

absl::StatusOr<int32_t> KafkaProducer::PartitionCount(const std::string& topic) {
  if (auto it = state_->partition_counts.find(topic); it != state_->partition_counts.end()) {
    return it->second;
  }
  TW_ASSIGN_OR_RETURN(int32_t count,
                      PartitionCountOf(state_->producer->c_ptr(), topic, kMetadataTimeoutMs));
  state_->partition_counts[topic] = count;
  return count;
}

int64_t KafkaProducer::delivered() const { return state_->reports.delivered(); }

int64_t KafkaProducer::failed() const { return state_->reports.failed(); }

}  // namespace tradewatch::kafka
