#include "daemon/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

#include "common/log.hpp"

namespace zqe::daemon {
namespace {

// sd_notify answers 0 without $NOTIFY_SOCKET and a negative errno when sending fails. Neither
// may stop the daemon, so a failure is only logged, at debug level: it repeats with every ping.
void notify(const std::string& message) {
  const int result = sd_notify(0, message.c_str());
  if (result < 0) log::debug("systemd notification not sent", "errno=" + std::to_string(-result));
}

}  // namespace

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io) : watchdog_timer_(io) {
  std::uint64_t usec = 0;
  // Only when $WATCHDOG_PID is unset or this process: a child started by a shell wrapper would
  // otherwise ping for a parent that stopped.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_period_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::ready(std::string_view status) {
  if (stopping_) return;
  notify("READY=1\nSTATUS=" + std::string(status));
  if (watchdog_period_.count() > 0) {
    notify("WATCHDOG=1");
    schedule_watchdog_ping();
  }
}

void SystemdNotifier::stopping() {
  if (stopping_) return;
  stopping_ = true;
  watchdog_timer_.cancel();
  notify("STOPPING=1\nSTATUS=stopping");
}

void SystemdNotifier::schedule_watchdog_ping() {
  watchdog_timer_.expires_after(watchdog_period_);
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    notify("WATCHDOG=1");
    schedule_watchdog_ping();
  });
}

}  // namespace zqe::daemon
