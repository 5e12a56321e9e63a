#include "simulator/load_profile.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "simulator/deterministic_random.hpp"
#include "simulator/live_slots.hpp"
#include "simulator/simulator_test_support.hpp"

namespace zqe::simulator {
namespace {

using namespace std::chrono_literals;
using config::LoadProfile;

TimePoint midnight() {
  return std::chrono::floor<std::chrono::days>(test::test_start());
}

TEST(LoadProfile, WorkdayIsQuietAtNightAndFullDuringOfficeHoursUtc) {
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 3h), 0.03);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 6h), 0.03);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 7h + 30min), 0.515);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 9h), 1.0);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 12h), 1.0);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 18h + 30min), 0.515);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 22h), 0.03);
  EXPECT_DOUBLE_EQ(live_share(LoadProfile::workday, midnight() + 24h + 12h), 1.0);
}

TEST(LoadProfile, FlatIsFullAroundTheClock) {
  for (auto hour = 0h; hour < 24h; ++hour) {
    EXPECT_DOUBLE_EQ(live_share(LoadProfile::flat, midnight() + hour), 1.0);
    EXPECT_TRUE(slot_in_target(LoadProfile::flat, 999, 1000, midnight() + hour));
  }
  EXPECT_EQ(next_time_in_target(LoadProfile::flat, 999, 1000, midnight()), midnight());
}

TEST(LoadProfile, TargetHoldsTheLowestSlots) {
  // 3% of 1000 at night: slots 0 to 29.
  EXPECT_TRUE(slot_in_target(LoadProfile::workday, 29, 1000, midnight() + 3h));
  EXPECT_FALSE(slot_in_target(LoadProfile::workday, 30, 1000, midnight() + 3h));
  // Fewer slots than one in 3% still keep one meeting at night.
  EXPECT_TRUE(slot_in_target(LoadProfile::workday, 0, 2, midnight() + 3h));
  EXPECT_FALSE(slot_in_target(LoadProfile::workday, 1, 2, midnight() + 3h));
}

TEST(LoadProfile, NextTimeInTargetIsWhenTheMorningRampReachesTheSlot) {
  const TimePoint night = midnight() + 3h;
  const TimePoint wake = next_time_in_target(LoadProfile::workday, 500, 1000, night);
  // 0.03 + 0.97 * t / 3h > 0.5 from t = 1.4536h on, i.e. 07:27:13.
  EXPECT_EQ(wake, midnight() + 7h + 27min + 13s);
  EXPECT_TRUE(slot_in_target(LoadProfile::workday, 500, 1000, wake));
  EXPECT_FALSE(slot_in_target(LoadProfile::workday, 500, 1000, wake - 1s));

  // In the evening the next ramp is tomorrow's.
  const TimePoint evening = midnight() + 18h;
  const TimePoint tomorrow = next_time_in_target(LoadProfile::workday, 999, 1000, evening);
  EXPECT_GT(tomorrow, midnight() + 24h + 6h);
  EXPECT_LT(tomorrow, midnight() + 24h + 9h);
  EXPECT_TRUE(slot_in_target(LoadProfile::workday, 999, 1000, tomorrow));
  EXPECT_FALSE(slot_in_target(LoadProfile::workday, 999, 1000, tomorrow - 1s));

  // A slot already in the target is in it now.
  EXPECT_EQ(next_time_in_target(LoadProfile::workday, 10, 1000, night), night);
}

TEST(LoadProfile, EverySlotWakesAtItsOwnCrossingOfTheRamp) {
  const TimePoint night = midnight() + 2h;
  TimePoint previous = night;
  for (std::size_t slot = 30; slot < 200; ++slot) {
    const TimePoint wake = next_time_in_target(LoadProfile::workday, slot, 200, night);
    EXPECT_GE(wake, previous);
    EXPECT_TRUE(slot_in_target(LoadProfile::workday, slot, 200, wake));
    EXPECT_FALSE(slot_in_target(LoadProfile::workday, slot, 200, wake - 1s));
    previous = wake;
  }
}

TEST(LiveSlots, NumbersTheLiveSlotsInOrder) {
  LiveSlots live(37);
  std::vector<bool> expected(37, false);
  RandomStream random(42);
  for (int change = 0; change < 2000; ++change) {
    const std::size_t slot = random.below(37);
    const bool is_live = random.chance(0.5);
    live.set_live(slot, is_live);
    expected[slot] = is_live;

    std::size_t count = 0;
    for (std::size_t s = 0; s < expected.size(); ++s) {
      ASSERT_EQ(live.live_before(s), count);
      ASSERT_EQ(live.is_live(s), expected[s]);
      if (expected[s]) {
        ASSERT_EQ(live.nth_live(count), s);
        ++count;
      }
    }
    ASSERT_EQ(live.live_count(), count);
    ASSERT_EQ(live.live_before(expected.size()), count);
  }
}

}  // namespace
}  // namespace zqe::simulator
