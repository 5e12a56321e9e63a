#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>

#include "metrics/exporter_metrics.hpp"
#include "metrics/qos_renderer.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::daemon {

struct PollerOptions {
  std::chrono::milliseconds interval{60'000};
  int max_concurrent_requests = 4;
};

using MeetingMap = std::map<std::uint64_t, metrics::MeetingSnapshot>;

// Every interval: list the live meetings, fetch each one's participants QoS (a few requests in
// parallel), and publish the new state. A meeting that ended since the list is dropped; one
// whose fetch failed keeps its last good data; a failed list keeps everything as it was.
class Poller {
 public:
  using Publish = std::function<void(const MeetingMap&)>;

  Poller(boost::asio::io_context& io, zoom::ZoomClient& client, metrics::ExporterMetrics& metrics,
         PollerOptions options, Publish publish);

  // Polls at once, then every interval. `on_stopped` runs when the loop has ended after stop().
  void start(std::function<void()> on_stopped);
  void stop();
  // Starts the next poll now instead of at the end of the interval (no effect mid-poll).
  void poll_now() { timer_.cancel(); }
  void set_options(PollerOptions options) { options_ = options; }

  bool has_succeeded() const { return has_succeeded_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> poll_once();
  boost::asio::awaitable<std::vector<zoom::ApiResult<zoom::MeetingQos>>> fetch_all(
      const std::vector<zoom::LiveMeeting>& meetings);
  MeetingMap merge(std::vector<zoom::LiveMeeting>& meetings,
                   std::vector<zoom::ApiResult<zoom::MeetingQos>>& results);

  boost::asio::io_context& io_;
  zoom::ZoomClient& client_;
  metrics::ExporterMetrics& metrics_;
  PollerOptions options_;
  Publish publish_;
  boost::asio::steady_timer timer_;
  MeetingMap meetings_;
  bool stopping_ = false;
  bool has_succeeded_ = false;
  std::string last_list_error_;
};

}  // namespace zqe::daemon
