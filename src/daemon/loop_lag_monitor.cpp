#include "daemon/loop_lag_monitor.hpp"

#include <algorithm>

namespace zqe::daemon {

LoopLagMonitor::LoopLagMonitor(boost::asio::io_context& io, std::chrono::milliseconds period,
                               Report report)
    : timer_(io), period_(period), report_(std::move(report)) {}

void LoopLagMonitor::start() {
  running_ = true;
  timer_.expires_after(period_);
  schedule();
}

void LoopLagMonitor::stop() {
  running_ = false;
  timer_.cancel();
}

void LoopLagMonitor::schedule() {
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    const auto due = timer_.expiry();
    const auto now = boost::asio::steady_timer::clock_type::now();
    report_(
        std::chrono::duration<double>(std::max<std::chrono::steady_clock::duration>(now - due, {}))
            .count());
    // From now, not from `due`: after a stall, one late tick is reported, not a burst of them.
    timer_.expires_at(now + period_);
    schedule();
  });
}

}  // namespace zqe::daemon
