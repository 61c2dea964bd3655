#include "ingest/poll_error.h"

#include <array>
#include <utility>

#include "absl/strings/cord.h"
#include "fmt/format.h"

namespace tradewatch::ingest {
namespace {

// The payload key under which the kind travels in a Status.
constexpr char kKindPayload[] = "type.tradewatch/ingest.PollErrorKind";

struct KindInfo {
  PollErrorKind kind;
  std::string_view name;
  absl::StatusCode code;
  bool retryable;
};

constexpr std::array<KindInfo, 13> kKinds = {{
    {PollErrorKind::kOther, "other", absl::StatusCode::kInternal, false},
    {PollErrorKind::kConnection, "connection", absl::StatusCode::kUnavailable, true},
    {PollErrorKind::kTimeout, "timeout", absl::StatusCode::kDeadlineExceeded, true},
    {PollErrorKind::kTruncated, "truncated", absl::StatusCode::kDataLoss, true},
    {PollErrorKind::kTooLarge, "too_large", absl::StatusCode::kResourceExhausted, false},
    {PollErrorKind::kTls, "tls", absl::StatusCode::kUnavailable, false},
    {PollErrorKind::kHttpClient, "http_4xx", absl::StatusCode::kInvalidArgument, false},
    {PollErrorKind::kRateLimited, "http_429", absl::StatusCode::kResourceExhausted, true},
    {PollErrorKind::kHttpServer, "http_5xx", absl::StatusCode::kUnavailable, true},
    {PollErrorKind::kBadResponse, "bad_response", absl::StatusCode::kDataLoss, false},
    {PollErrorKind::kCache, "cache", absl::StatusCode::kUnavailable, false},
    {PollErrorKind::kPublish, "publish", absl::StatusCode::kUnavailable, false},
    {PollErrorKind::kCancelled, "cancelled", absl::StatusCode::kCancelled, false},
}};

const KindInfo& Info(PollErrorKind kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds[0];
}

}  // namespace

std::string_view PollErrorKindName(PollErrorKind kind) { return Info(kind).name; }

bool IsRetryable(PollErrorKind kind) { return Info(kind).retryable; }

absl::Status PollError(PollErrorKind kind, std::string message) {
  absl::Status status(Info(kind).code, message);
  status.SetPayload(kKindPayload, absl::Cord(std::string(PollErrorKindName(kind))));
  return status;
}

PollErrorKind PollErrorKindOf(const absl::Status& status) {
  // Debian's abseil has its own optional, not std::optional.
  auto payload = status.GetPayload(kKindPayload);
  if (!payload) return PollErrorKind::kOther;
  const std::string name(*payload);
  for (const KindInfo& info : kKinds) {
    if (info.name == name) return info.kind;
  }
  return PollErrorKind::kOther;
}

absl::Status WithPrefix(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), fmt::format("{}: {}", prefix, std::string(status.message())));
  if (auto payload = status.GetPayload(kKindPayload)) {
    out.SetPayload(kKindPayload, *std::move(payload));
  }
  return out;
}

}  // namespace tradewatch::ingest
