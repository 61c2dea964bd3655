// A Clock that only moves when told to: SleepUntil jumps to the deadline at once (and records it),
// Advance moves it by hand. For the poller's calendar loop and retry backoff.
#pragma once

#include <atomic>
#include <chrono>
#include <vector>

#include "common/clock.h"

namespace tradewatch::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start) {}

  TimePoint Now() override { return now_; }
  bool SleepUntil(TimePoint deadline, const std::atomic<bool>& stop) override {
    if (stop.load()) return false;
    sleeps_.push_back(deadline);
    if (deadline > now_) now_ = deadline;
    return !stop.load();
  }

  void Advance(std::chrono::system_clock::duration d) { now_ += d; }
  // Every deadline slept until, in order.
  const std::vector<TimePoint>& sleeps() const { return sleeps_; }

 private:
  TimePoint now_;
  std::vector<TimePoint> sleeps_;
};

}  // namespace tradewatch::testing
