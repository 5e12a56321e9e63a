#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers under C++20 with GCC 12.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace zqe::daemon {

// Measures how long the event loop is kept from running what is due: a timer due every
// `period` reports how late it fired. Everything (scrapes included) shares the one loop thread,
// so this lag is what a scrape waits on top of its own work. A stall longer than `period` is
// always seen; a shorter one in proportion to its length.
class LoopLagMonitor {
 public:
  using Report = std::function<void(double lag_seconds)>;

  LoopLagMonitor(boost::asio::io_context& io, std::chrono::milliseconds period, Report report);

  void start();
  void stop();

 private:
  void schedule();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  Report report_;
  bool running_ = false;
};

}  // namespace zqe::daemon
