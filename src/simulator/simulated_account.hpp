#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/config.hpp"

// The state of a simulated Zoom account, without HTTP: live meetings that end and are replaced,
// participants that join and leave, and drifting QoS values. Every value is a pure function of
// the seed and of time, so two accounts with the same seed and start agree at every instant, no
// matter how often or in which order they are asked.
namespace zqe::simulator {

using TimePoint = std::chrono::system_clock::time_point;
// Where the simulation reads the time; tests and long simulations substitute their own.
using Clock = std::function<TimePoint()>;

struct MeetingInfo {
  std::uint64_t id = 0;
  std::string uuid;
  std::string topic;
  std::string host;
  std::string email;
  std::string user_type;
  TimePoint start_time;
  std::chrono::seconds duration{0};
  int participants = 0;
  bool has_pstn = false;
  bool has_voip = false;
  bool has_video = false;
  bool has_screen_share = false;
  bool has_recording = false;
  bool has_sip = false;
};

struct Resolution {
  int width = 0;
  int height = 0;
};

// An empty optional is a value Zoom sends as "" (no data for that interval).
struct StreamQos {
  std::optional<int> bitrate_kbps;
  std::optional<int> latency_ms;
  std::optional<int> jitter_ms;
  std::optional<double> avg_loss_percent;
  std::optional<double> max_loss_percent;
};

struct VideoQos : StreamQos {
  std::optional<Resolution> resolution;  // {0, 0} while nothing is sent
  std::optional<int> frame_rate_fps;
};

struct CpuUsage {
  int zoom_min_percent = 0;
  int zoom_avg_percent = 0;
  int zoom_max_percent = 0;
  int system_max_percent = 0;
};

struct WifiSignal {  // dBm
  int max_rssi = 0;
  int avg_rssi = 0;
  int min_rssi = 0;
};

// One minute of QoS. "input" is what the participant sends, "output" what it receives.
struct QosSnapshot {
  TimePoint date_time;
  StreamQos audio_input;
  StreamQos audio_output;
  std::optional<VideoQos> video_input;   // absent while the camera is off
  std::optional<VideoQos> video_output;  // absent while no other camera is on
  VideoQos as_input;                     // screen share; "0*0" and "" while not sharing
  VideoQos as_output;                    // "0*0" and "" while nobody else shares
  CpuUsage cpu_usage;
  std::optional<WifiSignal> wifi_rssi;  // only on Wi-Fi
};

struct ParticipantQos {
  std::string user_id;          // per meeting and join, like Zoom's
  std::string account_user_id;  // Zoom's "id"; empty for guests, who have none
  std::string user_name;
  std::string device;
  std::string ip_address;
  std::string location;
  TimePoint join_time;
  std::string pc_name;
  std::string domain;
  std::string mac_addr;
  std::string harddisk_id;
  std::string version;
  std::vector<std::string> internal_ip_addresses;
  std::vector<QosSnapshot> user_qos;  // oldest first; none in the first minute after joining
};

struct ParticipantsPage {
  std::vector<ParticipantQos> participants;
  std::size_t total = 0;                 // participants in the meeting now
  std::optional<std::size_t> next_seat;  // where the next page starts; nullopt on the last page
};

class SimulatedAccount {
 public:
  // The meetings live at `start` began before it, so the account looks as if it had always run.
  SimulatedAccount(const config::SimulatorConfig& config, TimePoint start);

  // Ends every meeting whose lifetime is over and starts its successor. Costs time in proportion
  // to the number of meetings that ended, not to the size of the account. Time never goes back:
  // an earlier `now` is ignored.
  void advance_to(TimePoint now);
  TimePoint now() const { return now_; }

  // Live meetings are numbered 0..meeting_count()-1 in a stable order (each index is a slot where
  // a meeting ends and its successor starts), which is the order of the meeting list.
  std::size_t meeting_count() const { return slots_.size(); }
  MeetingInfo meeting(std::size_t index) const;
  std::uint64_t meeting_id(std::size_t index) const { return slots_.at(index).id; }
  // By numeric id ("84719203375") or uuid; nullopt when no live meeting has it.
  std::optional<std::size_t> find_meeting(std::string_view id_or_uuid) const;

  // Participants are numbered by seat: a seat is one person who joins, may leave and rejoin. The
  // page holds the participants present now at seats from `first_seat` on, at most `max_count`.
  ParticipantsPage participants(std::size_t meeting_index, std::size_t first_seat,
                                std::size_t max_count) const;

 private:
  struct Slot {
    std::uint64_t generation = 0;  // how many meetings this slot has had before this one
    std::uint64_t key = 0;         // every attribute of the meeting is drawn from it
    std::uint64_t id = 0;
    std::string uuid;
    TimePoint start;
    TimePoint end;
    std::size_t seats = 0;
  };
  using EndEvent = std::pair<TimePoint, std::size_t>;  // (end, slot index)

  void begin_meeting(std::size_t slot_index, std::uint64_t generation, TimePoint start);

  config::SimulatorConfig config_;
  TimePoint now_;
  std::vector<Slot> slots_;
  std::priority_queue<EndEvent, std::vector<EndEvent>, std::greater<>> ends_;
  std::unordered_map<std::uint64_t, std::size_t> slot_by_id_;
  std::unordered_map<std::string, std::size_t> slot_by_uuid_;
};

}  // namespace zqe::simulator
