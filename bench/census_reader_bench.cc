// Throughput of the Census readers over real data held in memory: rows per second through
// CensusReader::ReadBuffer (CSV and Census API JSON), and of the CSV tokenizer alone.
//
// Inputs come from ../shared/data (relative to the source tree), read and decompressed once before
// any benchmark runs. The JSON inputs are the same CSV rows written as a Census API array of
// arrays (every value a string, as the API sends them), plus one real cached API response.
//
// A CensusReader detects duplicates across everything it reads, so every iteration builds a fresh
// reader: each iteration does the same work, as one release read from scratch.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/file_io.h"
#include "ingest/census_reader.h"
#include "ingest/country_table.h"
#include "ingest/csv_reader.h"
#include "ingest/record_sink.h"

namespace tradewatch::ingest {
namespace {

const std::string kDataDir = std::string(TRADEWATCH_SOURCE_DIR) + "/../shared/data/";

// Counts what it is given and keeps nothing: the benchmark measures the reader, not the sink.
class CountingSink : public RecordSink {
 public:
  void OnObservation(const tradewatch::v1::TradeObservation& /*observation*/) override {
    ++observations;
  }
  void OnReject(const tradewatch::v1::RejectedRecord& /*reject*/) override { ++rejects; }
  int64_t observations = 0;
  int64_t rejects = 0;
};

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      out->append(escaped);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// The CSV's records as a Census API response: [["H1","H2"],\n["v1","v2"],\n...]. One row per
// line, as the API formats it.
std::string CsvToCensusJson(std::string_view csv) {
  std::string json;
  json.reserve(csv.size() * 3 / 2);
  json.push_back('[');
  CsvReader reader(csv);
  CsvRecord record;
  bool first_row = true;
  while (reader.Next(&record)) {
    if (!first_row) json.append(",\n");
    first_row = false;
    json.push_back('[');
    for (size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) json.push_back(',');
      AppendJsonString(record.fields[i], &json);
    }
    json.push_back(']');
  }
  json.append("]\n");
  return json;
}

struct Input {
  std::string name;    // benchmark argument label
  std::string origin;  // file name for positions
  std::string bytes;   // decompressed content
  bool csv = false;
};

struct Corpus {
  CountryTable countries;
  std::vector<Input> inputs;
};

absl::StatusOr<std::string> Read(const std::string& relative) {
  return ReadFileContents(kDataDir + relative);
}

absl::StatusOr<Corpus> LoadCorpus() {
  auto countries =
      CountryTable::Load(kDataDir + "census_country_codes/schedule_c_countries_and_groups.csv");
  if (!countries.ok()) return countries.status();
  Corpus corpus{std::move(*countries), {}};
  struct CsvFile {
    std::string name;
    std::string path;
  };
  const std::vector<CsvFile> csv_files = {
      {"imports_naics2to4_2024",
       "census_naics_by_country/census_imports_naics2to4_by_country_2024_monthly.csv.gz"},
      {"imports_naics_3344", "census_naics_by_country/census_imports_naics_3344.csv"},
  };
  for (const CsvFile& f : csv_files) {
    auto bytes = Read(f.path);
    if (!bytes.ok()) return bytes.status();
    std::string json = CsvToCensusJson(*bytes);
    corpus.inputs.push_back({"csv/" + f.name, f.path, std::move(*bytes), true});
    corpus.inputs.push_back({"json/" + f.name, f.path + ".json", std::move(json), false});
  }
  const std::string raw =
      "census_naics_by_country/raw_api_json/imports_statenaics_2025-01_all_countries.json";
  auto bytes = Read(raw);
  if (!bytes.ok()) return bytes.status();
  corpus.inputs.push_back({"json/raw_api_2025-01_all_countries", raw, std::move(*bytes), false});
  return corpus;
}

void SetRates(benchmark::State& state, int64_t rows_per_pass, int64_t bytes_per_pass) {
  state.SetItemsProcessed(state.iterations() * rows_per_pass);
  state.SetBytesProcessed(state.iterations() * bytes_per_pass);
  state.counters["rows"] = static_cast<double>(rows_per_pass);
}

// Rows per second through CensusReader::ReadBuffer, a fresh reader per pass.
void BM_CensusReaderReadBuffer(benchmark::State& state, const Corpus* corpus, const Input* input) {
  ReadOptions options;
  options.countries = &corpus->countries;
  options.release_id = "bench";
  options.vintage = 1;
  int64_t rows = 0;
  int64_t observations = 0;
  int64_t rejects = 0;
  int64_t duplicates = 0;
  for (auto _ : state) {
    CountingSink sink;
    CensusReader reader(options, &sink);
    reader.ReadBuffer(input->bytes, input->origin);
    rows = reader.last_file_summary().rows;
    duplicates = reader.last_file_summary().duplicates;
    observations = sink.observations;
    rejects = sink.rejects;
    benchmark::DoNotOptimize(observations);
  }
  SetRates(state, rows, static_cast<int64_t>(input->bytes.size()));
  state.counters["observations/s"] = benchmark::Counter(
      static_cast<double>(observations * state.iterations()), benchmark::Counter::kIsRate);
  // Sanity: these real files read without rejects; a change here changes what is measured.
  state.counters["rejected"] = static_cast<double>(rejects);
  state.counters["duplicates"] = static_cast<double>(duplicates);
}

// Records per second through the RFC 4180 tokenizer alone (header included).
void BM_CsvReaderNext(benchmark::State& state, const Input* input) {
  int64_t records = 0;
  for (auto _ : state) {
    CsvReader reader(input->bytes);
    CsvRecord record;
    records = 0;
    int64_t fields = 0;
    while (reader.Next(&record)) {
      ++records;
      fields += static_cast<int64_t>(record.fields.size());
    }
    benchmark::DoNotOptimize(fields);
  }
  SetRates(state, records, static_cast<int64_t>(input->bytes.size()));
}

}  // namespace
}  // namespace tradewatch::ingest

int main(int argc, char** argv) {
  using tradewatch::ingest::Corpus;
  using tradewatch::ingest::Input;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto corpus = tradewatch::ingest::LoadCorpus();
  if (!corpus.ok()) {
    std::fprintf(stderr, "cannot load benchmark data: %s\n",
                 std::string(corpus.status().message()).c_str());
    return 1;
  }
  const Corpus* c = &*corpus;
  for (const Input& input : c->inputs) {
    benchmark::RegisterBenchmark(("BM_CensusReaderReadBuffer/" + input.name).c_str(),
                                 tradewatch::ingest::BM_CensusReaderReadBuffer, c, &input)
        ->Unit(benchmark::kMillisecond);
  }
  for (const Input& input : c->inputs) {
    if (!input.csv) continue;
    benchmark::RegisterBenchmark(("BM_CsvReaderNext/" + input.name).c_str(),
                                 tradewatch::ingest::BM_CsvReaderNext, &input)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
