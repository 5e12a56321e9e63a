#include "scheduler/refresh_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace zqe::scheduler {
namespace {

using namespace std::chrono_literals;

const TimePoint kMidnight = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22};
const TimePoint kNextMidnight = kMidnight + 24h;
const TimePoint kNoon = kMidnight + 12h;

constexpr int kParticipants = 5;  // fits one QoS page: one refresh is one Heavy request

// gtest prints durations and time points as raw bytes: seconds as doubles read better.
double seconds_of(Duration duration) {
  return std::chrono::duration<double>(duration).count();
}

MeetingKey meeting(std::uint64_t id) {
  return {MeetingKind::meeting, id};
}

std::vector<ListedMeeting> live_meetings(std::initializer_list<std::uint64_t> ids) {
  std::vector<ListedMeeting> live;
  for (std::uint64_t id : ids) live.push_back({meeting(id), kParticipants});
  return live;
}

// A Business account's limits, polled every 60 s.
SchedulerOptions options_with_budget(std::int64_t daily_budget) {
  SchedulerOptions options;
  options.min_refresh_interval = 60s;
  options.page_size = 10;
  options.heavy_per_second = 40;
  options.resource_intensive_per_minute = 20;
  options.daily_budget = daily_budget;
  return options;
}

std::optional<std::uint64_t> pick(RefreshScheduler& scheduler, TimePoint now) {
  const RefreshScheduler::Pick picked = scheduler.next_refresh(now);
  if (!picked.meeting) return std::nullopt;
  return picked.meeting->id;
}

void refreshed(RefreshScheduler& scheduler, TimePoint now, std::uint64_t id) {
  scheduler.on_refreshed(now, meeting(id), kParticipants, 0);
}

// Lists `ids` at `now` and refreshes each of them once, in the scheduler's order.
void list_and_refresh_all(RefreshScheduler& scheduler, TimePoint now,
                          std::initializer_list<std::uint64_t> ids) {
  scheduler.on_listed(now, live_meetings(ids), 1);
  for (std::size_t count = 0; count < ids.size(); ++count) {
    const std::optional<std::uint64_t> id = pick(scheduler, now);
    ASSERT_TRUE(id.has_value());
    refreshed(scheduler, now, *id);
  }
}

// Plays the exporter's loop in virtual time, as the daemon would: list when the scheduler says
// so, each page once a Resource-intensive request is admitted; otherwise, once a Heavy request
// is admitted, refresh the meeting the scheduler picks. Zoom answers every request at once.
class VirtualExporter {
 public:
  using LiveMeetings = std::function<std::vector<ListedMeeting>(TimePoint)>;

  struct HeavySend {
    TimePoint at;
    std::int64_t budget_left;  // right after this request
  };

  VirtualExporter(RefreshScheduler& scheduler, TimePoint start, LiveMeetings live)
      : scheduler_(scheduler), now_(start), live_(std::move(live)) {}

  void run_until(TimePoint end) {
    while (now_ < end) {
      if (try_list() || try_refresh()) continue;
      now_ = std::min({end, list_wake_, refresh_wake_});
    }
  }

  TimePoint now() const { return now_; }
  std::int64_t total_sent() const {
    return static_cast<std::int64_t>(heavy_sends_.size()) + list_requests_;
  }
  std::int64_t list_requests() const { return list_requests_; }
  const std::vector<HeavySend>& heavy_sends() const { return heavy_sends_; }
  const std::vector<TimePoint>& list_times() const { return list_times_; }
  const std::vector<TimePoint>& refreshes_of(std::uint64_t id) { return refreshes_[id]; }

 private:
  // Zoom's live list holds at most 300 meetings a page.
  static int pages_of(const std::vector<ListedMeeting>& live) {
    return std::max(1, static_cast<int>((live.size() + 299) / 300));
  }

  bool try_list() {
    if (!listing_) {
      const TimePoint due = scheduler_.next_list_at(now_);
      if (now_ < due) {
        list_wake_ = due;
        return false;
      }
      listing_ = live_(now_);
      pages_left_ = pages_of(*listing_);
    }
    const Duration wait = scheduler_.admission_wait(now_, Category::resource_intensive);
    if (wait > Duration::zero()) {
      list_wake_ = now_ + wait;
      return false;
    }
    scheduler_.on_sent(now_, Category::resource_intensive);
    ++list_requests_;
    if (--pages_left_ > 0) return true;
    scheduler_.on_listed(now_, *listing_, pages_of(*listing_));
    list_times_.push_back(now_);
    listing_.reset();
    return true;
  }

  bool try_refresh() {
    const Duration wait = scheduler_.admission_wait(now_, Category::heavy);
    if (wait > Duration::zero()) {
      refresh_wake_ = now_ + wait;
      return false;
    }
    const RefreshScheduler::Pick picked = scheduler_.next_refresh(now_);
    if (!picked.meeting) {
      refresh_wake_ = picked.retry_at;
      return false;
    }
    scheduler_.on_sent(now_, Category::heavy);
    scheduler_.on_refreshed(now_, *picked.meeting, kParticipants, 0);
    heavy_sends_.push_back({now_, scheduler_.budget_remaining(now_)});
    refreshes_[picked.meeting->id].push_back(now_);
    return true;
  }

  RefreshScheduler& scheduler_;
  TimePoint now_;
  LiveMeetings live_;
  TimePoint list_wake_{};
  TimePoint refresh_wake_{};
  std::optional<std::vector<ListedMeeting>> listing_;  // a list whose pages are being fetched
  int pages_left_ = 0;
  std::int64_t list_requests_ = 0;
  std::vector<HeavySend> heavy_sends_;
  std::vector<TimePoint> list_times_;
  std::map<std::uint64_t, std::vector<TimePoint>> refreshes_;
};

VirtualExporter::LiveMeetings always(std::vector<ListedMeeting> live) {
  return [live = std::move(live)](TimePoint) { return live; };
}

std::vector<ListedMeeting> meetings_numbered(std::uint64_t first, std::uint64_t last) {
  std::vector<ListedMeeting> live;
  for (std::uint64_t id = first; id <= last; ++id) live.push_back({meeting(id), kParticipants});
  return live;
}

// --- Labels.

TEST(RefreshScheduler, Labels) {
  EXPECT_EQ(category_label(Category::heavy), "heavy");
  EXPECT_EQ(category_label(Category::resource_intensive), "resource_intensive");
  EXPECT_EQ(limit_type_label(LimitType::qps), "qps");
  EXPECT_EQ(limit_type_label(LimitType::daily), "daily");
}

// --- The live list.

TEST(RefreshScheduler, ListsAtOnceAtFirst) {
  const RefreshScheduler scheduler(options_with_budget(30'000));
  EXPECT_EQ(seconds_of(scheduler.next_list_at(kNoon) - kNoon), 0);
}

TEST(RefreshScheduler, ListsEveryIntervalWhenTheBudgetAllows) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_sent(kNoon, Category::resource_intensive);
  scheduler.on_listed(kNoon, live_meetings({1, 2}), 1);
  EXPECT_EQ(seconds_of(scheduler.next_list_at(kNoon) - kNoon), 60);
  EXPECT_EQ(seconds_of(scheduler.next_list_at(kNoon + 30s) - kNoon), 60);
}

TEST(RefreshScheduler, ListsLessOftenThanTheIntervalOnASmallBudget) {
  RefreshScheduler scheduler(options_with_budget(1440));
  scheduler.on_sent(kMidnight, Category::resource_intensive);
  scheduler.on_listed(kMidnight, live_meetings({1, 2}), 1);
  const double period = seconds_of(scheduler.next_list_at(kMidnight) - kMidnight);
  // A list a minute would take all 1440 requests: lists get a share, QoS the rest.
  EXPECT_GT(period, 60);
  EXPECT_LT(period, 3600);
}

TEST(RefreshScheduler, AFailedListIsRetriedAfterAPeriod) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_list_failed(kNoon);
  EXPECT_EQ(seconds_of(scheduler.next_list_at(kNoon) - kNoon), 60);
}

TEST(RefreshScheduler, ListingReplacesTheMeetings) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1, 2, 3}), 1);
  EXPECT_EQ(scheduler.scheduled_meetings(), 3u);
  scheduler.on_listed(kNoon + 1min, live_meetings({2, 3, 4, 5}), 1);
  EXPECT_EQ(scheduler.scheduled_meetings(), 4u);
}

TEST(RefreshScheduler, MeetingsAndWebinarsWithTheSameIdAreDistinct) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, {{meeting(7), 3}, {{MeetingKind::webinar, 7}, 3}}, 1);
  EXPECT_EQ(scheduler.scheduled_meetings(), 2u);
}

TEST(RefreshScheduler, MeetingsGoneFromANewListAreDropped) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  list_and_refresh_all(scheduler, kNoon, {1, 2, 3});
  scheduler.on_listed(kNoon + 1min, live_meetings({2, 3}), 1);
  EXPECT_EQ(scheduler.scheduled_meetings(), 2u);
  EXPECT_EQ(scheduler.last_refreshed(meeting(1)), std::nullopt);
  for (TimePoint now = kNoon + 1min; now < kNoon + 10min; now += 1s) {
    const std::optional<std::uint64_t> id = pick(scheduler, now);
    ASSERT_NE(id, 1u);
    if (id) refreshed(scheduler, now, *id);
  }
}

TEST(RefreshScheduler, AMeetingDroppedWhileInFlightIsIgnoredWhenItsAnswerComes) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  scheduler.on_listed(kNoon + 1s, live_meetings({2}), 1);
  refreshed(scheduler, kNoon + 2s, 1);
  scheduler.on_refresh_failed(kNoon + 2s, meeting(1), false);
  EXPECT_EQ(scheduler.scheduled_meetings(), 1u);
  EXPECT_EQ(scheduler.last_refreshed(meeting(1)), std::nullopt);
}

TEST(RefreshScheduler, AMeetingStillListedKeepsItsRefreshTime) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  list_and_refresh_all(scheduler, kNoon, {1});
  scheduler.on_listed(kNoon + 1min, live_meetings({1, 2}), 1);
  ASSERT_TRUE(scheduler.last_refreshed(meeting(1)).has_value());
  EXPECT_EQ(seconds_of(*scheduler.last_refreshed(meeting(1)) - kNoon), 0);
  EXPECT_EQ(scheduler.last_refreshed(meeting(2)), std::nullopt);
}

// --- Which meeting next.

TEST(RefreshScheduler, NewMeetingsArePickedOldestFirstSeenFirst) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({30}), 1);
  scheduler.on_listed(kNoon + 1min, live_meetings({10, 30}), 1);
  scheduler.on_listed(kNoon + 2min, live_meetings({20, 10, 30}), 1);
  const TimePoint now = kNoon + 2min;
  EXPECT_EQ(pick(scheduler, now), 30u);
  EXPECT_EQ(pick(scheduler, now), 10u);
  EXPECT_EQ(pick(scheduler, now), 20u);
}

TEST(RefreshScheduler, NewMeetingsArePickedBeforeDueRefreshedOnes) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  list_and_refresh_all(scheduler, kNoon, {1, 2});
  // One interval later both are due again, and a new meeting shows up in the list.
  const TimePoint next_list = kNoon + 1min;
  scheduler.on_listed(next_list, live_meetings({1, 2, 3}), 1);
  EXPECT_EQ(pick(scheduler, next_list), 3u);
}

TEST(RefreshScheduler, ANewMeetingGoesBeforeARefreshedOneThatWaitedAsLong) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1, 2}), 1);
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  refreshed(scheduler, kNoon, 1);
  // Meeting 2 was seen at noon and never fetched; meeting 1 was fetched at noon.
  EXPECT_EQ(pick(scheduler, kNoon + 5min), 2u);
  EXPECT_EQ(pick(scheduler, kNoon + 5min), 1u);
}

TEST(RefreshScheduler, AmongRefreshedMeetingsTheStalestFirst) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1, 2, 3}), 1);
  for (int count = 0; count < 3; ++count) ASSERT_TRUE(pick(scheduler, kNoon).has_value());
  refreshed(scheduler, kNoon + 1s, 2);
  refreshed(scheduler, kNoon + 2s, 3);
  refreshed(scheduler, kNoon + 3s, 1);
  const TimePoint later = kNoon + 5min;
  EXPECT_EQ(pick(scheduler, later), 2u);
  EXPECT_EQ(pick(scheduler, later), 3u);
  EXPECT_EQ(pick(scheduler, later), 1u);
}

TEST(RefreshScheduler, BadQualityIsRefreshedSoonerAmongSimilarlyStaleMeetings) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1, 2}), 1);
  for (int count = 0; count < 2; ++count) ASSERT_TRUE(pick(scheduler, kNoon).has_value());
  scheduler.on_refreshed(kNoon, meeting(1), kParticipants, 0);
  scheduler.on_refreshed(kNoon + 1s, meeting(2), kParticipants, 1);
  EXPECT_EQ(pick(scheduler, kNoon + 2min), 2u);
}

TEST(RefreshScheduler, NotPickedAgainBeforeTheMinimumInterval) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  refreshed(scheduler, kNoon + 1s, 1);

  const RefreshScheduler::Pick early = scheduler.next_refresh(kNoon + 30s);
  EXPECT_FALSE(early.meeting.has_value());
  EXPECT_EQ(seconds_of(early.retry_at - kNoon), 61);
  EXPECT_EQ(pick(scheduler, kNoon + 61s - 1ns), std::nullopt);
  EXPECT_EQ(pick(scheduler, kNoon + 61s), 1u);
}

TEST(RefreshScheduler, InFlightMeetingsAreNotPickedTwice) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1, 2}), 1);
  const std::optional<std::uint64_t> first = pick(scheduler, kNoon);
  const std::optional<std::uint64_t> second = pick(scheduler, kNoon);
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  EXPECT_EQ(pick(scheduler, kNoon + 10min), std::nullopt);

  // A new list does not forget what is in flight.
  scheduler.on_listed(kNoon + 10min, live_meetings({1, 2}), 1);
  EXPECT_EQ(pick(scheduler, kNoon + 10min), std::nullopt);

  refreshed(scheduler, kNoon + 10min, *first);
  EXPECT_EQ(pick(scheduler, kNoon + 11min), *first);
}

TEST(RefreshScheduler, NothingListedNothingPicked) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  const RefreshScheduler::Pick picked = scheduler.next_refresh(kNoon);
  EXPECT_FALSE(picked.meeting.has_value());
  EXPECT_GT(picked.retry_at, kNoon);
}

// --- Failures.

TEST(RefreshScheduler, AnEndedMeetingIsRemoved) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1, 2}), 1);
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  scheduler.on_refresh_failed(kNoon + 1s, meeting(1), true);
  EXPECT_EQ(scheduler.scheduled_meetings(), 1u);
  EXPECT_EQ(scheduler.last_refreshed(meeting(1)), std::nullopt);
  EXPECT_EQ(pick(scheduler, kNoon + 1s), 2u);
  EXPECT_EQ(pick(scheduler, kNoon + 1h), std::nullopt);
}

TEST(RefreshScheduler, AFailedRefreshBacksOffAboutAnInterval) {
  for (std::uint64_t id = 1; id <= 20; ++id) {
    SCOPED_TRACE(id);
    RefreshScheduler scheduler(options_with_budget(30'000));
    scheduler.on_listed(kNoon, live_meetings({id}), 1);
    ASSERT_EQ(pick(scheduler, kNoon), id);
    scheduler.on_refresh_failed(kNoon, meeting(id), false);

    // Jittered by up to a fifth either way, so many failed meetings do not return together.
    const RefreshScheduler::Pick waiting = scheduler.next_refresh(kNoon);
    EXPECT_FALSE(waiting.meeting.has_value());
    EXPECT_GE(seconds_of(waiting.retry_at - kNoon), 0.8 * 60);
    EXPECT_LE(seconds_of(waiting.retry_at - kNoon), 1.2 * 60);
    EXPECT_EQ(pick(scheduler, kNoon + 48s - 1ns), std::nullopt);
    EXPECT_EQ(pick(scheduler, waiting.retry_at), id);
  }
}

TEST(RefreshScheduler, RepeatedFailuresDoubleTheBackoffUpToFifteenMinutes) {
  for (std::uint64_t id = 1; id <= 20; ++id) {
    SCOPED_TRACE(id);
    RefreshScheduler scheduler(options_with_budget(30'000));
    scheduler.on_listed(kNoon, live_meetings({id}), 1);
    TimePoint now = kNoon;
    double nominal_backoff = 60;
    for (int failure = 1; failure <= 12; ++failure) {
      SCOPED_TRACE(failure);
      ASSERT_EQ(pick(scheduler, now), id);
      scheduler.on_refresh_failed(now, meeting(id), false);
      const RefreshScheduler::Pick waiting = scheduler.next_refresh(now);
      ASSERT_FALSE(waiting.meeting.has_value());
      const double backoff = seconds_of(waiting.retry_at - now);
      EXPECT_GE(backoff, std::min(0.8 * nominal_backoff, 900.0));
      EXPECT_LE(backoff, std::min(1.2 * nominal_backoff, 900.0));
      if (0.8 * nominal_backoff >= 900) {
        EXPECT_EQ(backoff, 900);
      }
      nominal_backoff *= 2;
      now = waiting.retry_at;
    }
  }
}

TEST(RefreshScheduler, ASuccessEndsTheBackoff) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  TimePoint now = kNoon;
  for (int failure = 0; failure < 5; ++failure) {
    ASSERT_EQ(pick(scheduler, now), 1u);
    scheduler.on_refresh_failed(now, meeting(1), false);
    now = scheduler.next_refresh(now).retry_at;
  }
  ASSERT_EQ(pick(scheduler, now), 1u);
  refreshed(scheduler, now, 1);
  EXPECT_EQ(pick(scheduler, now + 60s), 1u);
  scheduler.on_refresh_failed(now + 60s, meeting(1), false);
  // Back to a first failure's backoff, not a sixth's.
  EXPECT_LE(seconds_of(scheduler.next_refresh(now + 60s).retry_at - (now + 60s)), 1.2 * 60);
}

// --- Polls on demand.

TEST(RefreshScheduler, HasDueTellsWhetherAPickWouldFindAMeeting) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  EXPECT_FALSE(scheduler.has_due(kNoon));
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  EXPECT_TRUE(scheduler.has_due(kNoon));
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  EXPECT_FALSE(scheduler.has_due(kNoon));
  refreshed(scheduler, kNoon + 1s, 1);
  EXPECT_FALSE(scheduler.has_due(kNoon + 61s - 1ns));
  EXPECT_TRUE(scheduler.has_due(kNoon + 61s));
}

TEST(RefreshScheduler, MakeAllDueListsAndRefreshesEverythingNow) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_sent(kNoon, Category::resource_intensive);
  list_and_refresh_all(scheduler, kNoon, {1, 2});
  const TimePoint soon = kNoon + 10s;
  EXPECT_FALSE(scheduler.has_due(soon));

  scheduler.make_all_due();
  EXPECT_EQ(seconds_of(scheduler.next_list_at(soon) - soon), 0);
  EXPECT_TRUE(scheduler.has_due(soon));
  const std::optional<std::uint64_t> first = pick(scheduler, soon);
  const std::optional<std::uint64_t> second = pick(scheduler, soon);
  ASSERT_TRUE(first && second);
  EXPECT_NE(*first, *second);
  refreshed(scheduler, soon, *first);
  refreshed(scheduler, soon, *second);

  // Once fetched, the interval applies again.
  EXPECT_EQ(pick(scheduler, soon + 59s), std::nullopt);
  EXPECT_TRUE(pick(scheduler, soon + 60s).has_value());
}

TEST(RefreshScheduler, MakeAllDueEndsBackoffsButNotTheBudget) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  scheduler.on_refresh_failed(kNoon, meeting(1), false);
  scheduler.on_zoom_remaining(kNoon, 0);

  scheduler.make_all_due();
  EXPECT_EQ(pick(scheduler, kNoon + 1s), 1u);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon + 1s, Category::heavy)),
            seconds_of(kNextMidnight - (kNoon + 1s)));
}

TEST(RefreshScheduler, MakeAllDueDoesNotPickAMeetingInFlight) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  ASSERT_EQ(pick(scheduler, kNoon), 1u);
  scheduler.make_all_due();
  EXPECT_FALSE(scheduler.has_due(kNoon));
  EXPECT_EQ(pick(scheduler, kNoon), std::nullopt);
}

// --- Skipped refreshes.

TEST(RefreshScheduler, SkippedRefreshesCountWholeIntervalsWithoutARefresh) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  list_and_refresh_all(scheduler, kNoon, {1});
  EXPECT_EQ(scheduler.skipped_refreshes(), 0u);

  // Within two intervals: on time, nothing skipped.
  ASSERT_EQ(pick(scheduler, kNoon + 119s), 1u);
  refreshed(scheduler, kNoon + 119s, 1);
  EXPECT_EQ(scheduler.skipped_refreshes(), 0u);

  // 150 s after the last one: the refresh due at +60 s never happened.
  const TimePoint late = kNoon + 119s + 150s;
  ASSERT_EQ(pick(scheduler, late), 1u);
  refreshed(scheduler, late, 1);
  EXPECT_EQ(scheduler.skipped_refreshes(), 1u);

  // 4 intervals after the last one: three were skipped.
  const TimePoint very_late = late + 240s;
  ASSERT_EQ(pick(scheduler, very_late), 1u);
  refreshed(scheduler, very_late, 1);
  EXPECT_EQ(scheduler.skipped_refreshes(), 4u);
}

TEST(RefreshScheduler, SkippedRefreshesCountMeetingsThatEndOrDisappear) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  list_and_refresh_all(scheduler, kNoon, {1, 2});
  // Meeting 1 vanishes from the list 200 s after its refresh: two intervals went unrefreshed.
  scheduler.on_listed(kNoon + 200s, live_meetings({2}), 1);
  EXPECT_EQ(scheduler.skipped_refreshes(), 2u);
  // Meeting 2 turns out ended 300 s after its refresh: four more.
  ASSERT_EQ(pick(scheduler, kNoon + 300s), 2u);
  scheduler.on_refresh_failed(kNoon + 300s, meeting(2), true);
  EXPECT_EQ(scheduler.skipped_refreshes(), 6u);
}

// --- Admission: rate limits.

// Sends as fast as admission_wait() allows for `duration`, and returns when each went out.
std::vector<TimePoint> send_greedily(RefreshScheduler& scheduler, Category category,
                                     TimePoint start, Duration duration) {
  std::vector<TimePoint> sent;
  TimePoint now = start;
  while (now < start + duration) {
    const Duration wait = scheduler.admission_wait(now, category);
    if (wait > Duration::zero()) {
      now += wait;
      continue;
    }
    scheduler.on_sent(now, category);
    sent.push_back(now);
  }
  return sent;
}

// The most requests in any window [t, t + window): what Zoom's fixed windows could count.
std::size_t most_in_any_window(const std::vector<TimePoint>& sent, Duration window) {
  std::size_t most = 0;
  std::size_t first = 0;
  for (std::size_t last = 0; last < sent.size(); ++last) {
    while (sent[last] - sent[first] >= window) ++first;
    most = std::max(most, last - first + 1);
  }
  return most;
}

TEST(RefreshScheduler, HeavyRequestsAreSustainedAtNinetyPercentOfTheSecondLimit) {
  // A budget so large that only the per-second limit holds requests back.
  RefreshScheduler scheduler(options_with_budget(1'000'000'000));
  const std::vector<TimePoint> sent = send_greedily(scheduler, Category::heavy, kNoon, 60s);
  // 36 a second on average; a small burst on top never takes a second past Zoom's 40.
  EXPECT_LE(most_in_any_window(sent, 1s), 40u);
  const std::size_t per_ten_seconds = most_in_any_window(sent, 10s);
  EXPECT_GE(per_ten_seconds, 360u);
  EXPECT_LE(per_ten_seconds, 360u + 4);
  EXPECT_GE(sent.size(), 36u * 60 - 1);
  EXPECT_LE(sent.size(), 36u * 60 + 4);
}

TEST(RefreshScheduler, ResourceIntensiveRequestsAreSustainedAtNinetyPercentOfTheMinuteLimit) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  const std::vector<TimePoint> sent =
      send_greedily(scheduler, Category::resource_intensive, kNoon, 10min);
  // 18 a minute on average; a small burst on top never takes a minute past Zoom's 20.
  EXPECT_LE(most_in_any_window(sent, 1min), 20u);
  EXPECT_GE(sent.size(), 18u * 10 - 1);
  EXPECT_LE(sent.size(), 18u * 10 + 2);
  // Once the burst is spent, one every 60/18 s.
  const std::vector<TimePoint> steady(sent.begin() + 10, sent.end());
  EXPECT_LE(most_in_any_window(steady, 1min), 18u);
}

TEST(RefreshScheduler, FirstRequestsOfEachCategoryGoAtOnce) {
  const RefreshScheduler scheduler(options_with_budget(30'000));
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::heavy)), 0);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::resource_intensive)), 0);
}

TEST(RefreshScheduler, APerSecondLimitPausesOnlyItsCategory) {
  RefreshScheduler scheduler(options_with_budget(1'000'000'000));
  scheduler.on_rate_limited(kNoon, Category::heavy, LimitType::qps, kNoon + 5s);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::heavy)), 5);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon + 4s, Category::heavy)), 1);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::resource_intensive)), 0);
  // After the pause the bucket refills from empty: no burst straight into the limit again.
  EXPECT_GT(scheduler.admission_wait(kNoon + 5s, Category::heavy), Duration::zero());
  EXPECT_LE(scheduler.admission_wait(kNoon + 5s, Category::heavy), 30ms);

  scheduler.on_rate_limited(kNoon, Category::resource_intensive, LimitType::qps, kNoon + 45s);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon + 10s, Category::resource_intensive)), 35);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon + 10s, Category::heavy)), 0);
}

TEST(RefreshScheduler, APerSecondLimitWithoutRetryAfterPausesBriefly) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_rate_limited(kNoon, Category::heavy, LimitType::qps, std::nullopt);
  const Duration wait = scheduler.admission_wait(kNoon, Category::heavy);
  EXPECT_GE(wait, 1s);
  EXPECT_LE(wait, 5s);
}

TEST(RefreshScheduler, AnAbsurdPerSecondRetryAfterIsBounded) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_rate_limited(kNoon, Category::heavy, LimitType::qps, kNoon + 6h);
  EXPECT_LE(scheduler.admission_wait(kNoon, Category::heavy), 5min);
  EXPECT_GE(scheduler.admission_wait(kNoon, Category::heavy), 1min);
}

// --- Admission: the daily quota.

TEST(RefreshScheduler, ADailyLimitStopsBothCategoriesUntilMidnight) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  const TimePoint afternoon = kMidnight + 15h;
  scheduler.on_rate_limited(afternoon, Category::heavy, LimitType::daily, std::nullopt);
  EXPECT_EQ(scheduler.budget_remaining(afternoon), 0);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(afternoon, Category::heavy)), 9 * 3600);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(afternoon, Category::resource_intensive)),
            9 * 3600);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNextMidnight - 1s, Category::heavy)), 1);

  EXPECT_EQ(scheduler.budget_remaining(kNextMidnight), 30'000);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNextMidnight, Category::heavy)), 0);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNextMidnight, Category::resource_intensive)), 0);
}

TEST(RefreshScheduler, ADailyLimitWithRetryAfterPastMidnightResumesThen) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  const TimePoint retry_at = kNextMidnight + 30min;
  scheduler.on_rate_limited(kMidnight + 23h, Category::heavy, LimitType::daily, retry_at);
  // A caller that sleeps for whatever admission_wait() says.
  TimePoint now = kMidnight + 23h;
  for (int wakeup = 0; wakeup < 10; ++wakeup) {
    const Duration wait = scheduler.admission_wait(now, Category::heavy);
    if (wait == Duration::zero()) break;
    now += wait;
  }
  EXPECT_EQ(seconds_of(now - retry_at), 0);
}

TEST(RefreshScheduler, ADailyLimitWithAnEarlierRetryAfterResumesThen) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_rate_limited(kNoon, Category::heavy, LimitType::daily, kNoon + 1h);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::heavy)), 3600);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::resource_intensive)), 3600);
}

TEST(RefreshScheduler, ASpentBudgetStopsBothCategoriesUntilMidnight) {
  RefreshScheduler scheduler(options_with_budget(3));
  for (int request = 0; request < 3; ++request) {
    scheduler.on_sent(kNoon, Category::resource_intensive);
  }
  EXPECT_EQ(scheduler.budget_remaining(kNoon), 0);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::heavy)), 12 * 3600);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon, Category::resource_intensive)), 12 * 3600);
}

TEST(RefreshScheduler, ZoomsRemainingCapsTheBudget) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_zoom_remaining(kNoon, 10);
  EXPECT_EQ(scheduler.zoom_remaining(kNoon), 10);
  EXPECT_EQ(scheduler.budget_remaining(kNoon), 10);
  scheduler.on_sent(kNoon + 1s, Category::heavy);
  EXPECT_EQ(scheduler.budget_remaining(kNoon + 1s), 9);

  scheduler.on_zoom_remaining(kNoon + 2s, 0);
  EXPECT_EQ(seconds_of(scheduler.admission_wait(kNoon + 2s, Category::heavy)),
            seconds_of(kNextMidnight - (kNoon + 2s)));
}

TEST(RefreshScheduler, SetOptionsChangesTheBudget) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  scheduler.on_sent(kNoon, Category::heavy);
  scheduler.set_options(options_with_budget(100));
  EXPECT_EQ(scheduler.budget_remaining(kNoon), 99);
}

// --- Pacing: whole runs in virtual time.

TEST(RefreshScheduler, ASmallAccountRefreshesEveryMeetingEveryInterval) {
  RefreshScheduler scheduler(options_with_budget(30'000));
  VirtualExporter exporter(scheduler, kNoon, always(live_meetings({1, 2, 3})));
  exporter.run_until(kNoon + 30min);
  for (std::uint64_t id : {1, 2, 3}) {
    SCOPED_TRACE(id);
    const std::vector<TimePoint>& refreshes = exporter.refreshes_of(id);
    ASSERT_GE(refreshes.size(), 29u);
    EXPECT_LT(seconds_of(refreshes.front() - kNoon), 10);
    for (std::size_t index = 1; index < refreshes.size(); ++index) {
      const double period = seconds_of(refreshes[index] - refreshes[index - 1]);
      EXPECT_GE(period, 60) << index;
      EXPECT_LE(period, 64) << index;
    }
  }
  EXPECT_EQ(scheduler.skipped_refreshes(), 0u);
  // Lists every interval too.
  EXPECT_EQ(exporter.list_times().size(), 30u);
}

TEST(RefreshScheduler, ASmallBudgetIsSpreadEvenlyOverTheDay) {
  constexpr std::int64_t kBudget = 1440;
  RefreshScheduler scheduler(options_with_budget(kBudget));
  VirtualExporter exporter(scheduler, kMidnight, always(meetings_numbered(1, 10)));

  exporter.run_until(kNoon);
  EXPECT_NEAR(static_cast<double>(scheduler.budget_remaining(kNoon)), kBudget / 2.0,
              kBudget * 0.05);

  exporter.run_until(kNextMidnight);
  EXPECT_LE(exporter.total_sent(), kBudget);
  EXPECT_GE(exporter.total_sent(), kBudget * 95 / 100);
  // Lists take at most their fifth of the budget.
  EXPECT_LE(exporter.list_requests(), kBudget / 5);

  // A fresh start may fetch a few at once (never more than a round of the ten meetings); after
  // that, each gap is the time left over what is left to spend on QoS: the budget less the
  // lists' reserve, a fifth of it here. Right after the start: 86400 s / (1435 - 287) = 75.3 s.
  const std::vector<VirtualExporter::HeavySend>& sends = exporter.heavy_sends();
  ASSERT_GT(sends.size(), 1000u);
  std::size_t start_burst = 1;
  while (start_burst < sends.size() && sends[start_burst].at - sends[start_burst - 1].at < 1s) {
    ++start_burst;
  }
  EXPECT_LE(start_burst, 10u);
  EXPECT_NEAR(seconds_of(sends[start_burst].at - sends[start_burst - 1].at), 86400.0 / 1148, 0.3);
  for (std::size_t index = start_burst; index < sends.size(); ++index) {
    const VirtualExporter::HeavySend& previous = sends[index - 1];
    // The reserve is a whole number of requests: its steps jolt the last hour's few gaps.
    if (previous.budget_left < 100) break;
    const double time_left = seconds_of(next_daily_reset(previous.at) - previous.at);
    const std::int64_t list_reserve = previous.budget_left / 5;
    const double expected = time_left / static_cast<double>(previous.budget_left - list_reserve);
    const double gap = seconds_of(sends[index].at - previous.at);
    ASSERT_NEAR(gap, expected, expected * 0.02) << "heavy request " << index;
  }

  // Nothing spent early: QoS requests go on until the last minutes of the day.
  EXPECT_GT(sends.back().at, kNextMidnight - 10min);

  // Ten meetings share it fairly.
  std::size_t fewest = SIZE_MAX;
  std::size_t most = 0;
  for (std::uint64_t id = 1; id <= 10; ++id) {
    fewest = std::min(fewest, exporter.refreshes_of(id).size());
    most = std::max(most, exporter.refreshes_of(id).size());
  }
  EXPECT_LE(most - fewest, 2u);

  // The new day brings a new budget.
  EXPECT_EQ(scheduler.budget_remaining(kNextMidnight), kBudget);
}

TEST(RefreshScheduler, NeverSpendsMoreThanTheDailyBudgetOverSeveralDays) {
  constexpr std::int64_t kBudget = 500;
  RefreshScheduler scheduler(options_with_budget(kBudget));
  // Start late in the day: what is left must still last until midnight, not beyond it.
  VirtualExporter exporter(scheduler, kMidnight + 20h, always(meetings_numbered(1, 40)));
  exporter.run_until(kNextMidnight);
  const std::int64_t first_day = exporter.total_sent();
  EXPECT_LE(first_day, kBudget);
  EXPECT_GE(first_day, kBudget * 95 / 100);
  exporter.run_until(kNextMidnight + 24h);
  EXPECT_LE(exporter.total_sent() - first_day, kBudget);
  EXPECT_GE(exporter.total_sent() - first_day, kBudget * 95 / 100);
}

TEST(RefreshScheduler, OldMeetingsDoNotStarveWhileNewOnesKeepComing) {
  // 7.5 s between QoS requests (8 a minute) while 12 new meetings start every minute.
  RefreshScheduler scheduler(options_with_budget(14'400));
  const auto live = [](TimePoint now) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(now - kMidnight);
    return meetings_numbered(1, 3 + 12 * static_cast<std::uint64_t>(minutes.count()));
  };
  VirtualExporter exporter(scheduler, kMidnight, live);
  exporter.run_until(kMidnight + 3h);

  std::vector<TimePoint> refreshes = exporter.refreshes_of(1);
  refreshes.push_back(exporter.now());
  ASSERT_GE(refreshes.size(), 2u);
  double longest_gap = 0;
  for (std::size_t index = 1; index < refreshes.size(); ++index) {
    longest_gap = std::max(longest_gap, seconds_of(refreshes[index] - refreshes[index - 1]));
  }
  // New meetings arrive half again as fast as the budget fetches them, so every wait grows
  // through the run whatever the order; what must hold is that meeting 1 keeps getting its turn
  // (first come, first served after new meetings' head start) instead of never again.
  EXPECT_GE(refreshes.size(), 5u);
  EXPECT_LE(longest_gap, 2 * 3600)
      << "meeting 1 was refreshed " << refreshes.size() - 1 << " times in 3 h";
}

}  // namespace
}  // namespace zqe::scheduler

// --- The watch list.

namespace zqe::scheduler {
namespace {

ParticipantKey watched_participant(std::uint64_t meeting_id, std::string id) {
  return {meeting(meeting_id), std::move(id)};
}

TEST(RefreshScheduler, AWatchedMeetingIsRefreshedEveryWatchInterval) {
  SchedulerOptions options = options_with_budget(30'000);
  options.watch_interval = 15s;
  RefreshScheduler scheduler(options);
  std::vector<ListedMeeting> live = live_meetings({1, 2, 3});
  live[1].watched = true;
  VirtualExporter exporter(scheduler, kNoon, always(live));
  exporter.run_until(kNoon + 10min);
  const std::vector<TimePoint>& watched = exporter.refreshes_of(2);
  ASSERT_GE(watched.size(), 39u);
  for (std::size_t index = 1; index < watched.size(); ++index) {
    EXPECT_NEAR(seconds_of(watched[index] - watched[index - 1]), 15, 1) << index;
  }
  EXPECT_LE(exporter.refreshes_of(1).size(), 11u);  // the others every 60 s
  EXPECT_EQ(scheduler.watch_period(kNoon + 10min), 15s);
}

TEST(RefreshScheduler, ADueWatchedMeetingGoesBeforeStalerOnes) {
  SchedulerOptions options = options_with_budget(30'000);
  RefreshScheduler scheduler(options);
  std::vector<ListedMeeting> live = live_meetings({1, 2});
  live[1].watched = true;
  scheduler.on_listed(kNoon, live, 1);
  refreshed(scheduler, kNoon, 1);
  refreshed(scheduler, kNoon + 50s, 2);
  // At 2 min, meeting 1 has waited 120 s, meeting 2 only 70 s, but 2 is watched.
  EXPECT_EQ(pick(scheduler, kNoon + 2min), 2u);
}

TEST(RefreshScheduler, WatchedParticipantsAreDueAtOnceThenEveryWatchInterval) {
  SchedulerOptions options = options_with_budget(30'000);
  options.watch_interval = 20s;
  RefreshScheduler scheduler(options);
  scheduler.on_listed(kNoon, live_meetings({1}), 1);
  scheduler.set_watched_participants({watched_participant(1, "b"), watched_participant(1, "a")});
  const auto first = scheduler.next_participant_refresh(kNoon);
  const auto second = scheduler.next_participant_refresh(kNoon);
  ASSERT_TRUE(first.participant && second.participant);
  EXPECT_NE(first.participant->participant_id, second.participant->participant_id);
  // Both in flight: nothing more to pick, ask again in a watch interval.
  const auto none = scheduler.next_participant_refresh(kNoon);
  EXPECT_FALSE(none.participant);
  EXPECT_EQ(none.retry_at, kNoon + 20s);

  scheduler.on_participant_refreshed(kNoon + 1s, *first.participant);
  scheduler.on_participant_refreshed(kNoon + 2s, *second.participant);
  EXPECT_FALSE(scheduler.next_participant_refresh(kNoon + 20s).participant);
  EXPECT_EQ(scheduler.next_participant_refresh(kNoon + 20s).retry_at, kNoon + 21s);
  EXPECT_EQ(scheduler.next_participant_refresh(kNoon + 21s).participant, first.participant);
}

TEST(RefreshScheduler, AMeetingRefreshCountsForItsWatchedParticipantsAndAFailureBacksOff) {
  SchedulerOptions options = options_with_budget(30'000);
  options.watch_interval = 20s;
  RefreshScheduler scheduler(options);
  scheduler.set_watched_participants({watched_participant(1, "a"), watched_participant(2, "b")});
  scheduler.on_participant_refreshed(kNoon, watched_participant(1, "a"));  // with meeting 1
  const auto picked = scheduler.next_participant_refresh(kNoon);
  ASSERT_TRUE(picked.participant);
  EXPECT_EQ(picked.participant->participant_id, "b");
  scheduler.on_participant_refreshed(kNoon, *picked.participant, true);
  EXPECT_FALSE(scheduler.next_participant_refresh(kNoon + 19s).participant);
  EXPECT_TRUE(scheduler.next_participant_refresh(kNoon + 20s).participant);
}

TEST(RefreshScheduler, AReplacedWatchSetKeepsTheRefreshTimesOfKnownParticipants) {
  SchedulerOptions options = options_with_budget(30'000);
  options.watch_interval = 20s;
  RefreshScheduler scheduler(options);
  scheduler.set_watched_participants({watched_participant(1, "a")});
  scheduler.on_participant_refreshed(kNoon, watched_participant(1, "a"));
  scheduler.set_watched_participants({watched_participant(1, "a"), watched_participant(1, "c")});
  const auto picked = scheduler.next_participant_refresh(kNoon + 5s);
  ASSERT_TRUE(picked.participant);
  EXPECT_EQ(picked.participant->participant_id, "c");  // new: due at once; "a" only at 20 s
  EXPECT_FALSE(scheduler.next_participant_refresh(kNoon + 5s).participant);
}

TEST(RefreshScheduler, AWatchListLargerThanItsShareIsRefreshedLessOften) {
  // At noon 5,040 requests left, less 720 for the lists (one a minute), is 0.1 a second for QoS;
  // half of it pays for one watched participant every 20 s: 100 of them every 2,000 s.
  SchedulerOptions options = options_with_budget(5'040);
  options.watch_interval = 15s;
  RefreshScheduler scheduler(options);
  std::vector<ParticipantKey> many;
  for (int index = 0; index < 100; ++index) {
    many.push_back(watched_participant(1, std::to_string(index)));
  }
  scheduler.set_watched_participants(many);
  EXPECT_NEAR(seconds_of(scheduler.watch_period(kNoon)), 2000, 1e-3);
  scheduler.set_watched_participants({watched_participant(1, "0")});
  EXPECT_EQ(scheduler.watch_period(kNoon), 20s);  // even one: the share allows no more
  scheduler.set_watched_participants({});
  EXPECT_EQ(scheduler.watch_period(kNoon), 15s);
}

}  // namespace
}  // namespace zqe::scheduler
