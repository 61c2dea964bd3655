#include "common/clock.h"

#include <algorithm>
#include <thread>

namespace tradewatch {

Clock::TimePoint SystemClock::Now() { return std::chrono::system_clock::now(); }

bool SystemClock::SleepUntil(TimePoint deadline, const std::atomic<bool>& stop) {
  // Short slices: a signal handler can only set the flag, so it is polled.
  constexpr auto kSlice = std::chrono::milliseconds(100);
  while (!stop.load()) {
    const TimePoint now = std::chrono::system_clock::now();
    if (now >= deadline) return true;
    const std::chrono::system_clock::duration left = deadline - now;
    std::this_thread::sleep_for(std::min<std::chrono::system_clock::duration>(left, kSlice));
  }
  return false;
}

}  // namespace tradewatch
