#pragma once

#include <optional>
#include <string_view>

#include "scheduler/refresh_scheduler.hpp"

namespace zqe::scheduler {

// Retry-After as Zoom sends it: delay seconds ("1") or an ISO-8601 time
// ("2020-05-31T00:00:00Z"). Anything else, or an empty header: nullopt.
std::optional<TimePoint> parse_retry_after(std::string_view value, TimePoint now);

// Which limit a 429 hit: X-RateLimit-Type ("QPS", "Daily-limit"), or when that header is
// missing, the body's message ("... exceeded the daily rate limit ...").
LimitType rate_limit_type(std::string_view type_header, std::string_view body);

}  // namespace zqe::scheduler
