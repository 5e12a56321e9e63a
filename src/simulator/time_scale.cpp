#include "simulator/time_scale.hpp"

#include <algorithm>
#include <chrono>

namespace zqe::simulator {
namespace {

// system_clock counts nanoseconds in 64 bits, which ends in the year 2262: at 3600 times real
// speed, about 24 days of running would get there.
constexpr std::chrono::duration<double> kLongestSimulatedSpan = std::chrono::years(100);

}  // namespace

TimeScale::TimeScale(TimePoint origin, double speed) : origin_(origin), speed_(speed) {}

TimePoint TimeScale::simulated(TimePoint real) const {
  if (speed_ == 1) return real;
  const std::chrono::duration<double> elapsed = real - origin_;
  const std::chrono::duration<double> scaled =
      std::clamp(elapsed * speed_, -kLongestSimulatedSpan, kLongestSimulatedSpan);
  return origin_ + std::chrono::duration_cast<TimePoint::duration>(scaled);
}

}  // namespace zqe::simulator
