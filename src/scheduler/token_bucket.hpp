#pragma once

#include <chrono>

namespace zqe::scheduler {

using Clock = std::chrono::system_clock;  // wall clock: Zoom's daily quota resets at 00:00 UTC
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Admits requests at a steady rate with a small burst, and can be paused (after a 429).
// Pure: the caller passes the time.
class TokenBucket {
 public:
  TokenBucket(double per_second, double capacity);

  // How long until a token is there; zero when one is there now.
  Duration wait(TimePoint now) const;
  void take(TimePoint now);
  // Nothing is admitted before `until` (Zoom's Retry-After).
  void pause_until(TimePoint until);
  void set_rate(double per_second, double capacity);

 private:
  double tokens_at(TimePoint now) const;

  double per_second_;
  double capacity_;
  double tokens_;
  TimePoint updated_{};
  TimePoint paused_until_{};
};

}  // namespace zqe::scheduler
