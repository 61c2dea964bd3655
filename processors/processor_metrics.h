// The processor's Prometheus metrics, declared once and built from one registry. Bounded: labels
// are topics, reasons, outcomes, partitions, the configured top-share codes' top partners and the
// route table's chokepoints.
//
// Thread-safety: prometheus-cpp metrics are safe to update from any thread; the top-share map is
// updated only from the processing thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "tradewatch/v1/results.pb.h"

namespace tradewatch::processors {

struct TopShareOptions {
  // Product codes whose T12M import shares and route exposures are exported ("3344").
  std::vector<std::string> codes;
  // Partners per code, at most 20.
  int partners = 5;
};

class ProcessorMetrics {
 public:
  ProcessorMetrics(prometheus::Registry& registry, TopShareOptions top_shares);

  // Observation-topic records consumed (observations, markers and bad records).
  prometheus::Counter& consumed;
  // Release markers processed (one per partition per release).
  prometheus::Counter& releases;
  // Transient consumer and commit errors the loop logged and carried on after.
  prometheus::Counter& consumer_errors;
  // Latest period with data, yyyymm, over every partition.
  prometheus::Gauge& latest_period;
  // Broker timestamp of the latest release marker processed, seconds since the epoch.
  prometheus::Gauge& last_release_timestamp;
  // Release marker consumed -> its results and alerts delivered and the offset committed.
  prometheus::Histogram& release_latency;

  prometheus::Counter& Produced(const std::string& topic);
  prometheus::Counter& Rejected(const std::string& reason);
  // `outcome`: inserted, replaced, duplicate, conflict or stale (the counters are created once).
  prometheus::Counter& Upserts(std::string_view outcome);
  prometheus::Gauge& Lag(int32_t partition);
  // Removes a partition's lag series (the partition was revoked).
  void RemoveLag(int32_t partition);

  // Refreshes tradewatch_trade_partner_share for a T12M imports result of a configured code when
  // it is the latest period seen for that code: the previous top partners' series are replaced.
  void UpdateTopShares(const tradewatch::v1::PartnerShares& shares);

  // Refreshes tradewatch_trade_route_exposure{flow, product_code, window, chokepoint} for a
  // complete T12M imports result of a configured code with partner detail, when it is the latest
  // such period seen for that code: one series per exposure of the result (per chokepoint of the
  // route table), replacing the previous ones.
  void UpdateRouteExposures(const tradewatch::v1::PartnerShares& shares);

 private:
  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& upserts_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Family<prometheus::Gauge>& partner_share_;
  prometheus::Family<prometheus::Gauge>& route_exposure_;
  TopShareOptions top_shares_;
  std::map<int32_t, prometheus::Gauge*> lag_by_partition_;
  std::map<std::string, prometheus::Counter*, std::less<>> upserts_by_outcome_;
  struct TopShares {
    int32_t period = 0;
    std::vector<prometheus::Gauge*> gauges;
  };
  std::map<std::string, TopShares> top_by_code_;
  std::map<std::string, TopShares> exposures_by_code_;

  // Whether `shares` is a T12M general-imports NAICS result of a configured code.
  bool IsWatched(const tradewatch::v1::PartnerShares& shares) const;
};

}  // namespace tradewatch::processors
