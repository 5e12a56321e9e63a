#pragma once

#include <optional>
#include <string>
#include <vector>

#include "qos/participant_qos.hpp"
#include "zoom/meeting.hpp"

namespace zqe::commands {

// What `qos` found: the participants of one meeting (or the one asked for), as decoded.
struct QosReport {
  zoom::MeetingType type = zoom::MeetingType::meeting;
  std::string meeting;                     // as the user gave it: numeric id or UUID
  std::optional<std::string> participant;  // `qos MEETING PARTICIPANT`
  std::vector<qos::ParticipantQos> participants;
};

}  // namespace zqe::commands
