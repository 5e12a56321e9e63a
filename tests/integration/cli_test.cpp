#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>
#include <vector>

#include "integration/simulated_exporter.hpp"
#include "support/fake_notify_socket.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/test_tools.hpp"
#include "support/tls_client.hpp"
#include "web/bcrypt.hpp"

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

TEST(CliTest, CheckConfigValidatesTheWebConfigToo) {
  TempDir dir;
  const std::string config = dir.write("config.yaml", "web:\n  config_file: web.yml\n");
  dir.write("web.yml", "basic_auth_users:\n  alice: not-a-hash\n");
  auto [status, output] = run_exporter("--check-config --simulate --config " + config);
  EXPECT_EQ(status, 2);
  EXPECT_NE(
      output.find(dir.file("web.yml") + ":2:10: basic_auth_users.alice: must be a bcrypt hash"),
      std::string::npos)
      << output;
  EXPECT_EQ(output.find("not-a-hash"), std::string::npos) << output;

  // --web.config.file wins over web.config_file, in both spellings.
  const std::string good =
      dir.write("good.yml", "basic_auth_users:\n  alice: " + web::bcrypt_hash("pw", 4) + "\n");
  for (const std::string& flag : {"--web.config.file " + good, "--web.config.file=" + good}) {
    SCOPED_TRACE(flag);
    std::tie(status, output) =
        run_exporter("--check-config --simulate --config " + config + " " + flag);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find(good + ": web config is valid"), std::string::npos) << output;
  }
  std::tie(status, output) = run_exporter("--simulate --web.config.file");
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find("--web.config.file needs a file name"), std::string::npos) << output;
  std::tie(status, output) =
      run_exporter("--simulate --web.config.file " + dir.file("missing.yml"));
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find(dir.file("missing.yml") + ": cannot read web config file"),
            std::string::npos)
      << output;
}

TEST(CliTest, MissingConfigFileExitsWith2) {
  auto [status, output] = run_exporter("--config /nonexistent/zqe.yaml");
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find("/nonexistent/zqe.yaml"), std::string::npos) << output;
}

// --simulate end to end: ready, valid metrics, clean stop on SIGTERM.
TEST(CliTest, SimulateServesMetricsAndStopsOnSigterm) {
  SimulatedExporter exporter("log_level: warn\nsimulator:\n  meetings: 5\n");
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

// Several accounts under --simulate: one simulated account each, every series labelled.
TEST(CliTest, SimulateWithSeveralAccountsExportsEachWithItsLabel) {
  SimulatedExporter exporter(
      "log_level: warn\nsimulator:\n  meetings: 2\n  webinars: 0\n"
      "zoom:\n  accounts:\n    - name: east\n    - name: west\n");
  ASSERT_TRUE(exporter.wait_until_ready());
  const std::string metrics = http_request(exporter.port(), "GET", "/metrics").body;
  for (const std::string account : {"east", "west"}) {
    EXPECT_NE(metrics.find("zoom_up{account=\"" + account + "\"} 1"), std::string::npos)
        << metrics.substr(0, 3000);
    EXPECT_NE(metrics.find("zoom_live_meetings{account=\"" + account + "\"} 2"), std::string::npos);
    EXPECT_NE(metrics.find("zoom_participant_latency_seconds{account=\"" + account + "\","),
              std::string::npos);
  }
  EXPECT_EQ(metrics.find("\nzoom_up "), std::string::npos);  // nothing without the label
  if (run_command("command -v promtool").first == 0) {
    auto [status, output] = run_command("promtool check metrics", metrics);
    EXPECT_EQ(status, 0) << output;
  }
}

// A shard that no account falls in (FNV-1a: east 564, west 310 of 1000) runs, is ready and
// exports no QoS.
TEST(CliTest, AShardWithoutAccountsIsReadyAndExportsNoQos) {
  SimulatedExporter exporter(
      "log_level: warn\nzoom:\n  shard: \"7/1000\"\n  accounts:\n    - name: east\n"
      "    - name: west\n");
  ASSERT_TRUE(exporter.wait_until_ready());
  const std::string metrics = http_request(exporter.port(), "GET", "/metrics").body;
  EXPECT_EQ(metrics.find("zoom_participant_"), std::string::npos);
  EXPECT_EQ(metrics.find("zoom_up{"), std::string::npos);
  EXPECT_NE(metrics.find("zoom_exporter_build_info"), std::string::npos);
}

// Under systemd (Type=notify): READY once /metrics listens, watchdog pings, STOPPING on SIGTERM.
TEST(CliTest, TellsSystemdWhenReadyAndWhenStopping) {
  FakeNotifySocket systemd;
  SimulatedExporter exporter("log_level: warn\nsimulator:\n  meetings: 2\n",
                             {"NOTIFY_SOCKET=" + systemd.path(), "WATCHDOG_USEC=400000"});
  std::vector<std::string> messages = systemd.wait_for("READY=1", 10s);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back(), "READY=1\nSTATUS=listening address=127.0.0.1 port=" +
                                 std::to_string(exporter.port()) + " tls=false basic_auth=false");
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

// As Prometheus scrapes a protected exporter: https verified against the CA, basic auth; and a
// certificate renewed on disk, served after SIGHUP.
TEST(CliTest, SimulateServesMetricsOverTlsWithBasicAuth) {
  TempDir dir;
  TestPki pki(dir.path());
  const Credential server = pki.issue("server", kLocalhostSans, /*client=*/false);
  const std::string web =
      dir.write("web.yml",
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                "basic_auth_users:\n  prometheus: " +
                    web::bcrypt_hash("scrape-secret", 4) + "\n");
  SimulatedExporter exporter("log_level: warn\nsimulator:\n  meetings: 2\n", {},
                             {"--web.config.file", web});
  const unsigned short port = exporter.port();
  TlsClientOptions tls;
  tls.ca_path = pki.ca_path();
  bool ready = false;
  for (int i = 0; i < 200 && !ready; ++i) {
    try {
      ready = https_request(port, "/readyz", tls).status == 200;
    } catch (const std::exception&) {
    }
    if (!ready) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(ready);
  const HttpReply scraped =
      https_request(port, "/metrics", tls,
                    {{"Authorization", basic_authorization("prometheus", "scrape-secret")}});
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("zoom_live_meetings 4"), std::string::npos)
      << scraped.body.substr(0, 500);
  EXPECT_EQ(https_request(port, "/metrics", tls,
                          {{"Authorization", basic_authorization("prometheus", "guess")}})
                .status,
            401);
  EXPECT_EQ(https_request(port, "/metrics", tls).status, 401);

  // A renewed certificate, picked up on SIGHUP.
  EXPECT_EQ(served_certificate(port), server.certificate_pem);
  const Credential renewed = pki.issue("renewed", kLocalhostSans, /*client=*/false);
  dir.write("server.crt", renewed.certificate_pem);
  dir.write("server.key", renewed.key_pem);
  exporter.signal(SIGHUP);
  bool renewed_served = false;
  for (int i = 0; i < 100 && !renewed_served; ++i) {
    renewed_served = served_certificate(port) == renewed.certificate_pem;
    if (!renewed_served) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(renewed_served);

  const auto [status, took] = exporter.terminate();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace zqe::test
