#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "config/config.hpp"
#include "daemon/scheduler_gate.hpp"
#include "daemon/watch_list.hpp"
#include "metrics/account_metrics.hpp"
#include "metrics/qos_renderer.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::daemon {

struct PollerOptions {
  std::chrono::milliseconds interval{60'000};  // poll.interval: readiness waits at most this
  int workers = 4;                             // QoS refreshes in flight at once
  bool webinars = true;                        // list and refresh live webinars too
  metrics::RenderOptions render;
  config::WatchConfig watch;  // refreshed every watch.interval (the scheduler's watch_interval)
  // Publishing more often than scrapes can notice only costs CPU on busy accounts.
  std::chrono::milliseconds min_publish_interval{1000};
};

struct MeetingState {
  zoom::LiveMeeting meeting;                                     // as the last list said
  std::optional<std::chrono::system_clock::time_point> fetched;  // of the exported QoS
  // The participants' series, rendered when their QoS arrived; null before the first fetch.
  // The decoded participants are not kept: their rendering is all that is exported, and half
  // the size.
  std::shared_ptr<const metrics::RenderedMeeting> rendered;
  // While some participants of the meeting are watched on their own (not the whole meeting):
  // when each of them was fetched, and the meeting's decoded participants, to render it again
  // when one of them is refreshed. Empty otherwise.
  std::map<std::string, std::chrono::system_clock::time_point> watched;
  std::vector<qos::ParticipantQos> participants;
};

using MeetingMap = std::map<scheduler::MeetingKey, MeetingState>;

// Keeps the exported state in step with Zoom, at the pace the RefreshScheduler sets: a list loop
// reads the live meetings (and webinars) and drops those that ended; workers refresh the QoS of
// the meeting the scheduler picks; a watch loop refreshes the watched participants one by one.
// A failed list keeps everything; a failed refresh keeps that meeting's last data; a meeting
// that ended between list and refresh is dropped.
class Poller {
 public:
  using Publish = std::function<void(const MeetingMap&)>;

  Poller(boost::asio::io_context& io, zoom::ZoomClient& client,
         scheduler::RefreshScheduler& scheduler, SchedulerGate& gate,
         metrics::AccountMetrics& metrics, PollerOptions options, Publish publish);

  // Lists at once, then as the scheduler says. `on_stopped` runs once every loop has ended after
  // stop().
  void start(std::function<void()> on_stopped);
  void stop();
  // Lists now and refreshes every meeting as soon as the gate admits it (tests, SIGUSR1-like).
  void poll_now();
  // A change of the rendering options applies to each meeting from its next refresh on.
  void set_options(PollerOptions options);

  // After the first list, once each meeting it named was tried and the result published (or an
  // interval has passed).
  bool ready() const;
  // No list or refresh running and none due: what poll_now() asked for is done.
  bool idle() const;
  std::uint64_t lists_completed() const { return lists_completed_; }
  const MeetingMap& meetings() const { return meetings_; }

 private:
  boost::asio::awaitable<void> list_loop();
  boost::asio::awaitable<void> worker();
  // Sleeps `due_in`, or until woken by a new list, poll_now() or stop().
  boost::asio::awaitable<void> sleep_for(scheduler::Duration due_in);
  boost::asio::awaitable<void> list_once();
  boost::asio::awaitable<void> refresh(scheduler::MeetingKey key);
  boost::asio::awaitable<void> watch_loop();
  boost::asio::awaitable<void> refresh_participant(scheduler::ParticipantKey key);
  // Which participants of a freshly fetched meeting are watched on their own.
  void note_watched(scheduler::MeetingKey key, MeetingState& state,
                    const std::vector<qos::ParticipantQos>& participants,
                    std::chrono::system_clock::time_point fetched);
  // Tells the scheduler which participants are watched, from every meeting's state.
  void update_watched_participants();
  void apply_listing(std::vector<zoom::LiveMeeting> meetings,
                     std::optional<zoom::MeetingType> only);
  // Publishes what changed, now or, when the last publish was too recent for its cost, later.
  void publish_changes();
  void note_first_round_published();
  // A log line's fields with the account's name, when it has one.
  std::string with_account(std::string fields) const;
  void wake_workers();

  boost::asio::io_context& io_;
  zoom::ZoomClient& client_;
  scheduler::RefreshScheduler& scheduler_;
  SchedulerGate& gate_;
  metrics::AccountMetrics& metrics_;
  PollerOptions options_;
  metrics::QosRenderer renderer_;
  WatchList watch_;
  Publish publish_;
  boost::asio::steady_timer list_timer_;
  // Idle workers and the idle watch loop, woken by a new list and poll_now().
  std::set<boost::asio::steady_timer*> idle_workers_;
  MeetingMap meetings_;
  bool stopping_ = false;
  bool listing_ = false;
  int busy_workers_ = 0;
  bool watching_ = false;  // a watched participant's refresh in flight
  int running_loops_ = 0;
  std::uint64_t lists_completed_ = 0;
  std::optional<std::chrono::steady_clock::time_point> first_list_;
  std::size_t first_round_pending_ = 0;
  bool first_round_published_ = false;
  bool dirty_ = false;
  boost::asio::steady_timer publish_timer_;
  bool publish_pending_ = false;
  std::chrono::steady_clock::time_point next_publish_{};
  std::string last_list_error_;
  std::string last_webinar_error_;
  std::string last_token_error_;  // logged already; cleared when a list succeeds
  std::string last_watch_error_;  // logged already; cleared when a watched refresh succeeds
  std::function<void()> on_stopped_;
};

}  // namespace zqe::daemon
