#include "processors/processor_metrics.h"

#include <algorithm>
#include <string>

#include "processors/metric_family.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

// Buckets for the release latency: 5 ms to 10 s.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

ProcessorMetrics::ProcessorMetrics(prometheus::Registry& registry, TopShareOptions top_shares)
    : consumed(DeclareFamily<prometheus::Counter>(registry,
                                            "tradewatch_processor_records_consumed_total",
                                            "Observation-topic records consumed.")
                   .Add({})),
      releases(DeclareFamily<prometheus::Counter>(registry, "tradewatch_processor_releases_total",
                                            "Release markers processed (one per partition).")
                   .Add({})),
      consumer_errors(DeclareFamily<prometheus::Counter>(
                          registry, "tradewatch_processor_consumer_errors_total",
                          "Transient consumer and commit errors (logged; the loop carries on).")
                          .Add({})),
      latest_period(DeclareFamily<prometheus::Gauge>(
                        registry, "tradewatch_processor_latest_period_yyyymm",
                        "Latest statistical month with data, yyyymm.")
                        .Add({})),
      last_release_timestamp(
          DeclareFamily<prometheus::Gauge>(registry,
                                     "tradewatch_processor_last_release_timestamp_seconds",
                                     "Broker timestamp of the latest release marker processed.")
              .Add({})),
      release_latency(DeclareFamily<prometheus::Histogram>(
                          registry, "tradewatch_processor_release_latency_seconds",
                          "Release marker consumed to results delivered and offset committed.")
                          .Add({}, LatencyBuckets())),
      produced_(DeclareFamily<prometheus::Counter>(
          registry, "tradewatch_processor_records_produced_total", "Records delivered, by topic.")),
      rejected_(DeclareFamily<prometheus::Counter>(
          registry, "tradewatch_processor_records_rejected_total",
          "Observation-topic records sent to the dead-letter topic, by reason.")),
      upserts_(DeclareFamily<prometheus::Counter>(
          registry, "tradewatch_processor_upserts_total",
          "Observations applied to the table, by outcome (inserted, replaced, duplicate, "
          "conflict, stale).")),
      lag_(DeclareFamily<prometheus::Gauge>(registry, "tradewatch_processor_consumer_lag_records",
                                      "Records between the committed position and the end of "
                                      "each assigned partition.")),
      partner_share_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_trade_partner_share",
          "Trailing-twelve-month share of US imports of a product code from its top partners, "
          "0..1, at the latest period.")),
      route_exposure_(DeclareFamily<prometheus::Gauge>(
          registry, "tradewatch_trade_route_exposure",
          "Trailing-twelve-month share of US imports of a product code from the partners whose "
          "sea freight to the US passes a chokepoint (route table), 0..1, at the latest complete "
          "period. An upper bound of the value at sea: part of the trade flies.")),
      top_shares_(std::move(top_shares)) {
  top_shares_.partners = std::clamp(top_shares_.partners, 0, 20);
}

prometheus::Counter& ProcessorMetrics::Produced(const std::string& topic) {
  return produced_.Add({{"topic", topic}});
}

prometheus::Counter& ProcessorMetrics::Rejected(const std::string& reason) {
  return rejected_.Add({{"reason", reason}});
}

prometheus::Counter& ProcessorMetrics::Upserts(std::string_view outcome) {
  // Called per record: the family's label lookup is done once per outcome.
  auto it = upserts_by_outcome_.find(outcome);
  if (it != upserts_by_outcome_.end()) return *it->second;
  prometheus::Counter& counter = upserts_.Add({{"outcome", std::string(outcome)}});
  upserts_by_outcome_.emplace(std::string(outcome), &counter);
  return counter;
}

prometheus::Gauge& ProcessorMetrics::Lag(int32_t partition) {
  auto it = lag_by_partition_.find(partition);
  if (it != lag_by_partition_.end()) return *it->second;
  prometheus::Gauge& gauge = lag_.Add({{"partition", std::to_string(partition)}});
  lag_by_partition_[partition] = &gauge;
  return gauge;
}

void ProcessorMetrics::RemoveLag(int32_t partition) {
  auto it = lag_by_partition_.find(partition);
  if (it == lag_by_partition_.end()) return;
  lag_.Remove(it->second);
  lag_by_partition_.erase(it);
}

bool ProcessorMetrics::IsWatched(const v1::PartnerShares& shares) const {
  if (shares.flow() != v1::FLOW_IMPORTS || shares.window().kind() != v1::WINDOW_KIND_T12M ||
      shares.measure() != v1::MEASURE_GENERAL_IMPORTS ||
      shares.classification() != v1::CLASSIFICATION_NAICS) {
    return false;
  }
  return std::find(top_shares_.codes.begin(), top_shares_.codes.end(), shares.product_code()) !=
         top_shares_.codes.end();
}

void ProcessorMetrics::UpdateTopShares(const v1::PartnerShares& shares) {
  if (!IsWatched(shares)) return;
  const std::string& code = shares.product_code();
  TopShares& top = top_by_code_[code];
  const int32_t period = shares.window().end_period_yyyymm();
  if (period < top.period) return;
  top.period = period;
  for (prometheus::Gauge* gauge : top.gauges) partner_share_.Remove(gauge);
  top.gauges.clear();
  int listed = 0;
  for (const v1::PartnerShare& p : shares.partners()) {
    if (listed == top_shares_.partners) break;
    if (p.code() == "rest" || p.code() == "not_in_detail") continue;
    prometheus::Gauge& gauge = partner_share_.Add({{"flow", "imports"},
                                                   {"product_code", code},
                                                   {"partner", p.code()},
                                                   {"partner_name", p.name()},
                                                   {"window", "t12m"}});
    gauge.Set(p.share());
    top.gauges.push_back(&gauge);
    ++listed;
  }
}

void ProcessorMetrics::UpdateRouteExposures(const v1::PartnerShares& shares) {
  // Without partner detail (a total row only) every exposure would read 0: no figure is better.
  if (!IsWatched(shares) || !shares.window().complete() || shares.partner_count() == 0) return;
  const std::string& code = shares.product_code();
  TopShares& latest = exposures_by_code_[code];
  const int32_t period = shares.window().end_period_yyyymm();
  if (period < latest.period) return;
  latest.period = period;
  for (prometheus::Gauge* gauge : latest.gauges) route_exposure_.Remove(gauge);
  latest.gauges.clear();
  for (const v1::RouteExposure& e : shares.exposures()) {
    prometheus::Gauge& gauge = route_exposure_.Add({{"flow", "imports"},
                                                    {"product_code", code},
                                                    {"window", "t12m"},
                                                    {"chokepoint", e.chokepoint_id()}});
    gauge.Set(e.share());
    latest.gauges.push_back(&gauge);
  }
}

}  // namespace tradewatch::processors
