#include "ingest/ingest_metrics.h"

namespace tradewatch::ingest {
namespace {

prometheus::Gauge& Gauge(prometheus::Registry& registry, const std::string& name,
                         const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

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

CensusPollMetrics::CensusPollMetrics(prometheus::Registry& registry)
    : consecutive_failures(Gauge(registry, "tradewatch_ingest_census_consecutive_poll_failures",
                                 "Census API polls failed in a row (0 after a success).")),
      last_success(Gauge(registry, "tradewatch_ingest_census_last_success_timestamp_seconds",
                         "Time of the last successful Census API poll, seconds since the epoch.")),
      last_release(Gauge(registry, "tradewatch_ingest_census_last_release_timestamp_seconds",
                         "When the last new Census month was published, seconds since the "
                         "epoch.")),
      last_release_period(Gauge(registry, "tradewatch_ingest_census_last_release_period_yyyymm",
                                "The latest Census month published, yyyymm.")),
      revised(prometheus::BuildCounter()
                  .Name("tradewatch_ingest_census_revised_observations_total")
                  .Help("Observations republished with a new vintage after a Census revision.")
                  .Register(registry)
                  .Add({})),
      next_period(Gauge(registry, "tradewatch_ingest_census_next_release_period_yyyymm",
                        "The month whose Census release is awaited, yyyymm.")),
      next_expected(Gauge(registry,
                          "tradewatch_ingest_census_next_release_expected_timestamp_seconds",
                          "Expected day of the awaited Census release, seconds since the epoch.")),
      release_deadline(
          Gauge(registry, "tradewatch_ingest_census_release_deadline_timestamp_seconds",
                "Expected day of the awaited Census release plus the missed-release margin, "
                "seconds since the epoch.")),
      polls_(prometheus::BuildCounter()
                 .Name("tradewatch_ingest_census_polls_total")
                 .Help("Census API polls by outcome.")
                 .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("tradewatch_ingest_census_poll_errors_total")
                  .Help("Failed Census API attempts and poll steps, by kind.")
                  .Register(registry)) {
  for (const char* outcome : {"new_release", "revision", "unchanged", "no_data", "failed"}) {
    polls_.Add({{"outcome", outcome}});
  }
}

prometheus::Counter& CensusPollMetrics::Polls(std::string_view outcome) {
  return polls_.Add({{"outcome", std::string(outcome)}});
}

prometheus::Counter& CensusPollMetrics::Errors(PollErrorKind kind) {
  return errors_.Add({{"kind", std::string(PollErrorKindName(kind))}});
}

}  // namespace tradewatch::ingest
