#include "ingest/http_fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "fmt/format.h"
#include "ingest/poll_error.h"

namespace tradewatch::ingest {

namespace {

// What the callbacks of one transfer fill in.
struct Transfer {
  HttpResponse* response;
  int64_t max_bytes;
  bool too_large = false;
  const std::atomic<bool>* stop;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(t->response->body.size() + n) > t->max_bytes) {
    t->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // Each answer (a redirect, then the final one) starts with a status line: keep the last only.
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  t->response->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->stop != nullptr && t->stop->load() ? 1 : 0;  // non-zero aborts the transfer
}

// The one place where libcurl's result codes become Status.
absl::Status CurlStatus(CURLcode code, const char* error_buffer, std::string_view display_url,
                        bool too_large, int64_t max_bytes) {
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  PollErrorKind kind = PollErrorKind::kOther;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      kind = PollErrorKind::kTimeout;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      kind = PollErrorKind::kConnection;
      break;
    case CURLE_PARTIAL_FILE:
      kind = PollErrorKind::kTruncated;
      break;
    case CURLE_FILESIZE_EXCEEDED:
      kind = PollErrorKind::kTooLarge;
      break;
    case CURLE_WRITE_ERROR:
      kind = too_large ? PollErrorKind::kTooLarge : PollErrorKind::kOther;
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      kind = PollErrorKind::kCancelled;
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      kind = PollErrorKind::kTls;
      break;
    default:
      break;
  }
  if (kind == PollErrorKind::kTooLarge) {
    return PollError(kind, fmt::format("GET {}: the response is larger than {} bytes "
                                       "(census_api.max_response_bytes)",
                                       display_url, max_bytes));
  }
  if (kind == PollErrorKind::kTruncated) {
    return PollError(kind, fmt::format("GET {}: truncated response: {}", display_url, detail));
  }
  return PollError(kind, fmt::format("GET {}: {}", display_url, detail));
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<CurlHttpFetcher>> CurlHttpFetcher::Create(
    HttpFetchOptions options) {
  static std::once_flag init;
  static CURLcode init_code = CURLE_OK;
  std::call_once(init, [] { init_code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_code != CURLE_OK) {
    return absl::InternalError(
        fmt::format("libcurl initialisation failed: {}", curl_easy_strerror(init_code)));
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("libcurl: cannot create a handle");
  return std::unique_ptr<CurlHttpFetcher>(new CurlHttpFetcher(std::move(options), curl));
}

CurlHttpFetcher::CurlHttpFetcher(HttpFetchOptions options, void* curl)
    : options_(std::move(options)), curl_(curl) {}

CurlHttpFetcher::~CurlHttpFetcher() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

absl::StatusOr<HttpResponse> CurlHttpFetcher::Get(const std::string& url,
                                                  std::string_view display_url) {
  CURL* curl = static_cast<CURL*>(curl_);
  HttpResponse response;
  Transfer transfer{&response, options_.max_response_bytes, false, options_.stop};
  char error_buffer[CURL_ERROR_SIZE];
  error_buffer[0] = '\0';

  curl_easy_reset(curl);  // keeps live connections, forgets the previous request's options
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: threads are safe
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);

  const CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // the buffer goes out of scope
  if (code != CURLE_OK) {
    return CurlStatus(code, error_buffer, display_url, transfer.too_large,
                      options_.max_response_bytes);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace tradewatch::ingest
