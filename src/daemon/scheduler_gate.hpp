#pragma once

#include <utility>

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <set>

#include "metrics/account_metrics.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::daemon {

// Holds every request to Zoom until the RefreshScheduler admits it, and tells the scheduler what
// Zoom said of its limits (429s, Retry-After, X-RateLimit-Remaining). Requests of a category are
// admitted in the order they asked: otherwise the second page of a meeting could lose every
// round to newer requests until its page token expires.
class SchedulerGate : public zoom::RequestGate {
 public:
  SchedulerGate(boost::asio::io_context& io, scheduler::RefreshScheduler& scheduler,
                metrics::AccountMetrics& metrics);

  boost::asio::awaitable<bool> admit(scheduler::Category category) override;
  void on_reply(scheduler::Category category, const zoom::HttpOutcome& outcome) override;

  // Waits until a request of `category` could go out with nobody queued before it, without
  // counting one: workers pick a meeting only then, so the pick uses the freshest state.
  boost::asio::awaitable<bool> wait_until_admissible(scheduler::Category category);
  // Wakes every waiter; from then on nothing is admitted.
  void stop();

 private:
  using Timer = boost::asio::steady_timer;
  std::deque<Timer*>& queue(scheduler::Category category) {
    return queues_[static_cast<std::size_t>(category)];
  }
  // Sleeps on `timer` for at most `duration`; false once stopped.
  boost::asio::awaitable<bool> sleep(Timer& timer, std::chrono::steady_clock::duration duration);
  void wake(std::set<Timer*>& timers);

  boost::asio::io_context& io_;
  scheduler::RefreshScheduler& scheduler_;
  metrics::AccountMetrics& metrics_;
  std::array<std::deque<Timer*>, 2> queues_;  // admit() callers per category, in order
  std::set<Timer*> sleepers_;                 // everyone asleep, for stop()
  std::set<Timer*> watchers_;                 // wait_until_admissible() callers
  bool stopped_ = false;
  std::chrono::steady_clock::time_point last_qps_log_{};
};

}  // namespace zqe::daemon
