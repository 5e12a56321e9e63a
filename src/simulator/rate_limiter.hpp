#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "simulator/simulated_account.hpp"

// Zoom's rate limits for the Dashboard API, per account: a per-label window (Heavy: per second,
// Resource-intensive: per minute) and one daily quota both labels draw on, reset at 00:00 UTC.
// Windows are fixed and aligned to whole seconds and minutes of the clock. Only admitted requests
// count: a request refused with 429 uses no quota, so a client that retries too soon does not
// dig itself deeper.
namespace zqe::simulator {

enum class RateLimitLabel { heavy, resource_intensive };

// Zoom's names, for X-RateLimit-Category.
std::string_view category_name(RateLimitLabel label);  // "Heavy", "Resource-intensive"

struct RateLimits {
  std::int64_t heavy_per_second = 40;
  std::int64_t resource_intensive_per_minute = 20;
  std::int64_t daily = 60'000;

  static RateLimits of_plan(config::Plan plan);
};

struct RateLimitLabelStats {
  std::uint64_t answered = 0;           // admitted, so counted against the limits
  std::uint64_t refused_by_window = 0;  // 429 for the per-second (Heavy) or per-minute limit
  std::uint64_t refused_by_daily = 0;   // 429 for the daily quota
};

struct RateLimitStats {
  RateLimitLabelStats heavy;
  RateLimitLabelStats resource_intensive;
  std::int64_t daily_used = 0;  // admitted requests of the current UTC day, both labels
  std::int64_t daily_limit = 0;
};

struct RateLimitRefusal {
  enum class Kind { window, daily };
  RateLimitLabel label;
  Kind kind;
  std::int64_t limit;  // of the window or of the day
  TimePoint retry_at;  // when that window or day ends
};

class RateLimiter {
 public:
  // Unenforced, it counts every request as admitted and refuses none.
  RateLimiter(RateLimits limits, bool enforced);

  // Admits and counts the request, or refuses it without counting it. Time never goes back: an
  // earlier `now` than one seen before counts as that one.
  std::optional<RateLimitRefusal> admit(RateLimitLabel label, TimePoint now);

  bool enforced() const { return enforced_; }
  std::int64_t daily_limit() const { return limits_.daily; }
  // Today's quota left, never below 0 (unenforced use can exceed the quota).
  std::int64_t daily_remaining() const;
  // As of `now`: a new day shows its quota unused even before its first request.
  RateLimitStats stats(TimePoint now) const;

 private:
  struct Window {
    std::int64_t index = -1;  // whole seconds, minutes or days since the epoch
    std::int64_t used = 0;
  };

  RateLimits limits_;
  bool enforced_;
  TimePoint latest_;
  Window heavy_second_;
  Window resource_intensive_minute_;
  Window day_;
  RateLimitStats stats_;
};

}  // namespace zqe::simulator
