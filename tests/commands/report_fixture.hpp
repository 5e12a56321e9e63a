#pragma once

#include "commands/qos_report.hpp"
#include "zoom/meeting.hpp"

// Known inputs of the output tests: what the decoder would make of a fake Zoom's strings.
namespace zqe::commands::test {

inline std::vector<zoom::LiveMeeting> two_meetings_and_a_webinar() {
  return {
      {zoom::MeetingType::meeting, 111, "uuid-one==", "Weekly sync", "Host Name", 1795341600, 2},
      {zoom::MeetingType::meeting, 86211681455, "/B6Qzw9G9AdcKltPuyp9sg==", "Café & croissants", "",
       std::nullopt, std::nullopt},
      {zoom::MeetingType::webinar, 222, "uuid-two==", "Town hall", "Host Name", 1795341900.5, 44},
  };
}

inline QosReport two_participants() {
  QosReport report;
  report.meeting = "111";
  qos::ParticipantQos& ann = report.participants.emplace_back();
  ann.participant_id = "16001";
  ann.identity.user_name = "Ann";
  ann.identity.device = "Mac";
  ann.identity.version = "6.2.0";
  ann.identity.location = "Berlin (DE)";
  ann.snapshot_timestamp_seconds = 1795341900;
  ann.streams[0] = {2875, 0.126, 0.006, 0.003, 0.019, {}, {}, {}};  // audio in
  ann.streams[2] = {125000, 0.05, 0.004, 0, 0.001, 25, 1280, 720};  // video in
  ann.streams[5] = {{}, {}, {}, {}, {}, {}, 1920, 1080};            // share out
  ann.cpu = {0.08, 0.12, 0.18, 0.4};
  qos::ParticipantQos& jurgen = report.participants.emplace_back();
  jurgen.participant_id = "16002";
  jurgen.identity.user_name = "Jürgen";
  return report;
}

}  // namespace zqe::commands::test
