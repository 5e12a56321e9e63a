#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <set>

#include "metrics/exporter_metrics.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::daemon {

// Holds every request to Zoom until the RefreshScheduler admits it, and tells the scheduler what
// Zoom said of its limits (429s, Retry-After, X-RateLimit-Remaining).
class SchedulerGate : public zoom::RequestGate {
 public:
  SchedulerGate(boost::asio::io_context& io, scheduler::RefreshScheduler& scheduler,
                metrics::ExporterMetrics& metrics);

  boost::asio::awaitable<bool> admit(scheduler::Category category) override;
  void on_reply(scheduler::Category category, const zoom::HttpOutcome& outcome) override;

  // Waits until a request of `category` could go out, without counting one.
  boost::asio::awaitable<bool> wait_until_admissible(scheduler::Category category);
  // Wakes every waiter; from then on nothing is admitted.
  void stop();

 private:
  boost::asio::awaitable<bool> sleep(std::chrono::steady_clock::duration duration);

  boost::asio::io_context& io_;
  scheduler::RefreshScheduler& scheduler_;
  metrics::ExporterMetrics& metrics_;
  std::set<boost::asio::steady_timer*> sleepers_;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point last_qps_log_{};
};

}  // namespace zqe::daemon
