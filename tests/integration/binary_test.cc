// The built `tradewatch` binary as users run it, with kcat (Debian package) as the independent
// consumer of its topics.
#include <gtest/gtest.h>

#include <csignal>
#include <sstream>

#include "tests/support/subprocess.h"

namespace tradewatch {
namespace {

using ::tradewatch::testing::FindProgram;
using ::tradewatch::testing::RunProgram;
using ::tradewatch::testing::Subprocess;

const std::string kBinary = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
constexpr char k3344[] = "../shared/data/census_naics_by_country/census_imports_naics_3344.csv";

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// "embedded broker: 127.0.0.1:PORT ..." -> "127.0.0.1:PORT".
std::string BrokerOf(const std::string& line) {
  std::istringstream in(line.substr(std::string("embedded broker: ").size()));
  std::string address;
  in >> address;
  return address;
}

int CountLines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(BinaryTest, KcatReadsTheDemosAlertTopicWhileItServes) {
  const std::string kcat = FindProgram("kcat");
  ASSERT_FALSE(kcat.empty()) << "kcat is missing: scripts/bootstrap --services installs it";
  Subprocess demo({kBinary, "demo", "--metrics-address", "127.0.0.1:0"});
  ASSERT_TRUE(demo.started());
  auto broker_line = demo.ReadUntil(
      [](const std::string& l) { return StartsWith(l, "embedded broker: "); },
      std::chrono::seconds(60));
  ASSERT_TRUE(broker_line.has_value()) << demo.ReadAll();
  const std::string broker = BrokerOf(*broker_line);
  auto taiwan = demo.ReadUntil(
      [](const std::string& l) {
        return l.find("FIRING") != std::string::npos &&
               l.find("TaiwanSemiconductorImportShareHigh") != std::string::npos;
      },
      std::chrono::seconds(600));
  ASSERT_TRUE(taiwan.has_value()) << demo.ReadAll();
  EXPECT_NE(taiwan->find("Taiwan (5830)"), std::string::npos) << *taiwan;
  EXPECT_NE(taiwan->find("> 30.0%"), std::string::npos) << *taiwan;
  auto summary = demo.ReadUntil(
      [](const std::string& l) { return l.find("releases replayed") != std::string::npos; },
      std::chrono::seconds(600));
  ASSERT_TRUE(summary.has_value()) << demo.ReadAll();
  // "<n> releases replayed: ... <k> alert transitions, ..."
  const size_t at = summary->find(" alert transitions");
  ASSERT_NE(at, std::string::npos) << *summary;
  const size_t start = summary->rfind(' ', at - 1) + 1;
  const int transitions = std::stoi(summary->substr(start, at - start));
  ASSERT_GT(transitions, 0);
  ASSERT_TRUE(demo.ReadUntil([](const std::string& l) { return StartsWith(l, "serving "); },
                             std::chrono::seconds(120))
                  .has_value());

  auto [code, keys] = RunProgram(
      {kcat, "-b", broker, "-t", "tradewatch.alerts.v1", "-C", "-e", "-q", "-f", "%k\n"},
      /*merge_stderr=*/false);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(CountLines(keys), transitions);
  EXPECT_NE(keys.find("TaiwanSemiconductorImportShareHigh{"), std::string::npos) << keys;

  demo.Signal(SIGTERM);
  EXPECT_EQ(demo.Wait(), 0);
}

TEST(BinaryTest, IngestAndProcessRunAsSeparateCommandsOnOneBroker) {
  const std::string kcat = FindProgram("kcat");
  ASSERT_FALSE(kcat.empty()) << "kcat is missing: scripts/bootstrap --services installs it";
  Subprocess process({kBinary, "process", "--metrics-address", "127.0.0.1:0"});
  auto broker_line = process.ReadUntil(
      [](const std::string& l) { return StartsWith(l, "embedded broker: "); },
      std::chrono::seconds(60));
  ASSERT_TRUE(broker_line.has_value()) << process.ReadAll();
  const std::string broker = BrokerOf(*broker_line);

  auto [dry_code, dry] = RunProgram({kBinary, "ingest", "census", "--dry-run", k3344});
  EXPECT_EQ(dry_code, 0) << dry;
  EXPECT_NE(dry.find("10341 rows"), std::string::npos) << dry;

  auto [code, out] = RunProgram({kBinary, "ingest", "census", "--brokers", broker, "--release",
                                 "2025-12", "--vintage", "20260201", k3344});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("10341 rows"), std::string::npos) << out;
  EXPECT_NE(out.find("release 2025-12 (vintage 20260201, through 2025-12)"), std::string::npos)
      << out;

  // The one release carries five years: the processor evaluates them in event time, so the
  // Taiwan rule fires as it does month by month.
  std::string keys;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (keys.find("TaiwanSemiconductorImportShareHigh{") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    keys = RunProgram({kcat, "-b", broker, "-t", "tradewatch.alerts.v1", "-C", "-e", "-q", "-f",
                       "%k\n"},
                      false)
               .second;
  }
  EXPECT_NE(keys.find("TaiwanSemiconductorImportShareHigh{"), std::string::npos) << keys;
  auto [shares_code, shares] = RunProgram(
      {kcat, "-b", broker, "-t", "tradewatch.trade.shares.v1", "-C", "-e", "-q", "-f", "%k\n"},
      false);
  EXPECT_EQ(shares_code, 0);
  EXPECT_NE(shares.find("imports/general_imports/naics/3344/t12m/202512"), std::string::npos);

  process.Signal(SIGTERM);
  EXPECT_EQ(process.Wait(), 0) << process.ReadAll();
}

TEST(BinaryTest, StartupErrorsPrintOneLineAndExitNonZero) {
  auto [code, out] = RunProgram({kBinary, "process", "--config", "/nonexistent/tradewatch.yaml"});
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("/nonexistent/tradewatch.yaml"), std::string::npos) << out;
  auto [rules_code, rules_out] =
      RunProgram({kBinary, "process", "--rules", "/nonexistent/rules.yaml", "--metrics-address",
                  "127.0.0.1:0"});
  EXPECT_NE(rules_code, 0);
  EXPECT_NE(rules_out.find("/nonexistent/rules.yaml"), std::string::npos) << rules_out;
}

}  // namespace
}  // namespace tradewatch
