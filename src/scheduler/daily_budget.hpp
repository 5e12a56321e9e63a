#pragma once

#include <cstdint>
#include <optional>

#include "scheduler/token_bucket.hpp"

namespace zqe::scheduler {

// The next 00:00 UTC after `now`, when Zoom resets the daily quota.
TimePoint next_daily_reset(TimePoint now);

// The exporter's share of Zoom's daily quota, counted per UTC day: what it has spent, what Zoom
// last said is left for the whole account, and a stop until the reset after a daily-limit 429.
class DailyBudget {
 public:
  explicit DailyBudget(std::int64_t requests_per_day);

  void set_limit(std::int64_t requests_per_day) { limit_ = requests_per_day; }
  std::int64_t limit() const { return limit_; }

  void spend(TimePoint now);
  // What this exporter may still spend today: its share less what it spent, and never more
  // than Zoom's last X-RateLimit-Remaining (other apps of the account spend too).
  std::int64_t remaining(TimePoint now) const;
  std::int64_t used(TimePoint now) const;
  // X-RateLimit-Remaining of a reply: the account's whole daily quota left.
  void observe_zoom_remaining(TimePoint now, std::int64_t remaining);
  std::optional<std::int64_t> zoom_remaining(TimePoint now) const;
  // A daily-limit 429: nothing more until `until` (Retry-After, or the next reset).
  void exhaust_until(TimePoint until);
  // When requests may go out again: now when some budget is left, else the end of a daily-limit
  // stop or the next reset, whichever is later.
  TimePoint available_at(TimePoint now) const;

 private:
  bool same_day(TimePoint now) const { return now < day_end_; }
  void roll_over(TimePoint now);

  std::int64_t limit_;
  std::int64_t used_ = 0;
  TimePoint day_end_{};
  std::optional<std::int64_t> zoom_remaining_;
  std::int64_t used_at_zoom_report_ = 0;
  TimePoint exhausted_until_{};
};

}  // namespace zqe::scheduler
