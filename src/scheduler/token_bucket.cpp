#include "scheduler/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace zqe::scheduler {

TokenBucket::TokenBucket(double per_second, double capacity)
    : per_second_(per_second), capacity_(capacity), tokens_(capacity) {}

void TokenBucket::set_rate(double per_second, double capacity) {
  per_second_ = per_second;
  capacity_ = capacity;
  tokens_ = std::min(tokens_, capacity_);
}

double TokenBucket::tokens_at(TimePoint now) const {
  if (now <= updated_) return tokens_;
  const double elapsed = std::chrono::duration<double>(now - updated_).count();
  return std::min(capacity_, tokens_ + elapsed * per_second_);
}

Duration TokenBucket::wait(TimePoint now) const {
  if (now < paused_until_) return paused_until_ - now;
  const double missing = 1.0 - tokens_at(now);
  if (missing <= 0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(std::ceil(missing / per_second_ * 1e6) / 1e6));
}

void TokenBucket::take(TimePoint now) {
  tokens_ = tokens_at(now) - 1.0;
  updated_ = std::max(now, updated_);
}

void TokenBucket::pause_until(TimePoint until) {
  paused_until_ = std::max(paused_until_, until);
  // Zoom refused: whatever burst we thought we had is gone.
  tokens_ = 0;
  updated_ = std::max(updated_, until);
}

}  // namespace zqe::scheduler
