// The ingest stage's Prometheus metrics, declared once and built from one registry: records
// published to the observation topic and records rejected to the dead-letter topic by reason
// (bounded: the reasons of rejected.proto); and, for the Census API poller only, its health.
#pragma once

#include <string>
#include <string_view>

#include "ingest/poll_error.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
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

// The Census API poller's health (`ingest census --api --watch`). Timestamps are seconds since
// the epoch, 0 until the first event; periods are yyyymm. Labels are bounded: poll outcomes and
// PollErrorKind names. Thread-safe (prometheus-cpp metrics).
class CensusPollMetrics {
 public:
  // `registry` must outlive this object.
  explicit CensusPollMetrics(prometheus::Registry& registry);

  // tradewatch_ingest_census_polls_total{outcome}: polls by outcome, one of new_release,
  // revision, unchanged, no_data, failed (the counters exist from the start).
  prometheus::Counter& Polls(std::string_view outcome);
  // tradewatch_ingest_census_poll_errors_total{kind}: failed HTTP attempts and failed poll steps
  // (cache, publish) by kind: a 500 answered by a success on retry counts one http_5xx.
  prometheus::Counter& Errors(PollErrorKind kind);

  // tradewatch_ingest_census_consecutive_poll_failures: polls failed in a row (0 after a success).
  prometheus::Gauge& consecutive_failures;
  // tradewatch_ingest_census_last_success_timestamp_seconds: time of the last successful poll
  // (new data or not).
  prometheus::Gauge& last_success;
  // tradewatch_ingest_census_last_release_timestamp_seconds: when the last new month was published.
  prometheus::Gauge& last_release;
  // tradewatch_ingest_census_last_release_period_yyyymm: the latest month published.
  prometheus::Gauge& last_release_period;
  // tradewatch_ingest_census_revised_observations_total: observations republished with a new
  // vintage because Census revised their value.
  prometheus::Counter& revised;
  // tradewatch_ingest_census_next_release_period_yyyymm: the month whose release is awaited.
  prometheus::Gauge& next_period;
  // tradewatch_ingest_census_next_release_expected_timestamp_seconds: its expected day.
  prometheus::Gauge& next_expected;
  // tradewatch_ingest_census_release_deadline_timestamp_seconds: its expected day plus the
  // missed-release margin; TradewatchCensusReleaseMissed fires once it has passed.
  prometheus::Gauge& release_deadline;

 private:
  prometheus::Family<prometheus::Counter>& polls_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace tradewatch::ingest
