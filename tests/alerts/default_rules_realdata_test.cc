// deploy/rules/default.yaml over the real Census data in ../shared/data: the processors' own
// shares and balances of every period, fed to the rule engine, give exactly the transitions its
// comments promise (the figures that justify each threshold). A backfill in one release and the
// same results replayed period by period give the same events.
#include <string>
#include <vector>

#include "alerts/rule_engine.h"
#include "alerts/rule_validation.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/census_reader.h"
#include "ingest/record_sink.h"
#include "processors/analytics.h"
#include "processors/trade_table.h"
#include "tests/support/ingest_support.h"

namespace tradewatch::alerts {
namespace {

namespace v1 = tradewatch::v1;
using ::testing::ElementsAre;

const std::string kSource = TRADEWATCH_SOURCE_DIR;
const std::string kData = "../shared/data/";

class TableSink : public ingest::RecordSink {
 public:
  explicit TableSink(processors::TradeTable* table) : table_(table) {}
  void OnObservation(const v1::TradeObservation& o) override { table_->Upsert(o); }
  void OnReject(const v1::RejectedRecord&) override {}

 private:
  processors::TradeTable* table_;
};

processors::TradeTable Read(const std::vector<std::string>& files) {
  processors::TradeTable table;
  TableSink sink(&table);
  ingest::ReadOptions options;
  options.countries = &ingest::testing::Countries();
  options.release_id = "shared-data";
  options.vintage = 1;
  ingest::CensusReader reader(options, &sink);
  for (const std::string& f : files) {
    absl::Status status = reader.ReadFile(kData + f);
    EXPECT_TRUE(status.ok()) << status;
  }
  return table;
}

class DefaultRulesRealDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status loaded = LoadYamlFile(kSource + "/deploy/regions/regions.yaml", &regions_);
    ASSERT_TRUE(loaded.ok()) << loaded;
    loaded = LoadYamlFile(kSource + "/deploy/routes/routes.yaml", &routes_);
    ASSERT_TRUE(loaded.ok()) << loaded;
    auto rules = LoadRuleFiles({kSource + "/deploy/rules/default.yaml"}, References());
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = *rules;
  }

  // T12M import shares of `code` (every partner listed) at every period of the series.
  std::vector<v1::PartnerShares> ImportShares(const processors::TradeTable& table,
                                              const std::string& code) const {
    const processors::Series* series = table.Find(
        {v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, code});
    EXPECT_NE(series, nullptr) << code;
    std::vector<v1::PartnerShares> out;
    if (series == nullptr) return out;
    processors::ShareOptions options;
    options.top_n = 0;
    options.regions = &regions_;
    options.routes = &routes_;
    options.namer = [](std::string_view c) {
      return std::string(ingest::testing::Countries().DisplayName(c));
    };
    for (const auto& [period, aggregate] : series->periods()) {
      out.push_back(processors::ComputeShares(*series, v1::WINDOW_KIND_T12M, period, options));
    }
    return out;
  }

  // "Rule FIRING@202504" for each event.
  static std::vector<std::string> Brief(const std::vector<v1::AlertEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
      out.push_back(fmt::format("{} {}@{}", e.rule(), v1::AlertState_Name(e.state()).substr(12),
                                e.period_yyyymm()));
    }
    return out;
  }

  std::vector<v1::AlertEvent> Backfill(const std::vector<v1::PartnerShares>& shares,
                                       const std::vector<v1::BalanceResult>& balances) {
    auto engine = RuleEngine::Create(rules_, References());
    EXPECT_TRUE(engine.ok()) << engine.status();
    return (*engine)->OnRelease({"backfill", 1}, shares, balances);
  }

  std::vector<v1::AlertEvent> Replay(const std::vector<v1::PartnerShares>& shares,
                                     const std::vector<v1::BalanceResult>& balances) {
    auto engine = RuleEngine::Create(rules_, References());
    EXPECT_TRUE(engine.ok()) << engine.status();
    std::vector<v1::AlertEvent> out;
    for (const auto& s : shares) {
      for (auto& e : (*engine)->OnRelease({"backfill", 1}, {&s, 1}, {})) out.push_back(e);
    }
    for (const auto& b : balances) {
      for (auto& e : (*engine)->OnRelease({"backfill", 1}, {}, {&b, 1})) out.push_back(e);
    }
    return out;
  }

  RuleReferences References() const {
    return RuleReferences(RegionNames(regions_), ChokepointIds(routes_));
  }

  v1::RegionTable regions_;
  v1::RouteTable routes_;
  v1::RuleFile rules_;
};

TEST_F(DefaultRulesRealDataTest, SemiconductorRulesFireWhereTheCensusSeriesCrosses) {
  processors::TradeTable table = Read({"census_naics_by_country/census_imports_naics_3344.csv"});
  std::vector<v1::PartnerShares> shares = ImportShares(table, "3344");
  ASSERT_EQ(shares.size(), 60u);  // 2021-01 .. 2025-12; the first eleven T12M are incomplete
  std::vector<v1::AlertEvent> events = Backfill(shares, {});
  // The exposure to the Malacca Strait is 23.3% in the first complete T12M (2021-12) and 22.9%
  // in 2022-01 (two releases), above 18% through 2022-11, 17.6% in 2022-12. Taiwan crosses 30% in
  // the T12M to 2025-04 (30.4%) and stays above 28%; the HHI crosses 0.15 in 2025-10 (0.154) and
  // holds in 2025-11 (0.156): two releases.
  EXPECT_THAT(Brief(events), ElementsAre("SemiconductorImportMalaccaExposureHigh FIRING@202201",
                                         "SemiconductorImportMalaccaExposureHigh RESOLVED@202212",
                                         "TaiwanSemiconductorImportShareHigh FIRING@202504",
                                         "SemiconductorImportConcentrationHigh FIRING@202511"));
  EXPECT_EQ(events[0].annotations(0).value(),
            "22.9% of US semiconductor imports (NAICS 3344, t12m to 2022-01) come from partners "
            "whose sea freight passes the Strait of Malacca");
  EXPECT_THAT(events[0].annotations(1).value(),
              ::testing::HasSubstr("routed through Malacca Strait (chokepoint5) in the route "
                                   "table is above 20.0%"));
  EXPECT_EQ(events[1].evidence().value(), events[1].evidence().numerator_usd() /
                                              static_cast<double>(
                                                  events[1].evidence().denominator_usd()));
  EXPECT_NEAR(events[1].evidence().value(), 0.1759, 0.00005);
  EXPECT_EQ(events[2].annotations(0).value(),
            "Taiwan (5830) supplies 30.4% of US semiconductor imports (NAICS 3344, t12m to "
            "2025-04)");
  EXPECT_EQ(events[2].evidence().top_partners(0).code(), "5830");
  EXPECT_EQ(events[3].annotations(0).value(),
            "US semiconductor imports (NAICS 3344) are concentrated: HHI 0.156 over the t12m to "
            "2025-11");

  std::vector<v1::AlertEvent> replayed = Replay(shares, {});
  ASSERT_EQ(replayed.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(replayed[i].SerializeAsString(), events[i].SerializeAsString());
  }
}

TEST_F(DefaultRulesRealDataTest, UsmcaComputerShareOf2024IsFarFromItsThreshold) {
  processors::TradeTable table =
      Read({"census_naics_by_country/census_imports_naics334family_by_country_2024_monthly.csv"});
  auto engine = RuleEngine::Create(rules_, References());
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_THAT((*engine)->OnRelease({"2024", 1}, ImportShares(table, "3341"), {}),
              ::testing::IsEmpty());
  std::vector<std::string> watched;
  (*engine)->ForEachWatched([&](const WatchedValue& w) {
    watched.push_back(fmt::format("{} {} {:.4f}", w.rule->name(), w.period_yyyymm, w.value));
  });
  // Only the T12M to 2024-12 is complete: 32.3%, against a threshold of 25%.
  EXPECT_THAT(watched, ElementsAre("UsmcaComputerImportShareLow 202412 0.3231"));
}

TEST_F(DefaultRulesRealDataTest, DeficitGrowthRuleFiresOnlyInThe2021To2022Surge) {
  processors::TradeTable table =
      Read({"census_naics_world_totals/census_imports_naics_2016_2024.csv.gz",
            "census_naics_world_totals/census_exports_naics_3digit_2016_2024.csv.gz"});
  const processors::Series* imports = table.Find(
      {v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "334"});
  const processors::Series* exports = table.Find(
      {v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS, v1::CLASSIFICATION_NAICS, "334"});
  ASSERT_NE(imports, nullptr);
  ASSERT_NE(exports, nullptr);
  std::vector<v1::BalanceResult> balances;
  for (const auto& [period, aggregate] : imports->periods()) {
    balances.push_back(
        processors::ComputeBalance(imports, exports, v1::WINDOW_KIND_T12M, period, nullptr));
  }
  ASSERT_EQ(balances.size(), 108u);  // 2016-01 .. 2024-12
  std::vector<v1::AlertEvent> events = Backfill({}, balances);
  // Growth is above 20% from the T12M to 2021-03 (two releases: fires at 2021-04) through
  // 2022-11, at 17.0% in 2022-12 (above the 15% clear) and 12.6% in 2023-01.
  EXPECT_THAT(Brief(events), ElementsAre("ElectronicsDeficitGrowthHigh FIRING@202104",
                                         "ElectronicsDeficitGrowthHigh RESOLVED@202301"));
  EXPECT_EQ(events[0].annotations(0).value(),
            "The US deficit in NAICS 334 grew 25.8% year over year (t12m to 2021-04)");

  std::vector<v1::AlertEvent> replayed = Replay({}, balances);
  ASSERT_EQ(replayed.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(replayed[i].SerializeAsString(), events[i].SerializeAsString());
  }
}

}  // namespace
}  // namespace tradewatch::alerts
