#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

#include "integration/exporter_process.hpp"
#include "support/fake_notify_socket.hpp"
#include "support/test_tools.hpp"

// The real binary, as users run it.
namespace zqe::test {
namespace {
using namespace std::chrono_literals;

const std::string kBinary = ZQE_BINARY;

std::pair<int, std::string> run_exporter(const std::string& arguments) {
  return run_command("env -u ZOOM_ACCOUNT_ID -u ZOOM_CLIENT_ID -u ZOOM_CLIENT_SECRET " + kBinary +
                     " " + arguments);
}

std::string write_temp_config(const std::string& text) {
  char path[] = "/tmp/zqe-cli-test-XXXXXX.yaml";
  const int fd = mkstemps(path, 5);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(CliTest, PrintsVersionAndHelp) {
  auto [status, output] = run_exporter("--version");
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(output.starts_with("zoom-qos-exporter 0.1.0 (revision ")) << output;
  std::tie(status, output) = run_exporter("--help");
  EXPECT_EQ(status, 0);
  EXPECT_NE(output.find("--check-config"), std::string::npos);
}

TEST(CliTest, UsageErrorsExitWith2) {
  EXPECT_EQ(run_exporter("").first, 2);
  auto [status, output] = run_exporter("--frobnicate");
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find("unknown argument: --frobnicate"), std::string::npos) << output;
  EXPECT_EQ(run_exporter("--config").first, 2);
}

TEST(CliTest, CheckConfigAcceptsTheExampleConfig) {
  auto [status, output] =
      run_command("ZOOM_CLIENT_SECRET=not-a-real-secret " + kBinary + " --check-config --config " +
                  ZQE_SOURCE_DIR + "/config/zoom-qos-exporter.example.yaml");
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output.find("not-a-real-secret"), std::string::npos);
}

TEST(CliTest, CheckConfigRejectsAnInvalidConfigNamingFileLineAndKey) {
  const std::string path =
      write_temp_config("listen: \"127.0.0.1:9799\"\npoll:\n  intervall: 5m\n");
  auto [status, output] = run_exporter("--check-config --config " + path);
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find(path + ":3:3: poll.intervall: unknown key"), std::string::npos) << output;
  std::remove(path.c_str());
}

TEST(CliTest, MissingConfigFileExitsWith2) {
  auto [status, output] = run_exporter("--config /nonexistent/zqe.yaml");
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find("/nonexistent/zqe.yaml"), std::string::npos) << output;
}

// --simulate end to end: ready, valid metrics, clean stop on SIGTERM.
TEST(CliTest, SimulateServesMetricsAndStopsOnSigterm) {
  ExporterProcess exporter("log_level: warn\nsimulator:\n  meetings: 5\n");
  ASSERT_TRUE(exporter.wait_until_ready());
  const std::string metrics = http_request(exporter.port(), "GET", "/metrics").body;
  // Five meetings and the simulator's two webinars.
  EXPECT_NE(metrics.find("zoom_live_meetings 7"), std::string::npos) << metrics.substr(0, 2000);
  EXPECT_NE(metrics.find(",type=\"webinar\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("zoom_participant_latency_seconds{"), std::string::npos);
  EXPECT_NE(metrics.find("zoom_up 1"), std::string::npos);
  if (run_command("command -v promtool").first == 0) {
    auto [status, output] = run_command("promtool check metrics", metrics);
    EXPECT_EQ(status, 0) << output;
  }

  const auto [status, took] = exporter.terminate();
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Under systemd (Type=notify): READY once /metrics listens, watchdog pings, STOPPING on SIGTERM.
TEST(CliTest, TellsSystemdWhenReadyAndWhenStopping) {
  FakeNotifySocket systemd;
  ExporterProcess exporter("log_level: warn\nsimulator:\n  meetings: 2\n",
                           {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "400000"}});
  std::vector<std::string> messages = systemd.wait_for("READY=1", 10s);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back(),
            "READY=1\nSTATUS=listening address=127.0.0.1 port=" + std::to_string(exporter.port()));
  // /metrics answers as soon as READY was sent.
  EXPECT_EQ(http_request(exporter.port(), "GET", "/metrics").status, 200);
  // One ping with READY, then one every 200 ms (half of WATCHDOG_USEC).
  for (int ping = 0; ping < 3; ++ping) {
    messages = systemd.wait_for("WATCHDOG=1", 2s);
    ASSERT_FALSE(messages.empty()) << "ping " << ping;
    EXPECT_EQ(messages.back(), "WATCHDOG=1");
  }

  const auto [status, took] = exporter.terminate();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  messages = systemd.received();
  EXPECT_NE(std::find(messages.begin(), messages.end(), "STOPPING=1\nSTATUS=stopping"),
            messages.end());
}

}  // namespace
}  // namespace zqe::test
