// One HTTP GET per call, the only place that includes libcurl. The poller talks to the
// `HttpFetcher` role; `CurlHttpFetcher` is the libcurl implementation: timeouts, a response size
// limit enforced while the body arrives, gzip accepted, redirects followed (http and https only).
//
// An answer of any HTTP status is a response, not an error: deciding what 204, 4xx or 5xx mean is
// the caller's job (census_api_client.h). Errors are transport failures, as a Status carrying a
// PollErrorKind (poll_error.h) and naming the display URL, never the URL itself (it may hold the
// API key).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tradewatch::ingest {

struct HttpResponse {
  // HTTP status code of the final answer (after redirects).
  int status = 0;
  std::string body;
  // Headers of the final answer in order, names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header named `name` (lower case), or "".
  std::string header(std::string_view name) const;
};

class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  // GET `url`. `display_url` names the request in errors (the URL with secrets removed).
  virtual absl::StatusOr<HttpResponse> Get(const std::string& url,
                                           std::string_view display_url) = 0;
};

struct HttpFetchOptions {
  std::chrono::milliseconds connect_timeout{10000};
  // The whole attempt: connect, request and transfer.
  std::chrono::milliseconds timeout{120000};
  // Largest body accepted after decompression; more is a kTooLarge error, detected from the
  // Content-Length before the transfer or by counting while the body arrives.
  int64_t max_response_bytes = 128LL << 20;
  std::string user_agent = "tradewatch/0.1.0";
  // When set and it becomes true, a transfer in progress is aborted (kCancelled). Must outlive
  // the fetcher.
  const std::atomic<bool>* stop = nullptr;
};

// Not thread-safe: one easy handle, reused so that connections are kept alive between calls.
class CurlHttpFetcher : public HttpFetcher {
 public:
  static absl::StatusOr<std::unique_ptr<CurlHttpFetcher>> Create(HttpFetchOptions options);
  ~CurlHttpFetcher() override;

  absl::StatusOr<HttpResponse> Get(const std::string& url, std::string_view display_url) override;

 private:
  CurlHttpFetcher(HttpFetchOptions options, void* curl);
  HttpFetchOptions options_;
  void* curl_;  // CURL*
};

}  // namespace tradewatch::ingest
