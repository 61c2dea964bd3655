#include "common/kafka/kafka_admin.h"

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>

#include "common/kafka/kafka_status.h"
#include "common/kafka/mock_cluster.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace tradewatch::kafka {
namespace {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const { Destroy(p); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_t, rd_kafka_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t,
                    Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using QueuePtr =
    std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using EventPtr =
    std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
using MetadataPtr =
    std::unique_ptr<const rd_kafka_metadata_t,
                    Deleter<const rd_kafka_metadata_t, rd_kafka_metadata_destroy>>;

// Owns the NewTopic objects of one request.
class NewTopics {
 public:
  ~NewTopics() { rd_kafka_NewTopic_destroy_array(topics_.data(), topics_.size()); }
  void Add(rd_kafka_NewTopic_t* topic) { topics_.push_back(topic); }
  rd_kafka_NewTopic_t** data() { return topics_.data(); }
  size_t size() const { return topics_.size(); }

 private:
  std::vector<rd_kafka_NewTopic_t*> topics_;
};

// topic -> partition count, from one metadata request for all topics. Topics that the broker
// reports with an error other than "unknown" (a leader election in progress) still exist.
absl::StatusOr<std::map<std::string, int32_t>> AllTopics(rd_kafka_t* handle, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  TW_RETURN_IF_ERROR(FromKafkaError(rd_kafka_metadata(handle, 1, nullptr, &raw, timeout_ms),
                                    "kafka: metadata request"));
  MetadataPtr metadata(raw);
  std::map<std::string, int32_t> topics;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    if (topic.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    topics[topic.topic] = topic.partition_cnt;
  }
  return topics;
}

absl::Status ValidateSpec(const TopicSpec& spec) {
  if (spec.name.empty()) return absl::InvalidArgumentError("kafka admin: empty topic name");
  if (spec.partitions < 1) {
    return absl::InvalidArgumentError(fmt::format(
        "kafka admin: topic {}: partition count {} is not >= 1", spec.name, spec.partitions));
  }
  return absl::OkStatus();
}

absl::Status CreateOnMock(MockCluster* mock, const std::vector<TopicSpec>& missing) {
  for (const TopicSpec& spec : missing) {
    absl::Status status = mock->CreateTopic(spec.name, spec.partitions);
    if (!status.ok() && !absl::IsAlreadyExists(status)) return status;
    Logger("kafka")->info(
        "created topic {} with {} partitions on the embedded cluster (which has no topic "
        "configs: cleanup.policy, retention.ms and configs not applied)",
        spec.name, spec.partitions);
  }
  return absl::OkStatus();
}

absl::Status AddConfig(rd_kafka_NewTopic_t* topic, const std::string& name, const char* key,
                       const std::string& value) {
  return FromKafkaError(rd_kafka_NewTopic_set_config(topic, key, value.c_str()),
                        fmt::format("kafka admin: topic {}: config {}", name, key));
}

absl::Status CreateWithAdminApi(rd_kafka_t* handle, const std::vector<TopicSpec>& missing,
                                int timeout_ms) {
  NewTopics topics;
  std::vector<std::string> names;
  char error[512];
  for (const TopicSpec& spec : missing) {
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(
        spec.name.c_str(), spec.partitions, spec.replication_factor, error, sizeof(error));
    if (topic == nullptr) {
      return absl::InvalidArgumentError(
          fmt::format("kafka admin: topic {}: {}", spec.name, error));
    }
    topics.Add(topic);
    names.push_back(spec.name);
    if (!spec.cleanup_policy.empty()) {
      TW_RETURN_IF_ERROR(AddConfig(topic, spec.name, "cleanup.policy", spec.cleanup_policy));
    }
    if (spec.retention_ms > 0) {
      TW_RETURN_IF_ERROR(
          AddConfig(topic, spec.name, "retention.ms", std::to_string(spec.retention_ms)));
    }
    for (const auto& [key, value] : spec.configs) {
      TW_RETURN_IF_ERROR(AddConfig(topic, spec.name, key.c_str(), value));
    }
  }
  const std::string context =
      fmt::format("kafka admin: create topics {}", fmt::join(names, ", "));
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, error,
                                                sizeof(error)) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, error,
                                                  sizeof(error)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InvalidArgumentError(
        fmt::format("{}: timeout {} ms: {}", context, timeout_ms, error));
  }
  QueuePtr queue(rd_kafka_queue_new(handle));
  rd_kafka_CreateTopics(handle, topics.data(), topics.size(), options.get(), queue.get());
  // librdkafka always answers once its request timeout has passed; the margin covers the
  // controller look-up that precedes the request.
  EventPtr event(rd_kafka_queue_poll(queue.get(), 2 * timeout_ms + 5000));
  if (event == nullptr) {
    return absl::DeadlineExceededError(fmt::format("{}: no answer", context));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return FromKafkaError(rd_kafka_event_error(event.get()),
                          fmt::format("{} ({})", context,
                                      rd_kafka_event_error_string(event.get())));
  }
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
      rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    const std::string name = rd_kafka_topic_result_name(results[i]);
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      Logger("kafka")->info("topic {} was created concurrently", name);
      continue;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* detail = rd_kafka_topic_result_error_string(results[i]);
      return FromKafkaError(err, fmt::format("kafka admin: create topic {} ({})", name,
                                             detail != nullptr ? detail : ""));
    }
    Logger("kafka")->info("created topic {}", name);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EnsureTopics(const ClientOptions& options, const std::vector<TopicSpec>& topics,
                          int timeout_ms) {
  for (const TopicSpec& spec : topics) TW_RETURN_IF_ERROR(ValidateSpec(spec));
  if (topics.empty()) return absl::OkStatus();
  TW_ASSIGN_OR_RETURN(KafkaProperties properties, ClientProperties(options, "admin", {}));
  TW_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, NewCConf(properties));
  char error[512];
  HandlePtr handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(fmt::format("kafka admin: {}", error));
  }
  TW_ASSIGN_OR_RETURN(auto existing, AllTopics(handle.get(), timeout_ms));
  std::vector<TopicSpec> missing;
  for (const TopicSpec& spec : topics) {
    auto it = existing.find(spec.name);
    if (it == existing.end()) {
      missing.push_back(spec);
    } else if (it->second != spec.partitions) {
      Logger("kafka")->info("topic {} exists with {} partitions (configured {}); left as it is",
                            spec.name, it->second, spec.partitions);
    }
  }
  if (missing.empty()) return absl::OkStatus();
  if (MockCluster* mock = MockCluster::Find(options.brokers); mock != nullptr) {
    return CreateOnMock(mock, missing);
  }
  return CreateWithAdminApi(handle.get(), missing, timeout_ms);
}

absl::StatusOr<int32_t> PartitionCountOf(rd_kafka_s* handle, const std::string& topic,
                                         int timeout_ms) {
  TW_ASSIGN_OR_RETURN(auto topics, AllTopics(handle, timeout_ms));
  auto it = topics.find(topic);
  if (it == topics.end()) {
    return absl::NotFoundError(fmt::format("kafka: topic {} not in cluster metadata", topic));
  }
  return it->second;
}

}  // namespace tradewatch::kafka
