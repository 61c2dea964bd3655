#include "ingest/census_api_client.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include "common/file_io.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "common/url_encode.h"
#include "fmt/format.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// The gist of a body on one line: tags dropped, whitespace collapsed, at most 240 characters.
std::string OneLine(std::string_view body) {
  std::string out;
  bool in_tag = false;
  bool space = false;
  for (char c : body) {
    if (c == '<') {
      in_tag = true;
      space = true;
      continue;
    }
    if (in_tag) {
      if (c == '>') in_tag = false;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) < 0x20) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
    if (out.size() >= 240) {
      out += "...";
      break;
    }
  }
  return out.empty() ? "(empty body)" : out;
}

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

// A Census table is a JSON array of arrays: its first character (after a byte-order mark and
// whitespace) is '['.
bool LooksLikeTable(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  const size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '[';
}

}  // namespace

std::string_view CensusEndpointPath(v1::CensusEndpoint endpoint) {
  switch (endpoint) {
    case v1::CENSUS_ENDPOINT_IMPORTS_NAICS: return "imports/naics";
    case v1::CENSUS_ENDPOINT_EXPORTS_NAICS: return "exports/naics";
    case v1::CENSUS_ENDPOINT_IMPORTS_HITECH: return "imports/hitech";
    case v1::CENSUS_ENDPOINT_EXPORTS_HITECH: return "exports/hitech";
    default:
      return "";
  }
}

std::string_view CensusCodeVariable(v1::CensusEndpoint endpoint) {
  return endpoint == v1::CENSUS_ENDPOINT_IMPORTS_HITECH ||
                 endpoint == v1::CENSUS_ENDPOINT_EXPORTS_HITECH
             ? "HITECH"
             : "NAICS";
}

v1::Flow CensusEndpointFlow(v1::CensusEndpoint endpoint) {
  switch (endpoint) {
    case v1::CENSUS_ENDPOINT_IMPORTS_NAICS:
    case v1::CENSUS_ENDPOINT_IMPORTS_HITECH:
      return v1::FLOW_IMPORTS;
    case v1::CENSUS_ENDPOINT_EXPORTS_NAICS:
    case v1::CENSUS_ENDPOINT_EXPORTS_HITECH:
      return v1::FLOW_EXPORTS;
    default:
      return v1::FLOW_UNSPECIFIED;
  }
}

v1::Classification CensusEndpointClassification(v1::CensusEndpoint endpoint) {
  return CensusCodeVariable(endpoint) == "HITECH" ? v1::CLASSIFICATION_HITECH
                                                  : v1::CLASSIFICATION_NAICS;
}

std::vector<std::string> DefaultCensusVariables(v1::CensusEndpoint endpoint) {
  std::vector<std::string> variables = {"CTY_CODE", "CTY_NAME",
                                        std::string(CensusCodeVariable(endpoint))};
  if (CensusEndpointFlow(endpoint) == v1::FLOW_IMPORTS) {
    variables.push_back("GEN_VAL_MO");
    variables.push_back("CON_VAL_MO");
  } else {
    variables.push_back("ALL_VAL_MO");
  }
  return variables;
}

CensusApiRequest BuildCensusApiRequest(std::string_view base_url, const v1::CensusApiQuery& query,
                                       PeriodRange range, std::string_view api_key) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::vector<std::string> variables(query.variables().begin(), query.variables().end());
  if (variables.empty()) variables = DefaultCensusVariables(query.endpoint());
  std::string url = fmt::format("{}/{}?get=", base, CensusEndpointPath(query.endpoint()));
  for (size_t i = 0; i < variables.size(); ++i) {
    if (i > 0) url += ',';  // the API's list separator, left literal as in its documentation
    url += PercentEncode(variables[i]);
  }
  if (!query.commodity_level().empty()) {
    url += "&COMM_LVL=" + PercentEncode(query.commodity_level());
  }
  const std::string_view code_variable = CensusCodeVariable(query.endpoint());
  for (const std::string& code : query.codes()) {
    url += fmt::format("&{}={}", code_variable, PercentEncode(code));
  }
  // A protobuf map has no order: sort, so that the same query is always the same URL.
  std::map<std::string, std::string> predicates(query.predicates().begin(),
                                                query.predicates().end());
  for (const auto& [name, value] : predicates) {
    url += fmt::format("&{}={}", PercentEncode(name), PercentEncode(value));
  }
  if (range.from_yyyymm > 0) {
    url += "&time=from+" + FormatPeriod(range.from_yyyymm);
    if (range.to_yyyymm > 0) url += "+to+" + FormatPeriod(range.to_yyyymm);
  }
  CensusApiRequest request;
  request.name = query.name().empty() ? ShortName(query.endpoint()) : query.name();
  request.display_url = url;
  request.url = api_key.empty() ? url : fmt::format("{}&key={}", url, PercentEncode(api_key));
  return request;
}

absl::StatusOr<std::string> ResolveCensusApiKey(const v1::CensusApiConfig& config) {
  auto trim = [](std::string s) {
    const size_t first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return std::string();
    const size_t last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
  };
  if (!config.api_key_file().empty()) {
    auto contents = ReadFileContents(config.api_key_file());
    if (!contents.ok()) {
      return absl::InvalidArgumentError(fmt::format(
          "census_api.api_key_file {}: cannot read the API key file", config.api_key_file()));
    }
    std::string key = trim(*std::move(contents));
    if (key.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("census_api.api_key_file {}: the file is empty", config.api_key_file()));
    }
    return key;
  }
  if (!config.api_key_env().empty()) {
    const char* value = std::getenv(config.api_key_env().c_str());
    if (value != nullptr) return trim(value);
  }
  return std::string();
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double u) {
  const double initial = static_cast<double>(policy.initial_backoff.count());
  const double cap = static_cast<double>(policy.max_backoff.count());
  const double base = std::min(cap, initial * std::pow(2.0, std::max(0, retry - 1)));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double wait = base * (1.0 - jitter * std::clamp(u, 0.0, 1.0));
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(wait)));
}

CensusApiClient::CensusApiClient(HttpFetcher* fetcher, Options options, SleepFn sleep,
                                 AttemptErrorFn on_attempt_error)
    : fetcher_(fetcher),
      options_(std::move(options)),
      sleep_(std::move(sleep)),
      on_attempt_error_(std::move(on_attempt_error)),
      random_(options_.seed) {}

std::string CensusApiClient::Scrub(std::string text) const {
  if (options_.secret.empty()) return text;
  for (size_t at = text.find(options_.secret); at != std::string::npos;
       at = text.find(options_.secret, at)) {
    text.replace(at, options_.secret.size(), "REDACTED");
  }
  return text;
}

absl::Status CensusApiClient::Classify(const CensusApiRequest& request,
                                       const HttpResponse& response) const {
  const int status = response.status;
  const std::string head =
      fmt::format("HTTP {}{}{} from {}", status, ReasonPhrase(status).empty() ? "" : " ",
                  ReasonPhrase(status), request.display_url);
  if (status == 204) return absl::OkStatus();
  if (status == 200) {
    if (LooksLikeTable(response.body)) return absl::OkStatus();
    // A refused key is answered with an HTML page, not with 401/403.
    if (ContainsNoCase(response.body, "invalid key")) {
      return PollError(PollErrorKind::kBadResponse,
                       Scrub(fmt::format("{}: the API refused the key (Invalid Key): check the "
                                         "key in census_api.api_key_env or api_key_file",
                                         head)));
    }
    return PollError(PollErrorKind::kBadResponse,
                     Scrub(fmt::format("{}: not a Census table: {}", head,
                                       OneLine(response.body))));
  }
  if (status == 429) {
    return PollError(PollErrorKind::kRateLimited,
                     Scrub(fmt::format("{}: {}", head, OneLine(response.body))));
  }
  if (status >= 400 && status < 500) {
    std::string message = fmt::format("{}: {}", head, OneLine(response.body));
    // The API answers an unknown name with "error: unknown variable 'GEN_VAL_MOX'" (or
    // "unknown predicate variable"): the fix is in the configured query.
    if (ContainsNoCase(response.body, "unknown variable") ||
        ContainsNoCase(response.body, "unknown predicate")) {
      message += fmt::format(
          " (check the variables, codes and predicates of census_api query '{}')", request.name);
    }
    return PollError(PollErrorKind::kHttpClient, Scrub(std::move(message)));
  }
  if (status >= 500 && status < 600) {
    return PollError(PollErrorKind::kHttpServer,
                     Scrub(fmt::format("{}: {}", head, OneLine(response.body))));
  }
  return PollError(PollErrorKind::kBadResponse,
                   Scrub(fmt::format("{}: unexpected status", head)));
}

absl::StatusOr<CensusApiResponse> CensusApiClient::Fetch(const CensusApiRequest& request) {
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  absl::Status last;
  int attempt = 1;
  for (;; ++attempt) {
    Logger("ingest")->debug("{}: GET {} (attempt {} of {})", request.name, request.display_url,
                            attempt, max_attempts);
    absl::StatusOr<HttpResponse> response = fetcher_->Get(request.url, request.display_url);
    absl::Status status = response.ok() ? Classify(request, *response) : response.status();
    if (status.ok()) {
      CensusApiResponse out;
      out.status = response->status;
      out.body = std::move(response->body);
      out.headers = std::move(response->headers);
      out.attempts = attempt;
      return out;
    }
    const PollErrorKind kind = PollErrorKindOf(status);
    last = PollError(kind, Scrub(std::string(status.message())));
    if (kind == PollErrorKind::kCancelled) return WithPrefix(last, request.name);
    if (on_attempt_error_) on_attempt_error_(kind);
    if (!IsRetryable(kind) || attempt >= max_attempts) break;

    std::chrono::milliseconds delay = BackoffDelay(options_.retry, attempt, uniform(random_));
    if (response.ok()) {
      // Retry-After in seconds (429, 503) is honoured up to the largest backoff.
      const std::string retry_after = response->header("retry-after");
      char* end = nullptr;
      const long seconds = std::strtol(retry_after.c_str(), &end, 10);
      if (!retry_after.empty() && end != nullptr && *end == '\0' && seconds > 0) {
        delay = std::max(delay, std::min(options_.retry.max_backoff,
                                         std::chrono::milliseconds(seconds * 1000)));
      }
    }
    Logger("ingest")->warn("{}: attempt {} of {} failed ({}): {}; retrying in {} ms", request.name,
                           attempt, max_attempts, PollErrorKindName(kind),
                           std::string(last.message()), delay.count());
    if (!sleep_(delay)) {
      return PollError(PollErrorKind::kCancelled,
                       fmt::format("{}: stopped while waiting to retry", request.name));
    }
  }
  if (attempt > 1) {
    return WithPrefix(
        PollError(PollErrorKindOf(last),
                  fmt::format("{} (after {} attempts)", std::string(last.message()), attempt)),
        request.name);
  }
  return WithPrefix(last, request.name);
}

}  // namespace tradewatch::ingest
