// Requests to the Census international-trade API: URLs built from a configured query
// (tradewatch.v1.CensusApiQuery) and a time range, and the answers classified with a retry
// policy: 200 with a JSON table is data, 204 is "no data yet", 4xx is a wrong request explained in
// one line (the API names an unknown variable), 429, 5xx, timeouts, connection failures and
// truncated bodies are retried with exponential backoff and jitter.
//
// The API key is a secret: it is put only in the request URL; what is logged, cached or put in
// an error is the display URL, without it, and messages are scrubbed of it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ingest/http_fetcher.h"
#include "ingest/poll_error.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch::ingest {

// "https://api.census.gov/data/timeseries/intltrade".
inline constexpr char kCensusApiBaseUrl[] = "https://api.census.gov/data/timeseries/intltrade";

// "imports/naics" for CENSUS_ENDPOINT_IMPORTS_NAICS.
std::string_view CensusEndpointPath(tradewatch::v1::CensusEndpoint endpoint);
// The code variable of an endpoint: "NAICS" or "HITECH".
std::string_view CensusCodeVariable(tradewatch::v1::CensusEndpoint endpoint);
// Flow and classification an endpoint's rows are read as.
tradewatch::v1::Flow CensusEndpointFlow(tradewatch::v1::CensusEndpoint endpoint);
tradewatch::v1::Classification CensusEndpointClassification(
    tradewatch::v1::CensusEndpoint endpoint);
// The default `get=` variables of an endpoint (see CensusApiQuery.variables).
std::vector<std::string> DefaultCensusVariables(tradewatch::v1::CensusEndpoint endpoint);

// Months requested: `time=from+YYYY-MM[+to+YYYY-MM]`. `to` 0: open-ended (up to the latest
// month published).
struct PeriodRange {
  int32_t from_yyyymm = 0;
  int32_t to_yyyymm = 0;
};

struct CensusApiRequest {
  std::string name;         // the query's name
  std::string url;          // with the key: give only to the fetcher
  std::string display_url;  // without the key: for logs, errors and the cache
};

// The request of `query` (defaults applied) for `range`:
//   <base_url>/<endpoint>?get=V1,V2,...[&COMM_LVL=L][&NAICS=c...][&P=v...]&time=from+A[+to+B]
// then `&key=<api_key>` when a key is given. Values are percent-encoded (the time range keeps the
// API's `+` for spaces).
CensusApiRequest BuildCensusApiRequest(std::string_view base_url,
                                       const tradewatch::v1::CensusApiQuery& query,
                                       PeriodRange range, std::string_view api_key);

// The API key from config: the file api_key_file (whitespace trimmed; an unreadable or empty file
// is an error naming the file, never its content) or else the environment variable api_key_env.
// Empty when neither gives one (anonymous requests).
absl::StatusOr<std::string> ResolveCensusApiKey(const tradewatch::v1::CensusApiConfig& config);

struct RetryPolicy {
  // Attempts in all, >= 1.
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{2000};
  std::chrono::milliseconds max_backoff{60000};
  // Fraction of each backoff drawn at random, 0..1.
  double jitter = 0.5;
};

// The wait before retry number `retry` (1 = before the second attempt): the exponential backoff
// b = min(max_backoff, initial_backoff * 2^(retry-1)), reduced by jitter to b * (1 - jitter * u)
// with u in [0, 1) drawn by the caller. Pure.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double u);

// What a request gave when it did not fail.
struct CensusApiResponse {
  // 200 (a table in `body`) or 204 (no data for the request yet).
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Attempts made, >= 1.
  int attempts = 0;
};

class CensusApiClient {
 public:
  // Waits for a backoff; returns false when interrupted (the request is then abandoned).
  using SleepFn = std::function<bool(std::chrono::milliseconds)>;
  // Told of every failed attempt (retried or not), by kind: the poll error metric.
  using AttemptErrorFn = std::function<void(PollErrorKind)>;

  struct Options {
    RetryPolicy retry;
    // Removed from every message (the API key); empty: nothing to remove.
    std::string secret;
    // Seeds the jitter, so that tests are reproducible.
    uint64_t seed = 0x7472616465ULL;
  };

  // `fetcher` must outlive the client. `on_attempt_error` may be empty.
  CensusApiClient(HttpFetcher* fetcher, Options options, SleepFn sleep,
                  AttemptErrorFn on_attempt_error = nullptr);

  // Sends `request` until an answer that is not retryable or max_attempts. Errors carry a
  // PollErrorKind; 4xx answers give one line: "<name>: HTTP 400 Bad Request from <display url>:
  // <first line of the body>" plus a hint when the API names an unknown variable.
  absl::StatusOr<CensusApiResponse> Fetch(const CensusApiRequest& request);

 private:
  // The status of one attempt's answer: OK (200 with a table, or 204) or an error with its kind.
  absl::Status Classify(const CensusApiRequest& request, const HttpResponse& response) const;
  std::string Scrub(std::string text) const;

  HttpFetcher* fetcher_;
  Options options_;
  SleepFn sleep_;
  AttemptErrorFn on_attempt_error_;
  std::mt19937_64 random_;
};

}  // namespace tradewatch::ingest
