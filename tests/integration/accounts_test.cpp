#include <gtest/gtest.h>

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

}  // namespace
}  // namespace zqe::test
