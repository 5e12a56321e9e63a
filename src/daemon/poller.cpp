#include "daemon/poller.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <unordered_map>

#include "common/log.hpp"
#include "scheduler/quality.hpp"

namespace zqe::daemon {
namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Publishing strings every meeting's rendered pieces together: microseconds on small accounts,
// milliseconds on the largest. It waits at least this many times the last publish's cost after
// it, so it never takes more than a twentieth of the loop's time.
constexpr int kPublishCostFactor = 20;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

scheduler::MeetingKey key_of(const zoom::LiveMeeting& meeting) {
  return {meeting.type, meeting.id};
}

// Zoom may list a participant twice (rejoined, or moved between pages while paging): one
// series each, keeping the newest snapshot.
void keep_newest_per_participant(std::vector<qos::ParticipantQos>& participants) {
  std::unordered_map<std::string, std::size_t> index;
  std::vector<qos::ParticipantQos> unique;
  unique.reserve(participants.size());
  for (auto& participant : participants) {
    auto [it, inserted] = index.emplace(participant.participant_id, unique.size());
    if (inserted) {
      unique.push_back(std::move(participant));
    } else if (participant.snapshot_timestamp_seconds.value_or(0) >=
               unique[it->second].snapshot_timestamp_seconds.value_or(0)) {
      unique[it->second] = std::move(participant);
    }
  }
  participants = std::move(unique);
}

void log_failure(const std::exception_ptr& error, std::string_view what) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log::error(std::string(what) + " failed", "error=" + log::quote(e.what()));
  }
}

}  // namespace

Poller::Poller(asio::io_context& io, zoom::ZoomClient& client,
               scheduler::RefreshScheduler& scheduler, SchedulerGate& gate,
               metrics::AccountMetrics& metrics, PollerOptions options, Publish publish)
    : io_(io),
      client_(client),
      scheduler_(scheduler),
      gate_(gate),
      metrics_(metrics),
      options_(options),
      renderer_(options_.render),
      watch_(options_.watch),
      publish_(std::move(publish)),
      list_timer_(io),
      publish_timer_(io) {}

void Poller::set_options(PollerOptions options) {
  if (options.render != options_.render) {
    renderer_ = metrics::QosRenderer(options.render);
  }
  // Meetings from the next list, participants from their meeting's next refresh.
  watch_ = WatchList(options.watch);
  options_ = std::move(options);
}

void Poller::start(std::function<void()> on_stopped) {
  on_stopped_ = std::move(on_stopped);
  auto finished = [this](std::exception_ptr error) {
    log_failure(error, "poll loop");
    if (--running_loops_ == 0 && on_stopped_) on_stopped_();
  };
  ++running_loops_;
  asio::co_spawn(io_, list_loop(), finished);
  for (int i = 0; i < options_.workers; ++i) {
    ++running_loops_;
    asio::co_spawn(io_, worker(), finished);
  }
  ++running_loops_;
  asio::co_spawn(io_, watch_loop(), finished);
}

void Poller::stop() {
  stopping_ = true;
  list_timer_.cancel();
  publish_timer_.cancel();
  wake_workers();
}

void Poller::poll_now() {
  scheduler_.make_all_due();
  list_timer_.cancel();
  wake_workers();
}

void Poller::wake_workers() {
  for (auto* timer : idle_workers_) timer->cancel();
}

bool Poller::ready() const {
  return first_list_ &&
         (first_round_published_ || SteadyClock::now() - *first_list_ >= options_.interval);
}

bool Poller::idle() const {
  const auto now = scheduler::Clock::now();
  return !listing_ && busy_workers_ == 0 && !watching_ && !dirty_ && !scheduler_.has_due(now) &&
         !scheduler_.has_due_participant(now) && scheduler_.next_list_at(now) > now;
}

asio::awaitable<void> Poller::list_loop() {
  while (!stopping_) {
    const auto now = scheduler::Clock::now();
    const auto next = scheduler_.next_list_at(now);
    if (next > now) {
      list_timer_.expires_after(std::chrono::duration_cast<SteadyClock::duration>(next - now));
      boost::system::error_code ignored;  // cancelled by poll_now() and stop()
      co_await list_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    co_await list_once();
  }
}

asio::awaitable<void> Poller::list_once() {
  listing_ = true;
  const auto started = SteadyClock::now();
  auto meetings = co_await client_.live_meetings(zoom::MeetingType::meeting);
  std::optional<zoom::ApiResult<zoom::Listing>> webinars;
  if (meetings.value && options_.webinars) {
    webinars = co_await client_.live_meetings(zoom::MeetingType::webinar);
  }
  listing_ = false;
  if (stopping_) co_return;
  ++lists_completed_;
  metrics_.set_poll_duration(std::chrono::duration<double>(SteadyClock::now() - started).count());
  const auto now = scheduler::Clock::now();

  if (!meetings.value) {
    scheduler_.on_list_failed(now);
    metrics_.set_up(false);
    metrics_.count_poll(false);
    const std::string error = zoom::describe(meetings.error);
    // A Zoom outage fails every list the same way: one line when it starts, one when it ends.
    // A token failure a refresh has logged already is not logged again.
    const bool token_failure = meetings.error.kind == zoom::ApiError::Kind::no_token;
    if (error != last_list_error_ && !(token_failure && error == last_token_error_)) {
      log::error("cannot list live meetings; keeping the last data",
                 with_account("error=" + log::quote(error)));
    }
    last_list_error_ = error;
    if (token_failure) last_token_error_ = error;
    co_return;
  }
  if (!last_list_error_.empty()) log::info("Zoom answers again", with_account(""));
  last_list_error_.clear();
  last_token_error_.clear();
  metrics_.set_up(true);
  metrics_.count_poll(true);
  metrics_.set_last_poll_success(unix_now());

  int pages = meetings.value->pages;
  std::vector<zoom::LiveMeeting> live = std::move(meetings.value->meetings);
  std::optional<zoom::MeetingType> only;  // which types this listing speaks for
  if (webinars && webinars->value) {
    pages += webinars->value->pages;
    for (auto& webinar : webinars->value->meetings) live.push_back(std::move(webinar));
    last_webinar_error_.clear();
  } else if (webinars) {
    // Keep the webinars we knew: this list says nothing about them.
    only = zoom::MeetingType::meeting;
    // Accounts without webinars fail this way on every list: say it once.
    const std::string error = zoom::describe(webinars->error);
    if (error != last_webinar_error_) {
      log::warn(
          "cannot list live webinars; keeping their last data (poll.webinars: false "
          "turns webinars off)",
          with_account("error=" + log::quote(error)));
    }
    last_webinar_error_ = error;
  }
  apply_listing(std::move(live), only);
  std::vector<scheduler::ListedMeeting> listed;
  for (const auto& [key, state] : meetings_) {
    listed.push_back({key, static_cast<int>(state.meeting.participants.value_or(0)),
                      watch_.watches(state.meeting)});
  }
  scheduler_.on_listed(now, listed, pages);
  update_watched_participants();  // of the meetings that ended none is left
  if (!first_list_) {
    first_list_ = SteadyClock::now();
    first_round_pending_ = meetings_.size();
  }
  dirty_ = true;
  publish_changes();
  wake_workers();
}

void Poller::apply_listing(std::vector<zoom::LiveMeeting> live,
                           std::optional<zoom::MeetingType> only) {
  MeetingMap next;
  for (auto& meeting : live) {
    const auto key = key_of(meeting);
    if (next.contains(key)) continue;  // listed twice across pages
    auto previous = meetings_.find(key);
    MeetingState state;
    if (previous != meetings_.end()) state = std::move(previous->second);
    state.meeting = std::move(meeting);
    next.emplace(key, std::move(state));
  }
  if (only) {
    for (auto& [key, state] : meetings_) {
      if (key.kind != *only && !next.contains(key)) next.emplace(key, std::move(state));
    }
  }
  meetings_ = std::move(next);
}

// Each idle loop sleeps on its own timer: re-arming a shared one would cancel the others.
asio::awaitable<void> Poller::sleep_for(scheduler::Duration due_in) {
  asio::steady_timer until_due(io_, std::chrono::duration_cast<SteadyClock::duration>(due_in));
  idle_workers_.insert(&until_due);
  boost::system::error_code ignored;  // cancelled by a new list, poll_now() and stop()
  co_await until_due.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  idle_workers_.erase(&until_due);
}

asio::awaitable<void> Poller::worker() {
  while (!stopping_) {
    // Pick only when a request could go out: the choice is then made with the freshest list.
    const bool admissible = co_await gate_.wait_until_admissible(scheduler::Category::heavy);
    if (!admissible) break;
    const auto now = scheduler::Clock::now();
    auto pick = scheduler_.next_refresh(now);
    if (!pick.meeting) {
      publish_changes();
      co_await sleep_for(pick.retry_at - now);
      continue;
    }
    ++busy_workers_;
    co_await refresh(*pick.meeting);
    --busy_workers_;
  }
}

asio::awaitable<void> Poller::refresh(scheduler::MeetingKey key) {
  auto found = meetings_.find(key);
  if (found == meetings_.end()) {
    scheduler_.on_refresh_failed(scheduler::Clock::now(), key, true);
    co_return;
  }
  const zoom::LiveMeeting meeting = found->second.meeting;
  auto result = co_await client_.participants_qos(meeting);
  if (stopping_) co_return;
  if (first_round_pending_ > 0) --first_round_pending_;
  const auto now = scheduler::Clock::now();
  // The list may have dropped the meeting while its pages were fetched.
  found = meetings_.find(key);
  if (result.value) {
    for (const auto& [field, count] : result.value->parse_errors) {
      metrics_.count_parse_error(field, static_cast<double>(count));
    }
    auto& participants = result.value->participants;
    keep_newest_per_participant(participants);
    scheduler_.on_refreshed(now, key, static_cast<int>(participants.size()),
                            scheduler::quality_badness(participants));
    if (found != meetings_.end()) {
      MeetingState& state = found->second;
      note_watched(key, state, participants, std::chrono::system_clock::now());
      try {
        state.rendered = renderer_.render(
            metrics::MeetingSnapshot{state.meeting, std::move(participants)}, state.rendered.get());
        state.fetched = now;
        dirty_ = true;
      } catch (const std::exception& error) {  // out of memory, or a meeting over 4 GiB of text
        log::error("rendering a meeting's QoS failed; keeping its last data",
                   with_account("meeting_id=" + std::to_string(key.id) +
                                " error=" + log::quote(error.what())));
      }
    }
  } else {
    const bool ended = result.error.kind == zoom::ApiError::Kind::meeting_ended;
    scheduler_.on_refresh_failed(now, key, ended);
    if (ended && found != meetings_.end()) {
      meetings_.erase(found);
      update_watched_participants();
      dirty_ = true;
    } else if (result.error.kind == zoom::ApiError::Kind::no_token) {
      // Every call fails the same way until the token endpoint answers (e.g. wrong
      // credentials): one line, whichever call met it first.
      const std::string error = zoom::describe(result.error);
      if (error != last_token_error_ && error != last_list_error_) {
        log::error("cannot get a Zoom access token; keeping the last data",
                   with_account("error=" + log::quote(error)));
      }
      last_token_error_ = error;
    } else if (!ended && result.error.kind != zoom::ApiError::Kind::cancelled &&
               result.error.kind != zoom::ApiError::Kind::rate_limited) {  // the gate logs 429s
      log::warn("participants QoS fetch failed; keeping the meeting's last data",
                with_account("meeting_id=" + std::to_string(key.id) +
                             " error=" + log::quote(zoom::describe(result.error))));
    }
  }
  publish_changes();
}

std::string Poller::with_account(std::string fields) const {
  return log::with_field(std::move(fields), "account", metrics_.account());
}

void Poller::note_watched(scheduler::MeetingKey key, MeetingState& state,
                          const std::vector<qos::ParticipantQos>& participants,
                          std::chrono::system_clock::time_point fetched) {
  state.watched.clear();
  if (!watch_.empty() && !watch_.watches(state.meeting)) {  // a watched meeting comes whole
    for (const qos::ParticipantQos& participant : participants) {
      if (watch_.watches(participant)) state.watched[participant.participant_id] = fetched;
    }
  }
  if (state.watched.empty()) {
    state.participants = {};
  } else {
    state.participants = participants;
  }
  update_watched_participants();
  // The meeting's refresh brought their data too: their own refresh can wait a watch period.
  const auto now = scheduler::Clock::now();
  for (const auto& [participant_id, at] : state.watched) {
    scheduler_.on_participant_refreshed(now, {key, participant_id});
  }
}

void Poller::update_watched_participants() {
  std::vector<scheduler::ParticipantKey> watched;
  for (const auto& [key, state] : meetings_) {
    for (const auto& [participant_id, fetched] : state.watched) {
      watched.push_back({key, participant_id});
    }
  }
  scheduler_.set_watched_participants(std::move(watched));
}

asio::awaitable<void> Poller::watch_loop() {
  while (!stopping_) {
    const bool admissible = co_await gate_.wait_until_admissible(scheduler::Category::heavy);
    if (!admissible) break;
    const auto now = scheduler::Clock::now();
    auto pick = scheduler_.next_participant_refresh(now);
    if (!pick.participant) {
      co_await sleep_for(pick.retry_at - now);
      continue;
    }
    watching_ = true;
    co_await refresh_participant(std::move(*pick.participant));
    watching_ = false;
  }
}

asio::awaitable<void> Poller::refresh_participant(scheduler::ParticipantKey key) {
  auto found = meetings_.find(key.meeting);
  if (found == meetings_.end() || !found->second.watched.contains(key.participant_id)) {
    scheduler_.on_participant_refreshed(scheduler::Clock::now(), key, true);
    co_return;
  }
  const zoom::LiveMeeting meeting = found->second.meeting;
  auto result = co_await client_.participant_qos(meeting, key.participant_id);
  if (stopping_) co_return;
  const auto now = scheduler::Clock::now();
  found = meetings_.find(key.meeting);  // the list may have dropped the meeting meanwhile
  const bool still_watched =
      found != meetings_.end() && found->second.watched.contains(key.participant_id);
  if (!result.value) {
    scheduler_.on_participant_refreshed(now, key, true);
    // Gone from the meeting (or the meeting ended): its meeting's next refresh says which.
    const auto kind = result.error.kind;
    const std::string error = zoom::describe(result.error);
    if (kind != zoom::ApiError::Kind::meeting_ended && kind != zoom::ApiError::Kind::cancelled &&
        kind != zoom::ApiError::Kind::rate_limited && kind != zoom::ApiError::Kind::no_token &&
        error != last_watch_error_) {
      log::warn("watched participant's QoS fetch failed; keeping its last data",
                with_account("meeting_id=" + std::to_string(key.meeting.id) + " participant_id=" +
                             log::quote(key.participant_id) + " error=" + log::quote(error)));
    }
    last_watch_error_ = error;
    co_return;
  }
  last_watch_error_.clear();
  for (const auto& [field, count] : result.value->parse_errors) {
    metrics_.count_parse_error(field, static_cast<double>(count));
  }
  scheduler_.on_participant_refreshed(now, key);
  if (!still_watched) co_return;
  MeetingState& state = found->second;
  qos::ParticipantQos& fresh = result.value->participant;
  fresh.participant_id = key.participant_id;  // the one asked for, whatever the reply says
  const auto same = std::find_if(state.participants.begin(), state.participants.end(),
                                 [&](const qos::ParticipantQos& participant) {
                                   return participant.participant_id == key.participant_id;
                                 });
  if (same != state.participants.end()) {
    *same = std::move(fresh);
  } else {
    state.participants.push_back(std::move(fresh));
  }
  try {
    state.rendered = renderer_.render(metrics::MeetingSnapshot{state.meeting, state.participants},
                                      state.rendered.get());
    state.watched[key.participant_id] = std::chrono::system_clock::now();
    dirty_ = true;
  } catch (const std::exception& error) {
    log::error("rendering a meeting's QoS failed; keeping its last data",
               with_account("meeting_id=" + std::to_string(key.meeting.id) +
                            " error=" + log::quote(error.what())));
  }
  publish_changes();
}

void Poller::note_first_round_published() {
  if (first_list_ && first_round_pending_ == 0 && !dirty_) first_round_published_ = true;
}

void Poller::publish_changes() {
  if (!publish_pending_) note_first_round_published();  // nothing new: /metrics is current
  if (!dirty_ || publish_pending_) return;
  const auto now = SteadyClock::now();
  if (now < next_publish_) {
    // Publish once the spacing allows, whatever refreshes come in before then.
    publish_pending_ = true;
    publish_timer_.expires_at(next_publish_);
    publish_timer_.async_wait([this](const boost::system::error_code& error) {
      publish_pending_ = false;
      if (!error && !stopping_) publish_changes();
    });
    return;
  }
  dirty_ = false;
  publish_(meetings_);
  note_first_round_published();
  next_publish_ =
      now + std::max<SteadyClock::duration>(options_.min_publish_interval,
                                            kPublishCostFactor * (SteadyClock::now() - now));
}

}  // namespace zqe::daemon
