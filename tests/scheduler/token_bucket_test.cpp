#include "scheduler/token_bucket.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace zqe::scheduler {
namespace {

using namespace std::chrono_literals;

// gtest prints durations as raw bytes: comparing seconds as doubles keeps failures readable.
double seconds_of(Duration duration) {
  return std::chrono::duration<double>(duration).count();
}

const TimePoint kStart = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + 12h;

TEST(TokenBucket, StartsFullAndAdmitsTheWholeBurstAtOnce) {
  TokenBucket bucket(4, 3);
  for (int request = 0; request < 3; ++request) {
    SCOPED_TRACE(request);
    EXPECT_EQ(seconds_of(bucket.wait(kStart)), 0);
    bucket.take(kStart);
  }
  // The burst is spent: the next token comes at the rate, 1/4 s later.
  EXPECT_EQ(seconds_of(bucket.wait(kStart)), 0.25);
}

TEST(TokenBucket, WaitIsTheTimeUntilTheMissingPartOfATokenRefills) {
  TokenBucket bucket(4, 1);
  bucket.take(kStart);
  EXPECT_EQ(seconds_of(bucket.wait(kStart)), 0.25);
  EXPECT_EQ(seconds_of(bucket.wait(kStart + 100ms)), 0.15);
  EXPECT_EQ(seconds_of(bucket.wait(kStart + 250ms)), 0);
  EXPECT_EQ(seconds_of(bucket.wait(kStart + 1h)), 0);
}

TEST(TokenBucket, RefillsAtTheRateUpToTheCapacity) {
  TokenBucket bucket(2, 3);
  for (int request = 0; request < 3; ++request) bucket.take(kStart);
  // One second at 2/s refills two tokens: two requests at once, then half a second for a third.
  const TimePoint later = kStart + 1s;
  EXPECT_EQ(seconds_of(bucket.wait(later)), 0);
  bucket.take(later);
  EXPECT_EQ(seconds_of(bucket.wait(later)), 0);
  bucket.take(later);
  EXPECT_EQ(seconds_of(bucket.wait(later)), 0.5);

  // A long idle time does not store more than the capacity.
  const TimePoint much_later = later + 1h;
  for (int request = 0; request < 3; ++request) {
    EXPECT_EQ(seconds_of(bucket.wait(much_later)), 0);
    bucket.take(much_later);
  }
  EXPECT_EQ(seconds_of(bucket.wait(much_later)), 0.5);
}

TEST(TokenBucket, SteadyRateWhenTheCallerFollowsWait) {
  TokenBucket bucket(10, 1);
  TimePoint now = kStart;
  int admitted = 0;
  while (now < kStart + 10s) {
    const Duration wait = bucket.wait(now);
    if (wait > Duration::zero()) {
      now += wait;
      continue;
    }
    bucket.take(now);
    ++admitted;
  }
  // One at kStart, then one every 100 ms: 100 in [kStart, kStart + 10 s).
  EXPECT_EQ(admitted, 100);
}

TEST(TokenBucket, WaitRoundsUpToTheMicrosecond) {
  // 1/3 s is not a whole number of microseconds: rounding down would wake the caller too early.
  TokenBucket bucket(3, 1);
  bucket.take(kStart);
  const Duration wait = bucket.wait(kStart);
  EXPECT_GE(wait, std::chrono::nanoseconds(333'333'333));
  EXPECT_LE(wait, 333'334us);
}

TEST(TokenBucket, PauseBlocksUntilThenEvenWithTokensLeft) {
  TokenBucket bucket(4, 5);
  const TimePoint until = kStart + 30s;
  bucket.pause_until(until);
  EXPECT_EQ(seconds_of(bucket.wait(kStart)), 30);
  EXPECT_EQ(seconds_of(bucket.wait(kStart + 29s)), 1);
  EXPECT_GT(bucket.wait(until - 1ns), Duration::zero());
}

TEST(TokenBucket, PauseEmptiesTheBurst) {
  TokenBucket bucket(4, 5);
  const TimePoint until = kStart + 30s;
  bucket.pause_until(until);
  // Zoom refused: the bucket refills from empty starting at `until`, so there is no burst of 5
  // after the pause, only the steady rate.
  EXPECT_EQ(seconds_of(bucket.wait(until)), 0.25);
  const TimePoint first = until + 250ms;
  EXPECT_EQ(seconds_of(bucket.wait(first)), 0);
  bucket.take(first);
  EXPECT_EQ(seconds_of(bucket.wait(first)), 0.25);
}

TEST(TokenBucket, AnEarlierPauseDoesNotShortenALaterOne) {
  TokenBucket bucket(4, 1);
  bucket.pause_until(kStart + 60s);
  bucket.pause_until(kStart + 10s);
  EXPECT_EQ(seconds_of(bucket.wait(kStart)), 60);
}

TEST(TokenBucket, SetRateChangesTheRefillAndClampsTheBurst) {
  TokenBucket bucket(1, 5);
  bucket.set_rate(4, 2);
  // Five stored tokens shrink to the new capacity of two.
  bucket.take(kStart);
  bucket.take(kStart);
  EXPECT_EQ(seconds_of(bucket.wait(kStart)), 0.25);
}

}  // namespace
}  // namespace zqe::scheduler
