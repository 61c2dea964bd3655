#include "ingest/ingest_metrics.h"

namespace tradewatch::ingest {

IngestMetrics::IngestMetrics(prometheus::Registry& registry)
    : published(prometheus::BuildCounter()
                    .Name("tradewatch_ingest_records_published_total")
                    .Help("Observations published to the observation topic.")
                    .Register(registry)
                    .Add({})),
      rejected_(prometheus::BuildCounter()
                    .Name("tradewatch_ingest_records_rejected_total")
                    .Help("Rejected records published to the dead-letter topic, by reason.")
                    .Register(registry)) {}

prometheus::Counter& IngestMetrics::Rejected(const std::string& reason) {
  return rejected_.Add({{"reason", reason}});
}

}  // namespace tradewatch::ingest
