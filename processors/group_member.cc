#include "processors/group_member.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

std::string Position(const kafka::ConsumedRecord& record) {
  return fmt::format("{}/{}@{}", record.topic(), record.partition(), record.offset());
}

}  // namespace

OutgoingRecord ConsumedDeadLetter(const kafka::ConsumedRecord& record, v1::RejectReason reason,
                                  const std::string& message, const std::string& deadletter_topic) {
  v1::RejectedRecord reject;
  reject.set_reason(reason);
  const std::string position = Position(record);
  reject.set_message(fmt::format("{}: {}", position, message));
  reject.mutable_position()->set_source(position);
  reject.set_raw(std::string(record.value()));
  OutgoingRecord out;
  out.topic = deadletter_topic;
  out.partition = 0;
  out.key = std::string(record.topic());
  out.value = reject.SerializeAsString();
  out.headers.push_back({std::string(kHeaderEventId), EventId(position, out.value)});
  out.headers.push_back(
      {std::string(kHeaderSchema), v1::RejectedRecord::descriptor()->full_name()});
  out.headers.push_back({std::string(kHeaderSource), position});
  out.headers.push_back({std::string(kHeaderReason), ShortName(reason)});
  return out;
}

absl::Status GroupMember::Join(const std::map<std::string, std::string>& member_properties,
                               const std::string& group_id, const std::string& topic) {
  kafka::ClientOptions member = client_;
  for (const auto& [property, value] : member_properties) member.properties[property] = value;
  member_properties_ = member_properties;
  group_id_ = group_id;
  topic_ = topic;
  TW_ASSIGN_OR_RETURN(consumer_, kafka::KafkaConsumer::CreateMember(member, group_id, this));
  TW_RETURN_IF_ERROR(consumer_->Subscribe({topic}));
  Logger(name_)->info("joined group {} on {}", group_id, topic);
  return absl::OkStatus();
}

void GroupMember::OnAssigned(std::vector<kafka::TopicPartition>* partitions) {
  auto committed = consumer_->Committed(*partitions, 30000);
  if (!committed.ok()) {
    rebalance_error_ = committed.status();
    return;
  }
  for (size_t i = 0; i < partitions->size(); ++i) {
    kafka::TopicPartition& tp = (*partitions)[i];
    const int64_t offset = (*committed)[i].offset;
    ResetPartition(tp.partition);
    if (std::find(assigned_.begin(), assigned_.end(), tp.partition) == assigned_.end()) {
      assigned_.push_back(tp.partition);
    }
    if (offset >= 0) {
      absl::Status restored = kafka::ReadPartitionRange(
          client_, tp.topic, tp.partition, kafka::kOffsetBeginning, offset,
          [&](const kafka::ConsumedRecord& record) { return Replay(tp.partition, record); });
      if (!restored.ok()) {
        rebalance_error_ = restored;
        return;
      }
      tp.offset = offset;
    } else {
      tp.offset = kafka::kOffsetBeginning;
    }
    Logger(name_)->info("assigned {}/{}: state rebuilt from {} records, consuming from {}",
                        tp.topic, tp.partition, offset >= 0 ? offset : 0,
                        offset >= 0 ? std::to_string(offset) : std::string("the beginning"));
  }
}

void GroupMember::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  // Exactly once: what was consumed so far is committed while the generation is still ours;
  // on failure the transaction is aborted, and the next assignment rebuilds from the last commit.
  if (transactions_ != nullptr && in_transaction_) {
    if (absl::Status status = CommitOrAbort("revocation"); !status.ok()) rebalance_error_ = status;
  }
  for (const kafka::TopicPartition& tp : partitions) {
    DropPartition(tp.partition);
    std::erase(assigned_, tp.partition);
    Logger(name_)->info("revoked {}/{}: state dropped", tp.topic, tp.partition);
  }
}

absl::Status GroupMember::Poll(int timeout_ms) {
  polled_record_ = false;
  absl::StatusOr<std::optional<kafka::ConsumedRecord>> record = consumer_->Poll(timeout_ms);
  if (!rebalance_error_.ok()) return std::exchange(rebalance_error_, absl::OkStatus());
  // Consumer errors (a broker connection lost, a rebalance under way) are transient: librdkafka
  // recovers by itself, so they are logged and counted, not fatal.
  if (!record.ok()) {
    Transient(record.status());
    return absl::OkStatus();
  }
  if (!*record) {
    // Idle: commit what is open (dead letters between markers) before it times out.
    if (transactions_ != nullptr && in_transaction_ && timeout_ms > 0) return CommitTransaction();
    return absl::OkStatus();
  }
  polled_record_ = true;
  if (transactions_ == nullptr) return Handle(**record);
  if (!in_transaction_) {
    if (absl::Status begun = transactions_->BeginTransaction(); !begun.ok()) {
      return AbortAndRejoin(begun);
    }
    in_transaction_ = true;
  }
  pending_offsets_[(*record)->partition()] = (*record)->offset() + 1;
  if (absl::Status handled = Handle(**record); !handled.ok()) return AbortAndRejoin(handled);
  return absl::OkStatus();
}

absl::Status GroupMember::TryCommit() {
  std::vector<kafka::TopicPartition> offsets;
  for (const auto& [p, next] : pending_offsets_) offsets.push_back({topic_, p, next});
  absl::StatusOr<std::unique_ptr<kafka::ConsumerGroupMetadata>> metadata =
      consumer_->GroupMetadata();
  absl::Status status = metadata.status();
  if (status.ok()) status = transactions_->SendOffsetsToTransaction(offsets, **metadata, 30000);
  if (status.ok()) status = transactions_->CommitTransaction(60000);
  if (status.ok()) {
    in_transaction_ = false;
    pending_offsets_.clear();
  }
  return status;
}

absl::Status GroupMember::CommitOrAbort(std::string_view when) {
  absl::Status status = TryCommit();
  if (status.ok()) return status;
  // The next owner of the partitions redoes what was consumed from the last commit.
  Logger(name_)->warn("commit at {}: {}; aborting", when, std::string(status.message()));
  in_transaction_ = false;
  pending_offsets_.clear();
  return absl::IsAborted(status) ? status : transactions_->AbortTransaction(30000);
}

absl::Status GroupMember::CommitTransaction() {
  if (!in_transaction_) return absl::OkStatus();
  if (absl::Status status = TryCommit(); !status.ok()) return AbortAndRejoin(status);
  return absl::OkStatus();
}

absl::Status GroupMember::AbortAndRejoin(const absl::Status& cause) {
  in_transaction_ = false;
  pending_offsets_.clear();
  if (absl::IsAborted(cause)) return cause;  // fenced or fatal: this producer is done
  Logger(name_)->warn("{}: aborting the transaction and rejoining the group (state rebuilt from "
                      "the committed offsets)",
                      std::string(cause.message()));
  TW_RETURN_IF_ERROR(transactions_->AbortTransaction(30000));
  // Leaving revokes every partition; joining again assigns partitions whose state OnAssigned
  // rebuilds from the committed offsets, and consumption resumes there.
  TW_RETURN_IF_ERROR(consumer_->Close());
  consumer_.reset();
  assigned_.clear();
  return Join(member_properties_, group_id_, topic_);
}

absl::Status GroupMember::DeliverAndCommit(const kafka::ConsumedRecord& record) {
  if (transactions_ != nullptr) return CommitTransaction();
  TW_RETURN_IF_ERROR(sink_->Flush(60000));
  if (auto committed = consumer_->Commit({{topic_, record.partition(), record.offset() + 1}});
      !committed.ok()) {
    Transient(committed);
  }
  return absl::OkStatus();
}

void GroupMember::Transient(const absl::Status& status) {
  Logger(name_)->warn("{} (carrying on)", std::string(status.message()));
  OnTransient(status);
}

absl::Status GroupMember::SendDeadLetter(const kafka::ConsumedRecord& record,
                                         v1::RejectReason reason, const std::string& message,
                                         const std::string& deadletter_topic) {
  Logger(name_)->warn("dead letter: {}: {}", Position(record), message);
  return sink_->Send(ConsumedDeadLetter(record, reason, message, deadletter_topic));
}

absl::Status GroupMember::Close() {
  if (closed_ || consumer_ == nullptr) return absl::OkStatus();
  // A clean stop commits what was consumed; if that fails, the next owner redoes it.
  if (transactions_ != nullptr && in_transaction_) (void)CommitOrAbort("close");
  closed_ = true;
  TW_RETURN_IF_ERROR(sink_->Flush(30000));
  auto status = consumer_->Close();
  Logger(name_)->info("left group {}", group_id_);
  return status;
}

}  // namespace tradewatch::processors
