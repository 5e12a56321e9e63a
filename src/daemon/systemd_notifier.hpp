#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers under C++20 with GCC 12.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string_view>

namespace zqe::daemon {

// Tells systemd (Type=notify) how the daemon is doing, through libsystemd's sd_notify: READY
// once /metrics listens, WATCHDOG pings while the event loop runs, STOPPING at shutdown.
// Without $NOTIFY_SOCKET (not started by systemd, or NotifyAccess=none) every call does
// nothing, and a message that cannot be sent is dropped: telling systemd never stops the daemon.
class SystemdNotifier {
 public:
  explicit SystemdNotifier(boost::asio::io_context& io);

  // READY=1 with `status` for `systemctl status`. Starts the watchdog pings when systemd asked
  // for them (WatchdogSec=): every half of $WATCHDOG_USEC, from a timer of the event loop, so a
  // loop that stalls stops pinging and systemd restarts the daemon.
  void ready(std::string_view status);
  // STOPPING=1; ends the watchdog pings so that the event loop can run out of work.
  void stopping();

  // The time between two watchdog pings; zero when systemd did not ask for them.
  std::chrono::microseconds watchdog_period() const { return watchdog_period_; }

 private:
  void schedule_watchdog_ping();

  boost::asio::steady_timer watchdog_timer_;
  std::chrono::microseconds watchdog_period_{0};
  bool stopping_ = false;
};

}  // namespace zqe::daemon
