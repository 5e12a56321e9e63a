#include "simulator/zoom_json.hpp"

#include <cstdio>
#include <optional>
#include <string_view>

namespace zqe::simulator {
namespace {

void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_field(JsonWriter& writer, const char* key, std::string_view value) {
  writer.Key(key);
  write_string(writer, value);
}

// Zoom sends every QoS value as a string with its unit, and "" when there is no data.
template <typename Number>
void write_measure(JsonWriter& writer, const char* key, const std::optional<Number>& value,
                   const char* format) {
  char text[32] = "";
  if (value) std::snprintf(text, sizeof text, format, *value);
  write_field(writer, key, text);
}

void write_stream_values(JsonWriter& writer, const StreamQos& stream) {
  write_measure(writer, "bitrate", stream.bitrate_kbps, "%d kbps");
  write_measure(writer, "latency", stream.latency_ms, "%d ms");
  write_measure(writer, "jitter", stream.jitter_ms, "%d ms");
  write_measure(writer, "avg_loss", stream.avg_loss_percent, "%.1f%%");
  write_measure(writer, "max_loss", stream.max_loss_percent, "%.1f%%");
}

void write_audio(JsonWriter& writer, const char* key, const StreamQos& stream) {
  writer.Key(key);
  writer.StartObject();
  write_stream_values(writer, stream);
  writer.EndObject();
}

void write_video(JsonWriter& writer, const char* key, const VideoQos& video) {
  writer.Key(key);
  writer.StartObject();
  write_stream_values(writer, video);
  std::string resolution;
  if (video.resolution) {
    resolution =
        std::to_string(video.resolution->width) + "*" + std::to_string(video.resolution->height);
  }
  write_field(writer, "resolution", resolution);
  write_measure(writer, "frame_rate", video.frame_rate_fps, "%d fps");
  writer.EndObject();
}

void write_snapshot(JsonWriter& writer, const QosSnapshot& snapshot) {
  writer.StartObject();
  write_field(writer, "date_time", format_timestamp(snapshot.date_time));
  write_audio(writer, "audio_input", snapshot.audio_input);
  write_audio(writer, "audio_output", snapshot.audio_output);
  if (snapshot.video_input) write_video(writer, "video_input", *snapshot.video_input);
  if (snapshot.video_output) write_video(writer, "video_output", *snapshot.video_output);
  write_video(writer, "as_input", snapshot.as_input);
  write_video(writer, "as_output", snapshot.as_output);

  const CpuUsage& cpu = snapshot.cpu_usage;
  writer.Key("cpu_usage");
  writer.StartObject();
  write_measure(writer, "zoom_min_cpu_usage", std::optional(cpu.zoom_min_percent), "%d%%");
  write_measure(writer, "zoom_avg_cpu_usage", std::optional(cpu.zoom_avg_percent), "%d%%");
  write_measure(writer, "zoom_max_cpu_usage", std::optional(cpu.zoom_max_percent), "%d%%");
  write_measure(writer, "system_max_cpu_usage", std::optional(cpu.system_max_percent), "%d%%");
  writer.EndObject();

  if (snapshot.wifi_rssi) {
    writer.Key("wifi_rssi");
    writer.StartObject();
    writer.Key("max_rssi");
    writer.Int(snapshot.wifi_rssi->max_rssi);
    writer.Key("avg_rssi");
    writer.Int(snapshot.wifi_rssi->avg_rssi);
    writer.Key("min_rssi");
    writer.Int(snapshot.wifi_rssi->min_rssi);
    write_field(writer, "rssi_unit", "dBm");
    writer.EndObject();
  }
  writer.EndObject();
}

}  // namespace

std::string format_timestamp(TimePoint time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss clock(std::chrono::floor<std::chrono::seconds>(time - day));
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::string format_date(TimePoint time) {
  return format_timestamp(time).substr(0, 10);
}

std::string format_duration(std::chrono::seconds duration) {
  const std::chrono::hh_mm_ss parts(duration);
  char text[32];
  if (parts.hours().count() > 0) {
    std::snprintf(text, sizeof text, "%02d:%02d:%02d", static_cast<int>(parts.hours().count()),
                  static_cast<int>(parts.minutes().count()),
                  static_cast<int>(parts.seconds().count()));
  } else {
    std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(parts.minutes().count()),
                  static_cast<int>(parts.seconds().count()));
  }
  return text;
}

namespace {

void write_meeting_object(JsonWriter& writer, const MeetingInfo& meeting, bool is_webinar) {
  writer.StartObject();
  write_field(writer, "uuid", meeting.uuid);
  writer.Key("id");
  writer.Uint64(meeting.id);
  write_field(writer, "topic", meeting.topic);
  write_field(writer, "host", meeting.host);
  write_field(writer, "email", meeting.email);
  write_field(writer, "user_type", meeting.user_type);
  write_field(writer, "start_time", format_timestamp(meeting.start_time));
  write_field(writer, "duration", format_duration(meeting.duration));
  writer.Key("participants");
  writer.Int(meeting.participants);
  const std::pair<const char*, bool> flags[] = {
      {"has_pstn", meeting.has_pstn},           {"has_voip", meeting.has_voip},
      {"has_video", meeting.has_video},         {"has_screen_share", meeting.has_screen_share},
      {"has_recording", meeting.has_recording}, {"has_sip", meeting.has_sip}};
  for (const auto& [key, value] : flags) {
    writer.Key(key);
    writer.Bool(value);
  }
  if (is_webinar) {
    // The simulated account has no third-party audio bridges.
    writer.Key("has_3rd_party_audio");
    writer.Bool(false);
  }
  writer.EndObject();
}

}  // namespace

void write_meeting(JsonWriter& writer, const MeetingInfo& meeting) {
  write_meeting_object(writer, meeting, /*is_webinar=*/false);
}

void write_webinar(JsonWriter& writer, const MeetingInfo& webinar) {
  write_meeting_object(writer, webinar, /*is_webinar=*/true);
}

void write_participant(JsonWriter& writer, const ParticipantQos& participant) {
  writer.StartObject();
  write_field(writer, "user_id", participant.user_id);
  if (!participant.account_user_id.empty()) write_field(writer, "id", participant.account_user_id);
  write_field(writer, "user_name", participant.user_name);
  write_field(writer, "device", participant.device);
  write_field(writer, "ip_address", participant.ip_address);
  write_field(writer, "location", participant.location);
  write_field(writer, "join_time", format_timestamp(participant.join_time));
  // Everyone listed is still in the meeting.
  write_field(writer, "leave_time", "");
  write_field(writer, "pc_name", participant.pc_name);
  write_field(writer, "domain", participant.domain);
  write_field(writer, "mac_addr", participant.mac_addr);
  write_field(writer, "harddisk_id", participant.harddisk_id);
  write_field(writer, "version", participant.version);
  writer.Key("internal_ip_addresses");
  writer.StartArray();
  for (const std::string& address : participant.internal_ip_addresses)
    write_string(writer, address);
  writer.EndArray();
  writer.Key("user_qos");
  writer.StartArray();
  for (const QosSnapshot& snapshot : participant.user_qos) write_snapshot(writer, snapshot);
  writer.EndArray();
  writer.EndObject();
}

}  // namespace zqe::simulator
