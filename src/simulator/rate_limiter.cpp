#include "simulator/rate_limiter.hpp"

#include <algorithm>
#include <chrono>

namespace zqe::simulator {
namespace {

template <typename Period>
std::int64_t window_index(TimePoint at) {
  return std::chrono::floor<Period>(at).time_since_epoch().count();
}

template <typename Period>
TimePoint window_end(std::int64_t index) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(Period(index + 1)));
}

}  // namespace

std::string_view category_name(RateLimitLabel label) {
  return label == RateLimitLabel::heavy ? "Heavy" : "Resource-intensive";
}

RateLimits RateLimits::of_plan(config::Plan plan) {
  const config::LimitsConfig limits = config::plan_limits(plan);
  RateLimits rate_limits;
  rate_limits.heavy_per_second = static_cast<std::int64_t>(limits.heavy_per_second);
  rate_limits.resource_intensive_per_minute =
      static_cast<std::int64_t>(limits.resource_intensive_per_minute);
  rate_limits.daily = limits.daily_requests;
  return rate_limits;
}

RateLimiter::RateLimiter(RateLimits limits, bool enforced)
    : limits_(limits), enforced_(enforced), latest_(TimePoint::min()) {
  stats_.daily_limit = limits_.daily;
}

std::optional<RateLimitRefusal> RateLimiter::admit(RateLimitLabel label, TimePoint now) {
  latest_ = std::max(latest_, now);
  const bool heavy = label == RateLimitLabel::heavy;
  RateLimitLabelStats& label_stats = heavy ? stats_.heavy : stats_.resource_intensive;
  Window& window = heavy ? heavy_second_ : resource_intensive_minute_;
  const std::int64_t current_window = heavy ? window_index<std::chrono::seconds>(latest_)
                                            : window_index<std::chrono::minutes>(latest_);
  if (window.index != current_window) window = Window{current_window, 0};
  if (const std::int64_t today = window_index<std::chrono::days>(latest_); day_.index != today) {
    day_ = Window{today, 0};
  }

  if (enforced_) {
    // The daily refusal comes first: its Retry-After is the one a client must honour.
    if (day_.used >= limits_.daily) {
      ++label_stats.refused_by_daily;
      return RateLimitRefusal{label, RateLimitRefusal::Kind::daily, limits_.daily,
                              window_end<std::chrono::days>(day_.index)};
    }
    const std::int64_t window_limit =
        heavy ? limits_.heavy_per_second : limits_.resource_intensive_per_minute;
    if (window.used >= window_limit) {
      ++label_stats.refused_by_window;
      return RateLimitRefusal{label, RateLimitRefusal::Kind::window, window_limit,
                              heavy ? window_end<std::chrono::seconds>(window.index)
                                    : window_end<std::chrono::minutes>(window.index)};
    }
  }
  ++window.used;
  ++day_.used;
  ++label_stats.answered;
  return std::nullopt;
}

std::int64_t RateLimiter::daily_remaining() const {
  return std::max<std::int64_t>(0, limits_.daily - day_.used);
}

RateLimitStats RateLimiter::stats(TimePoint now) const {
  RateLimitStats stats = stats_;
  const bool new_day = window_index<std::chrono::days>(std::max(latest_, now)) != day_.index;
  stats.daily_used = new_day ? 0 : day_.used;
  return stats;
}

}  // namespace zqe::simulator
