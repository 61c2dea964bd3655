// Where the PortWatch reader delivers what it reads: chokepoint transits and rejected records.
// Readers call the sink synchronously, on the reader's thread.
#pragma once

#include <vector>

#include "tradewatch/v1/rejected.pb.h"
#include "tradewatch/v1/shipping.pb.h"

namespace tradewatch::ingest {

class TransitSink {
 public:
  virtual ~TransitSink() = default;
  // `transit` is only valid during the call; copy it to keep it.
  virtual void OnTransit(const tradewatch::v1::ChokepointTransit& transit) = 0;
  virtual void OnReject(const tradewatch::v1::RejectedRecord& reject) = 0;
};

// Keeps everything it is given, in order. For tests and for `tradewatch report chokepoints`.
class CollectingTransitSink : public TransitSink {
 public:
  void OnTransit(const tradewatch::v1::ChokepointTransit& transit) override {
    transits.push_back(transit);
  }
  void OnReject(const tradewatch::v1::RejectedRecord& reject) override {
    rejects.push_back(reject);
  }
  std::vector<tradewatch::v1::ChokepointTransit> transits;
  std::vector<tradewatch::v1::RejectedRecord> rejects;
};

}  // namespace tradewatch::ingest
