#pragma once

#include "simulator/simulated_account.hpp"

// The one place where real time becomes the simulated account's time (simulator.speed).
namespace zqe::simulator {

class TimeScale {
 public:
  // From `origin` (real time) on, simulated time runs `speed` times as fast as real time; at
  // `origin` the two agree. A speed of 1 is the identity. Requires speed >= 1.
  TimeScale(TimePoint origin, double speed);

  // The simulated instant at the real instant `real`. Simulated time stops 100 years after
  // `origin`, far from where the clock's arithmetic would overflow.
  TimePoint simulated(TimePoint real) const;

  TimePoint origin() const { return origin_; }
  double speed() const { return speed_; }

 private:
  TimePoint origin_;
  double speed_;
};

}  // namespace zqe::simulator
