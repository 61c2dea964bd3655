// The generated Prometheus rules against the real promtool (Debian's prometheus package): the
// export of deploy/rules/default.yaml passes `promtool check rules`, the checked-in
// deploy/prometheus/tradewatch-rules.yml is that export byte for byte, every unit test under
// deploy/prometheus/tests/ passes `promtool test rules`, and the alert metrics' exposition passes
// `promtool check metrics`. Without promtool these tests fail: install it with
// `./scripts/bootstrap --services`.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "alerts/alert_metrics.h"
#include "alerts/prometheus_export.h"
#include "alerts/rule_engine.h"
#include "alerts/rule_validation.h"
#include "common/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "tests/alerts/alert_fixtures.h"
#include "tests/support/subprocess.h"

namespace tradewatch::alerts {
namespace {

namespace fs = std::filesystem;

const std::string kSource = TRADEWATCH_SOURCE_DIR;

// Runs promtool with `args`; stdout and stderr together.
struct Result {
  int exit_code = -1;
  std::string output;
};
Result Promtool(const std::string& promtool, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {promtool};
  argv.insert(argv.end(), args.begin(), args.end());
  auto [exit_code, output] = tradewatch::testing::RunProgram(argv);
  return {exit_code, output};
}

tradewatch::v1::RuleFile DefaultRules() {
  tradewatch::v1::RegionTable regions;
  absl::Status loaded = LoadYamlFile(kSource + "/deploy/regions/regions.yaml", &regions);
  EXPECT_TRUE(loaded.ok()) << loaded;
  tradewatch::v1::RouteTable routes;
  loaded = LoadYamlFile(kSource + "/deploy/routes/routes.yaml", &routes);
  EXPECT_TRUE(loaded.ok()) << loaded;
  auto rules = LoadRuleFiles({kSource + "/deploy/rules/default.yaml"},
                             RuleReferences(RegionNames(regions), ChokepointIds(routes)));
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : tradewatch::v1::RuleFile();
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class PromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    promtool_ = tradewatch::testing::FindProgram("promtool");
    ASSERT_FALSE(promtool_.empty())
        << "promtool not found: install it with ./scripts/bootstrap --services";
  }
  std::string promtool_;
};

TEST_F(PromtoolTest, ExportOfTheDefaultRulesPassesCheckRules) {
  std::string path = WriteTemp("tradewatch-rules.yml", ExportPrometheusRules(DefaultRules()));
  Result r = Promtool(promtool_, {"check", "rules", path});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("SUCCESS: 24 rules found"));
  std::remove(path.c_str());
}

TEST_F(PromtoolTest, CheckedInRuleFileIsTheExportOfTheDefaultRules) {
  auto checked_in = ReadFileContents(kSource + "/deploy/prometheus/tradewatch-rules.yml");
  ASSERT_TRUE(checked_in.ok()) << checked_in.status();
  EXPECT_EQ(*checked_in, ExportPrometheusRules(DefaultRules()))
      << "deploy/prometheus/tradewatch-rules.yml is stale: regenerate it with\n"
         "  tradewatch rules export --prometheus -o deploy/prometheus/tradewatch-rules.yml";
}

TEST_F(PromtoolTest, EveryRuleUnitTestPasses) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kSource + "/deploy/prometheus/tests")) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const std::string& file : files) {
    Result r = Promtool(promtool_, {"test", "rules", file});
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.output;
  }
}

TEST_F(PromtoolTest, AlertMetricsExpositionPassesCheckMetrics) {
  prometheus::Registry registry;
  AlertMetrics metrics(registry);
  auto engine = RuleEngine::Create(DefaultRules());
  ASSERT_TRUE(engine.ok()) << engine.status();
  for (const auto& e : fixtures::Release(**engine, {fixtures::TaiwanShare(202504, 0.3043)})) {
    metrics.Count(e);
  }
  metrics.Update(**engine);
  std::ostringstream exposition;
  prometheus::TextSerializer().Serialize(exposition, registry.Collect());
  ASSERT_THAT(exposition.str(), ::testing::HasSubstr("tradewatch_alert_active{"));
  std::string path = WriteTemp("alert_metrics.prom", exposition.str());
  // promtool check metrics reads the exposition from stdin.
  Result r = Promtool("sh", {"-c", promtool_ + " check metrics < " + path});
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << exposition.str();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tradewatch::alerts
