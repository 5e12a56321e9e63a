#include "commands/table_output.hpp"

#include <cmath>

#include "commands/text_table.hpp"
#include "commands/units.hpp"

namespace zqe::commands {
namespace {

using Align = TextTable::Align;

std::string count_text(std::optional<double> count) {
  if (!count) return units::kAbsent;
  return units::trimmed(*count, 0);
}

bool has_any_value(const qos::StreamQos& stream) {
  return stream.bitrate_bytes_per_second || stream.latency_seconds || stream.jitter_seconds ||
         stream.avg_loss_ratio || stream.max_loss_ratio || stream.frames_per_second ||
         stream.resolution_width_pixels || stream.resolution_height_pixels;
}

std::string cpu_text(const qos::CpuUsage& cpu) {
  if (!cpu.zoom_avg_ratio && !cpu.zoom_max_ratio && !cpu.system_max_ratio) return {};
  return "CPU " + units::percent(cpu.zoom_avg_ratio) + " (max " +
         units::percent(cpu.zoom_max_ratio) + ", system " + units::percent(cpu.system_max_ratio) +
         ")";
}

// "16001  Ann  Mac 6.2.0  Berlin (DE)  CPU 12 % (max 18 %, system 40 %)  at 2026-...Z": what is
// there of it, two spaces apart.
std::string participant_heading(const qos::ParticipantQos& participant) {
  const qos::ParticipantIdentity& who = participant.identity;
  std::string device = who.device;
  if (!who.version.empty()) device += (device.empty() ? "" : " ") + who.version;
  std::string heading = participant.participant_id;
  for (const std::string& part : {who.user_name, device, who.location, cpu_text(participant.cpu)}) {
    if (!part.empty()) heading += "  " + part;
  }
  if (participant.snapshot_timestamp_seconds) {
    heading += "  at " + units::utc_timestamp(participant.snapshot_timestamp_seconds);
  }
  return heading;
}

std::string score_text(const qos::StreamQos& stream, const qos::QualityThresholds& thresholds) {
  const std::optional<double> score = qos::audio_mos(stream);
  if (!score) return units::kAbsent;
  return units::mos(score) + " " +
         std::string(qos::quality_class_label(qos::quality_class(*score, thresholds)));
}

}  // namespace

std::string stream_name(const qos::StreamKind& kind) {
  const std::string media =
      kind.media == qos::Media::screen_share ? "share" : std::string(qos::media_label(kind.media));
  return media + (kind.direction == qos::Direction::input ? " in" : " out");
}

std::string meetings_table(const std::vector<zoom::LiveMeeting>& meetings) {
  if (meetings.empty()) return "No live meetings.\n";
  TextTable table({Align::left, Align::left, Align::left, Align::right, Align::left});
  table.add_row({"TYPE", "ID", "START (UTC)", "PARTICIPANTS", "TOPIC"});
  for (const zoom::LiveMeeting& meeting : meetings) {
    table.add_row({std::string(zoom::meeting_type_label(meeting.type)), std::to_string(meeting.id),
                   units::utc_timestamp(meeting.start_timestamp_seconds),
                   count_text(meeting.participants), meeting.topic});
  }
  return table.render();
}

std::string qos_table(const QosReport& report, const qos::QualityThresholds& thresholds) {
  const bool webinar = report.type == zoom::MeetingType::webinar;
  std::string title = std::string(webinar ? "Webinar " : "Meeting ") + report.meeting;
  if (report.participant) {
    title += ", participant " + *report.participant;
  } else {
    const std::size_t count = report.participants.size();
    title += ": " + std::to_string(count) + (count == 1 ? " participant" : " participants");
  }
  std::string out = title + "\n";
  if (report.participants.empty()) return out;

  TextTable table({Align::left, Align::right, Align::right, Align::right, Align::right,
                   Align::right, Align::right, Align::right, Align::left});
  table.add_row({"  STREAM", "LATENCY", "JITTER", "AVG LOSS", "MAX LOSS", "BITRATE", "RESOLUTION",
                 "FRAME RATE", "AUDIO SCORE"});
  for (const qos::ParticipantQos& participant : report.participants) {
    table.add_line(participant_heading(participant));
    bool any_stream = false;
    for (std::size_t index = 0; index < qos::kStreamKinds.size(); ++index) {
      const qos::StreamKind& kind = qos::kStreamKinds[index];
      const qos::StreamQos& stream = participant.streams[index];
      if (!has_any_value(stream)) continue;
      any_stream = true;
      const bool audio = kind.media == qos::Media::audio;
      table.add_row({"  " + stream_name(kind), units::milliseconds(stream.latency_seconds),
                     units::milliseconds(stream.jitter_seconds),
                     units::percent(stream.avg_loss_ratio), units::percent(stream.max_loss_ratio),
                     units::bytes_per_second(stream.bitrate_bytes_per_second),
                     audio ? ""
                           : units::resolution(stream.resolution_width_pixels,
                                               stream.resolution_height_pixels),
                     audio ? "" : units::frame_rate(stream.frames_per_second),
                     audio ? score_text(stream, thresholds) : ""});
    }
    if (!any_stream) table.add_line("  no QoS data yet");
  }
  return out + "\n" + table.render();
}

}  // namespace zqe::commands
