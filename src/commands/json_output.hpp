#pragma once

#include <string>
#include <vector>

#include "commands/qos_report.hpp"
#include "qos/audio_quality.hpp"
#include "zoom/meeting.hpp"

// The `--output json` rendering of the commands: one JSON document (indented, ending in a
// newline), numbers in base units (seconds, ratios 0..1, bytes per second, pixels), null for a
// value Zoom did not send, and keys always in the same order. Pure: exact output is unit-tested.
namespace zqe::commands {

// {"meetings": [{"type", "id", "uuid", "topic", "host", "participants", "start_time"}, ...]}
std::string meetings_json(const std::vector<zoom::LiveMeeting>& meetings);

// {"meeting": {"type", "id"}, "participants": [{"participant_id", identity..., "snapshot_time",
// "cpu": {...}, "streams": [{"media", "direction", values..., audio: "audio_mos",
// "audio_quality"}]}]}: every stream of every participant, in Zoom's order.
std::string qos_json(const QosReport& report, const qos::QualityThresholds& thresholds);

}  // namespace zqe::commands
