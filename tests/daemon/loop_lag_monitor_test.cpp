#include "daemon/loop_lag_monitor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <thread>
#include <vector>

namespace zqe::daemon {
namespace {

using namespace std::chrono_literals;

TEST(LoopLagMonitorTest, ReportsHowLongTheLoopWasBusyOnce) {
  boost::asio::io_context io;
  std::vector<double> lags;
  LoopLagMonitor monitor(io, 50ms, [&](double seconds) { lags.push_back(seconds); });
  monitor.start();
  // Busy for 300 ms: the tick due after 50 ms fires about 250 ms late, and once, not six times.
  boost::asio::post(io, [] { std::this_thread::sleep_for(300ms); });
  io.run_for(500ms);
  monitor.stop();

  ASSERT_GE(lags.size(), 2u);
  EXPECT_GE(lags[0], 0.2);
  EXPECT_LT(lags[0], 0.45);
  for (std::size_t i = 1; i < lags.size(); ++i) EXPECT_LT(lags[i], 0.2) << i;
}

TEST(LoopLagMonitorTest, StopLetsTheLoopRunOutOfWork) {
  boost::asio::io_context io;
  int reports = 0;
  LoopLagMonitor monitor(io, 10ms, [&](double) {
    if (++reports == 3) monitor.stop();
  });
  monitor.start();
  io.run();  // returns only when nothing is pending
  EXPECT_EQ(reports, 3);
}

}  // namespace
}  // namespace zqe::daemon
