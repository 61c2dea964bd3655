// Records leaving a stage, and the role that takes them (Kafka in production, a fake in tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace tradewatch {

// A record header: name and bytes.
struct RecordHeader {
  std::string name;
  std::string value;
};

// One record to write. The partition is chosen by the caller (from the record's partition key),
// never by the client's key hash, so all partners of one product code meet on one partition.
struct OutgoingRecord {
  std::string topic;        // full topic name, prefix included
  int32_t partition = 0;    // explicit partition, 0..partitions-1
  std::string key;          // compaction key: the record's full identity
  std::string value;        // serialized protobuf
  std::vector<RecordHeader> headers;
};

// Where a stage writes its records. Not thread-safe unless an implementation says so.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues one record. An error means the record was not queued (the caller still owns it).
  // Delivery failures of queued records surface from Flush.
  virtual absl::Status Send(OutgoingRecord record) = 0;
  // Waits until every queued record is delivered or failed; returns the first delivery failure
  // since the last Flush (naming topic, partition and key), or DeadlineExceeded.
  virtual absl::Status Flush(int timeout_ms) = 0;
};

}  // namespace tradewatch
