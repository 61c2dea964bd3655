// Where readers deliver what they read: observations (countries and aggregates alike) and
// rejected records. Readers call the sink synchronously, on the reader's thread.
#pragma once

#include <vector>

#include "tradewatch/v1/rejected.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::ingest {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // `observation` is only valid during the call; copy it to keep it.
  virtual void OnObservation(const tradewatch::v1::TradeObservation& observation) = 0;
  virtual void OnReject(const tradewatch::v1::RejectedRecord& reject) = 0;
};

// Keeps everything it is given, in order. For tests and for `tradewatch report`.
class CollectingSink : public RecordSink {
 public:
  void OnObservation(const tradewatch::v1::TradeObservation& observation) override {
    observations.push_back(observation);
  }
  void OnReject(const tradewatch::v1::RejectedRecord& reject) override {
    rejects.push_back(reject);
  }
  std::vector<tradewatch::v1::TradeObservation> observations;
  std::vector<tradewatch::v1::RejectedRecord> rejects;
};

}  // namespace tradewatch::ingest
