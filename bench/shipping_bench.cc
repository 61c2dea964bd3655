// The shipping loop's per-release work on the real PortWatch file
// (portwatch_chokepoints_daily_2024-01_2026-07.csv: 12 chokepoints x about 938 days):
// ShippingPartition::CloseRelease re-evaluates every chokepoint a release touched from its first
// day (7-day windows, baselines, episodes), then diffs against the previous evaluation.
//
// - FirstRelease: all 11,253 days in one release (a backfill, or a replay on assignment).
// - DailyRelease: the history held, one new day per chokepoint per release (PortWatch's daily
//   cadence): what a live release costs.
// - RestatedDay: one chokepoint's day a year back restated (a PortWatch restatement).
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "common/period.h"
#include "ingest/portwatch_reader.h"
#include "ingest/transit_sink.h"
#include "processors/shipping_processor.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

const std::string kFile = std::string(TRADEWATCH_SOURCE_DIR) +
                          "/../shared/data/imf_portwatch/portwatch_chokepoints_daily_2024-01_2026-07.csv";

struct Collect : ingest::TransitSink {
  std::vector<v1::ChokepointTransit> transits;
  void OnTransit(const v1::ChokepointTransit& t) override { transits.push_back(t); }
  void OnReject(const v1::RejectedRecord&) override {}
};

const std::vector<v1::ChokepointTransit>& RealTransits() {
  static const auto* const kTransits = [] {
    Collect sink;
    ingest::PortwatchReader reader({"bench", 1, 0}, &sink);
    if (!reader.ReadFile(kFile).ok()) std::abort();
    return new std::vector<v1::ChokepointTransit>(std::move(sink.transits));
  }();
  return *kTransits;
}

v1::ShippingReleaseMarker Marker(int32_t through) {
  v1::ShippingReleaseMarker m;
  m.set_release_id("bench");
  m.set_through_yyyymmdd(through);
  return m;
}

void BM_FirstRelease(benchmark::State& state) {
  const auto& transits = RealTransits();
  size_t statuses = 0;
  for (auto _ : state) {
    ShippingPartition partition{ChokepointOptions{}};
    for (const auto& t : transits) partition.Apply(t);
    auto results = partition.CloseRelease(Marker(0));
    statuses = results.statuses.size();
    benchmark::DoNotOptimize(results);
  }
  state.counters["days"] = static_cast<double>(transits.size());
  state.counters["statuses"] = static_cast<double>(statuses);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(transits.size()));
}
BENCHMARK(BM_FirstRelease)->Unit(benchmark::kMillisecond);

void BM_DailyRelease(benchmark::State& state) {
  const auto& transits = RealTransits();
  // Everything but the last day of each chokepoint, released; then each iteration releases the
  // last days again with alternating counts (a new value for each chokepoint's latest day).
  std::map<std::string, int32_t> last;
  for (const auto& t : transits) {
    last[t.chokepoint_id()] = std::max(last[t.chokepoint_id()], t.date_yyyymmdd());
  }
  ShippingPartition partition{ChokepointOptions{}};
  std::vector<v1::ChokepointTransit> latest;
  for (const auto& t : transits) {
    if (t.date_yyyymmdd() == last[t.chokepoint_id()]) {
      latest.push_back(t);
    } else {
      partition.Apply(t);
    }
  }
  partition.CloseRelease(Marker(0));
  int flip = 0;
  for (auto _ : state) {
    ++flip;
    for (v1::ChokepointTransit t : latest) {
      t.set_n_total(t.n_total() + (flip % 2));
      partition.Apply(t);
    }
    auto results = partition.CloseRelease(Marker(0));
    benchmark::DoNotOptimize(results);
  }
  state.counters["chokepoints"] = static_cast<double>(latest.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DailyRelease)->Unit(benchmark::kMillisecond);

void BM_RestatedDay(benchmark::State& state) {
  const auto& transits = RealTransits();
  ShippingPartition partition{ChokepointOptions{}};
  for (const auto& t : transits) partition.Apply(t);
  partition.CloseRelease(Marker(0));
  // Malacca's day one year before its last.
  v1::ChokepointTransit restated;
  for (const auto& t : transits) {
    if (t.chokepoint_id() == "chokepoint5" && t.date_yyyymmdd() == 20250701) restated = t;
  }
  int flip = 0;
  size_t statuses = 0;
  for (auto _ : state) {
    v1::ChokepointTransit t = restated;
    t.set_n_total(t.n_total() + (++flip % 2));
    partition.Apply(t);
    auto results = partition.CloseRelease(Marker(0));
    statuses = results.statuses.size();
    benchmark::DoNotOptimize(results);
  }
  state.counters["statuses"] = static_cast<double>(statuses);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RestatedDay)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tradewatch::processors

BENCHMARK_MAIN();
