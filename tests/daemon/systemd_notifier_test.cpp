#include "daemon/systemd_notifier.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/fake_notify_socket.hpp"

namespace zqe::daemon {
namespace {

using namespace std::chrono_literals;

using test::FakeNotifySocket;

// Sets an environment variable for the life of the object.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedVariable() { unsetenv(name_); }

 private:
  const char* name_;
};

int count(const std::vector<std::string>& messages, const std::string& message) {
  return static_cast<int>(std::count(messages.begin(), messages.end(), message));
}

TEST(SystemdNotifierTest, SaysReadyPingsTheWatchdogFromTheLoopAndSaysStopping) {
  FakeNotifySocket systemd;
  ScopedVariable socket("NOTIFY_SOCKET", systemd.path());
  ScopedVariable watchdog("WATCHDOG_USEC", "200000");  // ping every 100 ms
  ScopedVariable watchdog_pid("WATCHDOG_PID", std::to_string(getpid()));
  boost::asio::io_context io;
  SystemdNotifier notifier(io);
  EXPECT_EQ(notifier.watchdog_period(), 100ms);

  notifier.ready("listening port=9799");
  io.run_for(450ms);
  std::vector<std::string> messages = systemd.received();
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front(), "READY=1\nSTATUS=listening port=9799");
  // One ping at once, then one every 100 ms.
  EXPECT_GE(count(messages, "WATCHDOG=1"), 4);
  EXPECT_LE(count(messages, "WATCHDOG=1"), 6);

  notifier.stopping();
  messages = systemd.received();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages.front(), "STOPPING=1\nSTATUS=stopping");
  io.restart();
  io.run_for(300ms);
  EXPECT_TRUE(systemd.received().empty()) << "no pings after STOPPING";
}

TEST(SystemdNotifierTest, NoWatchdogPingsWhenTheyAreForAnotherProcess) {
  FakeNotifySocket systemd;
  ScopedVariable socket("NOTIFY_SOCKET", systemd.path());
  ScopedVariable watchdog("WATCHDOG_USEC", "200000");
  ScopedVariable watchdog_pid("WATCHDOG_PID", std::to_string(getpid() + 1));
  boost::asio::io_context io;
  SystemdNotifier notifier(io);
  EXPECT_EQ(notifier.watchdog_period(), 0us);
  notifier.ready("listening");
  io.run();  // nothing scheduled: returns at once
  EXPECT_EQ(systemd.received(), std::vector<std::string>{"READY=1\nSTATUS=listening"});
}

TEST(SystemdNotifierTest, WithoutSystemdEveryCallDoesNothing) {
  unsetenv("NOTIFY_SOCKET");
  boost::asio::io_context io;
  SystemdNotifier notifier(io);
  notifier.ready("listening");
  notifier.stopping();
  io.run();
}

TEST(SystemdNotifierTest, AnUnreachableOrMalformedSocketIsIgnored) {
  ScopedVariable watchdog("WATCHDOG_USEC", "20000");
  ScopedVariable watchdog_pid("WATCHDOG_PID", std::to_string(getpid()));
  for (const char* address : {"/nonexistent/notify.sock", "not-a-socket-address", "@"}) {
    ScopedVariable socket("NOTIFY_SOCKET", address);
    boost::asio::io_context io;
    SystemdNotifier notifier(io);
    notifier.ready("listening");
    io.run_for(50ms);  // pings that fail keep the loop and the daemon going
    notifier.stopping();
    io.restart();
    io.run();
  }
}

}  // namespace
}  // namespace zqe::daemon
