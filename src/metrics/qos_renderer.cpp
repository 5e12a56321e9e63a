#include "metrics/qos_renderer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "metrics/exposition_text.hpp"

namespace zqe::metrics {
namespace {

using exposition::append_label_value;
using exposition::append_number;
using Meetings = std::vector<const MeetingSnapshot*>;

struct StreamFamily {
  std::string_view name;
  std::string_view help;
  std::optional<double> qos::StreamQos::*value;
};

constexpr std::array<StreamFamily, 8> kStreamFamilies{{
    {"zoom_participant_bitrate_bytes_per_second",
     "Bitrate of a participant's media stream, in bytes per second.",
     &qos::StreamQos::bitrate_bytes_per_second},
    {"zoom_participant_latency_seconds", "Network latency of a participant's media stream.",
     &qos::StreamQos::latency_seconds},
    {"zoom_participant_jitter_seconds", "Jitter of a participant's media stream.",
     &qos::StreamQos::jitter_seconds},
    {"zoom_participant_avg_loss_ratio",
     "Average packet loss of a participant's media stream, as a ratio (0-1).",
     &qos::StreamQos::avg_loss_ratio},
    {"zoom_participant_max_loss_ratio",
     "Maximum packet loss of a participant's media stream, as a ratio (0-1).",
     &qos::StreamQos::max_loss_ratio},
    {"zoom_participant_frames_per_second",
     "Frame rate of a participant's video or screen share stream.",
     &qos::StreamQos::frames_per_second},
    {"zoom_participant_resolution_width_pixels",
     "Width of a participant's video or screen share stream.",
     &qos::StreamQos::resolution_width_pixels},
    {"zoom_participant_resolution_height_pixels",
     "Height of a participant's video or screen share stream.",
     &qos::StreamQos::resolution_height_pixels},
}};

struct CpuSource {
  std::string_view label;
  std::optional<double> qos::CpuUsage::*value;
};

constexpr std::array<CpuSource, 4> kCpuSources{{
    {"zoom_min", &qos::CpuUsage::zoom_min_ratio},
    {"zoom_avg", &qos::CpuUsage::zoom_avg_ratio},
    {"zoom_max", &qos::CpuUsage::zoom_max_ratio},
    {"system_max", &qos::CpuUsage::system_max_ratio},
}};

struct IdentityLabel {
  std::string_view name;
  std::string qos::ParticipantIdentity::*value;
};

constexpr std::array<IdentityLabel, 9> kIdentityLabels{{
    {"user_name", &qos::ParticipantIdentity::user_name},
    {"device", &qos::ParticipantIdentity::device},
    {"version", &qos::ParticipantIdentity::version},
    {"location", &qos::ParticipantIdentity::location},
    {"ip_address", &qos::ParticipantIdentity::ip_address},
    {"mac_addr", &qos::ParticipantIdentity::mac_addr},
    {"harddisk_id", &qos::ParticipantIdentity::harddisk_id},
    {"pc_name", &qos::ParticipantIdentity::pc_name},
    {"domain", &qos::ParticipantIdentity::domain},
}};

// Rejected rather than skipped: a duplicate label name would make the whole scrape invalid, and
// an unknown one means the config validation and this table have drifted apart.
std::vector<IdentityLabel> resolve_info_labels(const RenderOptions& options) {
  std::vector<IdentityLabel> labels;
  labels.reserve(options.participant_info_labels.size());
  for (const std::string& name : options.participant_info_labels) {
    const auto known = std::find_if(kIdentityLabels.begin(), kIdentityLabels.end(),
                                    [&](const IdentityLabel& label) { return label.name == name; });
    if (known == kIdentityLabels.end()) {
      throw std::invalid_argument("unknown participant info label: " + name);
    }
    const bool duplicate =
        std::any_of(labels.begin(), labels.end(),
                    [&](const IdentityLabel& chosen) { return chosen.name == name; });
    if (duplicate) throw std::invalid_argument("duplicate participant info label: " + name);
    labels.push_back(*known);
  }
  return labels;
}

void append_meeting_id_label(std::string& out, std::uint64_t meeting_id) {
  out += "meeting_id=\"";
  append_number(out, meeting_id);
  out += '"';
}

// The `meeting_id="...",participant_id="..."` labels of every participant, in rendering order.
// Built once because every participant family repeats them, and escaping is the costly part.
class ParticipantLabels {
 public:
  explicit ParticipantLabels(const Meetings& meetings) {
    constexpr std::size_t kTypicalLabelsSize = 64;
    std::size_t participant_count = 0;
    for (const MeetingSnapshot* snapshot : meetings) {
      participant_count += snapshot->participants.size();
    }
    ends_.reserve(participant_count);
    text_.reserve(participant_count * kTypicalLabelsSize);
    for (const MeetingSnapshot* snapshot : meetings) {
      for (const qos::ParticipantQos& participant : snapshot->participants) {
        append_meeting_id_label(text_, snapshot->meeting.id);
        text_ += ",participant_id=\"";
        append_label_value(text_, participant.participant_id);
        text_ += '"';
        ends_.push_back(text_.size());
      }
    }
  }

  std::string_view operator[](std::size_t participant_index) const {
    const std::size_t begin = participant_index == 0 ? 0 : ends_[participant_index - 1];
    return std::string_view(text_).substr(begin, ends_[participant_index] - begin);
  }

 private:
  std::string text_;
  std::vector<std::size_t> ends_;
};

// Calls `visit(labels, participant)` for every participant in rendering order.
template <typename Visit>
void for_each_participant(const Meetings& meetings, const ParticipantLabels& labels,
                          Visit&& visit) {
  std::size_t participant_index = 0;
  for (const MeetingSnapshot* snapshot : meetings) {
    for (const qos::ParticipantQos& participant : snapshot->participants) {
      visit(labels[participant_index++], participant);
    }
  }
}

// Writes HELP and TYPE, then lets `append_series` write the samples; a family that ends up
// without any sample is taken back out, since an empty family only adds noise to the scrape.
template <typename AppendSeries>
void append_gauge_family(std::string& out, std::string_view name, std::string_view help,
                         AppendSeries&& append_series) {
  const std::size_t family_start = out.size();
  exposition::append_family_header(out, name, help, "gauge");
  const std::size_t series_start = out.size();
  append_series();
  if (out.size() == series_start) out.resize(family_start);
}

// A series is written as begin_series, any further `,name="value"` labels, end_series.
void begin_series(std::string& out, std::string_view name, std::string_view first_labels) {
  out += name;
  out += '{';
  out += first_labels;
}

void end_series(std::string& out, double value) {
  out += "} ";
  append_number(out, value);
  out += '\n';
}

void append_label(std::string& out, std::string_view name, std::string_view value) {
  out += ',';
  out += name;
  out += "=\"";
  append_label_value(out, value);
  out += '"';
}

std::size_t count_present_values(const qos::ParticipantQos& participant) {
  std::size_t present = 0;
  for (const qos::StreamQos& stream : participant.streams) {
    for (const StreamFamily& family : kStreamFamilies) {
      present += (stream.*family.value).has_value();
    }
  }
  for (const CpuSource& source : kCpuSources) {
    present += (participant.cpu.*source.value).has_value();
  }
  return present + participant.snapshot_timestamp_seconds.has_value();
}

// At least the real size unless escaping expands label values, and not far above it, so that the
// output string is allocated once and never moved.
std::size_t estimate_output_size(const Meetings& meetings, const ParticipantLabels& labels,
                                 const std::vector<IdentityLabel>& info_labels) {
  // A stream series at its longest: name (41), media and direction (41), braces, blank and
  // newline (4), value (24); the rest of a series is its participant's labels.
  constexpr std::size_t kSeriesOverhead = 110;
  // All HELP and TYPE lines, and the labels of the three meeting series besides their strings.
  constexpr std::size_t kHeadersSize = 4096;
  constexpr std::size_t kMeetingSize = 256;
  std::size_t size = kHeadersSize;
  for (const MeetingSnapshot* snapshot : meetings) {
    const zoom::LiveMeeting& meeting = snapshot->meeting;
    size += kMeetingSize + meeting.uuid.size() + meeting.topic.size() + meeting.host.size();
  }
  for_each_participant(
      meetings, labels,
      [&](std::string_view participant_labels, const qos::ParticipantQos& participant) {
        const std::size_t series_with_info = count_present_values(participant) + 1;
        size += series_with_info * (participant_labels.size() + kSeriesOverhead);
        for (const IdentityLabel& label : info_labels) {
          size += (participant.identity.*label.value).size();
        }
      });
  return size;
}

void append_stream_families(std::string& out, const Meetings& meetings,
                            const ParticipantLabels& labels) {
  for (const StreamFamily& family : kStreamFamilies) {
    append_gauge_family(out, family.name, family.help, [&] {
      for_each_participant(
          meetings, labels,
          [&](std::string_view participant_labels, const qos::ParticipantQos& participant) {
            for (std::size_t stream = 0; stream < qos::kStreamKinds.size(); ++stream) {
              const std::optional<double>& value = participant.streams[stream].*family.value;
              if (!value) continue;
              begin_series(out, family.name, participant_labels);
              out += ",media=\"";
              out += qos::media_label(qos::kStreamKinds[stream].media);
              out += "\",direction=\"";
              out += qos::direction_label(qos::kStreamKinds[stream].direction);
              out += '"';
              end_series(out, *value);
            }
          });
    });
  }
}

void append_participant_families(std::string& out, const Meetings& meetings,
                                 const ParticipantLabels& labels,
                                 const std::vector<IdentityLabel>& info_labels) {
  constexpr std::string_view kCpu = "zoom_participant_cpu_usage_ratio";
  append_gauge_family(
      out, kCpu,
      "CPU usage on a participant's device, as a ratio (0-1): Zoom's minimum, average and "
      "maximum, and the whole system's maximum.",
      [&] {
        for_each_participant(
            meetings, labels,
            [&](std::string_view participant_labels, const qos::ParticipantQos& participant) {
              for (const CpuSource& source : kCpuSources) {
                const std::optional<double>& value = participant.cpu.*source.value;
                if (!value) continue;
                begin_series(out, kCpu, participant_labels);
                out += ",source=\"";
                out += source.label;
                out += '"';
                end_series(out, *value);
              }
            });
      });

  constexpr std::string_view kInfo = "zoom_participant_info";
  append_gauge_family(out, kInfo, "Identity of a participant as Zoom reports it; always 1.", [&] {
    for_each_participant(
        meetings, labels,
        [&](std::string_view participant_labels, const qos::ParticipantQos& participant) {
          begin_series(out, kInfo, participant_labels);
          for (const IdentityLabel& label : info_labels) {
            append_label(out, label.name, participant.identity.*label.value);
          }
          end_series(out, 1);
        });
  });

  constexpr std::string_view kTimestamp = "zoom_participant_qos_timestamp_seconds";
  append_gauge_family(
      out, kTimestamp, "Unix time of the participant's latest QoS snapshot, in seconds.", [&] {
        for_each_participant(
            meetings, labels,
            [&](std::string_view participant_labels, const qos::ParticipantQos& participant) {
              if (!participant.snapshot_timestamp_seconds) return;
              begin_series(out, kTimestamp, participant_labels);
              end_series(out, *participant.snapshot_timestamp_seconds);
            });
      });
}

void append_meeting_families(std::string& out, const Meetings& meetings) {
  constexpr std::string_view kInfo = "zoom_meeting_info";
  append_gauge_family(out, kInfo, "Identity of a live meeting; always 1.", [&] {
    for (const MeetingSnapshot* snapshot : meetings) {
      out += kInfo;
      out += '{';
      append_meeting_id_label(out, snapshot->meeting.id);
      append_label(out, "uuid", snapshot->meeting.uuid);
      append_label(out, "topic", snapshot->meeting.topic);
      append_label(out, "host", snapshot->meeting.host);
      append_label(out, "type", zoom::meeting_type_label(snapshot->meeting.type));
      end_series(out, 1);
    }
  });

  // Both meeting gauges labelled by meeting_id alone, written when Zoom sent the value.
  const auto append_optional_meeting_gauge = [&](std::string_view name, std::string_view help,
                                                 std::optional<double> zoom::LiveMeeting::*value) {
    append_gauge_family(out, name, help, [&] {
      for (const MeetingSnapshot* snapshot : meetings) {
        const std::optional<double>& present = snapshot->meeting.*value;
        if (!present) continue;
        out += name;
        out += '{';
        append_meeting_id_label(out, snapshot->meeting.id);
        end_series(out, *present);
      }
    });
  };
  append_optional_meeting_gauge("zoom_meeting_participants",
                                "Participants in a live meeting, as Zoom counts them.",
                                &zoom::LiveMeeting::participants);
  append_optional_meeting_gauge("zoom_meeting_start_timestamp_seconds",
                                "Unix time a live meeting started, in seconds.",
                                &zoom::LiveMeeting::start_timestamp_seconds);

  exposition::append_family_header(out, "zoom_live_meetings", "Live meetings Zoom reports.",
                                   "gauge");
  out += "zoom_live_meetings ";
  append_number(out, static_cast<std::uint64_t>(meetings.size()));
  out += '\n';
}

}  // namespace

std::string render_qos(const std::vector<const MeetingSnapshot*>& meetings,
                       const RenderOptions& options) {
  const std::vector<IdentityLabel> info_labels = resolve_info_labels(options);
  const ParticipantLabels participant_labels(meetings);

  std::string out;
  out.reserve(estimate_output_size(meetings, participant_labels, info_labels));
  append_stream_families(out, meetings, participant_labels);
  append_participant_families(out, meetings, participant_labels, info_labels);
  append_meeting_families(out, meetings);
  return out;
}

std::string render_qos_ages(const std::vector<MeetingQosAge>& ages) {
  std::string out;
  if (ages.empty()) return out;
  constexpr std::string_view kName = "zoom_meeting_qos_age_seconds";
  exposition::append_family_header(
      out, kName, "Age of the QoS data exported for a live meeting: time since it was fetched.",
      "gauge");
  for (const auto& age : ages) {
    out += kName;
    out += '{';
    append_meeting_id_label(out, age.meeting_id);
    out += "} ";
    append_number(out, age.seconds);
    out += '\n';
  }
  return out;
}

}  // namespace zqe::metrics
