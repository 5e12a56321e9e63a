#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

// One participant's latest QoS snapshot, every value in base units (seconds, bytes per second,
// ratios 0..1, pixels, frames per second). An empty optional means Zoom sent no value: the
// series is left out rather than exported as zero.
namespace zqe::qos {

enum class Media { audio, video, screen_share };
enum class Direction { input, output };

struct StreamKind {
  Media media;
  Direction direction;
  std::string_view json_key;  // the snapshot's object for this stream
};

inline constexpr std::array<StreamKind, 6> kStreamKinds{{
    {Media::audio, Direction::input, "audio_input"},
    {Media::audio, Direction::output, "audio_output"},
    {Media::video, Direction::input, "video_input"},
    {Media::video, Direction::output, "video_output"},
    {Media::screen_share, Direction::input, "as_input"},
    {Media::screen_share, Direction::output, "as_output"},
}};

constexpr std::string_view media_label(Media media) {
  switch (media) {
    case Media::audio:
      return "audio";
    case Media::video:
      return "video";
    case Media::screen_share:
      return "screen_share";
  }
  return "";
}

constexpr std::string_view direction_label(Direction direction) {
  return direction == Direction::input ? "input" : "output";
}

struct StreamQos {
  std::optional<double> bitrate_bytes_per_second;
  std::optional<double> latency_seconds;
  std::optional<double> jitter_seconds;
  std::optional<double> avg_loss_ratio;
  std::optional<double> max_loss_ratio;
  std::optional<double> frames_per_second;
  std::optional<double> resolution_width_pixels;
  std::optional<double> resolution_height_pixels;
};

struct CpuUsage {
  std::optional<double> zoom_min_ratio;
  std::optional<double> zoom_avg_ratio;
  std::optional<double> zoom_max_ratio;
  std::optional<double> system_max_ratio;
};

// Identity fields as Zoom sends them; which of them become labels is configurable.
struct ParticipantIdentity {
  std::string user_name;
  std::string device;
  std::string version;
  std::string location;
  std::string ip_address;
  std::string mac_addr;
  std::string harddisk_id;
  std::string pc_name;
  std::string domain;
};

struct ParticipantQos {
  std::string participant_id;  // Zoom's per-meeting `user_id`
  ParticipantIdentity identity;
  std::optional<double> snapshot_timestamp_seconds;    // the snapshot's `date_time`, Unix seconds
  std::array<StreamQos, kStreamKinds.size()> streams;  // indexed like kStreamKinds
  CpuUsage cpu;
};

}  // namespace zqe::qos
