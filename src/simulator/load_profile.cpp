#include "simulator/load_profile.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace zqe::simulator {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

struct ProfilePoint {
  hours time_of_day;
  double share;
};

constexpr double kNightShare = 0.03;
// Piecewise-linear over a UTC day; the first and last points are equal so that days join smoothly.
constexpr std::array<ProfilePoint, 6> kWorkday = {{
    {hours(0), kNightShare},
    {hours(6), kNightShare},
    {hours(9), 1.0},
    {hours(17), 1.0},
    {hours(20), kNightShare},
    {hours(24), kNightShare},
}};

double workday_share(TimePoint at) {
  const auto midnight = std::chrono::floor<days>(at);
  const double seconds_into_day = std::chrono::duration<double>(at - midnight).count();
  for (std::size_t i = 1; i < kWorkday.size(); ++i) {
    const double segment_start = static_cast<double>(seconds(kWorkday[i - 1].time_of_day).count());
    const double segment_end = static_cast<double>(seconds(kWorkday[i].time_of_day).count());
    if (seconds_into_day < segment_end) {
      const double progress = (seconds_into_day - segment_start) / (segment_end - segment_start);
      return kWorkday[i - 1].share + (kWorkday[i].share - kWorkday[i - 1].share) * progress;
    }
  }
  return kWorkday.back().share;
}

}  // namespace

double live_share(config::LoadProfile profile, TimePoint at) {
  switch (profile) {
    case config::LoadProfile::workday:
      return workday_share(at);
    case config::LoadProfile::flat:
      break;
  }
  return 1.0;
}

bool slot_in_target(config::LoadProfile profile, std::size_t slot, std::size_t peak, TimePoint at) {
  return static_cast<double>(slot) < static_cast<double>(peak) * live_share(profile, at);
}

TimePoint next_time_in_target(config::LoadProfile profile, std::size_t slot, std::size_t peak,
                              TimePoint from) {
  if (slot_in_target(profile, slot, peak, from)) return from;
  // Only workday leaves slots out. The target grows only on its rising segments: find the first
  // one, today's or tomorrow's, that still lies ahead and climbs over the slot.
  const double needed_share = static_cast<double>(slot) / static_cast<double>(peak);
  const auto first_midnight = std::chrono::floor<days>(from);
  for (const auto midnight : {first_midnight, first_midnight + days(1)}) {
    for (std::size_t i = 1; i < kWorkday.size(); ++i) {
      const ProfilePoint& low = kWorkday[i - 1];
      const ProfilePoint& high = kWorkday[i];
      const TimePoint segment_end = midnight + high.time_of_day;
      if (high.share <= low.share || segment_end <= from || high.share <= needed_share) continue;
      const double progress = std::max(0.0, (needed_share - low.share) / (high.share - low.share));
      const auto segment_length = seconds(high.time_of_day - low.time_of_day).count();
      TimePoint crossing = midnight + low.time_of_day +
                           seconds(static_cast<std::int64_t>(
                               std::ceil(progress * static_cast<double>(segment_length))));
      if (crossing < from) crossing = from;
      // The rounded crossing can fall a hair short of the strict inequality; the target keeps
      // rising through the segment, so a few more seconds settle it.
      while (!slot_in_target(profile, slot, peak, crossing)) crossing += seconds(1);
      return crossing;
    }
  }
  return from;  // unreachable for slot < peak: every day climbs to 100%
}

}  // namespace zqe::simulator
