// Two macros to propagate absl::Status without boilerplate.
//
//   TW_RETURN_IF_ERROR(DoThing());
//   TW_ASSIGN_OR_RETURN(auto table, LoadTable(path));
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TW_STATUS_CONCAT_INNER_(a, b) a##b
#define TW_STATUS_CONCAT_(a, b) TW_STATUS_CONCAT_INNER_(a, b)

#define TW_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::absl::Status tw_status_ = (expr);           \
    if (!tw_status_.ok()) return tw_status_;      \
  } while (false)

#define TW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()

#define TW_ASSIGN_OR_RETURN(lhs, expr) \
  TW_ASSIGN_OR_RETURN_IMPL_(TW_STATUS_CONCAT_(tw_statusor_, __LINE__), lhs, expr)

// Aborts with a message when an internal invariant is broken. Never use it for anything the
// outside world (files, brokers, users) controls: return a Status instead.
#define TW_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) ::tradewatch::internal::CheckFailed(#cond, __FILE__, __LINE__);    \
  } while (false)

namespace tradewatch::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace tradewatch::internal
