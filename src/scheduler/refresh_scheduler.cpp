#include "scheduler/refresh_scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace zqe::scheduler {
namespace {

using Seconds = std::chrono::duration<double>;
using namespace std::chrono_literals;

// Zoom's per-second and per-minute limits are shared with the account's other apps and counted
// in fixed windows: pacing a little below them, with a burst small enough that burst plus a
// window's worth of refill stays under the limit (4 + 36 <= 40 per second, 2 + 18 <= 20 per
// minute), keeps 429s away.
constexpr double kRateSafety = 0.9;
constexpr double kHeavyBurst = 4;
constexpr double kResourceIntensiveBurst = 2;
// Lists may use at most this share of what is left of the day's budget; QoS gets the rest.
constexpr double kListShare = 0.2;
// A meeting nobody has fetched yet counts as if its data were this many poll intervals old
// already, so it goes before refreshed meetings unless they have waited longer than that. A head
// start rather than a factor: every meeting's priority then grows at the same pace, the order is
// first come, first served on that shifted clock, and none starves however fast new meetings
// arrive.
constexpr double kNewMeetingHeadStartIntervals = 10;
constexpr Duration kMaxBackoff = 15min;
// The daily pacer may lend this much of its rate at once, so a burst of new meetings (or the
// first round after a start) is fetched promptly; what it lends lowers the rate after it.
constexpr double kPacingBurstSeconds = 300;
// Above any staleness in seconds (a year).
constexpr double kWatchedPriority = 365 * 24 * 3600.0;

Duration seconds(double value) {
  return std::chrono::duration_cast<Duration>(Seconds(value));
}

// Spreads retries of many failed meetings so they do not return in one burst.
double jitter(const MeetingKey& key, int failures) {
  std::uint64_t x = key.id * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(failures);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return 0.8 + 0.4 * static_cast<double>(x % 1000) / 1000.0;
}

// Binary search in a vector of (key, value) pairs sorted by key; end() when absent.
template <typename Entries>
auto find_meeting(Entries& entries, MeetingKey key) {
  const auto found =
      std::lower_bound(entries.begin(), entries.end(), key,
                       [](const auto& entry, MeetingKey wanted) { return entry.first < wanted; });
  return found != entries.end() && found->first == key ? found : entries.end();
}

}  // namespace

std::string_view category_label(Category category) {
  return category == Category::heavy ? "heavy" : "resource_intensive";
}

std::string_view limit_type_label(LimitType type) {
  return type == LimitType::qps ? "qps" : "daily";
}

RefreshScheduler::RefreshScheduler(SchedulerOptions options)
    : options_(options),
      heavy_(options.heavy_per_second * kRateSafety, kHeavyBurst),
      resource_intensive_(options.resource_intensive_per_minute * kRateSafety / 60,
                          kResourceIntensiveBurst),
      budget_(options.daily_budget) {}

void RefreshScheduler::set_options(SchedulerOptions options) {
  options_ = options;
  heavy_.set_rate(options.heavy_per_second * kRateSafety, kHeavyBurst);
  resource_intensive_.set_rate(options.resource_intensive_per_minute * kRateSafety / 60,
                               kResourceIntensiveBurst);
  budget_.set_limit(options.daily_budget);
}

// --- Requests.

Duration RefreshScheduler::admission_wait(TimePoint now, Category category) const {
  if (const TimePoint available = budget_.available_at(now); available > now) {
    return available - now;
  }
  if (category == Category::resource_intensive) return resource_intensive_.wait(now);
  return std::max(heavy_.wait(now), qos_pacing(now));
}

void RefreshScheduler::on_sent(TimePoint now, Category category) {
  budget_.spend(now);
  if (category == Category::heavy) {
    heavy_.take(now);
    pacing_credit_ = pacing_credit(now) - 1;
    pacing_updated_ = now;
  } else {
    resource_intensive_.take(now);
  }
}

void RefreshScheduler::on_rate_limited(TimePoint now, Category category, LimitType type,
                                       std::optional<TimePoint> retry_at) {
  if (type == LimitType::daily) {
    // A Retry-After far past the next reset would be a server error: the quota is daily.
    const TimePoint reset = next_daily_reset(now);
    budget_.exhaust_until(std::clamp(retry_at.value_or(reset), now + 1min, reset + 1h));
    return;
  }
  const TimePoint until = std::clamp(retry_at.value_or(now + 1s), now + 1s, now + 5min);
  (category == Category::heavy ? heavy_ : resource_intensive_).pause_until(until);
}

// What is left of today's budget, less the lists' reserve, spread evenly over the time left
// until the reset: quiet hours leave budget for busy ones instead of spending it first-come.
double RefreshScheduler::qos_rate(TimePoint now) const {
  const double available = static_cast<double>(budget_.remaining(now) - list_reserve(now));
  return std::max(0.0, available) / Seconds(next_daily_reset(now) - now).count();
}

double RefreshScheduler::pacing_credit(TimePoint now) const {
  const double rate = qos_rate(now);
  const double capacity = std::max(1.0, rate * kPacingBurstSeconds);
  if (pacing_updated_ == TimePoint{}) return capacity;  // a fresh start may fetch a round at once
  const double elapsed = std::max(0.0, Seconds(now - pacing_updated_).count());
  return std::min(capacity, pacing_credit_ + elapsed * rate);
}

Duration RefreshScheduler::qos_pacing(TimePoint now) const {
  const double rate = qos_rate(now);
  if (rate <= 0) return next_daily_reset(now) - now;
  const double missing = 1 - pacing_credit(now);
  return missing <= 0 ? Duration::zero() : seconds(missing / rate);
}

// --- The live list.

std::int64_t RefreshScheduler::list_reserve(TimePoint now) const {
  const double time_left = Seconds(next_daily_reset(now) - now).count();
  const double lists_left =
      std::ceil(time_left / Seconds(options_.min_refresh_interval).count()) * list_pages_;
  return static_cast<std::int64_t>(
      std::min(kListShare * static_cast<double>(budget_.remaining(now)), lists_left));
}

// Every poll interval while the budget allows; on accounts whose lists alone would eat the
// budget, as often as kListShare of it pays for.
Duration RefreshScheduler::list_period(TimePoint now) const {
  const double time_left = Seconds(next_daily_reset(now) - now).count();
  const double remaining = static_cast<double>(budget_.remaining(now));
  const double affordable =
      remaining < 1 ? time_left : list_pages_ * time_left / (kListShare * remaining);
  return std::max(options_.min_refresh_interval, seconds(affordable));
}

TimePoint RefreshScheduler::next_list_at(TimePoint now) const {
  if (last_list_ == TimePoint{}) return now;
  return last_list_ + list_period(now);
}

void RefreshScheduler::on_listed(TimePoint now, const std::vector<ListedMeeting>& live, int pages) {
  last_list_ = now;
  list_pages_ = std::max(1, pages);
  std::vector<Entry> next;
  next.reserve(live.size());
  for (const auto& listed : live) {
    auto existing = find_meeting(meetings_, listed.key);
    Tracked tracked;
    if (existing != meetings_.end()) {
      tracked = existing->second;
    } else {
      tracked.first_seen = now;
    }
    tracked.participants = listed.participants;
    tracked.watched = listed.watched;
    next.emplace_back(listed.key, tracked);
  }
  // Sorted, and a meeting listed twice kept once, as its last listing says.
  std::stable_sort(next.begin(), next.end(),
                   [](const Entry& a, const Entry& b) { return a.first < b.first; });
  const auto same_key = [](const Entry& a, const Entry& b) { return a.first == b.first; };
  auto last_of_each = std::unique(next.rbegin(), next.rend(), same_key);
  next.erase(next.begin(), last_of_each.base());
  for (const auto& [key, tracked] : meetings_) {
    if (find_meeting(next, key) == next.end()) count_skipped(tracked, now);
  }
  meetings_ = std::move(next);
}

void RefreshScheduler::on_list_failed(TimePoint now) {
  last_list_ = now;
}

// --- Refreshes.

int RefreshScheduler::pages(const Tracked& meeting) const {
  return std::max(1, (meeting.participants + options_.page_size - 1) / options_.page_size);
}

// Stalest first, nudged towards meetings whose quality was bad and away from costly ones; the
// nudge is bounded so it only reorders meetings of similar age.
double RefreshScheduler::priority(const Tracked& meeting, TimePoint now) const {
  if (!meeting.refreshed) {
    return kNewMeetingHeadStartIntervals * Seconds(options_.min_refresh_interval).count() +
           Seconds(now - meeting.first_seen).count();
  }
  const double weight =
      std::clamp((1 + 0.25 * meeting.badness) / (1 + 0.05 * (pages(meeting) - 1)), 0.8, 1.25);
  return Seconds(now - *meeting.refreshed).count() * weight;
}

TimePoint RefreshScheduler::due_at(const Tracked& meeting, Duration watch_period) const {
  if (!meeting.refreshed || meeting.forced) return meeting.not_before;
  const Duration interval = meeting.watched ? std::min(options_.min_refresh_interval, watch_period)
                                            : options_.min_refresh_interval;
  return std::max(meeting.not_before, *meeting.refreshed + interval);
}

// watch_interval while the watch list costs at most kWatchShare of the QoS rate, else as long
// as that share pays for: a watched meeting costs its pages, a participant one request.
Duration RefreshScheduler::watch_period(TimePoint now) const {
  double cost = static_cast<double>(participants_.size());
  for (const auto& [key, meeting] : meetings_) {
    if (meeting.watched) cost += pages(meeting);
  }
  const double rate = kWatchShare * qos_rate(now);
  if (cost == 0) return options_.watch_interval;
  if (rate <= 0) return next_daily_reset(now) - now;
  return std::max(options_.watch_interval, seconds(cost / rate));
}

bool RefreshScheduler::has_due(TimePoint now) const {
  const Duration watch = watch_period(now);
  return std::any_of(meetings_.begin(), meetings_.end(), [&](const auto& entry) {
    return !entry.second.in_flight && due_at(entry.second, watch) <= now;
  });
}

void RefreshScheduler::make_all_due() {
  last_list_ = TimePoint{};
  for (auto& [key, meeting] : meetings_) {
    meeting.forced = true;
    meeting.not_before = TimePoint{};
  }
}

RefreshScheduler::Pick RefreshScheduler::next_refresh(TimePoint now) {
  Tracked* best = nullptr;
  MeetingKey best_key;
  double best_priority = -1;
  TimePoint earliest_due = TimePoint::max();
  const Duration watch = watch_period(now);
  for (auto& [key, meeting] : meetings_) {
    if (meeting.in_flight) continue;
    const TimePoint due = due_at(meeting, watch);
    if (due > now) {
      earliest_due = std::min(earliest_due, due);
      continue;
    }
    // A watched meeting that is due goes first: that is what the watch list is for, and
    // watch_period() keeps what it costs within its share.
    const double value = priority(meeting, now) + (meeting.watched ? kWatchedPriority : 0);
    if (value > best_priority) {
      best = &meeting;
      best_key = key;
      best_priority = value;
    }
  }
  if (!best) {
    return {std::nullopt,
            earliest_due == TimePoint::max() ? now + options_.min_refresh_interval : earliest_due};
  }
  best->in_flight = true;
  return {best_key, now};
}

void RefreshScheduler::count_skipped(const Tracked& meeting, TimePoint now) {
  if (!meeting.refreshed) return;
  const auto missed = (now - *meeting.refreshed) / options_.min_refresh_interval - 1;
  if (missed > 0) skipped_refreshes_ += static_cast<std::uint64_t>(missed);
}

void RefreshScheduler::on_refreshed(TimePoint now, MeetingKey key, int participants,
                                    double badness) {
  auto found = find_meeting(meetings_, key);
  if (found == meetings_.end()) return;  // ended while it was being fetched
  Tracked& meeting = found->second;
  count_skipped(meeting, now);
  meeting.refreshed = now;
  meeting.participants = participants;
  meeting.badness = badness;
  meeting.failures = 0;
  meeting.in_flight = false;
  meeting.forced = false;
}

void RefreshScheduler::on_refresh_failed(TimePoint now, MeetingKey key, bool ended) {
  auto found = find_meeting(meetings_, key);
  if (found == meetings_.end()) return;
  Tracked& meeting = found->second;
  if (ended) {
    count_skipped(meeting, now);
    meetings_.erase(found);
    return;
  }
  meeting.in_flight = false;
  meeting.forced = false;
  ++meeting.failures;
  const double backoff = Seconds(options_.min_refresh_interval).count() *
                         std::pow(2.0, std::min(meeting.failures - 1, 10));
  meeting.not_before =
      now + std::min(kMaxBackoff, seconds(backoff * jitter(key, meeting.failures)));
}

void RefreshScheduler::set_watched_participants(std::vector<ParticipantKey> participants) {
  std::sort(participants.begin(), participants.end());
  participants.erase(std::unique(participants.begin(), participants.end()), participants.end());
  std::vector<std::pair<ParticipantKey, WatchedParticipant>> next;
  next.reserve(participants.size());
  for (ParticipantKey& key : participants) {
    const auto known = std::lower_bound(
        participants_.begin(), participants_.end(), key,
        [](const auto& entry, const ParticipantKey& wanted) { return entry.first < wanted; });
    WatchedParticipant state;
    if (known != participants_.end() && known->first == key) state = known->second;
    next.emplace_back(std::move(key), state);
  }
  participants_ = std::move(next);
}

namespace {

template <typename Participant>
TimePoint participant_due(const Participant& participant, Duration period) {
  return participant.refreshed ? std::max(participant.not_before, *participant.refreshed + period)
                               : participant.not_before;
}

}  // namespace

std::size_t RefreshScheduler::watched_meetings() const {
  return static_cast<std::size_t>(std::count_if(
      meetings_.begin(), meetings_.end(), [](const auto& entry) { return entry.second.watched; }));
}

bool RefreshScheduler::has_due_participant(TimePoint now) const {
  const Duration period = watch_period(now);
  return std::any_of(participants_.begin(), participants_.end(), [&](const auto& entry) {
    return !entry.second.in_flight && participant_due(entry.second, period) <= now;
  });
}

RefreshScheduler::ParticipantPick RefreshScheduler::next_participant_refresh(TimePoint now) {
  const Duration period = watch_period(now);
  std::pair<ParticipantKey, WatchedParticipant>* best = nullptr;
  TimePoint best_due = TimePoint::max();
  TimePoint earliest_due = TimePoint::max();
  for (auto& entry : participants_) {
    const WatchedParticipant& participant = entry.second;
    if (participant.in_flight) continue;
    const TimePoint due = participant_due(participant, period);
    if (due > now) {
      earliest_due = std::min(earliest_due, due);
    } else if (due < best_due) {  // the longest overdue first
      best = &entry;
      best_due = due;
    }
  }
  if (!best) {
    return {std::nullopt, earliest_due == TimePoint::max() ? now + period : earliest_due};
  }
  best->second.in_flight = true;
  return {best->first, now};
}

void RefreshScheduler::on_participant_refreshed(TimePoint now, const ParticipantKey& key,
                                                bool failed) {
  const auto found = std::lower_bound(
      participants_.begin(), participants_.end(), key,
      [](const auto& entry, const ParticipantKey& wanted) { return entry.first < wanted; });
  if (found == participants_.end() || found->first != key) return;
  WatchedParticipant& participant = found->second;
  participant.in_flight = false;
  if (failed) {
    participant.not_before = now + watch_period(now);
  } else {
    participant.refreshed = now;
    participant.not_before = TimePoint{};
  }
}

std::optional<TimePoint> RefreshScheduler::last_refreshed(MeetingKey key) const {
  auto found = find_meeting(meetings_, key);
  if (found == meetings_.end()) return std::nullopt;
  return found->second.refreshed;
}

}  // namespace zqe::scheduler
