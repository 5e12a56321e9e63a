#include "daemon/poller.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <unordered_map>

#include "common/log.hpp"

namespace zqe::daemon {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
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

}  // namespace

Poller::Poller(asio::io_context& io, zoom::ZoomClient& client, metrics::ExporterMetrics& metrics,
               PollerOptions options, Publish publish)
    : io_(io),
      client_(client),
      metrics_(metrics),
      options_(options),
      publish_(std::move(publish)),
      timer_(io) {}

void Poller::start(std::function<void()> on_stopped) {
  asio::co_spawn(io_, run(), [on_stopped = std::move(on_stopped)](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::error("poll loop failed", "error=" + log::quote(e.what()));
      }
    }
    if (on_stopped) on_stopped();
  });
}

void Poller::stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<void> Poller::run() {
  while (!stopping_) {
    const auto started = Clock::now();
    co_await poll_once();
    if (stopping_) break;
    timer_.expires_at(started + options_.interval);
    boost::system::error_code ignored;  // cancelled by stop()
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> Poller::poll_once() {
  const auto started = Clock::now();
  auto listing = co_await client_.live_meetings();
  if (stopping_) co_return;
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };

  if (!listing.value) {
    metrics_.set_up(false);
    metrics_.count_poll(false);
    metrics_.set_poll_duration(elapsed());
    const std::string error = zoom::describe(listing.error);
    // A Zoom outage fails every poll the same way: one line when it starts, one when it ends.
    if (error != last_list_error_) {
      log::error("cannot list live meetings; keeping the last data", "error=" + log::quote(error));
    }
    last_list_error_ = error;
    co_return;
  }
  if (!last_list_error_.empty()) log::info("Zoom answers again");
  last_list_error_.clear();
  metrics_.set_up(true);

  auto results = co_await fetch_all(*listing.value);
  if (stopping_) co_return;
  meetings_ = merge(*listing.value, results);
  publish_(meetings_);
  has_succeeded_ = true;
  metrics_.count_poll(true);
  metrics_.set_poll_duration(elapsed());
  metrics_.set_last_poll_success(unix_now());
  log::debug("poll finished", "meetings=" + std::to_string(meetings_.size()));
}

asio::awaitable<std::vector<zoom::ApiResult<zoom::MeetingQos>>> Poller::fetch_all(
    const std::vector<zoom::LiveMeeting>& meetings) {
  std::vector<zoom::ApiResult<zoom::MeetingQos>> results(meetings.size());
  std::size_t next = 0;
  int running = 0;
  // Workers wake this when the last one finishes.
  asio::steady_timer all_done(io_, Clock::time_point::max());

  auto worker = [&]() -> asio::awaitable<void> {
    while (next < meetings.size() && !stopping_) {
      const std::size_t index = next++;
      results[index] = co_await client_.participants_qos(meetings[index]);
    }
  };
  const int workers =
      std::min<int>(options_.max_concurrent_requests, static_cast<int>(meetings.size()));
  for (int i = 0; i < workers; ++i) {
    ++running;
    asio::co_spawn(io_, worker(), [&](std::exception_ptr) {
      if (--running == 0) all_done.cancel();
    });
  }
  if (running > 0) {
    boost::system::error_code ignored;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return results;
}

MeetingMap Poller::merge(std::vector<zoom::LiveMeeting>& meetings,
                         std::vector<zoom::ApiResult<zoom::MeetingQos>>& results) {
  MeetingMap next;
  std::size_t failures = 0;
  std::string first_failure;
  for (std::size_t i = 0; i < meetings.size(); ++i) {
    auto& meeting = meetings[i];
    auto& result = results[i];
    if (next.contains(meeting.id)) continue;  // listed twice across pages
    if (result.value) {
      for (const auto& [field, count] : result.value->parse_errors) {
        metrics_.count_parse_error(field, static_cast<double>(count));
      }
      keep_newest_per_participant(result.value->participants);
      next.emplace(meeting.id,
                   metrics::MeetingSnapshot{meeting, std::move(result.value->participants)});
      continue;
    }
    if (result.error.kind == zoom::ApiError::Kind::meeting_ended) continue;
    ++failures;
    if (first_failure.empty()) {
      first_failure = "meeting_id=" + std::to_string(meeting.id) +
                      " error=" + log::quote(zoom::describe(result.error));
    }
    // Keep what we knew of this meeting's participants; the meeting itself is still live.
    auto previous = meetings_.find(meeting.id);
    std::vector<qos::ParticipantQos> participants;
    if (previous != meetings_.end()) participants = std::move(previous->second.participants);
    next.emplace(meeting.id, metrics::MeetingSnapshot{meeting, std::move(participants)});
  }
  if (failures > 0) {
    log::warn("participants QoS fetch failed; keeping the last data of those meetings",
              "failed=" + std::to_string(failures) + " of=" + std::to_string(meetings.size()) +
                  " first_" + first_failure);
  }
  return next;
}

}  // namespace zqe::daemon
