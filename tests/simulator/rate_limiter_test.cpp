#include "simulator/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "simulator/simulator_test_support.hpp"

namespace zqe::simulator {
namespace {

using namespace std::chrono_literals;
using test::test_start;

constexpr RateLimits kSmallLimits = {
    .heavy_per_second = 4, .resource_intensive_per_minute = 3, .daily = 10};

TimePoint next_midnight() {
  return test_start() - 10h + 24h;  // test_start() is 10:00 UTC
}

// How many of `count` requests at `at` the limiter admits.
int admitted(RateLimiter& limiter, RateLimitLabel label, TimePoint at, int count) {
  int admitted = 0;
  for (int i = 0; i < count; ++i) admitted += limiter.admit(label, at) ? 0 : 1;
  return admitted;
}

TEST(RateLimiter, HeavyWindowIsAWholeSecondOfTheClock) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/true);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 100ms, 3), 3);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 900ms, 1), 1);
  const std::optional<RateLimitRefusal> refusal =
      limiter.admit(RateLimitLabel::heavy, test_start() + 999ms);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->label, RateLimitLabel::heavy);
  EXPECT_EQ(refusal->kind, RateLimitRefusal::Kind::window);
  EXPECT_EQ(refusal->limit, 4);
  EXPECT_EQ(refusal->retry_at, test_start() + 1s);
  // Fixed, not sliding: the next second starts afresh although the last four calls were recent.
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 1s, 5), 4);
}

TEST(RateLimiter, ResourceIntensiveWindowIsAWholeMinuteAndApartFromHeavy) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/true);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::resource_intensive, test_start() + 5s, 3), 3);
  const std::optional<RateLimitRefusal> refusal =
      limiter.admit(RateLimitLabel::resource_intensive, test_start() + 59s);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->kind, RateLimitRefusal::Kind::window);
  EXPECT_EQ(refusal->limit, 3);
  EXPECT_EQ(refusal->retry_at, test_start() + 1min);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 59s, 1), 1);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::resource_intensive, test_start() + 1min, 1), 1);
}

TEST(RateLimiter, BothLabelsDrawOnOneDailyQuotaThatResetsAtMidnightUtc) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/true);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start(), 4), 4);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::resource_intensive, test_start(), 3), 3);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 1h, 3), 3);
  EXPECT_EQ(limiter.daily_remaining(), 0);
  for (const RateLimitLabel label : {RateLimitLabel::heavy, RateLimitLabel::resource_intensive}) {
    const std::optional<RateLimitRefusal> refusal = limiter.admit(label, test_start() + 2h);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->kind, RateLimitRefusal::Kind::daily);
    EXPECT_EQ(refusal->limit, 10);
    EXPECT_EQ(refusal->retry_at, next_midnight());
  }
  EXPECT_TRUE(limiter.admit(RateLimitLabel::heavy, next_midnight() - 1ms));
  EXPECT_FALSE(limiter.admit(RateLimitLabel::heavy, next_midnight()));
  EXPECT_EQ(limiter.daily_remaining(), 9);
}

TEST(RateLimiter, RefusedRequestsUseNoQuota) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/true);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start(), 50), 4);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::resource_intensive, test_start(), 50), 3);
  EXPECT_EQ(limiter.daily_remaining(), 3);
  const RateLimitStats stats = limiter.stats(test_start());
  EXPECT_EQ(stats.heavy.answered, 4u);
  EXPECT_EQ(stats.heavy.refused_by_window, 46u);
  EXPECT_EQ(stats.heavy.refused_by_daily, 0u);
  EXPECT_EQ(stats.resource_intensive.answered, 3u);
  EXPECT_EQ(stats.resource_intensive.refused_by_window, 47u);
  EXPECT_EQ(stats.daily_used, 7);
  EXPECT_EQ(stats.daily_limit, 10);
}

TEST(RateLimiter, StatsCountRefusalsByKindAndShowANewDayUnused) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/true);
  for (int second = 0; second < 4; ++second) {
    admitted(limiter, RateLimitLabel::heavy, test_start() + std::chrono::seconds(second), 5);
  }
  const RateLimitStats today = limiter.stats(test_start() + 5s);
  EXPECT_EQ(today.heavy.answered, 10u);
  EXPECT_EQ(today.heavy.refused_by_window, 2u);  // in the first two seconds
  EXPECT_EQ(today.heavy.refused_by_daily, 8u);   // in the last two
  EXPECT_EQ(today.daily_used, 10);
  const RateLimitStats tomorrow = limiter.stats(next_midnight());
  EXPECT_EQ(tomorrow.daily_used, 0);
  EXPECT_EQ(tomorrow.heavy.answered, 10u);  // the totals are the simulation's, not the day's
}

TEST(RateLimiter, UnenforcedCountsEverythingAndRefusesNothing) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/false);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start(), 100), 100);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::resource_intensive, test_start(), 100), 100);
  EXPECT_EQ(limiter.daily_remaining(), 0);
  const RateLimitStats stats = limiter.stats(test_start());
  EXPECT_EQ(stats.heavy.answered, 100u);
  EXPECT_EQ(stats.resource_intensive.answered, 100u);
  EXPECT_EQ(stats.heavy.refused_by_window + stats.heavy.refused_by_daily, 0u);
  EXPECT_EQ(stats.daily_used, 200);
}

TEST(RateLimiter, AnEarlierClockCountsAsTheLatest) {
  RateLimiter limiter(kSmallLimits, /*enforced=*/true);
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 1s, 4), 4);
  // Going back into the previous second must not open that window again.
  EXPECT_EQ(admitted(limiter, RateLimitLabel::heavy, test_start() + 500ms, 1), 0);
}

TEST(RateLimiter, PlansHaveZoomsLimits) {
  const RateLimits pro = RateLimits::of_plan(config::Plan::pro);
  EXPECT_EQ(pro.heavy_per_second, 10);
  EXPECT_EQ(pro.resource_intensive_per_minute, 10);
  EXPECT_EQ(pro.daily, 30'000);
  const RateLimits business = RateLimits::of_plan(config::Plan::business);
  EXPECT_EQ(business.heavy_per_second, 40);
  EXPECT_EQ(business.resource_intensive_per_minute, 20);
  EXPECT_EQ(business.daily, 60'000);
  EXPECT_EQ(category_name(RateLimitLabel::heavy), "Heavy");
  EXPECT_EQ(category_name(RateLimitLabel::resource_intensive), "Resource-intensive");
}

}  // namespace
}  // namespace zqe::simulator
