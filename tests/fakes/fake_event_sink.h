// An EventSink that keeps what it is sent, with test controls: fail the next Send or Flush.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/event_sink.h"

namespace tradewatch::testing {

class FakeEventSink : public EventSink {
 public:
  absl::Status Send(OutgoingRecord record) override {
    if (!send_error_.ok()) return std::exchange(send_error_, absl::OkStatus());
    records_.push_back(std::move(record));
    return absl::OkStatus();
  }
  absl::Status Flush(int /*timeout_ms*/) override {
    ++flushes_;
    return std::exchange(flush_error_, absl::OkStatus());
  }

  const std::vector<OutgoingRecord>& records() const { return records_; }
  std::vector<OutgoingRecord> TakeRecords() { return std::exchange(records_, {}); }
  int flushes() const { return flushes_; }
  void FailNextSend(absl::Status status) { send_error_ = std::move(status); }
  void FailNextFlush(absl::Status status) { flush_error_ = std::move(status); }

 private:
  std::vector<OutgoingRecord> records_;
  absl::Status send_error_;
  absl::Status flush_error_;
  int flushes_ = 0;
};

// The value of header `name`, or "" when absent.
inline std::string HeaderValue(const OutgoingRecord& record, std::string_view name) {
  for (const RecordHeader& h : record.headers) {
    if (h.name == name) return h.value;
  }
  return "";
}

}  // namespace tradewatch::testing
