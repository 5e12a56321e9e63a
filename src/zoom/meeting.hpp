#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zqe::zoom {

// Zoom lists and polls meetings and webinars alike, under /metrics/meetings and
// /metrics/webinars.
enum class MeetingType { meeting, webinar };

constexpr std::string_view meeting_type_label(MeetingType type) {
  return type == MeetingType::meeting ? "meeting" : "webinar";
}

// One entry of GET /metrics/meetings?type=live.
struct LiveMeeting {
  MeetingType type = MeetingType::meeting;
  std::uint64_t id = 0;  // numeric meeting id
  std::string uuid;
  std::string topic;
  std::string host;
  std::optional<double> start_timestamp_seconds;  // `start_time`, Unix seconds
  std::optional<double> participants;             // `participants` as Zoom counts them
  std::string host_email = {};  // `email`: matched against the watch list, never exported
};

}  // namespace zqe::zoom
