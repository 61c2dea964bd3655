// The built `tradewatch process` on a real Kafka 3.9 broker (scripts/kafka), as operators run it:
// two instances in one consumer group share the partitions (each owned once) and together write
// exactly what one instance writes; and a consumer that is not ours (kcat, with protoc and the
// shipped descriptor set) decodes the alert and shares topics.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "fmt/format.h"
#include "tests/support/census_months.h"
#include "tests/support/http_get.h"
#include "tests/support/kafka_read.h"
#include "tests/support/real_kafka.h"
#include "tests/support/subprocess.h"

namespace tradewatch {
namespace {

using ::tradewatch::testing::FindProgram;
using ::tradewatch::testing::ReadRecord;
using ::tradewatch::testing::ReadTopic;
using ::tradewatch::testing::RunProgram;
using ::tradewatch::testing::Subprocess;

const std::string kBinary = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
const std::string kDescriptorSet = std::string(TRADEWATCH_BINARY_DIR) + "/proto/tradewatch.desc";
constexpr char k3344[] = "../shared/data/census_naics_by_country/census_imports_naics_3344.csv";
constexpr char kFamilyExports[] =
    "../shared/data/census_naics_by_country/"
    "census_exports_naics334family_by_country_2024_monthly.csv";
constexpr int kPartitions = 6;

// One `tradewatch process` child: its metrics port and the partitions it owns, followed from its
// log ("assigned T/P: ...", "revoked T/P: ...").
class ProcessInstance {
 public:
  explicit ProcessInstance(const std::string& config)
      : child_({kBinary, "process", "--config", config}, /*merge_stderr=*/true) {
    auto line = child_.ReadUntil([this](const std::string& l) { return Follow(l); },
                                 std::chrono::seconds(60));
    if (line.has_value()) port_ = std::stoi(line->substr(line->rfind(':') + 1));
  }

  int port() const { return port_; }
  const std::set<int>& owned() const { return owned_; }
  std::string output() { return child_.ReadAll(); }

  // Reads whatever the child logged for up to `wait` (its pipe must not fill up).
  void Drain(std::chrono::milliseconds wait) {
    child_.ReadUntil([this](const std::string& l) { Follow(l); return false; }, wait);
  }

  double Metric(const std::string& name) {
    auto body = ::tradewatch::testing::HttpGet(port_, "/metrics");
    if (!body.ok()) return -1;
    return ::tradewatch::testing::ScrapedValue(*body, name, /*missing=*/0);
  }

  int Stop() {
    child_.Signal(SIGTERM);
    return child_.Wait();
  }

  // kill -9: no clean shutdown, no commit, no flush.
  void Kill() {
    child_.Signal(SIGKILL);
    child_.Wait();
  }

 private:
  // Returns true on the "metrics: http://127.0.0.1:PORT/metrics" line.
  bool Follow(const std::string& line) {
    static const std::regex ownership("(assigned|revoked) [^ ]*observations[^ ]*/([0-9]+):");
    std::smatch m;
    if (std::regex_search(line, m, ownership)) {
      if (m[1] == "assigned") {
        owned_.insert(std::stoi(m[2]));
      } else {
        owned_.erase(std::stoi(m[2]));
      }
    }
    if (line.rfind("metrics: http://", 0) == 0) {
      std::string url = line.substr(std::string("metrics: http://").size());
      url = url.substr(0, url.find('/'));
      port_ = std::stoi(url.substr(url.rfind(':') + 1));
      return true;
    }
    return false;
  }

  Subprocess child_;
  int port_ = 0;
  std::set<int> owned_;
};

// Outputs per (topic, key) in offset order: partition, value and event id.
using Outputs = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;

class RealProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kafka = ::tradewatch::testing::SharedRealKafka();
    ASSERT_TRUE(kafka.ok()) << kafka.status();
    brokers_ = (*kafka)->bootstrap();
  }

  // A configuration file with topics and a group of their own, metrics on an ephemeral port;
  // `kafka_extra` adds lines under `kafka:`.
  std::string WriteConfig(const std::string& own, const std::string& kafka_extra = "") {
    const std::string path = (std::filesystem::temp_directory_path() /
                              fmt::format("tradewatch-{}-{}.yaml", own, getpid()))
                                 .string();
    std::ofstream(path) << fmt::format(
        "kafka:\n  brokers: \"{}\"\n  topic_prefix: \"{}.\"\n  group_id: tradewatch-{}\n{}"
        "metrics:\n  listen_address: \"127.0.0.1:0\"\n",
        brokers_, own, own, kafka_extra);
    configs_.push_back(path);
    return path;
  }

  void TearDown() override {
    for (const std::string& path : configs_) std::filesystem::remove(path);
  }

  // Starts `n` instances in one group, waits until the group has settled with every partition
  // owned by exactly one of them, ingests one release (3344 imports 2021-2025 and the 334 family's
  // 2024 exports), waits until every partition's release marker is processed, and returns what
  // the instances wrote.
  Outputs RunInstances(int n, const std::string& own, std::vector<std::set<int>>* ownership) {
    const std::string config = WriteConfig(own);
    std::vector<std::unique_ptr<ProcessInstance>> instances;
    for (int i = 0; i < n; ++i) {
      instances.push_back(std::make_unique<ProcessInstance>(config));
      EXPECT_GT(instances.back()->port(), 0) << instances.back()->output();
      if (instances.back()->port() == 0) return {};
    }
    auto settled = [&] {
      size_t total = 0;
      std::set<int> all;
      for (auto& instance : instances) {
        if (instance->owned().empty()) return false;
        total += instance->owned().size();
        all.insert(instance->owned().begin(), instance->owned().end());
      }
      return total == kPartitions && all.size() == kPartitions;
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!settled() && std::chrono::steady_clock::now() < deadline) {
      for (auto& instance : instances) instance->Drain(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(settled()) << "the group did not settle with every partition owned once";

    auto [code, out] = RunProgram({kBinary, "ingest", "census", "--config", config, "--release",
                                   "2025-12", "--vintage", "20260201", k3344, kFamilyExports});
    EXPECT_EQ(code, 0) << out;

    auto processed = [&] {
      double markers = 0;
      for (auto& instance : instances) {
        markers += instance->Metric("tradewatch_processor_releases_total");
      }
      return markers;
    };
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (processed() < kPartitions && std::chrono::steady_clock::now() < deadline) {
      for (auto& instance : instances) instance->Drain(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(processed(), kPartitions);
    // Still settled: nobody took over a partition while the release was processed.
    EXPECT_TRUE(settled());
    for (auto& instance : instances) ownership->push_back(instance->owned());

    Outputs outputs = Written(own);
    for (auto& instance : instances) {
      const int exit_code = instance->Stop();
      EXPECT_EQ(exit_code, 0) << instance->output();
    }
    return outputs;
  }

  // What the process wrote to the derived and alert topics, as a read_committed consumer sees it.
  Outputs Written(const std::string& own) {
    Outputs outputs;
    kafka::ClientOptions client;
    client.brokers = brokers_;
    client.properties["isolation.level"] = "read_committed";
    for (const char* topic : {"tradewatch.trade.shares.v1", "tradewatch.trade.balance.v1",
                              "tradewatch.alerts.v1"}) {
      auto records = ReadTopic(client, own + "." + topic);
      EXPECT_TRUE(records.ok()) << records.status();
      if (!records.ok()) continue;
      for (const ReadRecord& r : *records) {
        outputs[{topic, r.key}].push_back(std::to_string(r.partition) + '\0' + r.value + '\0' +
                                          r.header("tw-event-id"));
      }
    }
    return outputs;
  }

  // The real 3344 imports as 60 monthly releases, each one `ingest census` run.
  void IngestMonthly(const std::string& config) {
    const std::string dir = (std::filesystem::temp_directory_path() /
                             fmt::format("tradewatch-months-{}", getpid()))
                                .string();
    std::filesystem::create_directories(dir);
    int vintage = 0;
    for (const auto& [period, file] : ::tradewatch::testing::Split3344ByMonth(dir)) {
      auto [code, out] = RunProgram({kBinary, "--log-level", "warn", "ingest", "census", "--config",
                                     config, "--release", period, "--vintage",
                                     std::to_string(++vintage), "--quiet", file});
      ASSERT_EQ(code, 0) << period << ": " << out;
    }
    std::filesystem::remove_all(dir);
  }

  std::string brokers_;
  std::vector<std::string> configs_;
};

size_t Count(const Outputs& outputs) {
  size_t n = 0;
  for (const auto& [key, records] : outputs) n += records.size();
  return n;
}

TEST_F(RealProcessTest, TwoInstancesInOneGroupOwnEachPartitionOnceAndWriteWhatOneWrites) {
  std::vector<std::set<int>> one_owner;
  const Outputs one = RunInstances(1, "single", &one_owner);
  ASSERT_EQ(one_owner.size(), 1u);
  EXPECT_EQ(one_owner[0].size(), static_cast<size_t>(kPartitions));
  ASSERT_GT(Count(one), 1000u);

  std::vector<std::set<int>> two_owners;
  const Outputs two = RunInstances(2, "pair", &two_owners);
  ASSERT_EQ(two_owners.size(), 2u);
  EXPECT_FALSE(two_owners[0].empty());
  EXPECT_FALSE(two_owners[1].empty());
  for (int p : two_owners[0]) EXPECT_EQ(two_owners[1].count(p), 0u) << "partition " << p;
  EXPECT_EQ(two_owners[0].size() + two_owners[1].size(), static_cast<size_t>(kPartitions));

  EXPECT_EQ(Count(two), Count(one));
  size_t differing = 0;
  for (const auto& [key, records] : one) {
    auto it = two.find(key);
    if (it == two.end() || it->second != records) {
      if (++differing <= 5) ADD_FAILURE() << key.first << " " << key.second << " differs";
    }
  }
  EXPECT_EQ(differing, 0u);
}

TEST_F(RealProcessTest, KcatAndProtocDecodeTheTopicsWithTheShippedDescriptorSet) {
  const std::string kcat = FindProgram("kcat");
  const std::string protoc = FindProgram("protoc");
  ASSERT_FALSE(kcat.empty()) << "kcat is missing: scripts/bootstrap --services installs it";
  ASSERT_FALSE(protoc.empty()) << "protoc is missing: scripts/bootstrap installs protobuf-compiler";
  ASSERT_TRUE(std::filesystem::exists(kDescriptorSet)) << kDescriptorSet;
  std::vector<std::set<int>> owners;
  const Outputs outputs = RunInstances(1, "decode", &owners);
  ASSERT_GT(Count(outputs), 0u);

  // Every alert event, one by one: kcat prints each value's partition and offset, then the raw
  // value of one message, which protoc decodes with the descriptor set alone.
  const std::string alerts = "decode.tradewatch.alerts.v1";
  auto [code, positions] = RunProgram(
      {kcat, "-C", "-b", brokers_, "-t", alerts, "-e", "-q", "-f", "%p %o\n"}, false);
  ASSERT_EQ(code, 0);
  auto decode = [&](const std::string& topic, const std::string& partition,
                    const std::string& offset, const std::string& type) {
    return RunProgram({"sh", "-c",
                       fmt::format("{} -C -b {} -t {} -p {} -o {} -c 1 -e -q -f '%s' | "
                                   "{} --decode={} --descriptor_set_in={}",
                                   kcat, brokers_, topic, partition, offset, protoc, type,
                                   kDescriptorSet)});
  };
  std::istringstream lines(positions);
  int decoded = 0;
  bool taiwan_firing = false;
  for (std::string partition, offset; lines >> partition >> offset;) {
    auto [decode_code, text] = decode(alerts, partition, offset, "tradewatch.v1.AlertEvent");
    ASSERT_EQ(decode_code, 0) << text;
    ASSERT_NE(text.find("state: ALERT_STATE_"), std::string::npos) << text;
    ASSERT_NE(text.find("evidence {"), std::string::npos) << text;
    taiwan_firing |= text.find("rule: \"TaiwanSemiconductorImportShareHigh\"") != std::string::npos &&
                     text.find("state: ALERT_STATE_FIRING") != std::string::npos &&
                     text.find("value: \"5830\"") != std::string::npos;
    ++decoded;
  }
  size_t alert_records = 0;
  for (const auto& [key, records] : outputs) {
    if (key.first == "tradewatch.alerts.v1") alert_records += records.size();
  }
  EXPECT_EQ(static_cast<size_t>(decoded), alert_records);
  EXPECT_TRUE(taiwan_firing);

  // A shares record: the key names the series, the value is PartnerShares.
  auto [shares_code, shares] = RunProgram(
      {kcat, "-C", "-b", brokers_, "-t", "decode.tradewatch.trade.shares.v1", "-e", "-q", "-f",
       "%p %o %k\n"},
      false);
  ASSERT_EQ(shares_code, 0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(shares, m,
                                std::regex("([0-9]+) ([0-9]+) imports/general_imports/naics/3344/"
                                           "t12m/202512\n")))
      << shares.substr(0, 2000);
  auto [share_code, share] = decode("decode.tradewatch.trade.shares.v1", m[1], m[2],
                                    "tradewatch.v1.PartnerShares");
  ASSERT_EQ(share_code, 0) << share;
  EXPECT_NE(share.find("product_code: \"3344\""), std::string::npos) << share;
  // Taiwan first, with the 2025 share the report tests compute from the CSV (0.3495).
  EXPECT_NE(share.find("partners {\n  code: \"5830\"\n  name: \"Taiwan\""), std::string::npos) << share;
  EXPECT_NE(share.find("share: 0.3495"), std::string::npos) << share;
}

// Exactly once under kill -9: the 60 monthly releases of the 3344 imports are on the topic; a
// `tradewatch process` with processing_guarantee exactly_once is killed with SIGKILL at random
// moments while it processes them (each time after it has closed at least 30 more release
// markers, so every kill lands mid-stream), restarted each time, and finally left to finish.
// What a read_committed consumer sees on the shares, balance and alert topics must equal, key by
// key and byte for byte, what an uninterrupted run writes: no output lost, none duplicated.
TEST_F(RealProcessTest, ExactlyOnceSurvivesKillNineWithNoLossAndNoDuplicate) {
  // A killed member holds its partitions until its session expires: 6 s (the broker's minimum)
  // instead of 45 s keeps the restarts short.
  const std::string eos =
      "  processing_guarantee: exactly_once\n  instance_id: test-instance\n"
      "  properties:\n    session.timeout.ms: \"6000\"\n    heartbeat.interval.ms: \"500\"\n";
  constexpr int kMarkers = 60 * kPartitions;

  const std::string clean_config = WriteConfig("eos-clean", eos);
  IngestMonthly(clean_config);
  {
    ProcessInstance clean(clean_config);
    ASSERT_GT(clean.port(), 0) << clean.output();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (clean.Metric("tradewatch_processor_releases_total") < kMarkers &&
           std::chrono::steady_clock::now() < deadline) {
      clean.Drain(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(clean.Metric("tradewatch_processor_releases_total"), kMarkers) << clean.output();
    EXPECT_EQ(clean.Stop(), 0);
  }
  // 60 periods x 4 windows of shares, as many balances, and the alert transitions.
  const Outputs expected = Written("eos-clean");
  ASSERT_GT(Count(expected), 480u);

  const std::string config = WriteConfig("eos-killed", eos);
  IngestMonthly(config);
  int kills = 0;
  double processed = 0;  // markers closed by the killed instances (some were not committed)
  for (int round = 0; round < 6; ++round) {
    ProcessInstance instance(config);
    ASSERT_GT(instance.port(), 0) << instance.output();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    double markers = 0;
    while ((markers = instance.Metric("tradewatch_processor_releases_total")) < 30 &&
           std::chrono::steady_clock::now() < deadline) {
      instance.Drain(std::chrono::milliseconds(5));
    }
    if (Count(Written("eos-killed")) >= Count(expected)) break;  // nothing left to interrupt
    instance.Kill();
    processed += markers;
    ++kills;
  }
  EXPECT_GE(kills, 3) << "the process finished before it could be killed mid-stream";
  std::cout << kills << " kills (kill -9) after " << processed
            << " release markers closed by the killed instances\n";
  {
    ProcessInstance last(config);
    ASSERT_GT(last.port(), 0) << last.output();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (Count(Written("eos-killed")) < Count(expected) &&
           std::chrono::steady_clock::now() < deadline) {
      last.Drain(std::chrono::milliseconds(500));
    }
    last.Drain(std::chrono::milliseconds(2000));  // anything more it would (wrongly) write
    EXPECT_EQ(last.Stop(), 0);
  }
  const Outputs written = Written("eos-killed");
  EXPECT_EQ(Count(written), Count(expected)) << kills << " kills after " << processed
                                             << " markers closed";
  size_t differing = 0;
  for (const auto& [key, records] : expected) {
    auto it = written.find(key);
    if (it == written.end() || it->second != records) {
      if (++differing <= 5) {
        ADD_FAILURE() << key.first << " " << key.second << ": "
                      << (it == written.end() ? 0 : it->second.size()) << " records, expected "
                      << records.size();
      }
    }
  }
  EXPECT_EQ(differing, 0u);
}

}  // namespace
}  // namespace tradewatch
