#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qos/participant_qos.hpp"
#include "zoom/meeting.hpp"

// Renders the QoS families (zoom_participant_*, zoom_meeting_*, zoom_live_meetings) in the
// Prometheus text exposition format 0.0.4, once per poll. Written directly with std::to_chars
// rather than through prometheus-cpp's registry: it runs over every series on every change.
namespace zqe::metrics {

struct MeetingSnapshot {
  zoom::LiveMeeting meeting;
  std::vector<qos::ParticipantQos> participants;  // participant ids unique within the meeting
};

struct RenderOptions {
  // Identity fields that become labels of zoom_participant_info, in this order; each one of
  // config::kParticipantInfoLabelChoices.
  std::vector<std::string> participant_info_labels = {"user_name", "device", "version", "location"};
};

// Meetings are rendered in the given order; their ids are unique. Families without any
// series are left out, except zoom_live_meetings, which is always present.
std::string render_qos(const std::vector<const MeetingSnapshot*>& meetings,
                       const RenderOptions& options);

struct MeetingQosAge {
  std::uint64_t meeting_id = 0;
  double seconds = 0;
};

// zoom_meeting_qos_age_seconds: rendered at every scrape, since it changes with time. Left out
// when there are no meetings with QoS data.
std::string render_qos_ages(const std::vector<MeetingQosAge>& ages);

}  // namespace zqe::metrics
