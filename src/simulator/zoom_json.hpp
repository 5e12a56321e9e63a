#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <string>

#include "simulator/simulated_account.hpp"

// Zoom's JSON for the simulated account's state, in the formats of Zoom's own replies.
namespace zqe::simulator {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string format_timestamp(TimePoint time);  // "2026-11-22T10:00:00Z"
std::string format_date(TimePoint time);       // "2026-11-22"
// "12:34" below an hour, "01:02:03" from one hour on, as the Dashboard shows meeting durations.
std::string format_duration(std::chrono::seconds duration);

// One element of "meetings" in GET /metrics/meetings.
void write_meeting(JsonWriter& writer, const MeetingInfo& meeting);
// One element of "webinars" in GET /metrics/webinars: a meeting's fields and has_3rd_party_audio.
void write_webinar(JsonWriter& writer, const MeetingInfo& webinar);
// One element of "participants" in GET /metrics/meetings/{meetingId}/participants/qos.
void write_participant(JsonWriter& writer, const ParticipantQos& participant);

}  // namespace zqe::simulator
