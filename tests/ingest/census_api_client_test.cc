// The Census API client (ingest/census_api_client.h, http_fetcher.h): URLs, the API key, the
// backoff, and every kind of answer from a local HTTP server on 127.0.0.1:0 (libcurl for real,
// no sleeping: the backoff waits are recorded instead).
#include "ingest/census_api_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/support/http_server.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::tradewatch::testing::HttpReply;
using ::tradewatch::testing::HttpRequest;
using ::tradewatch::testing::HttpServer;
using ::tradewatch::testing::Reply;
using std::chrono::milliseconds;

constexpr char kTable[] =
    "[[\"CTY_CODE\",\"CTY_NAME\",\"NAICS\",\"GEN_VAL_MO\",\"time\",\"NAICS\"],\n"
    "[\"5830\",\"TAIWAN\",\"3344\",\"5617418870\",\"2025-12\",\"3344\"]]";

v1::CensusApiQuery ImportsQuery(std::vector<std::string> codes = {"3344"}) {
  v1::CensusApiQuery q;
  q.set_endpoint(v1::CENSUS_ENDPOINT_IMPORTS_NAICS);
  for (const std::string& c : codes) q.add_codes(c);
  return q;
}

TEST(CensusApiUrlTest, DefaultImportsQueryAsksForBothImportBasesOfTheSelectedCodes) {
  CensusApiRequest r = BuildCensusApiRequest(kCensusApiBaseUrl, ImportsQuery({"334", "3344"}),
                                             {202412, 0}, "");
  EXPECT_EQ(r.name, "imports_naics");
  EXPECT_EQ(r.url,
            "https://api.census.gov/data/timeseries/intltrade/imports/naics"
            "?get=CTY_CODE,CTY_NAME,NAICS,GEN_VAL_MO,CON_VAL_MO&NAICS=334&NAICS=3344"
            "&time=from+2024-12");
  EXPECT_EQ(r.display_url, r.url);
}

TEST(CensusApiUrlTest, ExplicitVariablesLevelPredicatesAndRangeReproduceTheProvenanceQuery) {
  // ../shared/data/census_naics_by_country/PROVENANCE.md, section A.
  v1::CensusApiQuery q = ImportsQuery({"3344"});
  q.set_name("imports_3344");
  for (const char* v : {"NAICS", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO"}) q.add_variables(v);
  q.set_commodity_level("NA4");
  (*q.mutable_predicates())["SUMMARY_LVL"] = "DET";
  (*q.mutable_predicates())["CTY_CODE"] = "5830";
  CensusApiRequest r =
      BuildCensusApiRequest("http://127.0.0.1:8080/", q, {202101, 202512}, "");
  EXPECT_EQ(r.name, "imports_3344");
  EXPECT_EQ(r.url,
            "http://127.0.0.1:8080/imports/naics?get=NAICS,CTY_CODE,CTY_NAME,GEN_VAL_MO"
            "&COMM_LVL=NA4&NAICS=3344&CTY_CODE=5830&SUMMARY_LVL=DET"
            "&time=from+2021-01+to+2025-12");
}

TEST(CensusApiUrlTest, HitechExportsUseTheHitechCodeAndTotalExports) {
  v1::CensusApiQuery q;
  q.set_endpoint(v1::CENSUS_ENDPOINT_EXPORTS_HITECH);
  CensusApiRequest r = BuildCensusApiRequest(kCensusApiBaseUrl, q, {202501, 0}, "");
  EXPECT_EQ(r.url,
            "https://api.census.gov/data/timeseries/intltrade/exports/hitech"
            "?get=CTY_CODE,CTY_NAME,HITECH,ALL_VAL_MO&time=from+2025-01");
}

TEST(CensusApiUrlTest, KeyIsInTheRequestUrlOnlyAndEncoded) {
  CensusApiRequest r =
      BuildCensusApiRequest(kCensusApiBaseUrl, ImportsQuery(), {202501, 0}, "ab+c/d=");
  EXPECT_THAT(r.url, ::testing::EndsWith("&time=from+2025-01&key=ab%2Bc%2Fd%3D"));
  EXPECT_THAT(r.display_url, Not(HasSubstr("key")));
  EXPECT_THAT(r.display_url, ::testing::EndsWith("&time=from+2025-01"));
}

TEST(CensusApiUrlTest, KeyComesFromTheFileFirstThenTheEnvironment) {
  v1::CensusApiConfig config;
  config.set_api_key_env("TW_TEST_CENSUS_KEY");
  unsetenv("TW_TEST_CENSUS_KEY");
  auto none = ResolveCensusApiKey(config);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, "");

  setenv("TW_TEST_CENSUS_KEY", " env-key\n", 1);
  auto from_env = ResolveCensusApiKey(config);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(*from_env, "env-key");

  const std::string path = ::testing::TempDir() + "census_key_test.txt";
  std::ofstream(path) << "file-key\n";
  config.set_api_key_file(path);
  auto from_file = ResolveCensusApiKey(config);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(*from_file, "file-key");

  std::ofstream(path, std::ios::trunc) << "  \n";
  auto empty = ResolveCensusApiKey(config);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr(path + ": the file is empty"));

  config.set_api_key_file(path + ".missing");
  auto missing = ResolveCensusApiKey(config);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("census_api.api_key_file"));
  std::filesystem::remove(path);
  unsetenv("TW_TEST_CENSUS_KEY");
}

TEST(PollBackoffTest, DoublesFromTheInitialBackoffUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(2000);
  policy.max_backoff = milliseconds(10000);
  policy.jitter = 0;
  EXPECT_EQ(BackoffDelay(policy, 1, 0.7), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(policy, 2, 0.7), milliseconds(4000));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.7), milliseconds(8000));
  EXPECT_EQ(BackoffDelay(policy, 4, 0.7), milliseconds(10000));
  EXPECT_EQ(BackoffDelay(policy, 30, 0.7), milliseconds(10000));
}

TEST(PollBackoffTest, JitterTakesUpToItsFractionOff) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(1000);
  policy.jitter = 0.5;
  EXPECT_EQ(BackoffDelay(policy, 1, 0.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(policy, 1, 0.5), milliseconds(750));
  EXPECT_EQ(BackoffDelay(policy, 1, 0.999), milliseconds(500));
  policy.jitter = 1.0;  // full jitter
  EXPECT_EQ(BackoffDelay(policy, 2, 0.25), milliseconds(1500));
}

// A client of `server` with libcurl: short timeouts, backoff waits recorded, not slept.
class CensusApiClientTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Handler handler, int max_attempts = 3,
             milliseconds timeout = milliseconds(5000), int64_t max_bytes = 1 << 20,
             std::string key = "") {
    server_ = std::make_unique<HttpServer>(std::move(handler));
    ASSERT_TRUE(server_->ok());
    HttpFetchOptions fetch;
    fetch.connect_timeout = milliseconds(2000);
    fetch.timeout = timeout;
    fetch.max_response_bytes = max_bytes;
    auto fetcher = CurlHttpFetcher::Create(fetch);
    ASSERT_TRUE(fetcher.ok()) << fetcher.status();
    fetcher_ = *std::move(fetcher);
    CensusApiClient::Options options;
    options.retry.max_attempts = max_attempts;
    options.retry.initial_backoff = milliseconds(1000);
    options.retry.max_backoff = milliseconds(8000);
    options.retry.jitter = 0;
    options.secret = key;
    client_ = std::make_unique<CensusApiClient>(
        fetcher_.get(), options,
        [this](milliseconds d) {
          sleeps_.push_back(d);
          return true;
        },
        [this](PollErrorKind kind) { errors_.push_back(kind); });
    request_ = BuildCensusApiRequest(server_->url(), ImportsQuery(), {202501, 0}, key);
  }

  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<CurlHttpFetcher> fetcher_;
  std::unique_ptr<CensusApiClient> client_;
  CensusApiRequest request_;
  std::vector<milliseconds> sleeps_;
  std::vector<PollErrorKind> errors_;
};

HttpReply Table() {
  HttpReply reply;
  reply.headers = {{"Content-Type", "application/json;charset=utf-8"}};
  reply.body = kTable;
  return reply;
}

TEST_F(CensusApiClientTest, TableIsReturnedAfterOneAttempt) {
  Start([](const HttpRequest&) { return Table(); });
  auto response = client_->Fetch(request_);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, kTable);
  EXPECT_EQ(response->attempts, 1);
  ASSERT_EQ(server_->request_count(), 1u);
  const HttpRequest sent = server_->requests()[0];
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.target,
            "/imports/naics?get=CTY_CODE,CTY_NAME,NAICS,GEN_VAL_MO,CON_VAL_MO&NAICS=3344"
            "&time=from+2025-01");
  EXPECT_THAT(sent.header("user-agent"), HasSubstr("tradewatch"));
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_TRUE(errors_.empty());
}

TEST_F(CensusApiClientTest, NoContentMeansNoDataYetAndIsNotAnError) {
  Start([](const HttpRequest&) { return Reply(204); });
  auto response = client_->Fetch(request_);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(CensusApiClientTest, UnknownVariableIsExplainedInOneLineAndNotRetried) {
  Start([](const HttpRequest&) {
    return Reply(400, "error: unknown variable 'GEN_VAL_MOX'\n");
  });
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  const std::string message(response.status().message());
  EXPECT_THAT(message, HasSubstr("imports_naics: HTTP 400 Bad Request from " + server_->url() +
                                 "/imports/naics?get="));
  EXPECT_THAT(message, HasSubstr(": error: unknown variable 'GEN_VAL_MOX' (check the variables, "
                                 "codes and predicates of census_api query 'imports_naics')"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kHttpClient);
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_THAT(errors_, ElementsAre(PollErrorKind::kHttpClient));
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(CensusApiClientTest, ServerErrorThenSuccessIsRetriedAfterOneBackoff) {
  std::atomic<int> calls{0};
  Start([&](const HttpRequest&) {
    return ++calls == 1 ? Reply(500, "Internal Server Error") : Table();
  });
  auto response = client_->Fetch(request_);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, kTable);
  EXPECT_EQ(response->attempts, 2);
  EXPECT_EQ(server_->request_count(), 2u);
  EXPECT_THAT(sleeps_, ElementsAre(milliseconds(1000)));
  EXPECT_THAT(errors_, ElementsAre(PollErrorKind::kHttpServer));
}

TEST_F(CensusApiClientTest, PersistentServerErrorsUseEveryAttemptWithGrowingBackoff) {
  Start([](const HttpRequest&) { return Reply(503, "busy"); },
        /*max_attempts=*/4);
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kHttpServer);
  EXPECT_THAT(std::string(response.status().message()),
              HasSubstr("HTTP 503 Service Unavailable from"));
  EXPECT_THAT(std::string(response.status().message()), HasSubstr("(after 4 attempts)"));
  EXPECT_EQ(server_->request_count(), 4u);
  EXPECT_THAT(sleeps_, ElementsAre(milliseconds(1000), milliseconds(2000), milliseconds(4000)));
  EXPECT_EQ(errors_.size(), 4u);
}

TEST_F(CensusApiClientTest, AnswerSlowerThanTheTimeoutIsATimeout) {
  Start([](const HttpRequest&) {
    HttpReply reply = Table();
    reply.delay = milliseconds(3000);
    return reply;
  },
        /*max_attempts=*/2, /*timeout=*/milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  auto response = client_->Fetch(request_);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server_->request_count(), 2u);
  EXPECT_THAT(errors_, ElementsAre(PollErrorKind::kTimeout, PollErrorKind::kTimeout));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST_F(CensusApiClientTest, TruncatedBodyIsRetriedThenReported) {
  Start([](const HttpRequest&) {
    HttpReply reply = Table();
    reply.missing_bytes = 500;
    return reply;
  });
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kTruncated);
  EXPECT_THAT(std::string(response.status().message()), HasSubstr("truncated response"));
  EXPECT_EQ(server_->request_count(), 3u);
  EXPECT_EQ(errors_.size(), 3u);
}

TEST_F(CensusApiClientTest, OversizedBodyIsRefusedWithoutRetry) {
  Start([](const HttpRequest&) { return Reply(200, std::string(5000, '[')); },
        3, milliseconds(5000), /*max_bytes=*/1024);
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kTooLarge);
  EXPECT_THAT(std::string(response.status().message()),
              HasSubstr("larger than 1024 bytes (census_api.max_response_bytes)"));
  EXPECT_EQ(server_->request_count(), 1u);
}

TEST_F(CensusApiClientTest, OversizedBodyWithoutContentLengthIsCutWhileItArrives) {
  Start([](const HttpRequest&) {
    HttpReply reply = Reply(200, std::string(200000, '['));
    reply.close_delimited = true;
    return reply;
  },
        3, milliseconds(5000), /*max_bytes=*/1024);
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kTooLarge);
  EXPECT_EQ(server_->request_count(), 1u);
}

TEST_F(CensusApiClientTest, RateLimitHonoursRetryAfter) {
  std::atomic<int> calls{0};
  Start([&](const HttpRequest&) {
    if (++calls > 1) return Table();
    HttpReply reply = Reply(429, "slow down");
    reply.headers = {{"Retry-After", "3"}};
    return reply;
  });
  auto response = client_->Fetch(request_);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(sleeps_, ElementsAre(milliseconds(3000)));
  EXPECT_THAT(errors_, ElementsAre(PollErrorKind::kRateLimited));
}

TEST_F(CensusApiClientTest, RefusedKeyPageIsABadResponseThatSaysSo) {
  Start([](const HttpRequest&) {
    return Reply(200,
                 "<html><head><title>Invalid Key</title></head><body>A valid <em>key</em> must "
                 "be included with each data API request.</body></html>");
  });
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kBadResponse);
  EXPECT_THAT(std::string(response.status().message()),
              HasSubstr("the API refused the key (Invalid Key)"));
  EXPECT_EQ(server_->request_count(), 1u);
}

TEST_F(CensusApiClientTest, KeyIsSentButScrubbedFromEveryMessage) {
  const std::string key = "k3y-SECRET-0042";
  // A server that echoes the request, key included, in its error.
  Start([](const HttpRequest& request) {
    return Reply(400, "error: bad request " + request.target);
  },
        3, milliseconds(5000), 1 << 20, key);
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  ASSERT_EQ(server_->request_count(), 1u);
  EXPECT_THAT(server_->requests()[0].query(), HasSubstr("&key=" + key));
  EXPECT_THAT(std::string(response.status().message()), Not(HasSubstr(key)));
  EXPECT_THAT(std::string(response.status().message()), HasSubstr("key=REDACTED"));
}

TEST_F(CensusApiClientTest, ConnectionRefusedIsAConnectionError) {
  Start([](const HttpRequest&) { return Table(); }, /*max_attempts=*/2);
  const int port = server_->port();
  server_.reset();  // nothing listens there any more
  request_ = BuildCensusApiRequest("http://127.0.0.1:" + std::to_string(port), ImportsQuery(),
                                   {202501, 0}, "");
  auto response = client_->Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kConnection);
  EXPECT_THAT(errors_, ElementsAre(PollErrorKind::kConnection, PollErrorKind::kConnection));
}

TEST_F(CensusApiClientTest, InterruptedBackoffCancelsWithoutCountingIt) {
  Start([](const HttpRequest&) { return Reply(500); });
  CensusApiClient::Options options;
  options.retry.max_attempts = 5;
  CensusApiClient stopping(fetcher_.get(), options, [](milliseconds) { return false; },
                           [this](PollErrorKind kind) { errors_.push_back(kind); });
  auto response = stopping.Fetch(request_);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(PollErrorKindOf(response.status()), PollErrorKind::kCancelled);
  EXPECT_EQ(server_->request_count(), 1u);
  EXPECT_THAT(errors_, ElementsAre(PollErrorKind::kHttpServer));
}

}  // namespace
}  // namespace tradewatch::ingest
