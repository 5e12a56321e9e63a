#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "integration/exporter_harness.hpp"

namespace zqe::test {
namespace {

const std::string kMeetings = "/metrics/meetings";

// One meeting per account, so each account's series can be told apart.
void script_meeting(FakeZoom& zoom, unsigned long long id, const std::string& uuid,
                    const std::string& user, const std::string& latency) {
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(id, uuid, "Sync " + user, 1)}), {}}});
  zoom.on_get("/metrics/meetings/" + uuid + "/participants/qos",
              {{200, participants_page({participant(user, user, latency)}), {}}});
}

std::string latency(const std::string& account, const std::string& meeting,
                    const std::string& participant) {
  return "zoom_participant_latency_seconds{account=\"" + account + "\",meeting_id=\"" + meeting +
         "\",participant_id=\"" + participant + "\",media=\"audio\",direction=\"input\"}";
}

TEST(AccountsTest, ExportsEveryAccountWithItsLabel) {
  ExporterHarness harness({"east", "west"});
  script_meeting(harness.zoom(0), 111, "uuid-east", "16001", "126 ms");
  script_meeting(harness.zoom(1), 222, "uuid-west", "26001", "40 ms");
  harness.start();
  const std::string text = harness.metrics();

  EXPECT_EQ(sample_value(text, latency("east", "111", "16001")), "0.126");
  EXPECT_EQ(sample_value(text, latency("west", "222", "26001")), "0.04");
  EXPECT_EQ(sample_value(text, "zoom_meeting_participants{account=\"east\",meeting_id=\"111\"}"),
            "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings{account=\"east\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings{account=\"west\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_account_qos_participants{account=\"east\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_account_qos_participants{account=\"west\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_up{account=\"east\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_up{account=\"west\"}"), "1");
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_api_requests_total{account=\"west\",code=\"200\","
                         "endpoint=\"list_meetings\"}"),
            "1");
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_token_refreshes_total{account=\"east\","
                         "result=\"success\"}"),
            "1");
  EXPECT_NE(sample_value(text,
                         "zoom_exporter_api_budget_remaining{account=\"east\","
                         "category=\"daily\",source=\"exporter\"}"),
            "absent");
  // Named accounts leave no series without the label behind.
  EXPECT_EQ(sample_value(text, "zoom_up"), "absent");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "absent");
  EXPECT_EQ(sample_value(text, "zoom_exporter_polls_total{result=\"success\"}"), "absent");
  // Process-wide metrics have no account.
  EXPECT_NE(sample_value(text, "zoom_exporter_series{level=\"participant\"}"), "absent");
  // Each account asked its own Zoom.
  EXPECT_EQ(harness.zoom(0).count("/metrics/meetings/uuid-west"), 0);
  EXPECT_EQ(harness.zoom(1).count("/metrics/meetings/uuid-east"), 0);
  EXPECT_EQ(harness.get("/readyz").status, 200);
}

TEST(AccountsTest, AFailingAccountIsDownWhileTheOtherKeepsExporting) {
  ExporterHarness harness({"east", "west"});
  script_meeting(harness.zoom(0), 111, "uuid-east", "16001", "126 ms");
  harness.zoom(1).on_token(
      {{400, R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})", {}}});
  harness.start();
  const std::string text = harness.metrics();

  EXPECT_EQ(sample_value(text, "zoom_up{account=\"east\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_up{account=\"west\"}"), "0");
  EXPECT_EQ(sample_value(text, latency("east", "111", "16001")), "0.126");
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_token_refreshes_total{account=\"west\","
                         "result=\"failure\"}"),
            "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings{account=\"west\"}"), "0");
  EXPECT_EQ(text.find("secret-"), std::string::npos);
  // Ready needs every account: west never read its meeting list.
  EXPECT_EQ(harness.get("/readyz").status, 503);
}

TEST(AccountsTest, OneSeriesCapCoversEveryAccount) {
  ExporterHarness harness({"east", "west"});
  script_meeting(harness.zoom(0), 111, "uuid-east", "16001", "126 ms");
  script_meeting(harness.zoom(1), 222, "uuid-west", "26001", "40 ms");
  harness.config().metrics.max_series = 60;
  harness.start();
  const std::string text = harness.metrics();
  const std::string participant = sample_value(text, "zoom_exporter_series{level=\"participant\"}");
  const std::string meeting = sample_value(text, "zoom_exporter_series{level=\"meeting\"}");
  const std::string account = sample_value(text, "zoom_exporter_series{level=\"account\"}");
  EXPECT_LE(std::stod(participant) + std::stod(meeting) + std::stod(account), 60);
  EXPECT_NE(sample_value(text, "zoom_exporter_series_dropped_total{level=\"participant\"}"), "0");
}

// SIGHUP with several accounts: an account that stays takes its new settings at once (here a
// wrong secret, refused from the next token on); an added one waits for a restart.
TEST(AccountsTest, AReloadAppliesToTheAccountsThatStay) {
  ExporterHarness harness({"east", "west"});
  script_meeting(harness.zoom(0), 111, "uuid-east", "16001", "126 ms");
  script_meeting(harness.zoom(1), 222, "uuid-west", "26001", "40 ms");
  const std::string path = "/tmp/zqe-accounts-reload-" + std::to_string(getpid()) + ".yaml";
  const auto write_config = [&](const std::string& west_secret, bool with_north) {
    std::ofstream file(path);
    file << "zoom:\n  accounts:\n";
    const auto entry = [&](const std::string& name, FakeZoom& zoom, const std::string& secret) {
      file << "    - name: " << name << "\n      account_id: account\n      client_id: client\n"
           << "      client_secret: " << secret << "\n      api_base_url: " << zoom.api_base_url()
           << "\n      oauth_token_url: " << zoom.oauth_token_url() << "\n";
    };
    entry("east", harness.zoom(0), "secret");
    entry("west", harness.zoom(1), west_secret);
    if (with_north) entry("north", harness.zoom(1), "secret");
    file << "log_level: warn\npoll:\n  interval: 1h\n"
         << "limits:\n  heavy_per_second: 1000\n  resource_intensive_per_minute: 10000\n";
  };
  write_config("secret", false);
  harness.start(path);
  EXPECT_EQ(sample_value(harness.metrics(), "zoom_up{account=\"west\"}"), "1");

  write_config("wrong-secret", true);
  harness.zoom(1).on_token({{401, R"({"reason":"Invalid client_id or client_secret"})", {}}});
  ::testing::internal::CaptureStderr();
  harness.reload();
  harness.poll();
  const std::string log = ::testing::internal::GetCapturedStderr();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up{account=\"east\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_up{account=\"west\"}"), "0");
  EXPECT_EQ(sample_value(text, "zoom_up{account=\"north\"}"), "absent");
  EXPECT_NE(log.find("takes effect after a restart"), std::string::npos) << log;
  EXPECT_NE(log.find("account=west"), std::string::npos) << log;  // the failing line names it
  EXPECT_EQ(log.find("wrong-secret"), std::string::npos) << log;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zqe::test
