#include "config/config.hpp"

namespace zqe::config {

// Zoom's published limits per plan, which Zoom applies to the whole account.
LimitsConfig plan_limits(Plan plan) {
  // daily_share keeps its default: it is this deployment's choice, not part of the plan.
  LimitsConfig limits;
  limits.plan = plan;
  switch (plan) {
    case Plan::pro:
      limits.heavy_per_second = 10;
      limits.resource_intensive_per_minute = 10;
      limits.daily_requests = 30'000;
      return limits;
    case Plan::business:
      limits.heavy_per_second = 40;
      limits.resource_intensive_per_minute = 20;
      limits.daily_requests = 60'000;
      return limits;
  }
  return limits;
}

}  // namespace zqe::config
