#pragma once

#include <string>
#include <vector>

#include "commands/qos_report.hpp"
#include "qos/audio_quality.hpp"
#include "zoom/meeting.hpp"

// The `--output table` rendering of the commands (see the README's Command line section for the
// layout and why). Pure: exact output is unit-tested.
namespace zqe::commands {

// One row per meeting or webinar: type, id, start (UTC), participants, topic.
std::string meetings_table(const std::vector<zoom::LiveMeeting>& meetings);

// A heading line per participant (id, name, device, location, CPU, snapshot time), then one row
// per stream that has any value: latency, jitter, loss, bitrate, resolution, frame rate and, for
// audio, the score with its class under `thresholds`.
std::string qos_table(const QosReport& report, const qos::QualityThresholds& thresholds);

// "audio in", "video out", "share in".
std::string stream_name(const qos::StreamKind& kind);

}  // namespace zqe::commands
