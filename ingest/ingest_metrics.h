// The ingest stage's Prometheus metrics, declared once and built from one registry: records
// published to the observation topic and records rejected to the dead-letter topic by reason
// (bounded: the reasons of rejected.proto).
#pragma once

#include <string>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace tradewatch::ingest {

class IngestMetrics {
 public:
  // `registry` must outlive this object.
  explicit IngestMetrics(prometheus::Registry& registry);

  // tradewatch_ingest_records_published_total: observations sent to the observation topic.
  prometheus::Counter& published;
  // tradewatch_ingest_records_rejected_total{reason}: rejected records sent to the dead-letter
  // topic.
  prometheus::Counter& Rejected(const std::string& reason);

 private:
  prometheus::Family<prometheus::Counter>& rejected_;
};

}  // namespace tradewatch::ingest
