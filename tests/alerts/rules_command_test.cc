// `tradewatch rules check` and `tradewatch rules export --prometheus`, run as the built binary.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"

namespace tradewatch {
namespace {

using ::testing::HasSubstr;

const std::string kTradewatch = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
const std::string kSource = TRADEWATCH_SOURCE_DIR;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout, or stdout and stderr together when merged
};

// Runs the built tradewatch with `args` (split on spaces).
Result Tradewatch(const std::string& args, bool merge_stderr = false) {
  std::vector<std::string> argv = {kTradewatch};
  std::istringstream words(args);
  for (std::string word; words >> word;) argv.push_back(word);
  auto [exit_code, out] = tradewatch::testing::RunProgram(argv, merge_stderr);
  return {exit_code, out};
}

TEST(RulesCommandTest, CheckWithoutFilesChecksTheBuiltInRules) {
  Result r = Tradewatch("rules check");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "deploy/rules/default.yaml: 17 rules OK\n");
}

TEST(RulesCommandTest, CheckPrintsACountPerFile) {
  Result r = Tradewatch("rules check " + kSource + "/deploy/rules/default.yaml");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, kSource + "/deploy/rules/default.yaml: 17 rules OK\n");
}

TEST(RulesCommandTest, CheckPrintsEveryProblemAndExitsOne) {
  std::string path = ::testing::TempDir() + "rules_command_bad.yaml";
  std::ofstream(path) << "rules:\n  - name: Bad\n    metric: hhi\n    severity: loud\n";
  Result r = Tradewatch("rules check " + path, /*merge_stderr=*/true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(path + ":2:5: rules[0].selector: required"));
  EXPECT_THAT(r.out, HasSubstr(path + ":4:5: rules[0].severity: \"loud\" is not one of"));
  std::remove(path.c_str());
}

TEST(RulesCommandTest, CheckFindsDuplicateNamesAcrossFiles) {
  std::string default_rules = kSource + "/deploy/rules/default.yaml";
  Result r = Tradewatch("rules check " + default_rules + " " + default_rules, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("rules[0].name: rule name \"TaiwanSemiconductorImportShareHigh\" "
                               "already defined at " + default_rules));
}

TEST(RulesCommandTest, CheckRegionsComeFromTheRegionTable) {
  std::string regions = ::testing::TempDir() + "rules_command_regions.yaml";
  std::ofstream(regions) << "regions:\n  - name: ASEAN\n    member_codes: [\"5570\"]\n";
  Result r = Tradewatch("rules check --regions " + regions, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("rules[2].selector.region: unknown region \"USMCA\""));
  std::remove(regions.c_str());
}

TEST(RulesCommandTest, CheckChokepointsComeFromTheRouteTable) {
  std::string routes = ::testing::TempDir() + "rules_command_routes.yaml";
  std::ofstream(routes) << "version: test\n"
                           "chokepoints: [{id: chokepoint11, name: Taiwan Strait}]\n"
                           "routes:\n"
                           "  - {name: Taiwan, member_codes: [\"5830\"], "
                           "chokepoint_ids: [chokepoint11], assumption: ports on the strait}\n";
  Result r = Tradewatch("rules check --routes " + routes, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("deploy/rules/default.yaml:"));
  EXPECT_THAT(r.out, HasSubstr("rules[4].selector.chokepoint: unknown chokepoint \"chokepoint5\" "
                               "(known: chokepoint11)"));
  std::remove(routes.c_str());
}

TEST(RulesCommandTest, AnInvalidRouteTableIsOneErrorPerProblemNamingFileLineAndRoute) {
  std::string routes = ::testing::TempDir() + "rules_command_bad_routes.yaml";
  std::ofstream(routes) << "version: test\n"
                           "chokepoints: [{id: chokepoint5, name: Malacca Strait}]\n"
                           "routes:\n"
                           "  - name: Malaysia\n"
                           "    member_codes: [\"5570\"]\n"
                           "    chokepoint_ids: [chokepoint9]\n"
                           "    assumption: ports on the strait\n";
  Result r = Tradewatch("rules check --routes " + routes, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(routes + ":6:22: routes[0].chokepoint_ids[0]: route \"Malaysia\": "
                               "unknown chokepoint \"chokepoint9\" (known: chokepoint5)"));
  std::remove(routes.c_str());
}

TEST(RulesCommandTest, ExportWritesTheCheckedInPrometheusRules) {
  auto checked_in = ReadFileContents(kSource + "/deploy/prometheus/tradewatch-rules.yml");
  ASSERT_TRUE(checked_in.ok()) << checked_in.status();
  Result r = Tradewatch("rules export --prometheus");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, *checked_in);

  std::string out = ::testing::TempDir() + "rules_command_export.yml";
  r = Tradewatch("rules export --prometheus --rules " + kSource + "/deploy/rules/default.yaml -o " +
                 out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  auto written = ReadFileContents(out);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, *checked_in);
  std::remove(out.c_str());
}

TEST(RulesCommandTest, ExportOfInvalidRulesFails) {
  std::string path = ::testing::TempDir() + "rules_command_invalid.yaml";
  std::ofstream(path) << "rules:\n  - name: A\n    metrc: hhi\n";
  Result r = Tradewatch("rules export --prometheus --rules " + path, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr(path + ":3:5: rules[0].metrc: unknown key"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("groups:")));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tradewatch
