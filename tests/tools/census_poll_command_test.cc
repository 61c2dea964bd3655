// `tradewatch ingest census --api [--watch]` as operators run it: the built binary against a local
// HTTP server standing in for the Census API (127.0.0.1:0), on the embedded broker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "common/json_writer.h"
#include "tests/support/http_get.h"
#include "tests/support/http_server.h"
#include "tests/support/subprocess.h"

namespace tradewatch {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::tradewatch::testing::HttpReply;
using ::tradewatch::testing::HttpRequest;
using ::tradewatch::testing::HttpServer;
using ::tradewatch::testing::Reply;
using ::tradewatch::testing::RunProgram;
using ::tradewatch::testing::Subprocess;

const std::string kBinary = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
constexpr char kKey[] = "cli-test-KEY-5f3a9";

// Taiwan's NAICS 334 family in January and February 2024, as the real response has it.
std::string TaiwanTable() {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser
          .load("../shared/data/census_naics_by_country/raw_api_json/"
                "imports_statenaics_2024_taiwan.json")
          .get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << "cannot read the Taiwan response";
    return "[]";
  }
  std::string text = "[";
  bool header = true;
  for (simdjson::dom::element row : doc["body"].get_array()) {
    std::vector<std::string> cells;
    for (simdjson::dom::element cell : row.get_array()) {
      cells.emplace_back(std::string_view(cell.get_string()));
    }
    if (!header && (cells[6].rfind("334", 0) != 0 || cells[4] > "02")) continue;
    text += header ? "[" : ",\n[";
    for (size_t j = 0; j < cells.size(); ++j) {
      if (j > 0) text += ',';
      AppendJsonString(cells[j], &text);
    }
    text += ']';
    header = false;
  }
  return text + "]";
}

// imports/naics answers the table, everything else 204.
HttpReply CensusLike(const HttpRequest& request) {
  static const std::string table = TaiwanTable();
  if (request.path() != "/imports/naics") return Reply(204);
  HttpReply reply = Reply(200, table);
  reply.headers = {{"Content-Type", "application/json;charset=utf-8"}};
  return reply;
}

class CensusApiCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_ = fs::path(::testing::TempDir()) /
             ("census_cli_" +
              std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(cache_);
    setenv("CENSUS_API_KEY", kKey, 1);
  }
  void TearDown() override { unsetenv("CENSUS_API_KEY"); }

  std::vector<std::string> Args(const HttpServer& server, std::vector<std::string> more) {
    std::vector<std::string> args = {kBinary,     "ingest",      "census",
                                      "--api",     "--base-url",  server.url(),
                                      "--cache-dir", cache_.string()};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  fs::path cache_;
};

TEST_F(CensusApiCommandTest, HelpDocumentsTheApiOptions) {
  auto [code, out] = RunProgram({kBinary, "ingest", "census", "--api", "--help"});
  EXPECT_EQ(code, 0) << out;
  for (const char* option : {"--api", "--watch", "--from", "--to", "--query", "--base-url",
                             "--cache-dir", "--metrics-address", "--config", "--brokers"}) {
    EXPECT_THAT(out, HasSubstr(option));
  }
  EXPECT_THAT(out, HasSubstr("Census API (--api):"));
  EXPECT_THAT(out, HasSubstr("$CENSUS_API_KEY"));
  EXPECT_THAT(out, HasSubstr("census_api.calendar"));
}

TEST_F(CensusApiCommandTest, OnePollPublishesTheReleaseAndNeverShowsTheKey) {
  HttpServer server(CensusLike);
  ASSERT_TRUE(server.ok());
  auto [code, out] = RunProgram(Args(server, {}));
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("imports_naics: HTTP 200, " + cache_.string() + "/"));
  EXPECT_THAT(out, HasSubstr(": 14 rows, 14 records = 14 accepted + 0 aggregates"));
  EXPECT_THAT(out, HasSubstr("exports_naics: HTTP 204, no data yet"));
  EXPECT_THAT(out, HasSubstr("release census-api-2024-02 (vintage "));
  EXPECT_THAT(out, HasSubstr("through 2024-02): 14 new, 0 revised, 0 unchanged observations"));
  EXPECT_THAT(out, Not(HasSubstr(kKey)));
  // Both default queries were sent, with the key.
  ASSERT_EQ(server.request_count(), 2u);
  EXPECT_EQ(server.requests()[0].path(), "/imports/naics");
  EXPECT_EQ(server.requests()[1].path(), "/exports/naics");
  EXPECT_THAT(server.requests()[1].query(),
              HasSubstr("get=CTY_CODE,CTY_NAME,NAICS,ALL_VAL_MO&NAICS=334&NAICS=3341"));
  EXPECT_THAT(server.requests()[0].query(), ::testing::EndsWith(std::string("&key=") + kKey));
  for (const auto& entry : fs::directory_iterator(cache_)) {
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, Not(HasSubstr(kKey))) << entry.path();
  }
}

TEST_F(CensusApiCommandTest, QueryAndRangeOptionsShapeTheRequest) {
  HttpServer server(CensusLike);
  ASSERT_TRUE(server.ok());
  auto [code, out] = RunProgram(
      Args(server, {"--query", "imports_naics", "--from", "2024-01", "--to", "2024-02"}));
  EXPECT_EQ(code, 0) << out;
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_THAT(server.requests()[0].query(),
              HasSubstr("&time=from+2024-01+to+2024-02&key="));
}

TEST_F(CensusApiCommandTest, UnknownVariableExitsOneWithOneLine) {
  HttpServer server([](const HttpRequest&) {
    return Reply(400, "error: unknown variable 'GEN_VAL_MOX'");
  });
  ASSERT_TRUE(server.ok());
  auto [code, out] = RunProgram(Args(server, {"--query", "imports_naics"}));
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("tradewatch: imports_naics: HTTP 400 Bad Request from " +
                             server.url() + "/imports/naics?get="));
  EXPECT_THAT(out, HasSubstr("error: unknown variable 'GEN_VAL_MOX' (check the variables, codes "
                             "and predicates of census_api query 'imports_naics')\n"));
  EXPECT_THAT(out, Not(HasSubstr(kKey)));
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(CensusApiCommandTest, UsageErrorsAreReportedBeforeAnyRequest) {
  auto [files, files_out] =
      RunProgram({kBinary, "ingest", "census", "--api", "deploy/config/tradewatch.yaml"});
  EXPECT_NE(files, 0);
  EXPECT_THAT(files_out, HasSubstr("excludes"));
  auto [watch, watch_out] = RunProgram({kBinary, "ingest", "census", "--watch"});
  EXPECT_NE(watch, 0);
  EXPECT_THAT(watch_out, HasSubstr("--api"));
  auto [none, none_out] = RunProgram({kBinary, "ingest", "census"});
  EXPECT_EQ(none, 1);
  EXPECT_THAT(none_out, HasSubstr("give FILES to read, or --api to poll the Census API"));
  auto [query, query_out] =
      RunProgram({kBinary, "ingest", "census", "--api", "--query", "imports_hs"});
  EXPECT_EQ(query, 1);
  EXPECT_THAT(query_out, HasSubstr("--query imports_hs: no such census_api query (configured: "
                                   "imports_naics, exports_naics)"));
}

TEST_F(CensusApiCommandTest, WatchServesItsMetricsAndStopsOnSigterm) {
  HttpServer server(CensusLike);
  ASSERT_TRUE(server.ok());
  Subprocess watch(Args(server, {"--watch", "--metrics-address", "127.0.0.1:0"}),
                   /*merge_stderr=*/true);
  ASSERT_TRUE(watch.started());
  auto line = watch.ReadUntil(
      [](const std::string& l) { return l.rfind("metrics: http://127.0.0.1:", 0) == 0; },
      std::chrono::seconds(60));
  ASSERT_TRUE(line.has_value()) << watch.ReadAll();
  const std::string port_text = line->substr(std::string("metrics: http://127.0.0.1:").size());
  const int port = std::stoi(port_text.substr(0, port_text.find('/')));
  // The first poll runs at once; then the watch waits for the next month (2024-03, long overdue
  // on the real clock, so it is reported missed).
  auto missed = watch.ReadUntil(
      [](const std::string& l) { return l.find("the Census release of 2024-03 is missed") !=
                                        std::string::npos; },
      std::chrono::seconds(60));
  ASSERT_TRUE(missed.has_value()) << watch.ReadAll();
  auto metrics = tradewatch::testing::HttpGet(port, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(*metrics,
              HasSubstr("tradewatch_ingest_census_polls_total{outcome=\"new_release\"} 1"));
  EXPECT_THAT(*metrics, HasSubstr("tradewatch_ingest_census_last_release_period_yyyymm 202402"));
  EXPECT_THAT(*metrics, HasSubstr("tradewatch_ingest_census_next_release_period_yyyymm 202403"));
  EXPECT_THAT(*metrics, HasSubstr("tradewatch_ingest_census_consecutive_poll_failures 0"));
  EXPECT_THAT(*metrics, HasSubstr("tradewatch_ingest_records_published_total 14"));
  EXPECT_THAT(*metrics, Not(HasSubstr(kKey)));
  const std::string promtool = tradewatch::testing::FindProgram("promtool");
  if (!promtool.empty()) {
    const std::string path = ::testing::TempDir() + "census_watch_metrics.prom";
    std::ofstream(path) << *metrics;
    auto [lint, lint_out] = RunProgram({"sh", "-c", promtool + " check metrics < " + path});
    EXPECT_EQ(lint, 0) << lint_out;
  }
  watch.Signal(SIGTERM);
  EXPECT_EQ(watch.Wait(), 0);
  EXPECT_THAT(watch.ReadAll(), Not(HasSubstr(kKey)));
}

}  // namespace
}  // namespace tradewatch
