// The kinds of failure of a Census API poll, carried inside absl::Status (as a payload) from the
// HTTP fetcher up to the poller's metrics: tradewatch_ingest_census_poll_errors_total{kind}.
// The kinds are a fixed, bounded set.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace tradewatch::ingest {

enum class PollErrorKind {
  kOther,         // anything else ("other")
  kConnection,    // no connection, reset, nothing received ("connection")
  kTimeout,       // connect or transfer timeout ("timeout")
  kTruncated,     // the body ended before its declared length ("truncated")
  kTooLarge,      // the body exceeds census_api.max_response_bytes ("too_large")
  kTls,           // TLS handshake or certificate ("tls")
  kHttpClient,    // HTTP 4xx except 429: the request is wrong ("http_4xx")
  kRateLimited,   // HTTP 429 ("http_429")
  kHttpServer,    // HTTP 5xx ("http_5xx")
  kBadResponse,   // an answer that is not a Census table ("bad_response")
  kCache,         // the raw response could not be written to the cache ("cache")
  kPublish,       // Kafka refused or did not deliver ("publish")
  kCancelled,     // stopped by SIGTERM/SIGINT ("cancelled")
};

// "connection", "timeout", ... (the metric label).
std::string_view PollErrorKindName(PollErrorKind kind);

// Whether a failed attempt of this kind is worth repeating: connection, timeout, truncated,
// 429 and 5xx.
bool IsRetryable(PollErrorKind kind);

// A Status of `kind` with `message`; its code follows the kind (timeout: DeadlineExceeded,
// connection and 5xx: Unavailable, 4xx: InvalidArgument, ...).
absl::Status PollError(PollErrorKind kind, std::string message);

// The kind carried by `status`; kOther when it carries none.
PollErrorKind PollErrorKindOf(const absl::Status& status);

// `status` with its message prefixed ("prefix: message"), kind kept.
absl::Status WithPrefix(const absl::Status& status, std::string_view prefix);

}  // namespace tradewatch::ingest
