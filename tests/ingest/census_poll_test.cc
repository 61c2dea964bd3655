// The Census API poller end to end in one process: a local HTTP server on 127.0.0.1:0 answers
// like the Census API with real rows (Taiwan's NAICS 334 family, 2024, from
// ../shared/data/census_naics_by_country/raw_api_json), libcurl fetches, the poller publishes to
// the embedded broker, and the test reads the observation topic back as a consumer would.
#include "ingest/census_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/file_io.h"
#include "common/json_writer.h"
#include "common/period.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "tests/support/http_server.h"
#include "tests/support/ingest_support.h"
#include "tests/support/kafka_read.h"
#include "tools/census_poll_command.h"
#include "tools/service.h"
#include "tools/service_config.h"

namespace tradewatch::ingest {
namespace {

namespace fs = std::filesystem;
namespace v1 = tradewatch::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using ::tradewatch::testing::HttpReply;
using ::tradewatch::testing::HttpRequest;
using ::tradewatch::testing::HttpServer;
using ::tradewatch::testing::Reply;
using ::tradewatch::testing::ReadRecord;
using std::chrono::milliseconds;

constexpr char kTaiwan2024[] =
    "../shared/data/census_naics_by_country/raw_api_json/imports_statenaics_2024_taiwan.json";
constexpr int kCodes = 7;  // 334 and 3341..3346

// The body rows of the real response (header first), read once.
const std::vector<std::vector<std::string>>& TaiwanRows() {
  static const auto* rows = [] {
    auto* out = new std::vector<std::vector<std::string>>();
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.load(kTaiwan2024).get(doc) != simdjson::SUCCESS) {
      ADD_FAILURE() << "cannot read " << kTaiwan2024;
      return out;
    }
    for (simdjson::dom::element row : doc["body"].get_array()) {
      std::vector<std::string> cells;
      for (simdjson::dom::element cell : row.get_array()) {
        cells.emplace_back(std::string_view(cell.get_string()));
      }
      out->push_back(std::move(cells));
    }
    return out;
  }();
  return *rows;
}

// An answer shaped like the real one (same header, same cell order, one row per line): Taiwan's
// NAICS 334 family for 2024-01..2024-<months>, with values replaced by (NAICS, month) and extra
// rows appended.
std::string TaiwanTable(int months,
                        const std::map<std::pair<std::string, int>, std::string>& values = {},
                        const std::vector<std::vector<std::string>>& extra = {}) {
  const auto& rows = TaiwanRows();
  std::vector<std::vector<std::string>> kept;
  if (rows.empty()) return "[]";
  kept.push_back(rows[0]);  // CTY_CODE, NAICS_LDESC, GEN_VAL_MO, YEAR, MONTH, CTY_NAME, NAICS
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> row = rows[i];
    const int month = std::stoi(row[4]);
    if (row[6].rfind("334", 0) != 0 || month > months) continue;
    if (auto it = values.find({row[6], month}); it != values.end()) row[2] = it->second;
    kept.push_back(std::move(row));
  }
  kept.insert(kept.end(), extra.begin(), extra.end());
  std::string text = "[";
  for (size_t i = 0; i < kept.size(); ++i) {
    text += i == 0 ? "[" : ",\n[";
    for (size_t j = 0; j < kept[i].size(); ++j) {
      if (j > 0) text += ',';
      AppendJsonString(kept[i][j], &text);
    }
    text += ']';
  }
  return text + "]";
}

// The real value of Taiwan's imports of `naics` in 2024-<month>.
int64_t RealValue(const std::string& naics, int month) {
  for (const auto& row : TaiwanRows()) {
    if (row[6] == naics && row[4] == fmt::format("{:02d}", month)) return std::stoll(row[2]);
  }
  return -1;
}

HttpReply Json(std::string body) {
  HttpReply reply;
  reply.headers = {{"Content-Type", "application/json;charset=utf-8"}};
  reply.body = std::move(body);
  return reply;
}

// 2024-04-10 14:00 UTC: February 2024 was released on 2024-04-04.
TimePoint T0() {
  return std::chrono::sys_days{std::chrono::year{2024} / 4 / 10} + std::chrono::hours(14);
}

int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

struct Published {
  std::vector<v1::TradeObservation> observations;
  std::vector<v1::ReleaseMarker> markers;
};

class CensusPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::ServiceConfig config;
    config.mutable_metrics()->set_disabled(true);
    // Two partitions: markers on each, and fewer watermark queries to read back.
    config.mutable_kafka()->mutable_topics()->mutable_observations()->set_partitions(2);
    tools::ApplyDefaults(&config);
    auto service = tools::StartIngestSide(config);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
    topics_ = service_->publish_topics();
    cache_dir_ = fs::path(::testing::TempDir()) /
                 ("census_poll_" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(cache_dir_);
    server_ = std::make_unique<HttpServer>([this](const HttpRequest& request) {
      std::lock_guard<std::mutex> lock(mutex_);
      return handler_(request);
    });
    ASSERT_TRUE(server_->ok());
  }

  void Serve(std::function<HttpReply(const HttpRequest&)> handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }

  // A poller of imports_naics (default variables, NAICS 334 family) against the local server.
  struct Rig {
    std::unique_ptr<CurlHttpFetcher> fetcher;
    std::unique_ptr<CensusApiClient> client;
    std::unique_ptr<ObservationPublisher> publisher;
    std::unique_ptr<CensusPoller> poller;
  };
  Rig MakePoller(const std::string& key = "", milliseconds timeout = milliseconds(5000),
                 int64_t max_bytes = 1 << 20) {
    Rig rig;
    HttpFetchOptions fetch;
    fetch.timeout = timeout;
    fetch.max_response_bytes = max_bytes;
    auto fetcher = CurlHttpFetcher::Create(fetch);
    EXPECT_TRUE(fetcher.ok()) << fetcher.status();
    rig.fetcher = *std::move(fetcher);
    CensusApiClient::Options options;
    options.retry.max_attempts = 2;
    options.retry.initial_backoff = milliseconds(5);
    options.retry.max_backoff = milliseconds(10);
    options.secret = key;
    rig.client = std::make_unique<CensusApiClient>(
        rig.fetcher.get(), options,
        [](milliseconds d) {
          std::this_thread::sleep_for(d);
          return true;
        },
        [this](PollErrorKind kind) { poll_metrics_.Errors(kind).Increment(); });
    rig.publisher = std::make_unique<ObservationPublisher>(topics_, service_->producer.get(),
                                                           &ingest_metrics_);
    CensusPollerOptions options_p;
    options_p.base_url = server_->url();
    options_p.api_key = key;
    v1::CensusApiQuery query;
    query.set_endpoint(v1::CENSUS_ENDPOINT_IMPORTS_NAICS);
    for (const char* code : {"334", "3341", "3342", "3343", "3344", "3345", "3346"}) {
      query.add_codes(code);
    }
    options_p.queries = {query};
    options_p.cache_dir = cache_dir_.string();
    rig.poller = std::make_unique<CensusPoller>(options_p, rig.client.get(),
                                                &ingest::testing::Countries(),
                                                rig.publisher.get(), &poll_metrics_);
    return rig;
  }

  Published ReadPublished() {
    Published out;
    auto records = tradewatch::testing::ReadTopic(service_->kafka.client, topics_.observations);
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) return out;
    for (const ReadRecord& r : *records) {
      v1::TradeEvent event;
      EXPECT_TRUE(event.ParseFromString(r.value));
      if (event.has_observation()) out.observations.push_back(event.observation());
      if (event.has_release_marker()) out.markers.push_back(event.release_marker());
    }
    return out;
  }

  double Metric(const std::string& name, const std::string& label = "",
                const std::string& value = "") {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& m : family.metric) {
        const bool match =
            label.empty() ||
            std::any_of(m.label.begin(), m.label.end(),
                        [&](const prometheus::ClientMetric::Label& l) {
                          return l.name == label && l.value == value;
                        });
        if (!match) continue;
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
    return -1;
  }

  size_t CacheFiles() {
    if (!fs::exists(cache_dir_)) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(cache_dir_),
                                             fs::directory_iterator()));
  }

  std::unique_ptr<tools::Service> service_;
  PublishTopics topics_;
  fs::path cache_dir_;
  std::mutex mutex_;
  std::function<HttpReply(const HttpRequest&)> handler_ = [](const HttpRequest&) {
    return Reply(500);
  };
  std::unique_ptr<HttpServer> server_;
  prometheus::Registry registry_;
  IngestMetrics ingest_metrics_{registry_};
  CensusPollMetrics poll_metrics_{registry_};
};

TEST_F(CensusPollerTest, NormalReleasePublishesEveryObservationThenAMarkerPerPartition) {
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2)); });
  Rig rig = MakePoller();
  auto result = rig.poller->Poll(T0());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, PollOutcome::kNewRelease);
  EXPECT_EQ(result->release_id, "census-api-2024-02");
  EXPECT_EQ(result->vintage, Seconds(T0()));
  EXPECT_EQ(result->through_period, 202402);
  EXPECT_EQ(result->added, 2 * kCodes);
  EXPECT_EQ(result->revised, 0);
  EXPECT_EQ(result->latest_period, 202402);
  EXPECT_EQ(result->Format(),
            fmt::format("release census-api-2024-02 (vintage {}, through 2024-02): 14 new, 0 "
                        "revised, 0 unchanged observations, 0 rejects",
                        Seconds(T0())));

  // With nothing held the range starts lookback_months (12) before the month awaited on
  // 2024-04-10, February.
  ASSERT_EQ(server_->request_count(), 1u);
  EXPECT_EQ(server_->requests()[0].target,
            "/imports/naics?get=CTY_CODE,CTY_NAME,NAICS,GEN_VAL_MO,CON_VAL_MO&NAICS=334"
            "&NAICS=3341&NAICS=3342&NAICS=3343&NAICS=3344&NAICS=3345&NAICS=3346"
            "&time=from+2023-02");

  Published published = ReadPublished();
  ASSERT_EQ(published.observations.size(), 2u * kCodes);
  for (const v1::TradeObservation& o : published.observations) {
    EXPECT_EQ(o.vintage(), Seconds(T0()));
    EXPECT_EQ(o.release_id(), "census-api-2024-02");
    EXPECT_EQ(o.partner_code(), "5830");
    EXPECT_EQ(o.measure(), v1::MEASURE_GENERAL_IMPORTS);
    EXPECT_EQ(o.value_usd(), RealValue(o.product_code(), o.period_yyyymm() % 100));
    EXPECT_EQ(o.source(), result->queries[0].cache_file);
    EXPECT_GT(o.source_line(), 0);
  }
  ASSERT_EQ(published.markers.size(), static_cast<size_t>(topics_.observation_partitions));
  int64_t counted = 0;
  for (const v1::ReleaseMarker& m : published.markers) {
    EXPECT_EQ(m.release_id(), "census-api-2024-02");
    EXPECT_EQ(m.vintage(), Seconds(T0()));
    EXPECT_EQ(m.through_period_yyyymm(), 202402);
    counted += m.observation_count();
  }
  EXPECT_EQ(counted, 2 * kCodes);

  // The raw answer is kept for audit, in a form the readers take back.
  ASSERT_EQ(CacheFiles(), 1u);
  auto cached = ReadFileContents(result->queries[0].cache_file);
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_THAT(*cached, HasSubstr("\"url\": \"" + server_->url() + "/imports/naics?get="));
  EXPECT_THAT(*cached, HasSubstr("\"status\": 200"));
  EXPECT_THAT(*cached, HasSubstr("\"fetched_at\": \"2024-04-10T14:00:00Z\""));
  EXPECT_THAT(*cached, HasSubstr(TaiwanTable(2)));
  CollectingSink sink;
  CensusReader reader({&ingest::testing::Countries(), "audit", 1, 0, std::nullopt}, &sink);
  ASSERT_TRUE(reader.ReadFile(result->queries[0].cache_file).ok());
  EXPECT_EQ(reader.summary().accepted, 2 * kCodes);
  EXPECT_EQ(reader.summary().rejected_total(), 0);

  EXPECT_EQ(Metric("tradewatch_ingest_census_polls_total", "outcome", "new_release"), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_release_period_yyyymm"), 202402);
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_release_timestamp_seconds"), Seconds(T0()));
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_success_timestamp_seconds"), Seconds(T0()));
  EXPECT_EQ(Metric("tradewatch_ingest_records_published_total"), 2 * kCodes);
}

TEST_F(CensusPollerTest, NoContentIsNoDataYetAndPublishesNothing) {
  Serve([](const HttpRequest&) { return Reply(204); });
  Rig rig = MakePoller();
  auto result = rig.poller->Poll(T0());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, PollOutcome::kNoData);
  EXPECT_EQ(result->Format(), "no data yet (HTTP 204)");
  EXPECT_EQ(result->queries[0].status, 204);
  EXPECT_EQ(rig.publisher->observations_sent(), 0);
  EXPECT_EQ(CacheFiles(), 0u);
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_EQ(Metric("tradewatch_ingest_census_polls_total", "outcome", "no_data"), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_success_timestamp_seconds"), Seconds(T0()));
}

TEST_F(CensusPollerTest, UnknownVariableFailsThePollInOneLineWithoutRetry) {
  Serve([](const HttpRequest&) {
    return Reply(400, "error: unknown variable 'GEN_VAL_MOX'");
  });
  Rig rig = MakePoller();
  auto result = rig.poller->Poll(T0());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(PollErrorKindOf(result.status()), PollErrorKind::kHttpClient);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("imports_naics: HTTP 400 Bad Request from"));
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("error: unknown variable 'GEN_VAL_MOX'"));
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_EQ(rig.publisher->observations_sent(), 0);
  EXPECT_EQ(Metric("tradewatch_ingest_census_poll_errors_total", "kind", "http_4xx"), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_census_polls_total", "outcome", "failed"), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_census_consecutive_poll_failures"), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_success_timestamp_seconds"), 0);
}

TEST_F(CensusPollerTest, ServerErrorThenSuccessPublishesAfterOneRetry) {
  std::atomic<int> calls{0};
  Serve([&](const HttpRequest&) {
    return ++calls == 1 ? Reply(500, "Internal Server Error")
                        : Json(TaiwanTable(2));
  });
  Rig rig = MakePoller();
  auto result = rig.poller->Poll(T0());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, PollOutcome::kNewRelease);
  EXPECT_EQ(result->queries[0].attempts, 2);
  EXPECT_EQ(server_->request_count(), 2u);
  EXPECT_EQ(rig.publisher->observations_sent(), 2 * kCodes);
  EXPECT_EQ(Metric("tradewatch_ingest_census_poll_errors_total", "kind", "http_5xx"), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_census_consecutive_poll_failures"), 0);
}

TEST_F(CensusPollerTest, AnswerSlowerThanTheTimeoutFailsThePoll) {
  Serve([](const HttpRequest&) {
    HttpReply reply = Json(TaiwanTable(2));
    reply.delay = milliseconds(3000);
    return reply;
  });
  Rig rig = MakePoller("", /*timeout=*/milliseconds(250));
  auto result = rig.poller->Poll(T0());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(PollErrorKindOf(result.status()), PollErrorKind::kTimeout);
  EXPECT_EQ(server_->request_count(), 2u);
  EXPECT_EQ(rig.publisher->observations_sent(), 0);
  EXPECT_EQ(Metric("tradewatch_ingest_census_poll_errors_total", "kind", "timeout"), 2);
  EXPECT_EQ(Metric("tradewatch_ingest_census_polls_total", "outcome", "failed"), 1);
}

TEST_F(CensusPollerTest, TruncatedBodyFailsThePollAndKeepsNothing) {
  Serve([](const HttpRequest&) {
    HttpReply reply = Json(TaiwanTable(2));
    reply.body.resize(reply.body.size() / 2);  // the connection drops halfway
    reply.missing_bytes = 1000;
    return reply;
  });
  Rig rig = MakePoller();
  auto result = rig.poller->Poll(T0());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(PollErrorKindOf(result.status()), PollErrorKind::kTruncated);
  EXPECT_EQ(server_->request_count(), 2u);
  EXPECT_EQ(rig.publisher->observations_sent(), 0);
  EXPECT_EQ(CacheFiles(), 0u);
  EXPECT_EQ(Metric("tradewatch_ingest_census_poll_errors_total", "kind", "truncated"), 2);
}

TEST_F(CensusPollerTest, OversizedBodyFailsThePollWithoutRetry) {
  Serve([](const HttpRequest&) { return Json(TaiwanTable(12)); });
  Rig rig = MakePoller("", milliseconds(5000), /*max_bytes=*/4096);
  auto result = rig.poller->Poll(T0());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(PollErrorKindOf(result.status()), PollErrorKind::kTooLarge);
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_EQ(rig.publisher->observations_sent(), 0);
  EXPECT_EQ(Metric("tradewatch_ingest_census_poll_errors_total", "kind", "too_large"), 1);
}

TEST_F(CensusPollerTest, RevisionOfThePreviousMonthPublishesExactlyTheChangedObservations) {
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2)); });
  Rig rig = MakePoller();
  auto first = rig.poller->Poll(T0());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->added, 2 * kCodes);
  const size_t records_after_first =
      ReadPublished().observations.size() + ReadPublished().markers.size();

  // Census revises two February values; everything else is answered again unchanged.
  const std::map<std::pair<std::string, int>, std::string> revised = {
      {{"3344", 2}, "3333333333"}, {{"3341", 2}, "1234567890"}};
  Serve([&](const HttpRequest&) { return Json(TaiwanTable(2, revised)); });
  const TimePoint t1 = T0() + std::chrono::minutes(15);
  auto second = rig.poller->Poll(t1);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->outcome, PollOutcome::kRevision);
  EXPECT_EQ(second->revised, 2);
  EXPECT_EQ(second->added, 0);
  EXPECT_EQ(second->unchanged, 2 * kCodes - 2);
  EXPECT_EQ(second->vintage, Seconds(t1));
  EXPECT_EQ(second->release_id, fmt::format("census-api-2024-02-revised-{}", Seconds(t1)));
  EXPECT_EQ(second->through_period, 202402);

  Published published = ReadPublished();
  ASSERT_EQ(published.observations.size() + published.markers.size(),
            records_after_first + 2 + static_cast<size_t>(topics_.observation_partitions));
  std::map<std::string, int64_t> new_vintage;
  for (const v1::TradeObservation& o : published.observations) {
    if (o.vintage() == Seconds(t1)) new_vintage[o.product_code()] = o.value_usd();
  }
  EXPECT_EQ(new_vintage, (std::map<std::string, int64_t>{{"3341", 1234567890},
                                                          {"3344", 3333333333}}));
  int64_t counted = 0;
  int markers = 0;
  for (const v1::ReleaseMarker& m : published.markers) {
    if (m.vintage() != Seconds(t1)) continue;
    ++markers;
    EXPECT_EQ(m.release_id(), second->release_id);
    EXPECT_EQ(m.through_period_yyyymm(), 202402);
    counted += m.observation_count();
  }
  EXPECT_EQ(markers, topics_.observation_partitions);
  EXPECT_EQ(counted, 2);
  EXPECT_EQ(Metric("tradewatch_ingest_census_revised_observations_total"), 2);
  EXPECT_EQ(Metric("tradewatch_ingest_census_polls_total", "outcome", "revision"), 1);
  // A revision is not a new month.
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_release_timestamp_seconds"), Seconds(T0()));
}

TEST_F(CensusPollerTest, NewMonthWithARevisionIsOneNewRelease) {
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2)); });
  Rig rig = MakePoller();
  ASSERT_TRUE(rig.poller->Poll(T0()).ok());
  Serve([](const HttpRequest&) { return Json(TaiwanTable(3, {{{"3344", 2}, "4000000000"}})); });
  const TimePoint t1 = T0() + std::chrono::hours(24 * 30);
  auto second = rig.poller->Poll(t1);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->outcome, PollOutcome::kNewRelease);
  EXPECT_EQ(second->release_id, "census-api-2024-03");
  EXPECT_EQ(second->added, kCodes);
  EXPECT_EQ(second->revised, 1);
  EXPECT_EQ(rig.publisher->observations_sent(), 2 * kCodes + kCodes + 1);
  // The next poll asks again from lookback_months before the new latest month.
  EXPECT_THAT(server_->requests().back().target, ::testing::EndsWith("&time=from+2023-02"));
  auto third = rig.poller->Poll(t1 + std::chrono::minutes(15));
  ASSERT_TRUE(third.ok());
  EXPECT_THAT(server_->requests().back().target, ::testing::EndsWith("&time=from+2023-03"));
  EXPECT_EQ(Metric("tradewatch_ingest_census_last_release_period_yyyymm"), 202403);
}

TEST_F(CensusPollerTest, UnchangedAnswerPublishesNothingAndIsNotKept) {
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2)); });
  Rig rig = MakePoller();
  ASSERT_TRUE(rig.poller->Poll(T0()).ok());
  auto second = rig.poller->Poll(T0() + std::chrono::minutes(15));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->outcome, PollOutcome::kUnchanged);
  EXPECT_EQ(second->unchanged, 2 * kCodes);
  EXPECT_EQ(second->Format(), "nothing new (14 observations unchanged)");
  EXPECT_TRUE(second->queries[0].cache_file.empty());
  EXPECT_EQ(rig.publisher->observations_sent(), 2 * kCodes);
  EXPECT_EQ(CacheFiles(), 1u);  // the first answer only
  EXPECT_EQ(Metric("tradewatch_ingest_census_polls_total", "outcome", "unchanged"), 1);
}

TEST_F(CensusPollerTest, RestartedPollerHoldsWhatTheTopicHoldsAndPublishesOnlyChanges) {
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2)); });
  Rig first = MakePoller();
  auto published = first.poller->Poll(T0());
  ASSERT_TRUE(published.ok()) << published.status();

  Rig second = MakePoller();
  auto read = tools::LoadHeldVintages(*service_, second.poller->options().queries,
                                      &second.poller->held());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, 2 * kCodes + topics_.observation_partitions);
  EXPECT_EQ(second.poller->held().size(), 2u * kCodes);
  EXPECT_EQ(second.poller->held().latest_period(), 202402);

  auto unchanged = second.poller->Poll(T0() + std::chrono::minutes(15));
  ASSERT_TRUE(unchanged.ok()) << unchanged.status();
  EXPECT_EQ(unchanged->outcome, PollOutcome::kUnchanged);
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2, {{{"334", 1}, "5000000000"}})); });
  // Even with a clock behind the first poller's, the new vintage is later than any held.
  auto revised = second.poller->Poll(T0() - std::chrono::hours(1));
  ASSERT_TRUE(revised.ok()) << revised.status();
  EXPECT_EQ(revised->outcome, PollOutcome::kRevision);
  EXPECT_EQ(revised->revised, 1);
  EXPECT_EQ(revised->vintage, Seconds(T0()) + 1);
  EXPECT_EQ(second.publisher->observations_sent(), 1);
}

TEST_F(CensusPollerTest, RejectedRowsGoToTheDeadLetterTopicOnce) {
  const std::vector<std::vector<std::string>> bad = {
      {"5830", "SEMICONDUCTORS", "(D)", "2024", "02", "TAIWAN", "3344"}};
  // The bad row conflicts with nothing: it names a month-code pair of its own (3344 in 2024-02 is
  // left out of the table by asking for one month only and appending February by hand).
  Serve([&](const HttpRequest&) { return Json(TaiwanTable(1, {}, bad)); });
  Rig rig = MakePoller();
  auto first = rig.poller->Poll(T0());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rejects_published, 1);
  EXPECT_EQ(first->added, kCodes);
  auto second = rig.poller->Poll(T0() + std::chrono::minutes(15));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->outcome, PollOutcome::kUnchanged);
  EXPECT_EQ(second->rejects_published, 0);
  EXPECT_EQ(rig.publisher->rejects_sent(), 1);
  EXPECT_EQ(Metric("tradewatch_ingest_records_rejected_total", "reason", "non_numeric_value"), 1);
  auto dead = tradewatch::testing::ReadTopic(service_->kafka.client, topics_.deadletter);
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_EQ(dead->size(), 1u);
  v1::RejectedRecord reject;
  ASSERT_TRUE(reject.ParseFromString((*dead)[0].value));
  EXPECT_EQ(reject.value(), "(D)");
  EXPECT_EQ(reject.position().source(), first->queries[0].cache_file);
}

TEST_F(CensusPollerTest, AnswerWithNoReadableRowFailsAsBadResponse) {
  Serve([](const HttpRequest&) { return Json("[[\"FOO\",\"BAR\"],[\"1\",\"2\"]]"); });
  Rig rig = MakePoller();
  auto result = rig.poller->Poll(T0());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(PollErrorKindOf(result.status()), PollErrorKind::kBadResponse);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("gave no readable row"));
  EXPECT_EQ(rig.publisher->observations_sent(), 0);
  EXPECT_EQ(CacheFiles(), 1u);  // kept for a human to look at
  EXPECT_EQ(Metric("tradewatch_ingest_census_poll_errors_total", "kind", "bad_response"), 1);
}

TEST_F(CensusPollerTest, ApiKeyIsSentButNeverCachedPublishedOrExported) {
  const std::string key = "census-KEY-0123456789abcdef";
  Serve([](const HttpRequest&) { return Json(TaiwanTable(2)); });
  Rig rig = MakePoller(key);
  auto result = rig.poller->Poll(T0());
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(server_->request_count(), 1u);
  EXPECT_THAT(server_->requests()[0].target, ::testing::EndsWith("&key=" + key));
  EXPECT_THAT(result->queries[0].display_url, Not(HasSubstr(key)));
  auto cached = ReadFileContents(result->queries[0].cache_file);
  ASSERT_TRUE(cached.ok());
  EXPECT_THAT(*cached, Not(HasSubstr(key)));
  for (const v1::TradeObservation& o : ReadPublished().observations) {
    EXPECT_THAT(o.DebugString(), Not(HasSubstr(key)));
  }
  std::ostringstream exposition;
  prometheus::TextSerializer().Serialize(exposition, registry_.Collect());
  EXPECT_THAT(exposition.str(), Not(HasSubstr(key)));
}

}  // namespace
}  // namespace tradewatch::ingest
