#include "metrics/qos_renderer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
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

// The meeting aggregates: one family per qos::kAggregatedMetrics, then these.
constexpr std::string_view kMeetingMosFamily = "zoom_meeting_audio_mos";
constexpr std::string_view kMeetingQualityFamily = "zoom_meeting_audio_quality_participants";
constexpr std::string_view kMeetingParticipantsFamily = "zoom_meeting_qos_participants";
constexpr std::size_t kMeetingMetricFamilyIndex = kParticipantFamilyCount;
constexpr std::size_t kMeetingMosFamilyIndex =
    kMeetingMetricFamilyIndex + qos::kAggregatedMetrics.size();
constexpr std::size_t kMeetingQualityFamilyIndex = kMeetingMosFamilyIndex + 1;
constexpr std::size_t kMeetingParticipantsFamilyIndex = kMeetingQualityFamilyIndex + 1;
static_assert(kMeetingParticipantsFamilyIndex + 1 == kQosFamilyCount);

// The help of the meeting and account families of each qos::kAggregatedMetrics.
constexpr std::array<std::string_view, qos::kAggregatedMetrics.size()> kAggregatedMetricHelp{
    "network latency of the participants' media streams",
    "jitter of the participants' media streams",
    "average packet loss of the participants' media streams, as a ratio (0-1)",
};

std::string family_header(std::string_view name, std::string_view help) {
  std::string header;
  exposition::append_family_header(header, name, help, "gauge");
  return header;
}

// `account_labels` is account_labels() of the meeting's account.
void append_meeting_labels(std::string& out, std::string_view account_labels,
                           std::uint64_t meeting_id) {
  out += account_labels;
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
  ParticipantLabels(const MeetingSnapshot& meeting, std::string_view account_labels) {
    ends_.reserve(meeting.participants.size());
    for (const qos::ParticipantQos& participant : meeting.participants) {
      append_meeting_labels(text_, account_labels, meeting.meeting.id);
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

void append_class_label(std::string& out, qos::QualityClass quality) {
  out += ",class=\"";
  out += qos::quality_class_label(quality);
  out += '"';
}

void append_stream_labels(std::string& out, std::size_t stream) {
  out += ",media=\"";
  out += qos::media_label(qos::kStreamKinds[stream].media);
  out += '"';
  append_direction_label(out, qos::kStreamKinds[stream].direction);
}

void append_stream_series(std::string& out, const StreamFamily& family, std::string_view labels,
                          const qos::ParticipantQos& participant) {
  for (std::size_t stream = 0; stream < qos::kStreamKinds.size(); ++stream) {
    const std::optional<double>& value = participant.streams[stream].*family.value;
    if (!value) continue;
    begin_series(out, family.name, labels);
    append_stream_labels(out, stream);
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
      append_class_label(out, quality);
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

// "zoom_meeting_latency_seconds" and the like: `level` is "meeting" or "account".
const std::array<std::string, qos::kAggregatedMetrics.size()>& aggregate_family_names(
    std::string_view level) {
  static const auto names = [](std::string_view of) {
    std::array<std::string, qos::kAggregatedMetrics.size()> all;
    for (std::size_t metric = 0; metric < all.size(); ++metric) {
      all[metric] =
          "zoom_" + std::string(of) + "_" + std::string(qos::kAggregatedMetrics[metric].name);
    }
    return all;
  };
  static const auto meeting = names("meeting");
  static const auto account = names("account");
  return level == "meeting" ? meeting : account;
}

// Means are rounded to the precision of what they average (Zoom's values and the MOS), so that
// they read 0.15 rather than 0.15000000000000002.
double rounded(double value, double scale) {
  return std::round(value * scale) / scale;
}

using AggregateP90 = std::array<std::array<std::optional<double>, qos::kAggregatedMetrics.size()>,
                                qos::kStreamKinds.size()>;

// The aggregate series of a meeting or an account, as `emit(labels, value)` with the labels
// after the meeting's or account's own, each with a leading comma.

// A family of qos::kAggregatedMetrics: per stream with a value, max and mean, and the p90 where
// given (meetings).
template <typename Emit>
void emit_metric_aggregates(std::size_t metric, const qos::QosTotals& totals,
                            const AggregateP90* p90, Emit&& emit) {
  std::string labels;
  const auto emit_aggregate = [&](std::size_t stream, std::string_view aggregate, double value) {
    labels.clear();
    append_stream_labels(labels, stream);
    labels += ",aggregate=\"";
    labels += aggregate;
    labels += '"';
    emit(labels, value);
  };
  for (std::size_t stream = 0; stream < qos::kStreamKinds.size(); ++stream) {
    const qos::Summary& summary = totals.streams[stream][metric];
    if (summary.count == 0) continue;
    emit_aggregate(stream, "max", summary.max);
    emit_aggregate(stream, "mean", rounded(summary.mean(), 1e9));
    if (p90 != nullptr && (*p90)[stream][metric]) {
      emit_aggregate(stream, "p90", *(*p90)[stream][metric]);
    }
  }
}

// The MOS, min and mean, per direction with a score.
template <typename Emit>
void emit_mos_aggregates(const qos::QosTotals& totals, Emit&& emit) {
  std::string labels;
  for (std::size_t direction = 0; direction < qos::kDirections.size(); ++direction) {
    const qos::Summary& mos = totals.audio_mos[direction];
    if (mos.count == 0) continue;
    for (const auto& [aggregate, value] : {std::pair<std::string_view, double>{"min", mos.min},
                                           {"mean", rounded(mos.mean(), 1e3)}}) {
      labels.clear();
      append_direction_label(labels, qos::kDirections[direction]);
      labels += ",aggregate=\"";
      labels += aggregate;
      labels += '"';
      emit(labels, value);
    }
  }
}

// Participants per class, every class, per direction with a score.
template <typename Emit>
void emit_quality_counts(const qos::QosTotals& totals, Emit&& emit) {
  std::string labels;
  for (std::size_t direction = 0; direction < qos::kDirections.size(); ++direction) {
    if (totals.audio_mos[direction].count == 0) continue;
    for (std::size_t quality = 0; quality < qos::kQualityClasses.size(); ++quality) {
      labels.clear();
      append_direction_label(labels, qos::kDirections[direction]);
      append_class_label(labels, qos::kQualityClasses[quality]);
      emit(labels, static_cast<double>(totals.quality[direction][quality]));
    }
  }
}

// Rendering writes here first and then copies out exactly the size needed: rendered meetings
// are kept until their next refresh, the scratch space is reused.
std::string& scratch_text() {
  thread_local std::string scratch;
  scratch.clear();
  return scratch;
}

}  // namespace

std::string_view qos_family_header(std::size_t family) {
  static const std::array<std::string, kQosFamilyCount> headers = [] {
    std::array<std::string, kQosFamilyCount> all;
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
    for (std::size_t metric = 0; metric < qos::kAggregatedMetrics.size(); ++metric) {
      all[kMeetingMetricFamilyIndex + metric] =
          family_header(aggregate_family_names("meeting")[metric],
                        "Max, mean and p90 (nearest rank) over a meeting's participants of the " +
                            std::string(kAggregatedMetricHelp[metric]) + ".");
    }
    all[kMeetingMosFamilyIndex] = family_header(
        kMeetingMosFamily,
        "Lowest and mean estimated mean opinion score (1-4.5) of the audio of a meeting's "
        "participants.");
    all[kMeetingQualityFamilyIndex] = family_header(
        kMeetingQualityFamily, "Participants of a meeting whose audio is in each quality class.");
    all[kMeetingParticipantsFamilyIndex] = family_header(
        kMeetingParticipantsFamily, "Participants of a meeting with QoS data, as last fetched.");
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
QosRenderer::QosRenderer(const RenderOptions& options)
    : account_labels_(account_labels(options.account)),
      audio_quality_(options.audio_quality),
      levels_(options.levels) {
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
  const std::vector<qos::ParticipantQos>& participants = meeting.participants;
  const qos::MeetingAggregates aggregates = qos::aggregate(participants, audio_quality_);
  std::string& text = scratch_text();
  std::array<std::size_t, kQosFamilyCount> text_ends{};
  if (levels_.participant) {
    const ParticipantLabels labels(meeting, account_labels_);
    const auto for_each_participant = [&](auto&& append) {
      for (std::size_t index = 0; index < participants.size(); ++index) {
        append(labels[index], participants[index]);
      }
    };
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
  }
  const std::size_t participant_end = text.size();

  if (levels_.meeting) {
    std::string labels;
    append_meeting_labels(labels, account_labels_, meeting.meeting.id);
    const auto emitter = [&](std::string_view name) {
      return [&text, &labels, name](std::string_view more_labels, double value) {
        begin_series(text, name, labels);
        text += more_labels;
        end_series(text, value);
      };
    };
    for (std::size_t metric = 0; metric < qos::kAggregatedMetrics.size(); ++metric) {
      emit_metric_aggregates(metric, aggregates.totals, &aggregates.p90,
                             emitter(aggregate_family_names("meeting")[metric]));
      text_ends[kMeetingMetricFamilyIndex + metric] = text.size();
    }
    emit_mos_aggregates(aggregates.totals, emitter(kMeetingMosFamily));
    text_ends[kMeetingMosFamilyIndex] = text.size();
    emit_quality_counts(aggregates.totals, emitter(kMeetingQualityFamily));
    text_ends[kMeetingQualityFamilyIndex] = text.size();
    begin_series(text, kMeetingParticipantsFamily, labels);
    end_series(text, static_cast<double>(participants.size()));
  }
  text_ends[kMeetingParticipantsFamilyIndex] = text.size();
  // Families of a level switched off end where the previous one did.
  for (std::size_t family = 1; family < kQosFamilyCount; ++family) {
    text_ends[family] = std::max(text_ends[family], text_ends[family - 1]);
  }
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("a meeting's series exceed 4 GiB");
  }

  RenderedMeeting rendered;
  rendered.text = text;
  for (std::size_t family = 0; family < kQosFamilyCount; ++family) {
    rendered.families[family].text_end = static_cast<std::uint32_t>(text_ends[family]);
  }
  rendered.totals = aggregates.totals;
  const std::string_view all(rendered.text);
  rendered.participant_series = exposition::count_series(all.substr(0, participant_end));
  rendered.meeting_series = exposition::count_series(all.substr(participant_end));
  return rendered;
}

std::shared_ptr<const RenderedMeeting> QosRenderer::render(const MeetingSnapshot& meeting,
                                                           const RenderedMeeting* previous) const {
  auto rendered = std::make_shared<RenderedMeeting>(render_text(meeting));
  for (std::size_t family = 0; family < kQosFamilyCount; ++family) {
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

std::string account_labels(std::string_view account) {
  std::string labels;
  if (account.empty()) return labels;
  labels = "account=\"";
  append_label_value(labels, account);
  labels += "\",";
  return labels;
}

namespace {

struct MeetingInfoLabel {
  std::string_view name;
  std::string (*value)(const zoom::LiveMeeting&);
};

constexpr std::array<MeetingInfoLabel, 4> kMeetingInfoLabels{{
    {"uuid", [](const zoom::LiveMeeting& meeting) { return meeting.uuid; }},
    {"topic", [](const zoom::LiveMeeting& meeting) { return meeting.topic; }},
    {"host", [](const zoom::LiveMeeting& meeting) { return meeting.host; }},
    {"type",
     [](const zoom::LiveMeeting& meeting) {
       return std::string(zoom::meeting_type_label(meeting.type));
     }},
}};

// Writes HELP and TYPE, then the series; a family that ends up without any is taken back out,
// since an empty family only adds noise to the scrape.
template <typename Series>
void append_family(std::string& out, std::string_view name, std::string_view help,
                   Series&& series) {
  const std::size_t family_start = out.size();
  exposition::append_family_header(out, name, help, "gauge");
  const std::size_t series_start = out.size();
  series();
  if (out.size() == series_start) out.resize(family_start);
}

// The labels of an account's series: `account="..."` or nothing, then `rest` ("" or ",...").
void append_series(std::string& out, std::string_view name, std::string_view account_labels,
                   std::string_view rest, double value) {
  out += name;
  std::string_view labels = account_labels;
  if (!labels.empty()) labels.remove_suffix(1);  // the trailing comma
  if (labels.empty() && !rest.empty()) rest.remove_prefix(1);
  if (!labels.empty() || !rest.empty()) {
    out += '{';
    out += labels;
    out += rest;
    out += '}';
  }
  out += ' ';
  append_number(out, value);
  out += '\n';
}

}  // namespace

std::string render_meeting_families(const std::vector<ListedMeeting>& meetings,
                                    const std::vector<std::string>& info_labels) {
  std::vector<const MeetingInfoLabel*> labels;
  for (const std::string& name : info_labels) {
    const auto known =
        std::find_if(kMeetingInfoLabels.begin(), kMeetingInfoLabels.end(),
                     [&](const MeetingInfoLabel& label) { return label.name == name; });
    if (known == kMeetingInfoLabels.end()) {
      throw std::invalid_argument("unknown meeting info label: " + name);
    }
    if (std::find(labels.begin(), labels.end(), &*known) != labels.end()) {
      throw std::invalid_argument("duplicate meeting info label: " + name);
    }
    labels.push_back(&*known);
  }

  std::string out;
  std::vector<std::string> meeting_labels;
  meeting_labels.reserve(meetings.size());
  for (const ListedMeeting& listed : meetings) {
    std::string& text = meeting_labels.emplace_back();
    append_meeting_labels(text, account_labels(listed.account), listed.meeting->id);
  }

  constexpr std::string_view kInfo = "zoom_meeting_info";
  append_family(out, kInfo, "Identity of a live meeting; always 1.", [&] {
    for (std::size_t index = 0; index < meetings.size(); ++index) {
      begin_series(out, kInfo, meeting_labels[index]);
      for (const MeetingInfoLabel* label : labels) {
        append_label(out, label->name, label->value(*meetings[index].meeting));
      }
      end_series(out, 1);
    }
  });

  // Both meeting gauges labelled by meeting_id alone, written when Zoom sent the value.
  const auto append_optional_meeting_gauge = [&](std::string_view name, std::string_view help,
                                                 std::optional<double> zoom::LiveMeeting::*value) {
    append_family(out, name, help, [&] {
      for (std::size_t index = 0; index < meetings.size(); ++index) {
        const std::optional<double>& present = meetings[index].meeting->*value;
        if (!present) continue;
        begin_series(out, name, meeting_labels[index]);
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
  return out;
}

std::size_t meeting_family_series(const zoom::LiveMeeting& meeting) {
  return 1 + (meeting.participants ? 1 : 0) + (meeting.start_timestamp_seconds ? 1 : 0);
}

std::string render_account_families(const std::vector<AccountTotals>& accounts, bool with_totals) {
  std::string out;
  std::vector<std::string> labels;
  labels.reserve(accounts.size());
  for (const AccountTotals& account : accounts) labels.push_back(account_labels(account.account));
  // One family, with `series(emit, totals)` calling emit(more labels, value) for an account.
  const auto append_account_family = [&](std::string_view name, std::string_view help,
                                         auto&& series) {
    append_family(out, name, help, [&] {
      for (std::size_t index = 0; index < accounts.size(); ++index) {
        series([&](std::string_view more_labels,
                   double value) { append_series(out, name, labels[index], more_labels, value); },
               accounts[index]);
      }
    });
  };

  if (with_totals) {
    append_account_family("zoom_account_qos_participants",
                          "Participants of an account's live meetings with QoS data.",
                          [](auto&& emit, const AccountTotals& account) {
                            emit("", static_cast<double>(account.totals.participants));
                          });
    for (std::size_t metric = 0; metric < qos::kAggregatedMetrics.size(); ++metric) {
      append_account_family(aggregate_family_names("account")[metric],
                            "Max and mean over an account's participants of the " +
                                std::string(kAggregatedMetricHelp[metric]) + ".",
                            [&](auto&& emit, const AccountTotals& account) {
                              emit_metric_aggregates(metric, account.totals, nullptr, emit);
                            });
    }
    append_account_family(
        "zoom_account_audio_mos",
        "Lowest and mean estimated mean opinion score (1-4.5) of the audio of an account's "
        "participants.",
        [](auto&& emit, const AccountTotals& account) {
          emit_mos_aggregates(account.totals, emit);
        });
    append_account_family("zoom_account_audio_quality_participants",
                          "Participants of an account whose audio is in each quality class.",
                          [](auto&& emit, const AccountTotals& account) {
                            emit_quality_counts(account.totals, emit);
                          });
  }
  exposition::append_family_header(out, "zoom_live_meetings", "Live meetings Zoom reports.",
                                   "gauge");
  for (std::size_t index = 0; index < accounts.size(); ++index) {
    append_series(out, "zoom_live_meetings", labels[index], "",
                  static_cast<double>(accounts[index].live_meetings));
  }
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
    append_meeting_labels(out, account_labels(age.account), age.meeting_id);
    end_series(out, age.seconds);
  }
  return out;
}

std::string render_participant_qos_ages(const std::vector<ParticipantQosAge>& ages) {
  std::string out;
  if (ages.empty()) return out;
  constexpr std::string_view kName = "zoom_participant_qos_age_seconds";
  exposition::append_family_header(out, kName,
                                   "Age of the QoS data exported for a watched participant: time "
                                   "since it was fetched, on its own or with its meeting.",
                                   "gauge");
  for (const auto& age : ages) {
    out += kName;
    out += '{';
    append_meeting_labels(out, account_labels(age.account), age.meeting_id);
    out += ",participant_id=\"";
    append_label_value(out, age.participant_id);
    out += '"';
    end_series(out, age.seconds);
  }
  return out;
}

}  // namespace zqe::metrics
