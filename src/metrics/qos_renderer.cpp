#include "metrics/qos_renderer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "metrics/exposition_text.hpp"
#include "metrics/gzip_segments.hpp"

namespace zqe::metrics {
namespace {

using exposition::append_label_value;
using exposition::append_number;

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

constexpr std::string_view kCpuFamily = "zoom_participant_cpu_usage_ratio";
constexpr std::string_view kMosFamily = "zoom_participant_audio_mos";
constexpr std::string_view kQualityFamily = "zoom_participant_audio_quality";
constexpr std::string_view kInfoFamily = "zoom_participant_info";
constexpr std::string_view kTimestampFamily = "zoom_participant_qos_timestamp_seconds";
constexpr std::size_t kCpuFamilyIndex = kStreamFamilies.size();
constexpr std::size_t kMosFamilyIndex = kCpuFamilyIndex + 1;
constexpr std::size_t kQualityFamilyIndex = kMosFamilyIndex + 1;
constexpr std::size_t kInfoFamilyIndex = kQualityFamilyIndex + 1;
constexpr std::size_t kTimestampFamilyIndex = kInfoFamilyIndex + 1;
static_assert(kTimestampFamilyIndex + 1 == kParticipantFamilyCount);

std::string family_header(std::string_view name, std::string_view help) {
  std::string header;
  exposition::append_family_header(header, name, help, "gauge");
  return header;
}

void append_meeting_id_label(std::string& out, std::uint64_t meeting_id) {
  out += "meeting_id=\"";
  append_number(out, meeting_id);
  out += '"';
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

// The `meeting_id="...",participant_id="..."` labels of each participant of one meeting.
// Built once because every participant family repeats them, and escaping is the costly part.
class ParticipantLabels {
 public:
  explicit ParticipantLabels(const MeetingSnapshot& meeting) {
    ends_.reserve(meeting.participants.size());
    for (const qos::ParticipantQos& participant : meeting.participants) {
      append_meeting_id_label(text_, meeting.meeting.id);
      text_ += ",participant_id=\"";
      append_label_value(text_, participant.participant_id);
      text_ += '"';
      ends_.push_back(text_.size());
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

void append_direction_label(std::string& out, qos::Direction direction) {
  out += ",direction=\"";
  out += qos::direction_label(direction);
  out += '"';
}

void append_stream_series(std::string& out, const StreamFamily& family, std::string_view labels,
                          const qos::ParticipantQos& participant) {
  for (std::size_t stream = 0; stream < qos::kStreamKinds.size(); ++stream) {
    const std::optional<double>& value = participant.streams[stream].*family.value;
    if (!value) continue;
    begin_series(out, family.name, labels);
    out += ",media=\"";
    out += qos::media_label(qos::kStreamKinds[stream].media);
    out += '"';
    append_direction_label(out, qos::kStreamKinds[stream].direction);
    end_series(out, *value);
  }
}

void append_cpu_series(std::string& out, std::string_view labels,
                       const qos::ParticipantQos& participant) {
  for (const CpuSource& source : kCpuSources) {
    const std::optional<double>& value = participant.cpu.*source.value;
    if (!value) continue;
    begin_series(out, kCpuFamily, labels);
    out += ",source=\"";
    out += source.label;
    out += '"';
    end_series(out, *value);
  }
}

// Calls `append(direction, mos)` for each audio stream with a score.
template <typename Append>
void for_each_audio_mos(const qos::ParticipantQos& participant, Append&& append) {
  for (std::size_t stream = 0; stream < qos::kStreamKinds.size(); ++stream) {
    if (qos::kStreamKinds[stream].media != qos::Media::audio) continue;
    if (const std::optional<double> mos = qos::audio_mos(participant.streams[stream])) {
      append(qos::kStreamKinds[stream].direction, *mos);
    }
  }
}

void append_mos_series(std::string& out, std::string_view labels,
                       const qos::ParticipantQos& participant) {
  for_each_audio_mos(participant, [&](qos::Direction direction, double mos) {
    begin_series(out, kMosFamily, labels);
    append_direction_label(out, direction);
    end_series(out, mos);
  });
}

// One series per class, 1 for the stream's and 0 for the others (an OpenMetrics StateSet), so
// that sums per class count participants and a class nobody is in still has a series.
void append_quality_series(std::string& out, std::string_view labels,
                           const qos::ParticipantQos& participant,
                           const qos::QualityThresholds& thresholds) {
  for_each_audio_mos(participant, [&](qos::Direction direction, double mos) {
    const qos::QualityClass actual = qos::quality_class(mos, thresholds);
    for (const qos::QualityClass quality : qos::kQualityClasses) {
      begin_series(out, kQualityFamily, labels);
      append_direction_label(out, direction);
      out += ",class=\"";
      out += qos::quality_class_label(quality);
      out += '"';
      end_series(out, quality == actual ? 1 : 0);
    }
  });
}

void append_info_series(std::string& out, std::string_view labels,
                        const qos::ParticipantQos& participant,
                        const std::vector<std::size_t>& info_labels) {
  begin_series(out, kInfoFamily, labels);
  for (const std::size_t index : info_labels) {
    append_label(out, kIdentityLabels[index].name,
                 participant.identity.*kIdentityLabels[index].value);
  }
  end_series(out, 1);
}

void append_timestamp_series(std::string& out, std::string_view labels,
                             const qos::ParticipantQos& participant) {
  if (!participant.snapshot_timestamp_seconds) return;
  begin_series(out, kTimestampFamily, labels);
  end_series(out, *participant.snapshot_timestamp_seconds);
}

// Rendering writes here first and then copies out exactly the size needed: rendered meetings
// are kept until their next refresh, the scratch space is reused.
std::string& scratch_text() {
  thread_local std::string scratch;
  scratch.clear();
  return scratch;
}

}  // namespace

std::string_view participant_family_header(std::size_t family) {
  static const std::array<std::string, kParticipantFamilyCount> headers = [] {
    std::array<std::string, kParticipantFamilyCount> all;
    for (std::size_t index = 0; index < kStreamFamilies.size(); ++index) {
      all[index] = family_header(kStreamFamilies[index].name, kStreamFamilies[index].help);
    }
    all[kCpuFamilyIndex] = family_header(
        kCpuFamily,
        "CPU usage on a participant's device, as a ratio (0-1): Zoom's minimum, average and "
        "maximum, and the whole system's maximum.");
    all[kMosFamilyIndex] = family_header(
        kMosFamily,
        "Estimated mean opinion score (1-4.5) of a participant's audio stream: ITU-T G.107's "
        "E-model from its latency, jitter and average loss.");
    all[kQualityFamilyIndex] = family_header(
        kQualityFamily,
        "Quality class of a participant's audio stream by its score: 1 for its class (good, "
        "fair or poor), 0 for the others.");
    all[kInfoFamilyIndex] =
        family_header(kInfoFamily, "Identity of a participant as Zoom reports it; always 1.");
    all[kTimestampFamilyIndex] = family_header(
        kTimestampFamily, "Unix time of the participant's latest QoS snapshot, in seconds.");
    return all;
  }();
  return headers.at(family);
}

std::string_view RenderedMeeting::family_text(std::size_t family) const {
  const std::uint32_t begin = family == 0 ? 0 : families[family - 1].text_end;
  return std::string_view(text).substr(begin, families[family].text_end - begin);
}

std::string_view RenderedMeeting::family_segment(std::size_t family) const {
  const std::uint32_t begin = family == 0 ? 0 : families[family - 1].segment_end;
  return std::string_view(segments).substr(begin, families[family].segment_end - begin);
}

// Rejected rather than skipped: a duplicate label name would make the whole scrape invalid, and
// an unknown one means the config validation and this table have drifted apart.
QosRenderer::QosRenderer(const RenderOptions& options) : audio_quality_(options.audio_quality) {
  for (const std::string& name : options.participant_info_labels) {
    const auto known = std::find_if(kIdentityLabels.begin(), kIdentityLabels.end(),
                                    [&](const IdentityLabel& label) { return label.name == name; });
    if (known == kIdentityLabels.end()) {
      throw std::invalid_argument("unknown participant info label: " + name);
    }
    const auto index = static_cast<std::size_t>(known - kIdentityLabels.begin());
    if (std::find(info_labels_.begin(), info_labels_.end(), index) != info_labels_.end()) {
      throw std::invalid_argument("duplicate participant info label: " + name);
    }
    info_labels_.push_back(index);
  }
}

RenderedMeeting QosRenderer::render_text(const MeetingSnapshot& meeting) const {
  const ParticipantLabels labels(meeting);
  const std::vector<qos::ParticipantQos>& participants = meeting.participants;
  const auto for_each_participant = [&](auto&& append) {
    for (std::size_t index = 0; index < participants.size(); ++index) {
      append(labels[index], participants[index]);
    }
  };

  std::string& text = scratch_text();
  std::array<std::size_t, kParticipantFamilyCount> text_ends{};
  for (std::size_t index = 0; index < kStreamFamilies.size(); ++index) {
    for_each_participant([&](std::string_view participant_labels, const auto& participant) {
      append_stream_series(text, kStreamFamilies[index], participant_labels, participant);
    });
    text_ends[index] = text.size();
  }
  for_each_participant([&](std::string_view participant_labels, const auto& participant) {
    append_cpu_series(text, participant_labels, participant);
  });
  text_ends[kCpuFamilyIndex] = text.size();
  for_each_participant([&](std::string_view participant_labels, const auto& participant) {
    append_mos_series(text, participant_labels, participant);
  });
  text_ends[kMosFamilyIndex] = text.size();
  for_each_participant([&](std::string_view participant_labels, const auto& participant) {
    append_quality_series(text, participant_labels, participant, audio_quality_);
  });
  text_ends[kQualityFamilyIndex] = text.size();
  for_each_participant([&](std::string_view participant_labels, const auto& participant) {
    append_info_series(text, participant_labels, participant, info_labels_);
  });
  text_ends[kInfoFamilyIndex] = text.size();
  for_each_participant([&](std::string_view participant_labels, const auto& participant) {
    append_timestamp_series(text, participant_labels, participant);
  });
  text_ends[kTimestampFamilyIndex] = text.size();
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("a meeting's series exceed 4 GiB");
  }

  RenderedMeeting rendered;
  rendered.text = text;
  for (std::size_t family = 0; family < kParticipantFamilyCount; ++family) {
    rendered.families[family].text_end = static_cast<std::uint32_t>(text_ends[family]);
  }
  return rendered;
}

std::shared_ptr<const RenderedMeeting> QosRenderer::render(const MeetingSnapshot& meeting,
                                                           const RenderedMeeting* previous) const {
  auto rendered = std::make_shared<RenderedMeeting>(render_text(meeting));
  for (std::size_t family = 0; family < kParticipantFamilyCount; ++family) {
    const std::string_view text = rendered->family_text(family);
    if (previous != nullptr && previous->family_text(family) == text) {
      rendered->segments += previous->family_segment(family);
      rendered->families[family].crc = previous->families[family].crc;
    } else {
      rendered->segments += gzip::segment(text);
      rendered->families[family].crc = gzip::crc32_of(text);
    }
    rendered->families[family].segment_end = static_cast<std::uint32_t>(rendered->segments.size());
  }
  rendered->segments.shrink_to_fit();
  return rendered;
}

std::string render_meeting_families(const std::vector<const zoom::LiveMeeting*>& meetings) {
  std::string out;
  // Writes HELP and TYPE, then the series; a family that ends up without any is taken back out,
  // since an empty family only adds noise to the scrape.
  const auto append_family = [&](std::string_view name, std::string_view help, auto&& series) {
    const std::size_t family_start = out.size();
    exposition::append_family_header(out, name, help, "gauge");
    const std::size_t series_start = out.size();
    series();
    if (out.size() == series_start) out.resize(family_start);
  };

  constexpr std::string_view kInfo = "zoom_meeting_info";
  append_family(kInfo, "Identity of a live meeting; always 1.", [&] {
    for (const zoom::LiveMeeting* meeting : meetings) {
      out += kInfo;
      out += '{';
      append_meeting_id_label(out, meeting->id);
      append_label(out, "uuid", meeting->uuid);
      append_label(out, "topic", meeting->topic);
      append_label(out, "host", meeting->host);
      append_label(out, "type", zoom::meeting_type_label(meeting->type));
      end_series(out, 1);
    }
  });

  // Both meeting gauges labelled by meeting_id alone, written when Zoom sent the value.
  const auto append_optional_meeting_gauge = [&](std::string_view name, std::string_view help,
                                                 std::optional<double> zoom::LiveMeeting::*value) {
    append_family(name, help, [&] {
      for (const zoom::LiveMeeting* meeting : meetings) {
        const std::optional<double>& present = meeting->*value;
        if (!present) continue;
        out += name;
        out += '{';
        append_meeting_id_label(out, meeting->id);
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
