// Reads whole topics back as an independent consumer would, for integration tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_consumer.h"
#include "common/status_macros.h"

namespace tradewatch::testing {

struct ReadRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<RecordHeader> headers;

  std::string header(std::string_view name) const {
    for (const RecordHeader& h : headers) {
      if (h.name == name) return h.value;
    }
    return "";
  }
};

// Every record of `topic` up to its current end, partition by partition, in offset order.
inline absl::StatusOr<std::vector<ReadRecord>> ReadTopic(const kafka::ClientOptions& client,
                                                         const std::string& topic) {
  TW_ASSIGN_OR_RETURN(auto reader, kafka::KafkaConsumer::CreateReader(client));
  TW_ASSIGN_OR_RETURN(int32_t partitions, reader->PartitionCount(topic, 10000));
  std::vector<ReadRecord> out;
  for (int32_t p = 0; p < partitions; ++p) {
    TW_ASSIGN_OR_RETURN(auto marks, reader->Watermarks(topic, p, 10000));
    TW_RETURN_IF_ERROR(kafka::ReadPartitionRange(
        client, topic, p, kafka::kOffsetBeginning, marks.second,
        [&](const kafka::ConsumedRecord& r) -> absl::Status {
          out.push_back({r.partition(), r.offset(), std::string(r.key()), std::string(r.value()),
                         r.headers()});
          return absl::OkStatus();
        }));
  }
  return out;
}

}  // namespace tradewatch::testing
