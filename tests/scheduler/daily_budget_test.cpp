#include "scheduler/daily_budget.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

namespace zqe::scheduler {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::year;

const TimePoint kNov22 = sys_days{year{2026} / 11 / 22};
const TimePoint kNov23 = sys_days{year{2026} / 11 / 23};
const TimePoint kNov24 = sys_days{year{2026} / 11 / 24};

// gtest prints time points as raw bytes: seconds since a known midnight read better.
double seconds_after(TimePoint time, TimePoint origin) {
  return std::chrono::duration<double>(time - origin).count();
}

TEST(NextDailyReset, IsTheNextMidnightUtc) {
  EXPECT_EQ(seconds_after(next_daily_reset(kNov22 + 23h + 59min + 59s), kNov23), 0);
  EXPECT_EQ(seconds_after(next_daily_reset(kNov22 + 12h + 34min + 56s + 789ms), kNov23), 0);
  EXPECT_EQ(seconds_after(next_daily_reset(kNov22 + 1ns), kNov23), 0);
  EXPECT_EQ(seconds_after(next_daily_reset(kNov23 - 1ns), kNov23), 0);
}

TEST(NextDailyReset, AtMidnightIsTheFollowingMidnight) {
  // At 00:00 the quota has just been reset: the next reset is a day away.
  EXPECT_EQ(seconds_after(next_daily_reset(kNov23), kNov24), 0);
}

TEST(NextDailyReset, CrossesMonthAndYearEnds) {
  const TimePoint new_year = sys_days{year{2027} / 1 / 1};
  EXPECT_EQ(seconds_after(next_daily_reset(sys_days{year{2026} / 12 / 31} + 18h), new_year), 0);
  const TimePoint march_first = sys_days{year{2028} / 3 / 1};
  EXPECT_EQ(seconds_after(next_daily_reset(sys_days{year{2028} / 2 / 29} + 1h), march_first), 0);
}

TEST(DailyBudget, FreshBudgetHasItsWholeLimit) {
  const DailyBudget budget(1000);
  EXPECT_EQ(budget.limit(), 1000);
  EXPECT_EQ(budget.used(kNov22 + 8h), 0);
  EXPECT_EQ(budget.remaining(kNov22 + 8h), 1000);
  EXPECT_EQ(budget.zoom_remaining(kNov22 + 8h), std::nullopt);
}

TEST(DailyBudget, SpendingCountsAgainstTheDay) {
  DailyBudget budget(1000);
  const TimePoint morning = kNov22 + 8h;
  for (int request = 0; request < 3; ++request) budget.spend(morning);
  EXPECT_EQ(budget.used(morning), 3);
  EXPECT_EQ(budget.remaining(morning), 997);
  EXPECT_EQ(budget.used(kNov23 - 1ns), 3);
  EXPECT_EQ(budget.remaining(kNov23 - 1ns), 997);
}

TEST(DailyBudget, RollsOverAtMidnightUtc) {
  DailyBudget budget(100);
  const TimePoint before_midnight = kNov23 - 2s;
  for (int request = 0; request < 40; ++request) budget.spend(before_midnight);
  EXPECT_EQ(budget.remaining(kNov23 - 1s), 60);

  // Reading needs no spend to see the new day.
  EXPECT_EQ(budget.used(kNov23), 0);
  EXPECT_EQ(budget.remaining(kNov23), 100);

  budget.spend(kNov23);
  EXPECT_EQ(budget.used(kNov23 + 1s), 1);
  EXPECT_EQ(budget.remaining(kNov23 + 1s), 99);
  EXPECT_EQ(budget.used(kNov24), 0);
}

TEST(DailyBudget, RemainingNeverGoesNegative) {
  DailyBudget budget(2);
  for (int request = 0; request < 5; ++request) budget.spend(kNov22 + 1h);
  EXPECT_EQ(budget.used(kNov22 + 1h), 5);
  EXPECT_EQ(budget.remaining(kNov22 + 1h), 0);
}

TEST(DailyBudget, SetLimitAppliesToWhatIsLeftToday) {
  DailyBudget budget(1000);
  for (int request = 0; request < 10; ++request) budget.spend(kNov22 + 1h);
  budget.set_limit(50);
  EXPECT_EQ(budget.limit(), 50);
  EXPECT_EQ(budget.remaining(kNov22 + 1h), 40);
}

TEST(DailyBudget, ZoomsRemainingCapsOurs) {
  DailyBudget budget(1000);
  const TimePoint now = kNov22 + 9h;
  for (int request = 0; request < 10; ++request) budget.spend(now);
  // Other apps of the account spent most of the quota.
  budget.observe_zoom_remaining(now, 50);
  EXPECT_EQ(budget.zoom_remaining(now), 50);
  EXPECT_EQ(budget.remaining(now), 50);
}

TEST(DailyBudget, ZoomsRemainingDecreasesWithOurOwnSpendingAfterTheReport) {
  DailyBudget budget(1000);
  const TimePoint now = kNov22 + 9h;
  budget.observe_zoom_remaining(now, 50);
  budget.spend(now + 1s);
  budget.spend(now + 2s);
  EXPECT_EQ(budget.zoom_remaining(now + 3s), 48);
  EXPECT_EQ(budget.remaining(now + 3s), 48);
  EXPECT_EQ(budget.used(now + 3s), 2);

  // A newer report replaces the old one; our spending before it is already in it.
  budget.observe_zoom_remaining(now + 4s, 45);
  EXPECT_EQ(budget.zoom_remaining(now + 4s), 45);
  budget.spend(now + 5s);
  EXPECT_EQ(budget.zoom_remaining(now + 5s), 44);
}

TEST(DailyBudget, OurLimitStillAppliesUnderAGenerousZoomRemaining) {
  DailyBudget budget(100);
  const TimePoint now = kNov22 + 9h;
  for (int request = 0; request < 30; ++request) budget.spend(now);
  budget.observe_zoom_remaining(now, 50'000);
  EXPECT_EQ(budget.remaining(now), 70);
}

TEST(DailyBudget, ZoomsRemainingNeverGoesNegative) {
  DailyBudget budget(1000);
  const TimePoint now = kNov22 + 9h;
  budget.observe_zoom_remaining(now, 1);
  for (int request = 0; request < 3; ++request) budget.spend(now);
  EXPECT_EQ(budget.zoom_remaining(now), 0);
  EXPECT_EQ(budget.remaining(now), 0);
}

TEST(DailyBudget, ZoomsRemainingIsForgottenAtMidnight) {
  DailyBudget budget(1000);
  budget.observe_zoom_remaining(kNov22 + 23h, 0);
  EXPECT_EQ(budget.remaining(kNov22 + 23h), 0);
  EXPECT_EQ(budget.zoom_remaining(kNov23), std::nullopt);
  EXPECT_EQ(budget.remaining(kNov23), 1000);
}

TEST(DailyBudget, ExhaustedUntilLeavesNothingUntilThen) {
  DailyBudget budget(1000);
  const TimePoint now = kNov22 + 15h;
  budget.exhaust_until(kNov23);
  EXPECT_EQ(budget.remaining(now), 0);
  EXPECT_EQ(budget.remaining(kNov23 - 1ns), 0);
  EXPECT_EQ(budget.remaining(kNov23), 1000);
}

TEST(DailyBudget, ExhaustedUntilCanReachPastMidnight) {
  DailyBudget budget(1000);
  budget.exhaust_until(kNov23 + 30min);
  EXPECT_EQ(budget.remaining(kNov23 + 10min), 0);
  EXPECT_EQ(budget.remaining(kNov23 + 30min), 1000);
}

TEST(DailyBudget, AnEarlierExhaustionDoesNotShortenALaterOne) {
  DailyBudget budget(1000);
  budget.exhaust_until(kNov23);
  budget.exhaust_until(kNov22 + 16h);
  EXPECT_EQ(budget.remaining(kNov22 + 17h), 0);
}

}  // namespace
}  // namespace zqe::scheduler
