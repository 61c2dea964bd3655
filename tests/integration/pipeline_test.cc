// The streaming service end to end on the embedded broker: ingest -> observation topic ->
// processor -> shares, balance, alert and dead-letter topics, each read back by a separate
// consumer, on the real Census data.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/record_keys.h"
#include "common/kafka/kafka_producer.h"
#include "ingest/observation_publisher.h"
#include "tests/support/kafka_read.h"
#include "tests/support/subprocess.h"
#include "tools/demo.h"
#include "tools/service.h"
#include "tradewatch/v1/rejected.pb.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;
using ::tradewatch::testing::ReadRecord;
using ::tradewatch::testing::ReadTopic;

constexpr char kData[] = "../shared/data";
constexpr char k3344File[] = "census_naics_by_country/census_imports_naics_3344.csv";
constexpr char kTaiwanRule[] = "TaiwanSemiconductorImportShareHigh";

std::unique_ptr<Service> StartTestService() {
  v1::ServiceConfig config;
  config.mutable_metrics()->set_disabled(true);
  ApplyDefaults(&config);
  auto service = StartService(config);
  EXPECT_TRUE(service.ok()) << service.status();
  return service.ok() ? *std::move(service) : nullptr;
}

std::string Topic(const Service& s, const v1::TopicConfig& t) {
  return TopicName(s.config.kafka(), t);
}

// Splits a CSV line, honouring double quotes ("KOREA, SOUTH").
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back().push_back(c);
    }
  }
  return out;
}

// Independently of the readers: Taiwan's and all countries' 3344 imports per month, from the raw
// CSV (individual countries are four digits starting 1-7 without X).
struct MonthlySums {
  std::map<int32_t, double> taiwan, countries;
};

MonthlySums Read3344() {
  MonthlySums sums;
  std::ifstream in(std::string(kData) + "/" + k3344File);
  std::string line;
  std::getline(in, line);  // NAICS,CTY_CODE,CTY_NAME,GEN_VAL_MO,time,COMM_LVL,NAICS
  while (std::getline(in, line)) {
    auto f = SplitCsv(line);
    const std::string& code = f[1];
    if (code.size() != 4 || code[0] < '1' || code[0] > '7' ||
        code.find('X') != std::string::npos) {
      continue;
    }
    int32_t period = std::stoi(f[4].substr(0, 4)) * 100 + std::stoi(f[4].substr(5, 2));
    double value = std::stod(f[3]);
    sums.countries[period] += value;
    if (code == "5830") sums.taiwan[period] += value;
  }
  return sums;
}

// Taiwan's T12M share at every period with twelve months of data.
std::map<int32_t, double> TaiwanT12m(const MonthlySums& sums) {
  std::map<int32_t, double> out;
  std::vector<int32_t> periods;
  for (const auto& [p, v] : sums.countries) periods.push_back(p);
  for (size_t i = 11; i < periods.size(); ++i) {
    double tw = 0, all = 0;
    for (size_t j = i - 11; j <= i; ++j) {
      tw += sums.taiwan.count(periods[j]) ? sums.taiwan.at(periods[j]) : 0;
      all += sums.countries.at(periods[j]);
    }
    out[periods[i]] = tw / all;
  }
  return out;
}

// The rule's transitions by hand: fire above 30%, resolve below 28%.
std::vector<std::pair<int32_t, v1::AlertState>> ExpectedTaiwanTransitions(
    const std::map<int32_t, double>& t12m) {
  std::vector<std::pair<int32_t, v1::AlertState>> out;
  bool firing = false;
  for (const auto& [period, share] : t12m) {
    if (!firing && share > 0.30) {
      firing = true;
      out.push_back({period, v1::ALERT_STATE_FIRING});
    } else if (firing && share < 0.28) {
      firing = false;
      out.push_back({period, v1::ALERT_STATE_RESOLVED});
    }
  }
  return out;
}

std::vector<std::pair<int32_t, v1::AlertState>> TransitionsOf(const std::vector<ReadRecord>& alerts,
                                                             const std::string& rule) {
  std::vector<std::pair<int32_t, v1::AlertState>> out;
  for (const ReadRecord& r : alerts) {
    v1::AlertEvent e;
    EXPECT_TRUE(e.ParseFromString(r.value));
    if (e.rule() == rule) out.push_back({e.period_yyyymm(), e.state()});
  }
  return out;
}

TEST(PipelineTest, TaiwanRuleFiresAtTheFirstPeriodWhoseTrailingYearExceedsThirtyPercent) {
  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  ReplayOptions replay;
  replay.sources = {{k3344File, nullptr}};
  auto result = ReplayDemoData(*service, replay);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->releases, 60);  // 2021-01 .. 2025-12

  auto alerts = ReadTopic(service->kafka.client, Topic(*service, service->config.kafka().topics().alerts()));
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  const auto expected = ExpectedTaiwanTransitions(TaiwanT12m(Read3344()));
  ASSERT_FALSE(expected.empty()) << "the real data should cross 30%";
  EXPECT_EQ(expected.front().second, v1::ALERT_STATE_FIRING);
  EXPECT_EQ(TransitionsOf(*alerts, kTaiwanRule), expected);

  // The FIRING event carries its evidence: the value above the threshold, Taiwan's value over
  // the total, Taiwan among the top partners.
  for (const ReadRecord& r : *alerts) {
    v1::AlertEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    if (e.rule() != kTaiwanRule) continue;
    EXPECT_EQ(r.key, AlertKey(e));
    EXPECT_EQ(r.header(kHeaderEventId), EventId(r.key, r.value));
    EXPECT_EQ(r.header(kHeaderSchema), "tradewatch.v1.AlertEvent");
    const v1::AlertEvidence& ev = e.evidence();
    EXPECT_NEAR(ev.value(), TaiwanT12m(Read3344()).at(e.period_yyyymm()), 1e-9);
    EXPECT_DOUBLE_EQ(ev.threshold(), 0.30);
    EXPECT_NEAR(static_cast<double>(ev.numerator_usd()) / static_cast<double>(ev.denominator_usd()),
                ev.value(), 1e-12);
    EXPECT_EQ(ev.cause(), v1::ALERT_CAUSE_NEW_DATA);
    bool taiwan_listed = false;
    for (const auto& p : ev.top_partners()) taiwan_listed |= p.code() == "5830";
    EXPECT_TRUE(taiwan_listed);
    break;
  }
}

TEST(PipelineTest, SharesAndBalancesOnTheTopicsMatchIndependentSums) {
  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  ReplayOptions replay;
  auto result = ReplayDemoData(*service, replay);
  ASSERT_TRUE(result.ok()) << result.status();

  auto shares = ReadTopic(service->kafka.client, Topic(*service, service->config.kafka().topics().shares()));
  ASSERT_TRUE(shares.ok()) << shares.status();
  const auto t12m = TaiwanT12m(Read3344());
  // Final result only: a result is emitted once per release that changes it (a year window
  // again with each of its months, a T12M window once when its last month arrives).
  std::set<std::pair<std::string, int64_t>> emitted;
  int checked = 0;
  for (const ReadRecord& r : *shares) {
    v1::PartnerShares s;
    ASSERT_TRUE(s.ParseFromString(r.value));
    EXPECT_TRUE(emitted.insert({r.key, s.vintage()}).second)
        << "result emitted twice in one release: " << r.key;
    EXPECT_EQ(r.key, SharesKey(s));
    double sum = 0;
    for (const auto& p : s.partners()) sum += p.share();
    if (s.total_usd() > 0) {
      EXPECT_NEAR(sum, 1.0, 1e-9) << r.key;
    }
    EXPECT_LE(s.partners_size(), 12) << "top 10 + rest + not in detail";
    if (s.product_code() == "3344" && s.flow() == v1::FLOW_IMPORTS &&
        s.window().kind() == v1::WINDOW_KIND_T12M &&
        s.window().complete()) {
      for (const auto& p : s.partners()) {
        if (p.code() == "5830") {
          EXPECT_NEAR(p.share(), t12m.at(s.window().end_period_yyyymm()), 1e-9) << r.key;
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(t12m.size()));

  // The 334 balance of 2024 against the world-total rows summed by hand.
  auto balances = ReadTopic(service->kafka.client, Topic(*service, service->config.kafka().topics().balance()));
  ASSERT_TRUE(balances.ok()) << balances.status();
  const v1::BalanceResult* year2024 = nullptr;
  v1::BalanceResult holder;
  for (const ReadRecord& r : *balances) {
    if (r.key == "naics/334/all/year/202412") {
      ASSERT_TRUE(holder.ParseFromString(r.value));
      year2024 = &holder;
    }
  }
  ASSERT_NE(year2024, nullptr);
  auto world_total = [](const std::string& file, const std::string& flow) {
    auto [code, text] = ::tradewatch::testing::RunProgram(
        {"sh", "-c", "zcat " + std::string(kData) + "/census_naics_world_totals/" + file});
    EXPECT_EQ(code, 0);
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    auto header = SplitCsv(line);
    auto col = [&](const std::string& name) {
      return std::find(header.begin(), header.end(), name) - header.begin();
    };
    int64_t sum = 0;
    while (std::getline(in, line)) {
      auto f = SplitCsv(line);
      if (f[col("category_code")] == "334" && f[col("flow")] == flow &&
          f[col("year")] == "2024" && f[col("dimension")] == "naics") {
        sum += std::stoll(f[col("value_mo")]);
      }
    }
    return sum;
  };
  const int64_t imports = world_total("census_imports_naics_2016_2024.csv.gz", "imports");
  const int64_t exports = world_total("census_exports_naics_3digit_2016_2024.csv.gz", "exports");
  EXPECT_GT(imports, 0);
  EXPECT_EQ(year2024->imports_usd(), imports);
  EXPECT_EQ(year2024->exports_usd(), exports);
  EXPECT_EQ(year2024->balance_usd(), imports - exports);
  EXPECT_TRUE(year2024->has_deficit_growth());

  // Every rejected row of the data set is on the dead-letter topic, with its reason header.
  auto dead = ReadTopic(service->kafka.client, Topic(*service, service->config.kafka().topics().deadletter()));
  ASSERT_TRUE(dead.ok()) << dead.status();
  EXPECT_EQ(static_cast<int64_t>(dead->size()), result->rejects);
  for (const ReadRecord& r : *dead) {
    v1::RejectedRecord reject;
    ASSERT_TRUE(reject.ParseFromString(r.value));
    EXPECT_EQ(r.header(kHeaderReason), ShortName(reject.reason()));
    EXPECT_FALSE(reject.message().empty());
  }
}

}  // namespace
}  // namespace tradewatch::tools
