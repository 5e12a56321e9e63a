#include "commands/json_output.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <optional>
#include <string_view>

#include "commands/units.hpp"

namespace zqe::commands {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void key(Writer& writer, std::string_view name) {
  writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

void string_field(Writer& writer, std::string_view name, std::string_view value) {
  key(writer, name);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// Whole numbers without RapidJSON's ".0", so that 2875 bytes per second reads as Zoom's data does.
void number_field(Writer& writer, std::string_view name, std::optional<double> value) {
  key(writer, name);
  if (!value || !std::isfinite(*value)) {
    writer.Null();
  } else if (std::trunc(*value) == *value && std::fabs(*value) < 9.0e15) {
    writer.Int64(static_cast<std::int64_t>(*value));
  } else {
    writer.Double(*value);
  }
}

void timestamp_field(Writer& writer, std::string_view name, std::optional<double> unix_seconds) {
  if (!unix_seconds) {
    key(writer, name);
    writer.Null();
    return;
  }
  string_field(writer, name, units::utc_timestamp(unix_seconds));
}

std::string finish(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

void write_stream(Writer& writer, const qos::StreamKind& kind, const qos::StreamQos& stream,
                  const qos::QualityThresholds& thresholds) {
  writer.StartObject();
  string_field(writer, "media", qos::media_label(kind.media));
  string_field(writer, "direction", qos::direction_label(kind.direction));
  number_field(writer, "latency_seconds", stream.latency_seconds);
  number_field(writer, "jitter_seconds", stream.jitter_seconds);
  number_field(writer, "avg_loss_ratio", stream.avg_loss_ratio);
  number_field(writer, "max_loss_ratio", stream.max_loss_ratio);
  number_field(writer, "bitrate_bytes_per_second", stream.bitrate_bytes_per_second);
  if (kind.media == qos::Media::audio) {
    const std::optional<double> score = qos::audio_mos(stream);
    number_field(writer, "audio_mos", score);
    key(writer, "audio_quality");
    if (score) {
      const std::string_view label =
          qos::quality_class_label(qos::quality_class(*score, thresholds));
      writer.String(label.data(), static_cast<rapidjson::SizeType>(label.size()));
    } else {
      writer.Null();
    }
  } else {
    number_field(writer, "resolution_width_pixels", stream.resolution_width_pixels);
    number_field(writer, "resolution_height_pixels", stream.resolution_height_pixels);
    number_field(writer, "frames_per_second", stream.frames_per_second);
  }
  writer.EndObject();
}

void write_participant(Writer& writer, const qos::ParticipantQos& participant,
                       const qos::QualityThresholds& thresholds) {
  writer.StartObject();
  string_field(writer, "participant_id", participant.participant_id);
  string_field(writer, "user_name", participant.identity.user_name);
  string_field(writer, "device", participant.identity.device);
  string_field(writer, "version", participant.identity.version);
  string_field(writer, "location", participant.identity.location);
  timestamp_field(writer, "snapshot_time", participant.snapshot_timestamp_seconds);
  key(writer, "cpu");
  writer.StartObject();
  number_field(writer, "zoom_min_ratio", participant.cpu.zoom_min_ratio);
  number_field(writer, "zoom_avg_ratio", participant.cpu.zoom_avg_ratio);
  number_field(writer, "zoom_max_ratio", participant.cpu.zoom_max_ratio);
  number_field(writer, "system_max_ratio", participant.cpu.system_max_ratio);
  writer.EndObject();
  key(writer, "streams");
  writer.StartArray();
  for (std::size_t index = 0; index < qos::kStreamKinds.size(); ++index) {
    write_stream(writer, qos::kStreamKinds[index], participant.streams[index], thresholds);
  }
  writer.EndArray();
  writer.EndObject();
}

}  // namespace

std::string meetings_json(const std::vector<zoom::LiveMeeting>& meetings) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.SetIndent(' ', 2);
  writer.StartObject();
  key(writer, "meetings");
  writer.StartArray();
  for (const zoom::LiveMeeting& meeting : meetings) {
    writer.StartObject();
    string_field(writer, "type", zoom::meeting_type_label(meeting.type));
    key(writer, "id");
    writer.Uint64(meeting.id);
    string_field(writer, "uuid", meeting.uuid);
    string_field(writer, "topic", meeting.topic);
    string_field(writer, "host", meeting.host);
    number_field(writer, "participants", meeting.participants);
    timestamp_field(writer, "start_time", meeting.start_timestamp_seconds);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return finish(buffer);
}

std::string qos_json(const QosReport& report, const qos::QualityThresholds& thresholds) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.SetIndent(' ', 2);
  writer.StartObject();
  key(writer, "meeting");
  writer.StartObject();
  string_field(writer, "type", zoom::meeting_type_label(report.type));
  string_field(writer, "id", report.meeting);
  writer.EndObject();
  key(writer, "participants");
  writer.StartArray();
  for (const qos::ParticipantQos& participant : report.participants) {
    write_participant(writer, participant, thresholds);
  }
  writer.EndArray();
  writer.EndObject();
  return finish(buffer);
}

}  // namespace zqe::commands
