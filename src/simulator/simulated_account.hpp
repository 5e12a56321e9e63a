#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "simulator/live_slots.hpp"

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

// Zoom's Dashboard lists meetings and webinars apart, with ids from one space; the simulation
// keeps them in two pools that follow the same rules.
enum class MeetingKind { meeting, webinar };

class SimulatedAccount {
 public:
  // The meetings live at `start` began before it, so the account looks as if it had always run.
  SimulatedAccount(const config::SimulatorConfig& config, TimePoint start);

  // Ends every meeting whose lifetime is over and starts its successor, or lets its slot wait
  // while the load profile wants fewer meetings (see load_profile.hpp). Costs time in proportion
  // to the number of meetings that ended or started, not to the size of the account. Time never
  // goes back: an earlier `now` is ignored.
  void advance_to(TimePoint now);
  TimePoint now() const { return now_; }

  // Live meetings (or webinars) are numbered 0..meeting_count()-1 in the order of the list. The
  // numbers shift as meetings end and start; a meeting's list position does not while it is live.
  std::size_t meeting_count(MeetingKind kind = MeetingKind::meeting) const;
  MeetingInfo meeting(std::size_t index, MeetingKind kind = MeetingKind::meeting) const;
  std::uint64_t meeting_id(std::size_t index, MeetingKind kind = MeetingKind::meeting) const;
  // By numeric id ("84719203375") or uuid; nullopt when no live meeting of that kind has it.
  std::optional<std::size_t> find_meeting(std::string_view id_or_uuid,
                                          MeetingKind kind = MeetingKind::meeting) const;

  // For paging the list: a page that ends before the meeting at `index` resumes from its
  // position, and so neither repeats nor skips a meeting that stays live in between.
  std::size_t list_position(std::size_t index, MeetingKind kind = MeetingKind::meeting) const;
  // The index of the first live meeting at `position` or after it; meeting_count() if none.
  std::size_t first_index_from(std::size_t position, MeetingKind kind = MeetingKind::meeting) const;

  // Participants are numbered by seat: a seat is one person who joins, may leave and rejoin. The
  // page holds the participants present now at seats from `first_seat` on, at most `max_count`.
  // Costs time in proportion to the meeting's seats and the page, not to the account.
  ParticipantsPage participants(std::size_t meeting_index, std::size_t first_seat,
                                std::size_t max_count,
                                MeetingKind kind = MeetingKind::meeting) const;
  // One present participant by the user_id of a page; nullopt once they left, or for an unknown
  // id.
  std::optional<ParticipantQos> participant(std::size_t meeting_index, std::string_view user_id,
                                            MeetingKind kind = MeetingKind::meeting) const;

 private:
  struct Slot {
    std::uint64_t meetings_begun = 0;  // the generation of the next meeting in the slot
    std::uint64_t key = 0;             // every attribute of the meeting is drawn from it
    std::uint64_t id = 0;
    std::string uuid;
    TimePoint start;
    TimePoint end;
    std::size_t seats = 0;
  };
  struct Pool {
    std::vector<Slot> slots;
    LiveSlots live;
  };
  struct SlotRef {
    MeetingKind kind;
    std::size_t slot;
  };
  // The end of a slot's meeting, or the instant an empty slot may start one.
  struct SlotEvent {
    TimePoint at;
    MeetingKind kind;
    std::size_t slot;
    friend bool operator>(const SlotEvent& a, const SlotEvent& b) {
      return std::tie(a.at, a.kind, a.slot) > std::tie(b.at, b.kind, b.slot);
    }
  };

  Pool& pool(MeetingKind kind) { return pools_[static_cast<std::size_t>(kind)]; }
  const Pool& pool(MeetingKind kind) const { return pools_[static_cast<std::size_t>(kind)]; }
  const Slot& live_slot(std::size_t index, MeetingKind kind) const;
  // Starts the slot's next meeting at `start`, or already under way at `start` if `under_way`.
  void begin_meeting(MeetingKind kind, std::size_t slot_index, TimePoint start, bool under_way);
  // Starts a meeting in the slot at `at` if the profile has room for it, else waits for that.
  void fill_or_wait(MeetingKind kind, std::size_t slot_index, TimePoint at);

  config::SimulatorConfig config_;
  TimePoint now_;
  std::array<Pool, 2> pools_;
  std::priority_queue<SlotEvent, std::vector<SlotEvent>, std::greater<>> events_;
  std::unordered_map<std::uint64_t, SlotRef> slot_by_id_;
  std::unordered_map<std::string, SlotRef> slot_by_uuid_;
};

}  // namespace zqe::simulator
