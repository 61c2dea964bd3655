// Observations per second through the streaming pipeline on the embedded broker (librdkafka's
// in-process mock cluster), as `tradewatch demo` runs it: ObservationPublisher -> KafkaProducer
// -> observation topic -> StreamProcessor (parse, upsert, shares and balances of every changed
// series, window and period, the rule engine, results produced, flushed and the marker committed),
// and the same records read by a bare librdkafka consumer for comparison.
//
// Input, read once before any benchmark runs: every observation CensusReader delivers for the real
// 2024 NAICS 2-4 digit imports and exports by country (../shared/data, found through
// TRADEWATCH_SOURCE_DIR), published as ONE release (one marker per partition).
//
// - BM_PipelineThroughEmbeddedBroker: per iteration a fresh service (embedded broker, topics,
//   producer, processor joined to its group; not timed), then, timed: publish everything and
//   FinishRelease (markers and producer flush), then poll the processor until it has closed the
//   release on every partition. Sequential, as ReplayDemoData does it: the processor's consumer
//   thread already fetches (but nothing is processed) while the release is being published.
// - BM_ProcessorOnFilledTopic: the release already on the topic; per iteration a new processor
//   (a fresh group, so it reads from the beginning into fresh state) is joined (not timed), then
//   timed from its assignment until it has closed the release on every partition: the processor
//   alone over a full topic, what the bare consumer below reads.
// - BM_BareConsumerOnEmbeddedBroker: the same topic read by KafkaConsumer::CreateReader assigned
//   to every partition from the beginning, counting records only: the mock's physical limit.
//
// Every figure is wall-clock time (UseRealTime): librdkafka's threads do much of the work.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/kafka_consumer.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/observation_publisher.h"
#include "ingest/record_sink.h"
#include "tools/service.h"
#include "tools/service_config.h"
#include "tradewatch/v1/service.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;
using Clock = std::chrono::steady_clock;

const std::string kDataDir = std::string(TRADEWATCH_SOURCE_DIR) + "/../shared/data/";
const std::string kCountriesFile =
    kDataDir + "census_country_codes/schedule_c_countries_and_groups.csv";
constexpr const char* kFiles[] = {
    "census_naics_by_country/census_imports_naics2to4_by_country_2024_monthly.csv.gz",
    "census_naics_by_country/census_exports_naics2to4_by_country_2024_monthly.csv.gz",
};
constexpr int32_t kThroughPeriod = 202412;
// A release that has not closed by then has stalled: fail instead of hanging the run.
constexpr auto kReleaseDeadline = std::chrono::seconds(300);
constexpr auto kJoinDeadline = std::chrono::seconds(60);

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Corpus {
  std::vector<v1::TradeObservation> observations;
  int64_t rejects = 0;  // rows the readers rejected (not published)
};

absl::StatusOr<std::unique_ptr<Corpus>> LoadCorpus() {
  auto countries = ingest::CountryTable::Load(kCountriesFile);
  if (!countries.ok()) return countries.status();
  auto corpus = std::make_unique<Corpus>();
  for (const char* file : kFiles) {
    ingest::ReadOptions options;
    options.countries = &*countries;
    options.release_id = "bench";
    options.vintage = 1;
    ingest::CollectingSink sink;
    ingest::CensusReader reader(options, &sink);
    TW_RETURN_IF_ERROR(reader.ReadFile(kDataDir + file));
    for (const auto& [reason, count] : reader.summary().rejected) corpus->rejects += count;
    for (auto& o : sink.observations) corpus->observations.push_back(std::move(o));
  }
  return corpus;
}

// The default service configuration on the embedded broker, metrics endpoint off, reference data
// from the source tree (so the benchmark runs from any directory).
v1::ServiceConfig BenchConfig() {
  v1::ServiceConfig config;
  config.mutable_metrics()->set_disabled(true);
  config.mutable_processor()->set_countries_file(kCountriesFile);
  if (const char* env = std::getenv("TW_BENCH_PROPS")) {
    std::string all = env;
    size_t pos = 0;
    while (pos < all.size()) {
      size_t comma = all.find(',', pos);
      if (comma == std::string::npos) comma = all.size();
      std::string kv = all.substr(pos, comma - pos);
      size_t eq = kv.find('=');
      (*config.mutable_kafka()->mutable_properties())[kv.substr(0, eq)] = kv.substr(eq + 1);
      pos = comma + 1;
    }
  }
  ApplyDefaults(&config);
  return config;
}

// Polls the processor until its group has assigned it every observation partition.
absl::Status WaitForAssignment(processors::StreamProcessor& processor, int32_t partitions) {
  const auto deadline = Clock::now() + kJoinDeadline;
  while (static_cast<int32_t>(processor.assigned().size()) < partitions) {
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(fmt::format(
          "the processor was assigned {} of {} partitions within {} s",
          processor.assigned().size(), partitions, kJoinDeadline.count()));
    }
    TW_RETURN_IF_ERROR(processor.Poll(10));
  }
  return absl::OkStatus();
}

// Polls the processor until it has closed `expected` release markers (the demo's wait).
absl::Status WaitForMarkers(processors::StreamProcessor& processor, int64_t expected) {
  const auto deadline = Clock::now() + kReleaseDeadline;
  const auto t0 = Clock::now();
  int64_t last_markers = processor.markers_processed();
  int64_t polls = 0;
  while (processor.markers_processed() < expected) {
    ++polls;
    if (processor.markers_processed() != last_markers) {
      last_markers = processor.markers_processed();
      std::fprintf(stderr, "DBG marker %ld at %.3f s after %ld polls\n", (long)last_markers, Seconds(Clock::now() - t0), (long)polls);
    }
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(fmt::format(
          "the processor closed {} of {} release markers within {} s",
          processor.markers_processed(), expected, kReleaseDeadline.count()));
    }
    TW_RETURN_IF_ERROR(processor.Poll(50));
  }
  std::fprintf(stderr, "DBG done at %.3f s after %ld polls\n", Seconds(Clock::now() - t0), (long)polls);
  return absl::OkStatus();
}

// Publishes `observations` as one release and closes it (markers, producer flush).
absl::Status PublishRelease(Service& service, const std::vector<v1::TradeObservation>& observations,
                            const std::string& release_id, int64_t vintage) {
  ingest::ObservationPublisher publisher(service.publish_topics(), service.producer.get());
  for (const v1::TradeObservation& o : observations) publisher.OnObservation(o);
  return publisher.FinishRelease(release_id, vintage, kThroughPeriod);
}

// What the processor's metrics count, read before and after a measured stretch: sanity checks
// that every iteration did the same work, and the time from a marker's arrival to its commit
// (the partition's results computed, produced and flushed, the offset committed).
struct ProcessorCounts {
  double consumed = 0;
  double inserted = 0;
  double shares_produced = 0;
  double balances_produced = 0;
  double markers = 0;
  double marker_seconds = 0;

  static ProcessorCounts Of(const Service& s) {
    processors::ProcessorMetrics& m = *s.processor_metrics;
    const v1::KafkaConfig& k = s.config.kafka();
    ProcessorCounts c;
    c.consumed = m.consumed.Value();
    c.inserted = m.Upserts("inserted").Value();
    c.shares_produced = m.Produced(TopicName(k, k.topics().shares())).Value();
    c.balances_produced = m.Produced(TopicName(k, k.topics().balance())).Value();
    const prometheus::ClientMetric latency = m.release_latency.Collect();
    c.markers = static_cast<double>(latency.histogram.sample_count);
    c.marker_seconds = latency.histogram.sample_sum;
    return c;
  }
  ProcessorCounts operator-(const ProcessorCounts& o) const {
    return {consumed - o.consumed,           inserted - o.inserted,
            shares_produced - o.shares_produced, balances_produced - o.balances_produced,
            markers - o.markers,             marker_seconds - o.marker_seconds};
  }
};

// Counters of the last iteration's processor work (every iteration does the same).
void SetProcessorCounters(benchmark::State& state, const ProcessorCounts& c) {
  state.counters["consumed"] = c.consumed;
  state.counters["inserted"] = c.inserted;
  state.counters["shares_out"] = c.shares_produced;
  state.counters["balances_out"] = c.balances_produced;
  state.counters["markers"] = c.markers;
  state.counters["marker_close_ms"] = c.markers > 0 ? 1000.0 * c.marker_seconds / c.markers : 0;
}

void SetObservationCounters(benchmark::State& state, const Corpus& corpus) {
  const auto n = static_cast<int64_t>(corpus.observations.size());
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["observations"] = static_cast<double>(n);
  state.counters["rejected_rows"] = static_cast<double>(corpus.rejects);
}

#define BENCH_CHECK_OK(expr)                                              \
  if (absl::Status status_ = (expr); !status_.ok()) {                     \
    state.SkipWithError(std::string(status_.message()).c_str());          \
    break;                                                                \
  }

// Publish then process one release on a fresh service per iteration, as the demo does.
void BM_PipelineThroughEmbeddedBroker(benchmark::State& state, const Corpus* corpus) {
  double publish_s = 0;
  double process_s = 0;
  ProcessorCounts counts;
  int64_t vintage = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto service = StartService(BenchConfig());
    BENCH_CHECK_OK(service.status());
    Service& s = **service;
    const int32_t partitions = s.publish_topics().observation_partitions;
    BENCH_CHECK_OK(WaitForAssignment(*s.processor, partitions));
    ++vintage;
    const std::string release_id = fmt::format("bench-{}", vintage);
    std::vector<v1::TradeObservation> observations = corpus->observations;
    for (v1::TradeObservation& o : observations) {
      o.set_release_id(release_id);
      o.set_vintage(vintage);
    }
    const ProcessorCounts before = ProcessorCounts::Of(s);
    state.ResumeTiming();

    const auto started = Clock::now();
    BENCH_CHECK_OK(PublishRelease(s, observations, release_id, vintage));
    const auto published = Clock::now();
    BENCH_CHECK_OK(WaitForMarkers(*s.processor, partitions));
    const auto processed = Clock::now();

    state.PauseTiming();
    publish_s += Seconds(published - started);
    process_s += Seconds(processed - published);
    counts = ProcessorCounts::Of(s) - before;
    service->reset();  // leaves the group, stops the embedded broker
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  SetObservationCounters(state, *corpus);
  SetProcessorCounters(state, counts);
  const double n = static_cast<double>(corpus->observations.size()) *
                   static_cast<double>(state.iterations());
  const double iterations = static_cast<double>(state.iterations());
  state.counters["publish_s"] = publish_s / iterations;
  state.counters["process_s"] = process_s / iterations;
  state.counters["publish_obs/s"] = n / publish_s;
  state.counters["process_obs/s"] = n / process_s;
}

// One service with the release already on its observation topic, published after its own
// processor left (so nothing consumed it), shared by the two benchmarks that read it. Filled on
// first use, so a --benchmark_filter that skips both skips the filling too.
class FilledTopic {
 public:
  explicit FilledTopic(const Corpus* corpus) : corpus_(corpus) {}

  // The service, its topic filled; null (and SkipWithError) when that failed.
  Service* Get(benchmark::State& state) {
    if (!service_ && status_.ok()) status_ = Fill();
    if (!status_.ok()) {
      state.SkipWithError(std::string(status_.message()).c_str());
      return nullptr;
    }
    return service_.get();
  }
  int32_t partitions() const { return partitions_; }
  // Observations plus one marker per partition.
  int64_t records() const { return static_cast<int64_t>(corpus_->observations.size()) + partitions_; }

 private:
  absl::Status Fill() {
    // StartService, not StartIngestSide: the processors started later get the same rules and
    // metrics as in the pipeline benchmark.
    TW_ASSIGN_OR_RETURN(service_, StartService(BenchConfig()));
    service_->processor.reset();  // it never polled: it never joined
    partitions_ = service_->publish_topics().observation_partitions;
    return PublishRelease(*service_, corpus_->observations, "bench-1", 1);
  }

  const Corpus* corpus_;
  std::unique_ptr<Service> service_;
  absl::Status status_;
  int32_t partitions_ = 0;
};

// The processor alone over the full topic: a new group (no committed offsets: it consumes from
// the beginning into fresh state) per iteration, timed from its assignment.
void BM_ProcessorOnFilledTopic(benchmark::State& state, const Corpus* corpus,
                               FilledTopic* filled) {
  Service* s = filled->Get(state);
  if (s == nullptr) return;
  ProcessorCounts counts;
  int group = 0;
  for (auto _ : state) {
    state.PauseTiming();
    s->config.mutable_kafka()->set_group_id(fmt::format("bench-processor-{}", ++group));
    BENCH_CHECK_OK(StartProcessor(*s));
    BENCH_CHECK_OK(WaitForAssignment(*s->processor, filled->partitions()));
    const ProcessorCounts before = ProcessorCounts::Of(*s);
    state.ResumeTiming();

    BENCH_CHECK_OK(WaitForMarkers(*s->processor, filled->partitions()));

    state.PauseTiming();
    counts = ProcessorCounts::Of(*s) - before;
    s->processor.reset();  // leaves the group
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  SetObservationCounters(state, *corpus);
  SetProcessorCounters(state, counts);
}

// Every record of the full topic through a bare reader assigned to every partition from the
// beginning; the records are counted, nothing else. Same consumer defaults as the processor's
// group member (KafkaConsumer's, plus the fetch.wait.max.ms the service sets on the embedded
// broker).
void BM_BareConsumerOnEmbeddedBroker(benchmark::State& state, const Corpus* corpus,
                                     FilledTopic* filled) {
  const Service* s = filled->Get(state);
  if (s == nullptr) return;
  const std::string topic = s->publish_topics().observations;
  kafka::ClientOptions client = s->kafka.client;
  for (const auto& [name, value] : s->stream_options.member_properties) {
    if (name.rfind("fetch.", 0) == 0) client.properties[name] = value;
  }
  std::vector<kafka::TopicPartition> all;
  for (int32_t p = 0; p < filled->partitions(); ++p) {
    all.push_back({topic, p, kafka::kOffsetBeginning});
  }
  int64_t records = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto reader = kafka::KafkaConsumer::CreateReader(client);
    BENCH_CHECK_OK(reader.status());
    state.ResumeTiming();

    BENCH_CHECK_OK((*reader)->Assign(all));
    records = 0;
    bytes = 0;
    const auto deadline = Clock::now() + kReleaseDeadline;
    absl::Status status;
    while (records < filled->records() && status.ok()) {
      auto record = (*reader)->Poll(100);
      if (!record.ok()) {
        status = record.status();
      } else if (*record) {
        ++records;
        bytes += static_cast<int64_t>((*record)->key().size() + (*record)->value().size());
      } else if (Clock::now() > deadline) {
        status = absl::DeadlineExceededError(fmt::format(
            "the reader read {} of {} records within {} s", records, filled->records(),
            kReleaseDeadline.count()));
      }
    }
    BENCH_CHECK_OK(status);

    state.PauseTiming();
    reader->reset();
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  SetObservationCounters(state, *corpus);
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["records"] = static_cast<double>(records);
  state.counters["records/s"] = benchmark::Counter(
      static_cast<double>(records) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

#undef BENCH_CHECK_OK

}  // namespace
}  // namespace tradewatch::tools

int main(int argc, char** argv) {
  namespace t = tradewatch::tools;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Lifecycle lines (broker started, group joined, partitions assigned) every iteration would
  // bury the table.
  tradewatch::SetLogLevel(std::getenv("TW_BENCH_LOG") ? std::getenv("TW_BENCH_LOG") : "warn");
  auto corpus = t::LoadCorpus();
  if (!corpus.ok()) {
    std::fprintf(stderr, "cannot load benchmark data: %s\n",
                 std::string(corpus.status().message()).c_str());
    return 1;
  }
  const t::Corpus* c = corpus->get();
  benchmark::RegisterBenchmark("BM_PipelineThroughEmbeddedBroker/imports_exports_2024",
                               t::BM_PipelineThroughEmbeddedBroker, c)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  t::FilledTopic filled(c);
  benchmark::RegisterBenchmark("BM_ProcessorOnFilledTopic/imports_exports_2024",
                               t::BM_ProcessorOnFilledTopic, c, &filled)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  benchmark::RegisterBenchmark("BM_BareConsumerOnEmbeddedBroker/imports_exports_2024",
                               t::BM_BareConsumerOnEmbeddedBroker, c, &filled)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
