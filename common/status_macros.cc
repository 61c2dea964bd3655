#include "common/status_macros.h"

#include <cstdio>
#include <cstdlib>

namespace tradewatch::internal {

void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "tradewatch: check failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}

}  // namespace tradewatch::internal
