#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scheduler/daily_budget.hpp"
#include "scheduler/token_bucket.hpp"
#include "zoom/meeting.hpp"

// Decides when to list live meetings, which meeting's QoS to refresh next and when each request
// may go out, so the exporter gets the freshest data Zoom's rate limits allow and is never
// locked out. Pure: no I/O, no Asio; the caller passes the time, so a simulation can play a
// whole day in seconds (bench/quota_simulation).
namespace zqe::scheduler {

enum class Category { heavy, resource_intensive };  // Zoom's rate-limit labels
enum class LimitType { qps, daily };

std::string_view category_label(Category category);  // "heavy", "resource_intensive"
std::string_view limit_type_label(LimitType type);   // "qps", "daily"

using MeetingKind = zoom::MeetingType;

struct MeetingKey {
  MeetingKind kind = MeetingKind::meeting;
  std::uint64_t id = 0;
  auto operator<=>(const MeetingKey&) const = default;
};

struct ListedMeeting {
  MeetingKey key;
  int participants = 0;  // as the live list counts them: decides the pages a refresh costs
  bool watched = false;  // on the watch list: refreshed every watch_interval
};

// A participant on the watch list, refreshed on its own with the single-participant call.
struct ParticipantKey {
  MeetingKey meeting;
  std::string participant_id;
  auto operator<=>(const ParticipantKey&) const = default;
};

struct SchedulerOptions {
  Duration min_refresh_interval = std::chrono::seconds(60);  // poll.interval
  int page_size = 10;                                        // participants per QoS page
  double heavy_per_second = 40;
  double resource_intensive_per_minute = 20;
  std::int64_t daily_budget = 30'000;  // Zoom's daily limit times this exporter's share
  // How often watched meetings and participants are refreshed (watch.interval), as long as they
  // cost at most kWatchShare of the QoS budget; more of them are refreshed less often.
  Duration watch_interval = std::chrono::seconds(15);
};

// The part of the QoS budget the watch list may use: the rest of the account keeps the other
// half whatever the list holds.
inline constexpr double kWatchShare = 0.5;

class RefreshScheduler {
 public:
  explicit RefreshScheduler(SchedulerOptions options);
  void set_options(SchedulerOptions options);

  // --- Requests: every request asks first and reports what Zoom said.
  // How long until a request of `category` may go out; zero means now.
  Duration admission_wait(TimePoint now, Category category) const;
  void on_sent(TimePoint now, Category category);
  void on_rate_limited(TimePoint now, Category category, LimitType type,
                       std::optional<TimePoint> retry_at);
  void on_zoom_remaining(TimePoint now, std::int64_t remaining) {
    budget_.observe_zoom_remaining(now, remaining);
  }

  // --- The live list.
  TimePoint next_list_at(TimePoint now) const;
  // Replaces the set of live meetings: new ones are scheduled first, ended ones dropped.
  void on_listed(TimePoint now, const std::vector<ListedMeeting>& live, int pages);
  void on_list_failed(TimePoint now);

  // --- Refreshes.
  struct Pick {
    std::optional<MeetingKey> meeting;  // marked in flight until on_refreshed/on_refresh_failed
    TimePoint retry_at;                 // when nothing is due: when to ask again
  };
  Pick next_refresh(TimePoint now);
  // `badness` in [0, 1] (quality_badness()): worse meetings are refreshed a little sooner.
  void on_refreshed(TimePoint now, MeetingKey key, int participants, double badness);
  void on_refresh_failed(TimePoint now, MeetingKey key, bool ended);
  // Whether next_refresh() would pick a meeting now.
  bool has_due(TimePoint now) const;
  // Makes the list and every meeting due now, whatever the interval (a poll on demand); the
  // budget and the rate limits still apply.
  void make_all_due();

  // --- Watched participants, refreshed one by one (those of a watched meeting come with it).
  // Replaces the set: known ones keep their refresh time, new ones are due at once.
  void set_watched_participants(std::vector<ParticipantKey> participants);
  struct ParticipantPick {
    std::optional<ParticipantKey> participant;  // in flight until on_participant_refreshed
    TimePoint retry_at;                         // when nothing is due: when to ask again
  };
  ParticipantPick next_participant_refresh(TimePoint now);
  // Also after a refresh of the participant's meeting, which brought its data too. `failed`
  // backs it off a watch period.
  void on_participant_refreshed(TimePoint now, const ParticipantKey& key, bool failed = false);
  // Whether next_participant_refresh() would pick a participant now.
  bool has_due_participant(TimePoint now) const;
  // How often each watched meeting and participant is refreshed now.
  Duration watch_period(TimePoint now) const;

  // --- For metrics.
  std::int64_t budget_remaining(TimePoint now) const { return budget_.remaining(now); }
  std::optional<std::int64_t> zoom_remaining(TimePoint now) const {
    return budget_.zoom_remaining(now);
  }
  std::size_t scheduled_meetings() const { return meetings_.size(); }
  std::uint64_t skipped_refreshes() const { return skipped_refreshes_; }
  std::size_t watched_meetings() const;
  std::size_t watched_participants() const { return participants_.size(); }
  std::optional<TimePoint> last_refreshed(MeetingKey key) const;

 private:
  struct Tracked {
    int participants = 0;
    TimePoint first_seen{};
    std::optional<TimePoint> refreshed;
    TimePoint not_before{};  // backoff after a failure
    int failures = 0;
    double badness = 0;
    bool in_flight = false;
    bool forced = false;  // make_all_due()
    bool watched = false;
  };
  struct WatchedParticipant {
    std::optional<TimePoint> refreshed;
    TimePoint not_before{};
    bool in_flight = false;
  };

  int pages(const Tracked& meeting) const;
  double priority(const Tracked& meeting, TimePoint now) const;
  // `watch_period`: watch_period() now, for a watched meeting.
  TimePoint due_at(const Tracked& meeting, Duration watch_period) const;
  std::int64_t list_reserve(TimePoint now) const;
  Duration list_period(TimePoint now) const;
  double qos_rate(TimePoint now) const;  // the day's remaining QoS budget per second left
  double pacing_credit(TimePoint now) const;
  Duration qos_pacing(TimePoint now) const;
  void count_skipped(const Tracked& meeting, TimePoint now);

  SchedulerOptions options_;
  TokenBucket heavy_;
  TokenBucket resource_intensive_;
  DailyBudget budget_;
  // The daily pacer: a bucket refilled at qos_rate(), holding up to kPacingBurst of it.
  double pacing_credit_ = 0;
  TimePoint pacing_updated_{};
  TimePoint last_list_{};
  int list_pages_ = 1;
  // Sorted by key. A vector rather than a map: next_refresh() scans every meeting for every
  // pick, and a contiguous scan is several times faster than walking tree nodes.
  using Entry = std::pair<MeetingKey, Tracked>;
  std::vector<Entry> meetings_;
  std::uint64_t skipped_refreshes_ = 0;
  std::vector<std::pair<ParticipantKey, WatchedParticipant>> participants_;  // sorted by key
};

}  // namespace zqe::scheduler
