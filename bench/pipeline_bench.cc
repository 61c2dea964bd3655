// Observations per second through the streaming pipeline on the embedded broker (librdkafka's
// in-process mock cluster), as `tradewatch demo` runs it: ObservationPublisher -> KafkaProducer
// -> observation topic -> StreamProcessor (parse, upsert, then per release marker the shares and
// balances of every changed series, window and period, the rule engine, results produced and
// flushed, the marker's offset committed), and the same records read by a bare librdkafka
// consumer for comparison.
//
// Input, read once before any benchmark runs: every observation CensusReader delivers for the real
// 2024 NAICS 2-4 digit imports and exports by country (../shared/data, found through
// TRADEWATCH_SOURCE_DIR), published as ONE release (one marker per partition).
//
// - BM_PipelineThroughEmbeddedBroker: per iteration a fresh service (embedded broker, topics,
//   producer, processor joined to its group; not timed), then, timed: publish everything and
//   FinishRelease (markers, producer flush), then poll the processor until it has closed the
//   release on every partition. Sequential, as ReplayDemoData does it: the processor's consumer
//   thread prefetches (nothing is processed) while the release is being published.
// - BM_ProcessorOnFilledTopic: the release already on the topic; per iteration a new processor in
//   a new group (no committed offsets: it consumes from the beginning into fresh state), joined
//   untimed, then timed from its assignment until it has closed the release on every partition.
// - BM_BareConsumerOnEmbeddedBroker: the same topic read by KafkaConsumer::CreateReader assigned
//   to every partition from the beginning, counting records only: the mock's physical limit.
// - BM_ReleaseCloseInProcess: what the processor does for the release's markers without Kafka
//   (results computed, output records built, rules evaluated; tables filled untimed), to split a
//   marker's close time into computation and Kafka (send, flush, commit).
//
// The first three run twice: with the consumer settings the service uses today ("defaults"), and
// with a prefetch queue large enough to hold the whole release ("prefetch_1M"; see
// kPrefetchWholeRelease).
// Every figure is wall-clock time (UseRealTime): librdkafka's threads do much of the work.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/event_sink.h"
#include "common/kafka/kafka_consumer.h"
#include "common/kafka/partitioner.h"
#include "common/logging.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/observation_publisher.h"
#include "ingest/record_sink.h"
#include "processors/partition_processor.h"
#include "processors/stream_processor.h"
#include "tools/alerting_hook.h"
#include "tools/service.h"
#include "tools/service_config.h"
#include "tradewatch/v1/service.pb.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;
using Clock = std::chrono::steady_clock;
using Properties = std::map<std::string, std::string>;

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

// librdkafka 2.0.2 stops fetching once the consumer's prefetch queue holds queued.min.messages
// (100,000) messages or queued.max.messages.kbytes, and looks again only on its broker thread's
// next 1 s wake-up (fetch.queue.backoff.ms, which makes that wait configurable, came in 2.2.0).
// A processor that drains 100,000 records in well under a second then idles for the rest of it.
// These thresholds hold the whole release (434,484 records, about 68,000 KB as librdkafka counts
// them), so the queue never fills. Added to the processor's group member and the bare reader.
const Properties kPrefetchWholeRelease = {{"queued.min.messages", "1000000"},
                                          {"queued.max.messages.kbytes", "262144"}};

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
  ApplyDefaults(&config);
  return config;
}

// Replaces the service's processor (created by StartService or StartProcessor and never polled, so
// it holds no partitions: assignments arrive inside Poll) by one whose group member also has
// `extra` properties. Nothing to do when `extra` is empty: the processor stays as the service
// builds it.
absl::Status TuneProcessor(Service& s, const Properties& extra) {
  if (extra.empty()) return absl::OkStatus();
  processors::StreamOptions options = s.stream_options;
  for (const auto& [name, value] : extra) options.member_properties[name] = value;
  s.processor.reset();
  TW_ASSIGN_OR_RETURN(s.processor,
                      processors::StreamProcessor::Create(std::move(options), s.producer.get(),
                                                          s.hook.get(), s.processor_metrics.get()));
  return absl::OkStatus();
}

// Polls the processor until its group has assigned it every observation partition.
absl::Status WaitForAssignment(processors::StreamProcessor& processor, int32_t partitions) {
  const auto deadline = Clock::now() + kJoinDeadline;
  while (static_cast<int32_t>(processor.assigned().size()) < partitions) {
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(
          fmt::format("the processor was assigned {} of {} partitions within {} s",
                      processor.assigned().size(), partitions, kJoinDeadline.count()));
    }
    TW_RETURN_IF_ERROR(processor.Poll(10));
  }
  return absl::OkStatus();
}

// Polls the processor until it has closed `expected` release markers (the demo's wait).
absl::Status WaitForMarkers(processors::StreamProcessor& processor, int64_t expected) {
  const auto deadline = Clock::now() + kReleaseDeadline;
  while (processor.markers_processed() < expected) {
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(
          fmt::format("the processor closed {} of {} release markers within {} s",
                      processor.markers_processed(), expected, kReleaseDeadline.count()));
    }
    TW_RETURN_IF_ERROR(processor.Poll(50));
  }
  return absl::OkStatus();
}

// Publishes `observations` as one release and closes it (markers, producer flush).
absl::Status PublishRelease(Service& service, const std::vector<v1::TradeObservation>& observations,
                            const std::string& release_id, int64_t vintage) {
  ingest::ObservationPublisher publisher(service.publish_topics(), service.producer.get(),
                                         service.ingest_metrics.get());
  for (const v1::TradeObservation& o : observations) publisher.OnObservation(o);
  return publisher.FinishRelease(release_id, vintage, kThroughPeriod);
}

// What the processor's metrics count, read before and after a measured stretch: sanity checks
// that every iteration did the same work, and the time from a marker's arrival to its commit (the
// partition's results computed, produced and flushed, the offset committed).
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
    ProcessorCounts d;
    d.consumed = consumed - o.consumed;
    d.inserted = inserted - o.inserted;
    d.shares_produced = shares_produced - o.shares_produced;
    d.balances_produced = balances_produced - o.balances_produced;
    d.markers = markers - o.markers;
    d.marker_seconds = marker_seconds - o.marker_seconds;
    return d;
  }
};

void SetObservationCounters(benchmark::State& state, const Corpus& corpus) {
  const auto n = static_cast<int64_t>(corpus.observations.size());
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["observations"] = static_cast<double>(n);
  state.counters["rejected_rows"] = static_cast<double>(corpus.rejects);
}

// `last`: the last iteration's counts (every iteration does the same work); `close_seconds`: the
// markers' close time summed over all iterations.
void SetProcessorCounters(benchmark::State& state, const ProcessorCounts& last,
                          double close_seconds) {
  const double iterations = static_cast<double>(state.iterations());
  state.counters["consumed"] = last.consumed;
  state.counters["inserted"] = last.inserted;
  state.counters["shares_out"] = last.shares_produced;
  state.counters["balances_out"] = last.balances_produced;
  state.counters["markers"] = last.markers;
  // Per iteration: all markers' close time (they are closed one after another on the poll thread).
  state.counters["marker_close_s"] = close_seconds / iterations;
}

// Skips the benchmark with `expr`'s error and leaves the iteration loop.
#define BENCH_CHECK_OK(expr)                                     \
  if (absl::Status status_ = (expr); !status_.ok()) {            \
    state.SkipWithError(std::string(status_.message()).c_str()); \
    break;                                                       \
  }

// Publish then process one release on a fresh service per iteration, as the demo does.
void BM_PipelineThroughEmbeddedBroker(benchmark::State& state, const Corpus* corpus,
                                      const Properties* tuning) {
  double publish_s = 0;
  double process_s = 0;
  double close_s = 0;
  ProcessorCounts counts;
  int64_t vintage = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto service = StartService(BenchConfig());
    BENCH_CHECK_OK(service.status());
    Service& s = **service;
    BENCH_CHECK_OK(TuneProcessor(s, *tuning));
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
    close_s += counts.marker_seconds;
    service->reset();  // leaves the group, stops the embedded broker
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  SetObservationCounters(state, *corpus);
  SetProcessorCounters(state, counts, close_s);
  const double n = static_cast<double>(corpus->observations.size()) *
                   static_cast<double>(state.iterations());
  const double iterations = static_cast<double>(state.iterations());
  state.counters["publish_s"] = publish_s / iterations;
  state.counters["process_s"] = process_s / iterations;
  state.counters["publish_obs/s"] = n / publish_s;
  state.counters["process_obs/s"] = n / process_s;
}

// One service with the release already on its observation topic, published after its own
// processor was dropped unpolled (so nothing consumed it), shared by the benchmarks that read
// it. Filled on first use, so a --benchmark_filter that skips them skips the filling too.
class FilledTopic {
 public:
  explicit FilledTopic(const Corpus* corpus) : corpus_(corpus) {}

  // The service, its topic filled; null (and SkipWithError) when filling failed.
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
  int64_t records() const {
    return static_cast<int64_t>(corpus_->observations.size()) + partitions_;
  }
  // A group that has never committed, so its processor consumes from the beginning (a reused
  // one would restore up to its commit and wait at the end of the topic for markers).
  std::string NewGroupId() { return fmt::format("bench-processor-{}", ++groups_); }

 private:
  absl::Status Fill() {
    // StartService, not StartIngestSide: the processors started later get the same rules and
    // metrics as in the pipeline benchmark.
    TW_ASSIGN_OR_RETURN(service_, StartService(BenchConfig()));
    service_->processor.reset();  // never polled: never joined
    partitions_ = service_->publish_topics().observation_partitions;
    return PublishRelease(*service_, corpus_->observations, "bench-1", 1);
  }

  const Corpus* corpus_;
  std::unique_ptr<Service> service_;
  absl::Status status_;
  int32_t partitions_ = 0;
  int groups_ = 0;
};

// The processor alone over the full topic: a new group per iteration, timed from its assignment.
void BM_ProcessorOnFilledTopic(benchmark::State& state, const Corpus* corpus, FilledTopic* filled,
                               const Properties* tuning) {
  Service* s = filled->Get(state);
  if (s == nullptr) return;
  ProcessorCounts counts;
  double close_s = 0;
  for (auto _ : state) {
    state.PauseTiming();
    s->config.mutable_kafka()->set_group_id(filled->NewGroupId());
    BENCH_CHECK_OK(StartProcessor(*s));
    BENCH_CHECK_OK(TuneProcessor(*s, *tuning));
    BENCH_CHECK_OK(WaitForAssignment(*s->processor, filled->partitions()));
    const ProcessorCounts before = ProcessorCounts::Of(*s);
    state.ResumeTiming();

    BENCH_CHECK_OK(WaitForMarkers(*s->processor, filled->partitions()));

    state.PauseTiming();
    counts = ProcessorCounts::Of(*s) - before;
    close_s += counts.marker_seconds;
    s->processor.reset();  // leaves the group
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  SetObservationCounters(state, *corpus);
  SetProcessorCounters(state, counts, close_s);
}

// Every record of the full topic through a bare reader assigned to every partition from the
// beginning, counted and nothing else. Same consumer settings as the processor's group member:
// KafkaConsumer's defaults, the fetch.wait.max.ms the service sets on the embedded broker, and
// `tuning`.
void BM_BareConsumerOnEmbeddedBroker(benchmark::State& state, const Corpus* corpus,
                                     FilledTopic* filled, const Properties* tuning) {
  const Service* s = filled->Get(state);
  if (s == nullptr) return;
  const std::string topic = s->publish_topics().observations;
  kafka::ClientOptions client = s->kafka.client;
  for (const auto& [name, value] : s->stream_options.member_properties) {
    if (name.rfind("fetch.", 0) == 0) client.properties[name] = value;
  }
  for (const auto& [name, value] : *tuning) client.properties[name] = value;
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
        status = absl::DeadlineExceededError(
            fmt::format("the reader read {} of {} records within {} s", records,
                        filled->records(), kReleaseDeadline.count()));
      }
    }
    BENCH_CHECK_OK(status);

    state.PauseTiming();
    reader->reset();
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  SetObservationCounters(state, *corpus);
  state.SetBytesProcessed(state.iterations() * bytes);  // keys and values
  state.counters["records"] = static_cast<double>(records);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

// Counts what would be produced.
class CountingSink : public EventSink {
 public:
  absl::Status Send(OutgoingRecord /*record*/) override {
    ++records_;
    return absl::OkStatus();
  }
  absl::Status Flush(int /*timeout_ms*/) override { return absl::OkStatus(); }
  int64_t records() const { return records_; }

 private:
  int64_t records_ = 0;
};

// The release's markers without Kafka: per partition (observations routed as ObservationPublisher
// routes them, upserted untimed into a fresh PartitionProcessor), the work StreamProcessor does
// on a marker before its flush and commit: PartitionProcessor::CloseRelease, ResultRecords
// (trimmed shares and balances, serialized, event ids) and the rule engine (AlertingHook), into
// a sink that only counts. Same processor options and rules as the service.
void BM_ReleaseCloseInProcess(benchmark::State& state, const Corpus* corpus, FilledTopic* filled) {
  const Service* s = filled->Get(state);
  if (s == nullptr) return;
  const processors::StreamOptions& options = s->stream_options;
  const v1::KafkaConfig& k = s->config.kafka();
  const std::string alerts_topic = TopicName(k, k.topics().alerts());
  auto alert_partitions = s->producer->PartitionCount(alerts_topic);
  if (!alert_partitions.ok()) {
    state.SkipWithError(std::string(alert_partitions.status().message()).c_str());
    return;
  }
  const int32_t partitions = filled->partitions();
  std::vector<std::vector<const v1::TradeObservation*>> by_partition(partitions);
  for (const v1::TradeObservation& o : corpus->observations) {
    const int32_t p =
        kafka::PartitionFor(ProductPartitionKey(o.classification(), o.product_code()), partitions);
    by_partition[p].push_back(&o);
  }
  v1::ReleaseMarker marker;
  marker.set_release_id("bench-1");
  marker.set_vintage(1);
  marker.set_through_period_yyyymm(kThroughPeriod);
  int64_t shares = 0;
  int64_t balances = 0;
  int64_t alert_records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::unique_ptr<processors::PartitionProcessor>> processors;
    for (int32_t p = 0; p < partitions; ++p) {
      processors.push_back(std::make_unique<processors::PartitionProcessor>(options.processor));
      for (const v1::TradeObservation* o : by_partition[p]) processors.back()->Apply(*o);
    }
    AlertingHook hook(s->rules, alerts_topic, *alert_partitions, nullptr);
    CountingSink sink;
    shares = 0;
    balances = 0;
    state.ResumeTiming();

    for (int32_t p = 0; p < partitions; ++p) {
      marker.set_observation_count(static_cast<int64_t>(by_partition[p].size()));
      processors::ReleaseResults results = processors[p]->CloseRelease(marker);
      shares += static_cast<int64_t>(results.shares.size());
      balances += static_cast<int64_t>(results.balances.size());
      for (OutgoingRecord& record :
           processors::ResultRecords(results, options.topics, options.processor.top_n)) {
        BENCH_CHECK_OK(sink.Send(std::move(record)));
      }
      BENCH_CHECK_OK(hook.OnRelease(p, marker, results, &sink));
    }
    if (state.error_occurred()) break;

    state.PauseTiming();
    alert_records = sink.records() - shares - balances;
    processors.clear();
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  // No items_per_second: the observations are upserted untimed.
  state.counters["observations"] = static_cast<double>(corpus->observations.size());
  state.counters["results/s"] =
      benchmark::Counter(static_cast<double>((shares + balances) * state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["markers"] = static_cast<double>(partitions);
  state.counters["shares_out"] = static_cast<double>(shares);
  state.counters["balances_out"] = static_cast<double>(balances);
  state.counters["alerts_out"] = static_cast<double>(alert_records);
}

#undef BENCH_CHECK_OK

}  // namespace
}  // namespace tradewatch::tools

int main(int argc, char** argv) {
  namespace t = tradewatch::tools;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Lifecycle lines (broker started, group joined, partitions assigned) every iteration would
  // bury the table; warnings and errors still print.
  tradewatch::SetLogLevel("warn");
  auto corpus = t::LoadCorpus();
  if (!corpus.ok()) {
    std::fprintf(stderr, "cannot load benchmark data: %s\n",
                 std::string(corpus.status().message()).c_str());
    return 1;
  }
  const t::Corpus* c = corpus->get();
  t::FilledTopic filled(c);
  static const t::Properties kDefaults;
  const std::pair<const char*, const t::Properties*> tunings[] = {
      {"defaults", &kDefaults}, {"prefetch_1M", &t::kPrefetchWholeRelease}};
  for (const auto& [name, tuning] : tunings) {
    const std::string suffix = fmt::format("/imports_exports_2024/{}", name);
    benchmark::RegisterBenchmark(("BM_PipelineThroughEmbeddedBroker" + suffix).c_str(),
                                 t::BM_PipelineThroughEmbeddedBroker, c, tuning)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(3);
    benchmark::RegisterBenchmark(("BM_ProcessorOnFilledTopic" + suffix).c_str(),
                                 t::BM_ProcessorOnFilledTopic, c, &filled, tuning)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(3);
    benchmark::RegisterBenchmark(("BM_BareConsumerOnEmbeddedBroker" + suffix).c_str(),
                                 t::BM_BareConsumerOnEmbeddedBroker, c, &filled, tuning)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(3);
  }
  benchmark::RegisterBenchmark("BM_ReleaseCloseInProcess/imports_exports_2024",
                               t::BM_ReleaseCloseInProcess, c, &filled)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
