// Throughput of the upsert table, the processor's per-observation work: TradeTable::Upsert
// (cell upsert plus the incremental per-period aggregates) for first values and for revisions,
// protobuf parse plus upsert as the streaming processor does it per Kafka message, and the cost
// of one share result (ComputeShares, T12M) per series and release.
//
// Streams, built once before any benchmark runs:
// - real_imports_2024: every observation CensusReader delivers for the real 2024 imports file
//   (2-4 digit NAICS x partner x month, countries and aggregates), in file order.
// - synthetic_300x230x12: 300 product codes x 230 real partner codes x 12 months, values drawn
//   from a seeded log-normal, ordered as a producer emits monthly releases (month, product,
//   partner).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_io.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/csv_reader.h"
#include "ingest/record_sink.h"
#include "processors/analytics.h"
#include "processors/event_decoder.h"
#include "processors/trade_table.h"
#include "google/protobuf/arena.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::processors {
namespace {

using tradewatch::ingest::CountryTable;
using tradewatch::v1::TradeObservation;

const std::string kDataDir = std::string(TRADEWATCH_SOURCE_DIR) + "/../shared/data/";

struct Stream {
  std::string name;
  std::vector<TradeObservation> observations;
  std::vector<int64_t> values;          // the original value_usd of each observation
  std::vector<std::string> serialized;  // each observation as a TradeEvent, the topic's value
  int64_t serialized_bytes = 0;
  double state_bytes_per_cell = 0;  // heap held by a table of this stream, per cell
};

struct Corpus {
  CountryTable countries;
  std::vector<Stream> streams;
  // Tables for the share benchmarks, built from real files.
  TradeTable imports_2024;
  TradeTable naics_3344;  // 2021-01..2025-12
  // One synthetic series, 230 partners x 156 months (2013-01..2025-12): a 13-year backfill.
  TradeTable long_series;
};

absl::StatusOr<std::vector<TradeObservation>> ReadObservations(const CountryTable& countries,
                                                               const std::string& relative) {
  ingest::ReadOptions options;
  options.countries = &countries;
  options.release_id = "2024-12";
  options.vintage = 1;
  ingest::CollectingSink sink;
  ingest::CensusReader reader(options, &sink);
  absl::Status status = reader.ReadFile(kDataDir + relative);
  if (!status.ok()) return status;
  return std::move(sink.observations);
}

// Partner codes as listed in the Schedule C table (countries, then groups and continents).
absl::StatusOr<std::vector<std::string>> PartnerCodes(size_t limit) {
  auto csv =
      ReadFileContents(kDataDir + "census_country_codes/schedule_c_countries_and_groups.csv");
  if (!csv.ok()) return csv.status();
  std::vector<std::string> codes = {"-"};
  ingest::CsvReader reader(*csv);
  ingest::CsvRecord record;
  reader.Next(&record);  // header: kind,cty_code,...
  while (reader.Next(&record) && codes.size() < limit) {
    if (record.fields.size() > 1) codes.emplace_back(record.fields[1]);
  }
  return codes;
}

absl::StatusOr<std::vector<TradeObservation>> Synthesize(const CountryTable& countries,
                                                         int products, size_t partners,
                                                         int months) {
  auto codes = PartnerCodes(partners);
  if (!codes.ok()) return codes.status();
  std::mt19937_64 rng(20250301);
  // Monthly values of one product from one partner span a few dollars to billions.
  std::lognormal_distribution<double> value(13.0, 2.5);
  std::vector<TradeObservation> out;
  out.reserve(static_cast<size_t>(products) * codes->size() * static_cast<size_t>(months));
  for (int m = 1; m <= months; ++m) {
    for (int p = 0; p < products; ++p) {
      std::string product = std::to_string(1110 + p * 3);
      for (const std::string& partner : *codes) {
        TradeObservation o;
        o.set_flow(v1::FLOW_IMPORTS);
        o.set_measure(v1::MEASURE_GENERAL_IMPORTS);
        o.set_classification(v1::CLASSIFICATION_NAICS);
        o.set_product_code(product);
        o.set_partner_code(partner);
        o.set_partner_name(std::string(countries.DisplayName(partner)));
        o.set_partner_kind(countries.Classify(partner).value_or(v1::PARTNER_KIND_UNSPECIFIED));
        o.set_period_yyyymm(202400 + m);
        o.set_value_usd(static_cast<int64_t>(std::min(value(rng), 1e12)));
        o.set_vintage(1);
        o.set_release_id("2024-12");
        o.set_source("synthetic");
        o.set_source_line(static_cast<int64_t>(out.size()) + 2);
        out.push_back(std::move(o));
      }
    }
  }
  return out;
}

// Heap bytes a table holding `observations` keeps, per cell (glibc's in-use bytes before and
// after building it).
double StateBytesPerCell(const std::vector<TradeObservation>& observations) {
  size_t before = mallinfo2().uordblks;
  auto table = std::make_unique<TradeTable>();
  for (const auto& o : observations) table->Upsert(o);
  size_t after = mallinfo2().uordblks;
  return static_cast<double>(after - before) / static_cast<double>(table->cell_count());
}

Stream MakeStream(std::string name, std::vector<TradeObservation> observations) {
  Stream s;
  s.name = std::move(name);
  s.observations = std::move(observations);
  v1::TradeEvent event;
  for (const auto& o : s.observations) {
    s.values.push_back(o.value_usd());
    *event.mutable_observation() = o;
    s.serialized.push_back(event.SerializeAsString());
    s.serialized_bytes += static_cast<int64_t>(s.serialized.back().size());
  }
  s.state_bytes_per_cell = StateBytesPerCell(s.observations);
  return s;
}

absl::StatusOr<std::unique_ptr<Corpus>> LoadCorpus() {
  auto countries =
      CountryTable::Load(kDataDir + "census_country_codes/schedule_c_countries_and_groups.csv");
  if (!countries.ok()) return countries.status();
  auto corpus = std::make_unique<Corpus>(Corpus{std::move(*countries), {}, {}, {}, {}});

  auto imports = ReadObservations(
      corpus->countries,
      "census_naics_by_country/census_imports_naics2to4_by_country_2024_monthly.csv.gz");
  if (!imports.ok()) return imports.status();
  for (const auto& o : *imports) corpus->imports_2024.Upsert(o);
  corpus->streams.push_back(MakeStream("real_imports_2024", std::move(*imports)));

  auto synthetic = Synthesize(corpus->countries, 300, 230, 12);
  if (!synthetic.ok()) return synthetic.status();
  corpus->streams.push_back(MakeStream("synthetic_300x230x12", std::move(*synthetic)));

  auto n3344 =
      ReadObservations(corpus->countries, "census_naics_by_country/census_imports_naics_3344.csv");
  if (!n3344.ok()) return n3344.status();
  for (const auto& o : *n3344) corpus->naics_3344.Upsert(o);

  auto codes = PartnerCodes(230);
  if (!codes.ok()) return codes.status();
  std::mt19937_64 rng(3344);
  std::lognormal_distribution<double> value(15.0, 2.5);
  TradeObservation o;
  o.set_flow(v1::FLOW_IMPORTS);
  o.set_measure(v1::MEASURE_GENERAL_IMPORTS);
  o.set_classification(v1::CLASSIFICATION_NAICS);
  o.set_product_code("3344");
  o.set_vintage(1);
  for (int year = 2013; year <= 2025; ++year) {
    for (int month = 1; month <= 12; ++month) {
      for (const std::string& partner : *codes) {
        o.set_partner_code(partner);
        o.set_partner_kind(
            corpus->countries.Classify(partner).value_or(v1::PARTNER_KIND_UNSPECIFIED));
        o.set_period_yyyymm(year * 100 + month);
        o.set_value_usd(static_cast<int64_t>(std::min(value(rng), 1e12)));
        corpus->long_series.Upsert(o);
      }
    }
  }
  return corpus;
}

void SetStreamCounters(benchmark::State& state, const Stream& stream, size_t series,
                       size_t cells) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(stream.observations.size()));
  state.counters["observations"] = static_cast<double>(stream.observations.size());
  state.counters["series"] = static_cast<double>(series);
  state.counters["cells"] = static_cast<double>(cells);
}

// Runs `fill(table)` into a fresh table per iteration; the table's destruction is not timed.
template <typename Fill>
void RunIntoFreshTables(benchmark::State& state, const Stream& stream, Fill&& fill) {
  size_t series = 0;
  size_t cells = 0;
  for (auto _ : state) {
    auto table = std::make_unique<TradeTable>();
    fill(*table);
    state.PauseTiming();
    series = table->series_count();
    cells = table->cell_count();
    table.reset();
    state.ResumeTiming();
  }
  SetStreamCounters(state, stream, series, cells);
}

// First values into a fresh table: insert plus per-period aggregates, table growth included.
void BM_TradeTableInsert(benchmark::State& state, const Stream* stream) {
  int64_t inserted = 0;
  RunIntoFreshTables(state, *stream, [&](TradeTable& table) {
    inserted = 0;
    for (const auto& o : stream->observations) {
      inserted += table.Upsert(o) == UpsertOutcome::kInserted;
    }
  });
  state.counters["inserted"] = static_cast<double>(inserted);
  state.counters["state_bytes/cell"] = stream->state_bytes_per_cell;
}

// A later vintage replacing every value of a full table (each pass is one more vintage, with a
// changed value, so every upsert moves the period aggregates).
void BM_TradeTableRevise(benchmark::State& state, const Stream* stream) {
  TradeTable table;
  for (const auto& o : stream->observations) table.Upsert(o);
  std::vector<TradeObservation> revisions = stream->observations;
  int64_t vintage = 1;
  int64_t replaced = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ++vintage;
    for (size_t i = 0; i < revisions.size(); ++i) {
      revisions[i].set_vintage(vintage);
      revisions[i].set_value_usd(stream->values[i] + (vintage & 1));
    }
    state.ResumeTiming();
    replaced = 0;
    for (const auto& o : revisions) replaced += table.Upsert(o) == UpsertOutcome::kReplaced;
  }
  SetStreamCounters(state, *stream, table.series_count(), table.cell_count());
  state.counters["replaced"] = static_cast<double>(replaced);
}

// Decode only: TradeEvent::ParseFromString into a reused message.
void BM_TradeEventParse(benchmark::State& state, const Stream* stream) {
  v1::TradeEvent event;
  int64_t value_sum = 0;
  for (auto _ : state) {
    for (const std::string& bytes : stream->serialized) {
      event.ParseFromString(bytes);
      value_sum += event.observation().value_usd();
    }
  }
  benchmark::DoNotOptimize(value_sum);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(stream->serialized.size()));
  state.SetBytesProcessed(state.iterations() * stream->serialized_bytes);
  state.counters["bytes/message"] = static_cast<double>(stream->serialized_bytes) /
                                    static_cast<double>(stream->serialized.size());
}

// Parse plus upsert per Kafka message into a fresh table, with `decode(bytes, &event)` returning
// the event whose observation to upsert (nullptr for an unparseable message).
template <typename Decode>
void RunParseAndUpsert(benchmark::State& state, const Stream& stream, Decode&& decode) {
  RunIntoFreshTables(state, stream, [&](TradeTable& table) {
    for (const std::string& bytes : stream.serialized) {
      const v1::TradeEvent* event = decode(bytes);
      if (event == nullptr) {
        state.SkipWithError("unparseable TradeEvent");
        return;
      }
      table.Upsert(event->observation());
    }
  });
  state.SetBytesProcessed(state.iterations() * stream.serialized_bytes);
}

// The plain way: TradeEvent::ParseFromString into a reused message, which frees and reallocates
// the oneof observation and its strings for every message.
void BM_TradeEventParseAndUpsert(benchmark::State& state, const Stream* stream) {
  v1::TradeEvent event;
  RunParseAndUpsert(state, *stream, [&](const std::string& bytes) {
    return event.ParseFromString(bytes) ? &event : nullptr;
  });
}

// What the processor does: ParseTradeEventReusing parses an observation payload into the held
// observation, whose strings keep their capacity.
void BM_TradeEventReusingParseAndUpsert(benchmark::State& state, const Stream* stream) {
  v1::TradeEvent event;
  RunParseAndUpsert(state, *stream, [&](const std::string& bytes) {
    return tradewatch::processors::ParseTradeEventReusing(bytes, &event) ? &event : nullptr;
  });
}

// An alternative measured and not taken: every TradeEvent parsed into an arena that is reset once
// per batch of kArenaBatch messages (about one consumer poll). It gains less than
// ParseTradeEventReusing (docs/benchmarks.md).
constexpr size_t kArenaBatch = 1000;

void BM_TradeEventParseAndUpsertArena(benchmark::State& state, const Stream* stream) {
  std::vector<char> block(size_t{4} << 20);
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = block.data();
  arena_options.initial_block_size = block.size();
  google::protobuf::Arena arena(arena_options);
  size_t in_batch = 0;
  RunParseAndUpsert(state, *stream, [&](const std::string& bytes) -> const v1::TradeEvent* {
    if (++in_batch == kArenaBatch) {
      arena.Reset();
      in_batch = 0;
    }
    auto* event = google::protobuf::Arena::CreateMessage<v1::TradeEvent>(&arena);
    return event->ParseFromString(bytes) ? event : nullptr;
  });
}

// One share result: T12M partner shares of one series with top 10 and names.
void BM_ComputeShares(benchmark::State& state, const Corpus* corpus, const TradeTable* table,
                      std::string product_code, int32_t period_yyyymm) {
  const Series* series = table->Find(
      {v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, product_code});
  if (series == nullptr) {
    state.SkipWithError(("no series for product " + product_code).c_str());
    return;
  }
  ShareOptions options;
  options.top_n = 10;
  options.namer = [corpus](std::string_view code) {
    return std::string(corpus->countries.DisplayName(code));
  };
  int64_t partners = 0;
  for (auto _ : state) {
    v1::PartnerShares shares = ComputeShares(*series, v1::WINDOW_KIND_T12M, period_yyyymm, options);
    partners = shares.partner_count();
    benchmark::DoNotOptimize(shares);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["series_cells"] = static_cast<double>(series->cell_count());
  state.counters["series_months"] = static_cast<double>(series->periods().size());
  state.counters["partners"] = static_cast<double>(partners);
  state.counters["cells_scanned/s"] =
      benchmark::Counter(static_cast<double>(series->cell_count() * state.iterations()),
                         benchmark::Counter::kIsRate);
}

}  // namespace
}  // namespace tradewatch::processors

int main(int argc, char** argv) {
  namespace p = tradewatch::processors;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto corpus = p::LoadCorpus();
  if (!corpus.ok()) {
    std::fprintf(stderr, "cannot load benchmark data: %s\n",
                 std::string(corpus.status().message()).c_str());
    return 1;
  }
  const p::Corpus* c = corpus->get();
  for (const p::Stream& s : c->streams) {
    benchmark::RegisterBenchmark(("BM_TradeTableInsert/" + s.name).c_str(),
                                 p::BM_TradeTableInsert, &s)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_TradeTableRevise/" + s.name).c_str(),
                                 p::BM_TradeTableRevise, &s)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_TradeEventParse/" + s.name).c_str(), p::BM_TradeEventParse,
                                 &s)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_TradeEventParseAndUpsert/" + s.name).c_str(),
                                 p::BM_TradeEventParseAndUpsert, &s)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_TradeEventReusingParseAndUpsert/" + s.name).c_str(),
                                 p::BM_TradeEventReusingParseAndUpsert, &s)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_TradeEventParseAndUpsertArena/" + s.name).c_str(),
                                 p::BM_TradeEventParseAndUpsertArena, &s)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_ComputeShares/imports_2024/all_naics/202412",
                               p::BM_ComputeShares, c, &c->imports_2024, std::string("-"), 202412)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_ComputeShares/imports_2024/3344/202412", p::BM_ComputeShares, c,
                               &c->imports_2024, std::string("3344"), 202412)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_ComputeShares/naics_3344_2021_2025/3344/202512",
                               p::BM_ComputeShares, c, &c->naics_3344, std::string("3344"), 202512)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_ComputeShares/naics_3344_2021_2025/3344/202212",
                               p::BM_ComputeShares, c, &c->naics_3344, std::string("3344"), 202212)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_ComputeShares/synthetic_230x156_2013_2025/3344/202512",
                               p::BM_ComputeShares, c, &c->long_series, std::string("3344"),
                               202512)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
