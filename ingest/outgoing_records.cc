#include "ingest/outgoing_records.h"

#include <utility>

#include "common/record_keys.h"
#include "fmt/format.h"
#include "ingest/read_summary.h"

namespace tradewatch::ingest {

OutgoingRecord TaggedRecord(const std::string& topic, int32_t partition, std::string key,
                            std::string value, std::string_view schema) {
  OutgoingRecord r;
  r.topic = topic;
  r.partition = partition;
  r.headers.push_back({std::string(kHeaderEventId), EventId(key, value)});
  r.headers.push_back({std::string(kHeaderSchema), std::string(schema)});
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

OutgoingRecord DeadLetterRecord(const std::string& topic,
                                const tradewatch::v1::RejectedRecord& reject) {
  OutgoingRecord record =
      TaggedRecord(topic, 0, reject.position().source(), reject.SerializeAsString(),
                   tradewatch::v1::RejectedRecord::descriptor()->full_name());
  record.headers.push_back(
      {std::string(kHeaderSource),
       fmt::format("{}:{}", reject.position().source(), reject.position().line())});
  record.headers.push_back({std::string(kHeaderReason), RejectReasonName(reject.reason())});
  return record;
}

}  // namespace tradewatch::ingest
