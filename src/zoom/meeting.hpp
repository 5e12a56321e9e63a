#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zqe::zoom {

// One entry of GET /metrics/meetings?type=live.
struct LiveMeeting {
  std::uint64_t id = 0;  // numeric meeting id
  std::string uuid;
  std::string topic;
  std::string host;
  std::optional<double> start_timestamp_seconds;  // `start_time`, Unix seconds
  std::optional<double> participants;             // `participants` as Zoom counts them
};

}  // namespace zqe::zoom
