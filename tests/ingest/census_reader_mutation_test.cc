// Seeded random corruption of real Census rows, CSV and JSON: whatever the bytes, the reader never
// crashes, accounts for every record (records = accepted + aggregates + duplicates + rejected),
// and every reject carries a reason and a message naming the source. Deterministic: a fixed seed
// and a bounded number of cases.
#include <random>
#include <string>

#include "common/file_io.h"
#include "gtest/gtest.h"
#include "ingest/census_reader.h"
#include "ingest/record_sink.h"
#include "tests/support/ingest_support.h"

namespace tradewatch::ingest {
namespace {

using testing::Countries;

// The first `lines` lines of a real file.
std::string Head(const std::string& path, int lines) {
  auto text = ReadFileContents(path);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return "";
  size_t pos = 0;
  for (int i = 0; i < lines && pos != std::string::npos; ++i) pos = text->find('\n', pos + 1);
  return text->substr(0, pos == std::string::npos ? text->size() : pos + 1);
}

std::string Mutate(std::string s, std::mt19937& rng) {
  static const char kSpecial[] = {'"', ',', '\n', '\r', '[', ']', '{', '}', '\\', '-', 'X', '\0',
                                  ' ', '9', static_cast<char>(0xff)};
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0: s[at] = kSpecial[rng() % sizeof(kSpecial)]; break;
      case 1: s.insert(at, 1, kSpecial[rng() % sizeof(kSpecial)]); break;
      case 2: s.erase(at, 1 + rng() % 8); break;
      case 3: s.resize(at); break;  // truncated
      default: s[at] = static_cast<char>(rng() % 256); break;
    }
  }
  return s;
}

void ExpectAccountedFor(const std::string& input, const char* origin) {
  CollectingSink sink;
  ReadOptions options;
  options.countries = &Countries();
  options.release_id = "fuzz";
  options.vintage = 1;
  CensusReader reader(options, &sink);
  reader.ReadBuffer(input, origin);
  const ReadSummary& s = reader.summary();
  ASSERT_TRUE(s.Balanced()) << s.Format();
  EXPECT_EQ(static_cast<int64_t>(sink.observations.size()), s.accepted + s.aggregates);
  EXPECT_EQ(static_cast<int64_t>(sink.rejects.size()), s.rejected_total());
  for (const auto& r : sink.rejects) {
    EXPECT_NE(r.reason(), v1::REJECT_REASON_UNSPECIFIED);
    EXPECT_EQ(r.message().rfind(origin, 0), 0u) << r.message();
  }
}

TEST(CensusReaderMutationTest, CorruptedCsvIsAlwaysAccountedFor) {
  std::string base =
      Head("../shared/data/census_naics_by_country/census_imports_naics_3344.csv", 60);
  ASSERT_FALSE(base.empty());
  std::mt19937 rng(20261128);
  for (int i = 0; i < 1500; ++i) {
    SCOPED_TRACE(i);
    ExpectAccountedFor(Mutate(base, rng), "mutated.csv");
    if (HasFatalFailure()) return;
  }
}

TEST(CensusReaderMutationTest, CorruptedJsonIsAlwaysAccountedFor) {
  // A whole real cached API response (the {"headers", "body"} wrapper, pretty-printed).
  auto base = ReadFileContents(
      "../shared/data/census_naics_by_country/raw_api_json/imports_statenaics_2024_taiwan.json");
  ASSERT_TRUE(base.ok()) << base.status();
  std::mt19937 rng(11282026);
  for (int i = 0; i < 400; ++i) {
    SCOPED_TRACE(i);
    ExpectAccountedFor(Mutate(*base, rng), "mutated.json");
    if (HasFatalFailure()) return;
  }
}

TEST(CensusReaderMutationTest, UnmutatedBasesReadWithoutRejects) {
  for (const char* path :
       {"../shared/data/census_naics_by_country/census_imports_naics_3344.csv",
        "../shared/data/census_naics_by_country/raw_api_json/imports_statenaics_2024_taiwan.json"}) {
    CollectingSink sink;
    ReadOptions options;
    options.countries = &Countries();
    CensusReader reader(options, &sink);
    ASSERT_TRUE(reader.ReadFile(path).ok());
    EXPECT_GT(reader.summary().accepted, 1000) << path;
    EXPECT_EQ(reader.summary().rejected_total(), 0) << path;
  }
}

}  // namespace
}  // namespace tradewatch::ingest
