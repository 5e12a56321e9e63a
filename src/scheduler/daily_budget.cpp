#include "scheduler/daily_budget.hpp"

#include <algorithm>

namespace zqe::scheduler {

TimePoint next_daily_reset(TimePoint now) {
  using Days = std::chrono::duration<std::int64_t, std::ratio<86400>>;
  return std::chrono::floor<Days>(now) + Days(1);
}

DailyBudget::DailyBudget(std::int64_t requests_per_day) : limit_(requests_per_day) {}

void DailyBudget::roll_over(TimePoint now) {
  if (same_day(now)) return;
  used_ = 0;
  used_at_zoom_report_ = 0;
  zoom_remaining_.reset();
  day_end_ = next_daily_reset(now);
}

void DailyBudget::spend(TimePoint now) {
  roll_over(now);
  ++used_;
}

std::int64_t DailyBudget::used(TimePoint now) const {
  return same_day(now) ? used_ : 0;
}

std::optional<std::int64_t> DailyBudget::zoom_remaining(TimePoint now) const {
  if (!same_day(now) || !zoom_remaining_) return std::nullopt;
  return std::max<std::int64_t>(0, *zoom_remaining_ - (used_ - used_at_zoom_report_));
}

std::int64_t DailyBudget::remaining(TimePoint now) const {
  if (now < exhausted_until_) return 0;
  std::int64_t left = std::max<std::int64_t>(0, limit_ - used(now));
  if (auto zoom = zoom_remaining(now)) left = std::min(left, *zoom);
  return left;
}

void DailyBudget::observe_zoom_remaining(TimePoint now, std::int64_t remaining) {
  roll_over(now);
  zoom_remaining_ = remaining;
  used_at_zoom_report_ = used_;
}

void DailyBudget::exhaust_until(TimePoint until) {
  exhausted_until_ = std::max(exhausted_until_, until);
}

TimePoint DailyBudget::available_at(TimePoint now) const {
  if (now < exhausted_until_) return exhausted_until_;
  if (remaining(now) > 0) return now;
  return next_daily_reset(now);
}

}  // namespace zqe::scheduler
