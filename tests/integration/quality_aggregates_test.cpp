// Scores, meeting aggregates, account totals and the series cap, end to end: QoS strings as Zoom
// writes them in, exact values out of /metrics.
#include <gtest/gtest.h>

#include <sstream>

#include "integration/exporter_harness.hpp"

namespace zqe::test {
namespace {

const std::string kMeetings = "/metrics/meetings";

// A participant whose audio input (when `latency` is not empty) and video input Zoom measured.
std::string measured_participant(const std::string& user_id, const std::string& latency,
                                 const std::string& jitter, const std::string& loss,
                                 const std::string& video_latency) {
  std::string audio = "{}";
  if (!latency.empty()) {
    audio = R"({"latency":")" + latency + R"(","jitter":")" + jitter + R"(","avg_loss":")" + loss +
            R"("})";
  }
  return R"({"user_id":")" + user_id + R"(","user_name":"User )" + user_id +
         R"(","user_qos":[{"date_time":"2026-11-22T10:05:00Z","audio_input":)" + audio +
         R"(,"video_input":{"latency":")" + video_latency + R"("}}]})";
}

// Meeting 42: five participants with audio the E-model scores 4.228, 3.260, 4.405, 2.619 and
// 3.698 (docs/audio-quality.md), ten with video latency 10 ms to 100 ms.
void script_known_meeting(FakeZoom& zoom) {
  const char* audio[5][3] = {{"100 ms", "20 ms", "1%"},
                             {"300 ms", "30 ms", "0%"},
                             {"0 ms", "0 ms", "0%"},
                             {"0 ms", "0 ms", "20%"},
                             {"200 ms", "20 ms", "2%"}};
  std::vector<std::string> participants;
  for (int index = 0; index < 10; ++index) {
    const bool with_audio = index < 5;
    participants.push_back(
        measured_participant("p" + std::to_string(index), with_audio ? audio[index][0] : "",
                             with_audio ? audio[index][1] : "", with_audio ? audio[index][2] : "",
                             std::to_string(10 * (index + 1)) + " ms"));
  }
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(42, "uuid-42==", "All hands", 10)}), {}}});
  zoom.on_get("/metrics/meetings/uuid-42%3D%3D/participants/qos",
              {{200, participants_page(participants), {}}});
}

std::string meeting_series(const std::string& family, const std::string& labels) {
  return family + "{meeting_id=\"42\"," + labels + "}";
}

TEST(QualityAggregates, ScoresOfEachParticipantFromZoomsStrings) {
  ExporterHarness harness;
  script_known_meeting(harness.zoom());
  harness.start();
  const std::string text = harness.metrics();
  const auto mos = [&](const std::string& participant) {
    return sample_value(text, "zoom_participant_audio_mos{meeting_id=\"42\",participant_id=\"" +
                                  participant + "\",direction=\"input\"}");
  };
  EXPECT_EQ(mos("p0"), "4.228");
  EXPECT_EQ(mos("p1"), "3.26");
  EXPECT_EQ(mos("p2"), "4.405");
  EXPECT_EQ(mos("p3"), "2.619");
  EXPECT_EQ(mos("p4"), "3.698");
  EXPECT_EQ(mos("p5"), "absent");  // no audio figures, no score
  const std::string p4 =
      "zoom_participant_audio_quality{meeting_id=\"42\",participant_id=\"p4\",direction=\"input\",";
  EXPECT_EQ(sample_value(text, p4 + "class=\"good\"}"), "0");
  EXPECT_EQ(sample_value(text, p4 + "class=\"fair\"}"), "1");
  EXPECT_EQ(sample_value(text, p4 + "class=\"poor\"}"), "0");
}

TEST(QualityAggregates, EveryMeetingAggregateHasItsExactValue) {
  ExporterHarness harness;
  script_known_meeting(harness.zoom());
  harness.start();
  const std::string text = harness.metrics();
  const std::string audio = "media=\"audio\",direction=\"input\",aggregate=";
  const std::string video = "media=\"video\",direction=\"input\",aggregate=";
  const std::vector<std::pair<std::string, std::string>> expected = {
      {meeting_series("zoom_meeting_latency_seconds", audio + "\"max\""), "0.3"},
      {meeting_series("zoom_meeting_latency_seconds", audio + "\"mean\""), "0.12"},
      {meeting_series("zoom_meeting_latency_seconds", audio + "\"p90\""), "0.3"},
      {meeting_series("zoom_meeting_latency_seconds", video + "\"max\""), "0.1"},
      {meeting_series("zoom_meeting_latency_seconds", video + "\"mean\""), "0.055"},
      {meeting_series("zoom_meeting_latency_seconds", video + "\"p90\""), "0.09"},
      {meeting_series("zoom_meeting_jitter_seconds", audio + "\"max\""), "0.03"},
      {meeting_series("zoom_meeting_jitter_seconds", audio + "\"mean\""), "0.014"},
      {meeting_series("zoom_meeting_jitter_seconds", audio + "\"p90\""), "0.03"},
      {meeting_series("zoom_meeting_avg_loss_ratio", audio + "\"max\""), "0.2"},
      {meeting_series("zoom_meeting_avg_loss_ratio", audio + "\"mean\""), "0.046"},
      {meeting_series("zoom_meeting_avg_loss_ratio", audio + "\"p90\""), "0.2"},
      {meeting_series("zoom_meeting_audio_mos", "direction=\"input\",aggregate=\"min\""), "2.619"},
      {meeting_series("zoom_meeting_audio_mos", "direction=\"input\",aggregate=\"mean\""), "3.642"},
      {meeting_series("zoom_meeting_audio_quality_participants",
                      "direction=\"input\",class=\"good\""),
       "2"},
      {meeting_series("zoom_meeting_audio_quality_participants",
                      "direction=\"input\",class=\"fair\""),
       "1"},
      {meeting_series("zoom_meeting_audio_quality_participants",
                      "direction=\"input\",class=\"poor\""),
       "2"},
      {"zoom_meeting_qos_participants{meeting_id=\"42\"}", "10"},
  };
  for (const auto& [series, value] : expected)
    EXPECT_EQ(sample_value(text, series), value) << series;
  // Nobody's audio output was measured: no output aggregates.
  EXPECT_EQ(text.find("zoom_meeting_audio_mos{meeting_id=\"42\",direction=\"output\""),
            std::string::npos);
}

TEST(QualityAggregates, AccountTotalsAndSeriesPerLevel) {
  ExporterHarness harness;
  script_known_meeting(harness.zoom());
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_account_qos_participants"), "10");
  EXPECT_EQ(sample_value(text,
                         "zoom_account_latency_seconds{media=\"video\",direction=\"input\","
                         "aggregate=\"mean\"}"),
            "0.055");
  EXPECT_EQ(sample_value(text, "zoom_account_audio_mos{direction=\"input\",aggregate=\"min\"}"),
            "2.619");
  EXPECT_EQ(sample_value(text,
                         "zoom_account_audio_quality_participants{direction=\"input\","
                         "class=\"poor\"}"),
            "2");
  // Participant level: 15 audio and 10 video values, 5 scores, 15 classes, 10 info and 10
  // snapshot times. Meeting level: 12 aggregates, 2 scores, 3 classes and a participant count
  // rendered with the refresh; info, participants, start time and data age. Account level: as
  // many as the text has.
  EXPECT_EQ(sample_value(text, "zoom_exporter_series{level=\"participant\"}"), "65");
  EXPECT_EQ(sample_value(text, "zoom_exporter_series{level=\"meeting\"}"), "22");
  std::size_t account_series = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("zoom_account_") || line.starts_with("zoom_live_meetings")) {
      ++account_series;
    }
  }
  EXPECT_EQ(sample_value(text, "zoom_exporter_series{level=\"account\"}"),
            std::to_string(account_series));
  EXPECT_EQ(sample_value(text, "zoom_exporter_series_limit"), "1000000");
  EXPECT_EQ(sample_value(text, "zoom_exporter_series_dropped_total{level=\"participant\"}"), "0");
}

// Two meetings of 2 and 1 participants (tests/support/fake_zoom's participant: 15 series each).
void script_two_meetings(FakeZoom& zoom) {
  zoom.on_get(kMeetings, {{200,
                           meetings_page({meeting(111, "uuid-one==", "Weekly sync", 2),
                                          meeting(222, "uuid-two==", "All hands", 1)}),
                           {}}});
  zoom.on_get("/metrics/meetings/uuid-one%3D%3D/participants/qos",
              {{200,
                participants_page(
                    {participant("16001", "Ann", "126 ms"), participant("16002", "Bob", "40 ms")}),
                {}}});
  zoom.on_get("/metrics/meetings/uuid-two%3D%3D/participants/qos",
              {{200, participants_page({participant("26001", "Cy", "80 ms")}), {}}});
}

int series_of(const std::string& text, const std::string& level) {
  return std::stoi(sample_value(text, "zoom_exporter_series{level=\"" + level + "\"}"));
}

TEST(SeriesCap, DropsTheLastMeetingsParticipantSeriesFirstAndCountsThemOncePerRefresh) {
  int participant_series = 0;
  int meeting_series = 0;
  int account_series = 0;
  {
    ExporterHarness uncapped;
    script_two_meetings(uncapped.zoom());
    uncapped.start();
    const std::string text = uncapped.metrics();
    participant_series = series_of(text, "participant");
    meeting_series = series_of(text, "meeting");
    account_series = series_of(text, "account");
  }
  ASSERT_EQ(participant_series, 45);  // 15 per participant

  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  // One series short: the first meeting's 30 participant series fit, the second's 15 not.
  harness.config().metrics.max_series =
      static_cast<std::size_t>(participant_series + meeting_series + account_series - 1);
  ::testing::internal::CaptureStderr();
  harness.start();
  const std::string log = ::testing::internal::GetCapturedStderr();
  std::string text = harness.metrics();
  EXPECT_EQ(series_of(text, "participant"), 30);
  EXPECT_EQ(series_of(text, "meeting"), meeting_series);
  EXPECT_EQ(sample_value(text, "zoom_exporter_series_dropped_total{level=\"participant\"}"), "15");
  EXPECT_EQ(sample_value(text, "zoom_exporter_series_dropped_total{level=\"meeting\"}"), "0");
  EXPECT_NE(sample_value(text,
                         "zoom_participant_info{meeting_id=\"111\",participant_id=\"16001\","
                         "user_name=\"Ann\",device=\"Mac\",version=\"6.2.0\","
                         "location=\"Berlin (DE)\"}"),
            "absent");
  EXPECT_EQ(text.find("zoom_participant_info{meeting_id=\"222\""), std::string::npos);
  // The second meeting keeps its aggregates, and the account its totals, of every participant.
  EXPECT_EQ(sample_value(text, "zoom_meeting_qos_participants{meeting_id=\"222\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_account_qos_participants"), "3");
  EXPECT_NE(log.find("series cap reached"), std::string::npos) << log;

  // Each refresh that does not fit counts once: the next poll refreshes both meetings again.
  ::testing::internal::CaptureStderr();
  harness.poll();
  const std::string second_log = ::testing::internal::GetCapturedStderr();
  text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_exporter_series_dropped_total{level=\"participant\"}"), "30");
  EXPECT_EQ(second_log.find("series cap reached"), std::string::npos) << "warned twice";
}

TEST(SeriesCap, ATinyCapKeepsOnlyTheAccountTotals) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.config().metrics.max_series = 1;
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(series_of(text, "participant"), 0);
  EXPECT_EQ(series_of(text, "meeting"), 0);
  EXPECT_EQ(text.find("zoom_meeting_info{"), std::string::npos);
  EXPECT_EQ(text.find("zoom_meeting_qos_age_seconds{"), std::string::npos);
  EXPECT_EQ(sample_value(text, "zoom_exporter_series_dropped_total{level=\"participant\"}"), "45");
  EXPECT_NE(sample_value(text, "zoom_exporter_series_dropped_total{level=\"meeting\"}"), "0");
  EXPECT_EQ(sample_value(text, "zoom_account_qos_participants"), "3");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
}

TEST(Levels, WithoutParticipantSeriesTheAggregatesStay) {
  ExporterHarness harness;
  script_known_meeting(harness.zoom());
  harness.config().metrics.levels.participant = false;
  harness.config().metrics.meeting_info_labels = {"topic"};
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(text.find("\nzoom_participant_"), std::string::npos);
  EXPECT_EQ(series_of(text, "participant"), 0);
  EXPECT_EQ(sample_value(text, meeting_series("zoom_meeting_audio_mos",
                                              "direction=\"input\",aggregate=\"min\"")),
            "2.619");
  EXPECT_EQ(sample_value(text, "zoom_meeting_info{meeting_id=\"42\",topic=\"All hands\"}"), "1");
}

}  // namespace
}  // namespace zqe::test
