#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qos/aggregates.hpp"
#include "qos/audio_quality.hpp"
#include "qos/participant_qos.hpp"
#include "zoom/meeting.hpp"

// Renders the QoS families (zoom_participant_*, zoom_meeting_*, zoom_account_*) in the
// Prometheus text exposition format 0.0.4. Written directly with std::to_chars rather than
// through prometheus-cpp's registry, and meeting by meeting: a meeting's participant series are
// rendered (and compressed) once, when its QoS arrives, so that a refresh costs the same however
// large the account is. ExpositionCache strings the meetings together.
namespace zqe::metrics {

struct MeetingSnapshot {
  zoom::LiveMeeting meeting;
  std::vector<qos::ParticipantQos> participants;  // participant ids unique within the meeting
};

// Which levels of series are exported (metrics.levels). zoom_live_meetings is always exported.
struct Levels {
  bool participant = true;  // zoom_participant_*
  bool meeting = true;      // zoom_meeting_*
  bool account = true;      // zoom_account_*

  bool operator==(const Levels&) const = default;
};

struct RenderOptions {
  // The value of the `account` label that leads the labels of every series; empty: no such label
  // (one account).
  std::string account;
  // Identity fields that become labels of zoom_participant_info, in this order; each one of
  // config::kParticipantInfoLabelChoices.
  std::vector<std::string> participant_info_labels = {"user_name", "device", "version", "location"};
  // Fields that become labels of zoom_meeting_info, in this order: for render_qos() only, since
  // the daemon renders the meeting families at publish, with metrics.meeting_info_labels.
  std::vector<std::string> meeting_info_labels = {"uuid", "topic", "host", "type"};
  // Where zoom_participant_audio_quality's classes begin.
  qos::QualityThresholds audio_quality;
  Levels levels;

  bool operator==(const RenderOptions&) const = default;
};

// The families rendered with each refresh of a meeting, in exposition order: first the
// participant families, zoom_participant_{bitrate,...,resolution_height} (8 stream families),
// _cpu_usage_ratio, _audio_mos, _audio_quality, _info and _qos_timestamp_seconds; then the
// meeting aggregates, zoom_meeting_{latency_seconds,jitter_seconds,avg_loss_ratio} (max, mean
// and p90), _audio_mos (min and mean), _audio_quality_participants and _qos_participants.
inline constexpr std::size_t kParticipantFamilyCount = 13;
inline constexpr std::size_t kQosFamilyCount = kParticipantFamilyCount + 6;

// "# HELP ...\n# TYPE ...\n" of a family of kQosFamilyCount.
std::string_view qos_family_header(std::size_t family);

// One meeting's series of the kQosFamilyCount families, family by family, as text and as gzip
// segments (see gzip_segments.hpp). A family without a series of this meeting has empty slices.
struct RenderedMeeting {
  struct Family {
    std::uint32_t text_end = 0;     // its text is text[end of the previous family, text_end)
    std::uint32_t segment_end = 0;  // likewise in segments
    std::uint32_t crc = 0;          // CRC-32 of its text
  };
  std::string text;
  std::string segments;
  std::array<Family, kQosFamilyCount> families{};
  // What the meeting adds to its account's zoom_account_* series.
  qos::QosTotals totals;
  std::size_t participant_series = 0;  // in the participant families
  std::size_t meeting_series = 0;      // in the meeting aggregate families

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
  std::string account_labels_;            // `account="...",` or empty
  std::vector<std::size_t> info_labels_;  // indexes into the table of identity labels
  qos::QualityThresholds audio_quality_;
  Levels levels_;
};

// `account="...",` for a non-empty account, with the value escaped; empty otherwise.
std::string account_labels(std::string_view account);

struct ListedMeeting {
  const zoom::LiveMeeting* meeting = nullptr;
  std::string_view account;  // empty: no account label
};

// zoom_meeting_info (with the given labels: uuid, topic, host, type, in any order),
// zoom_meeting_participants and zoom_meeting_start_timestamp_seconds: three series a meeting,
// rendered whole at every publish. Families without any series are left out. Throws
// std::invalid_argument for an unknown info label.
std::string render_meeting_families(const std::vector<ListedMeeting>& meetings,
                                    const std::vector<std::string>& info_labels);
// A meeting's series in render_meeting_families().
std::size_t meeting_family_series(const zoom::LiveMeeting& meeting);

struct AccountTotals {
  std::string_view account;  // empty: no account label
  std::size_t live_meetings = 0;
  qos::QosTotals totals;  // merged from its meetings' RenderedMeeting::totals
};

// zoom_live_meetings per account, always, and with `with_totals` the zoom_account_* families:
// participants with QoS data; max and mean latency, jitter and loss per media and direction;
// min and mean MOS and participants per quality class per direction.
std::string render_account_families(const std::vector<AccountTotals>& accounts, bool with_totals);

struct MeetingQosAge {
  std::string_view account;  // empty: no account label
  std::uint64_t meeting_id = 0;
  double seconds = 0;
};

// zoom_meeting_qos_age_seconds: rendered at every scrape, since it changes with time. Left out
// when there are no meetings with QoS data.
std::string render_qos_ages(const std::vector<MeetingQosAge>& ages);

struct ParticipantQosAge {
  std::string_view account;  // empty: no account label
  std::uint64_t meeting_id = 0;
  std::string_view participant_id;
  double seconds = 0;
};

// zoom_participant_qos_age_seconds of the watched participants, refreshed on their own: rendered
// at every scrape like the meeting ages. Left out when there are none.
std::string render_participant_qos_ages(const std::vector<ParticipantQosAge>& ages);

}  // namespace zqe::metrics
