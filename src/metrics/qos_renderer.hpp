#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qos/audio_quality.hpp"
#include "qos/participant_qos.hpp"
#include "zoom/meeting.hpp"

// Renders the QoS families (zoom_participant_*, zoom_meeting_*, zoom_live_meetings) in the
// Prometheus text exposition format 0.0.4. Written directly with std::to_chars rather than
// through prometheus-cpp's registry, and meeting by meeting: a meeting's participant series are
// rendered (and compressed) once, when its QoS arrives, so that a refresh costs the same however
// large the account is. ExpositionCache strings the meetings together.
namespace zqe::metrics {

struct MeetingSnapshot {
  zoom::LiveMeeting meeting;
  std::vector<qos::ParticipantQos> participants;  // participant ids unique within the meeting
};

struct RenderOptions {
  // Identity fields that become labels of zoom_participant_info, in this order; each one of
  // config::kParticipantInfoLabelChoices.
  std::vector<std::string> participant_info_labels = {"user_name", "device", "version", "location"};
  // Where zoom_participant_audio_quality's classes begin.
  qos::QualityThresholds audio_quality;

  bool operator==(const RenderOptions&) const = default;
};

// zoom_participant_{bitrate,...,resolution_height} (8 stream families), _cpu_usage_ratio,
// _audio_mos, _audio_quality, _info and _qos_timestamp_seconds, in exposition order.
inline constexpr std::size_t kParticipantFamilyCount = 13;

// "# HELP ...\n# TYPE ...\n" of a participant family.
std::string_view participant_family_header(std::size_t family);

// One meeting's participant series, family by family, as text and as gzip segments (see
// gzip_segments.hpp). A family without a series of this meeting has empty slices.
struct RenderedMeeting {
  struct Family {
    std::uint32_t text_end = 0;     // its text is text[end of the previous family, text_end)
    std::uint32_t segment_end = 0;  // likewise in segments
    std::uint32_t crc = 0;          // CRC-32 of its text
  };
  std::string text;
  std::string segments;
  std::array<Family, kParticipantFamilyCount> families{};

  std::string_view family_text(std::size_t family) const;
  std::string_view family_segment(std::size_t family) const;
};

class QosRenderer {
 public:
  // Throws std::invalid_argument for an unknown or repeated participant info label.
  explicit QosRenderer(const RenderOptions& options);

  // The text and the gzip segments: what a refresh of the meeting costs. A family whose text is
  // the same as in `previous` (identities, resolutions) keeps its segment instead of being
  // compressed again.
  std::shared_ptr<const RenderedMeeting> render(const MeetingSnapshot& meeting,
                                                const RenderedMeeting* previous = nullptr) const;
  // Only the text, without segments (benchmarks).
  RenderedMeeting render_text(const MeetingSnapshot& meeting) const;

 private:
  std::vector<std::size_t> info_labels_;  // indexes into the table of identity labels
  qos::QualityThresholds audio_quality_;
};

// zoom_meeting_info, zoom_meeting_participants, zoom_meeting_start_timestamp_seconds and
// zoom_live_meetings: three series a meeting, rendered whole at every publish. Families without
// any series are left out, except zoom_live_meetings, which is always present.
std::string render_meeting_families(const std::vector<const zoom::LiveMeeting*>& meetings);

struct MeetingQosAge {
  std::uint64_t meeting_id = 0;
  double seconds = 0;
};

// zoom_meeting_qos_age_seconds: rendered at every scrape, since it changes with time. Left out
// when there are no meetings with QoS data.
std::string render_qos_ages(const std::vector<MeetingQosAge>& ages);

}  // namespace zqe::metrics
