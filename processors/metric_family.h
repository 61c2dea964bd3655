// Declaring a Prometheus metric family in one call, for the processors' metric classes
// (processor_metrics, shipping_stream's ShippingMetrics).
#pragma once

#include <string>
#include <type_traits>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace tradewatch::processors {

// Registers the family `name` of metric type T (Counter, Gauge or Histogram) in `registry`.
template <typename T>
prometheus::Family<T>& DeclareFamily(prometheus::Registry& registry, const std::string& name,
                                     const std::string& help) {
  if constexpr (std::is_same_v<T, prometheus::Counter>) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
  } else if constexpr (std::is_same_v<T, prometheus::Gauge>) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
  } else {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
  }
}

}  // namespace tradewatch::processors
