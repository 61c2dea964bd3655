// Wall-clock time and waiting, behind one interface so that code that waits (the Census poller's
// release calendar, its retry backoff) runs in tests on a fake clock without sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace tradewatch {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  // The current time.
  virtual TimePoint Now() = 0;
  // Waits until `deadline` (returns at once when it has passed). Returns false when `stop` became
  // true first, true otherwise. `stop` must outlive the call.
  virtual bool SleepUntil(TimePoint deadline, const std::atomic<bool>& stop) = 0;
};

// The system clock. SleepUntil checks `stop` at least every 100 ms. Thread-safe.
class SystemClock : public Clock {
 public:
  TimePoint Now() override;
  bool SleepUntil(TimePoint deadline, const std::atomic<bool>& stop) override;
};

}  // namespace tradewatch
