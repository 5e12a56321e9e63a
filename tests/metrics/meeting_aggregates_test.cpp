#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "metrics/exposition_cache.hpp"
#include "metrics/exposition_text.hpp"
#include "metrics/qos_renderer.hpp"
#include "support/test_tools.hpp"

namespace zqe::metrics {
namespace {

using test::lines_starting_with;

constexpr std::size_t kAudioInput = 0;
constexpr std::size_t kVideoInput = 2;

// The participants of tests/qos/aggregates_test.cpp: five with audio scored 4.228, 3.260,
// 4.405, 2.619 and 3.698, ten with video latency 10 ms to 100 ms.
MeetingSnapshot known_meeting() {
  const double audio[5][3] = {
      {0.1, 0.02, 0.01}, {0.3, 0.03, 0}, {0, 0, 0}, {0, 0, 0.2}, {0.2, 0.02, 0.02}};
  MeetingSnapshot meeting;
  meeting.meeting.id = 42;
  meeting.meeting.uuid = "uuid==";
  meeting.meeting.topic = "All hands";
  meeting.meeting.host = "ceo@example.com";
  meeting.meeting.participants = 10;
  meeting.participants.resize(10);
  for (std::size_t index = 0; index < meeting.participants.size(); ++index) {
    qos::ParticipantQos& participant = meeting.participants[index];
    participant.participant_id = std::to_string(index);
    participant.streams[kVideoInput].latency_seconds = 0.01 * static_cast<double>(index + 1);
    if (index < 5) {
      participant.streams[kAudioInput].latency_seconds = audio[index][0];
      participant.streams[kAudioInput].jitter_seconds = audio[index][1];
      participant.streams[kAudioInput].avg_loss_ratio = audio[index][2];
    }
  }
  return meeting;
}

std::string render_known(const RenderOptions& options = {}) {
  const MeetingSnapshot meeting = known_meeting();
  return render_qos({&meeting}, options);
}

TEST(MeetingAggregates, LatencyJitterAndLossPerStream) {
  const std::string text = render_known();
  EXPECT_EQ(
      lines_starting_with(text, "zoom_meeting_latency_seconds{"),
      (std::vector<std::string>{
          R"(zoom_meeting_latency_seconds{meeting_id="42",media="audio",direction="input",aggregate="max"} 0.3)",
          R"(zoom_meeting_latency_seconds{meeting_id="42",media="audio",direction="input",aggregate="mean"} 0.12)",
          R"(zoom_meeting_latency_seconds{meeting_id="42",media="audio",direction="input",aggregate="p90"} 0.3)",
          R"(zoom_meeting_latency_seconds{meeting_id="42",media="video",direction="input",aggregate="max"} 0.1)",
          R"(zoom_meeting_latency_seconds{meeting_id="42",media="video",direction="input",aggregate="mean"} 0.055)",
          R"(zoom_meeting_latency_seconds{meeting_id="42",media="video",direction="input",aggregate="p90"} 0.09)",
      }));
  EXPECT_EQ(
      lines_starting_with(text, "zoom_meeting_jitter_seconds{"),
      (std::vector<std::string>{
          R"(zoom_meeting_jitter_seconds{meeting_id="42",media="audio",direction="input",aggregate="max"} 0.03)",
          R"(zoom_meeting_jitter_seconds{meeting_id="42",media="audio",direction="input",aggregate="mean"} 0.014)",
          R"(zoom_meeting_jitter_seconds{meeting_id="42",media="audio",direction="input",aggregate="p90"} 0.03)",
      }));
  EXPECT_EQ(
      lines_starting_with(text, "zoom_meeting_avg_loss_ratio{"),
      (std::vector<std::string>{
          R"(zoom_meeting_avg_loss_ratio{meeting_id="42",media="audio",direction="input",aggregate="max"} 0.2)",
          R"(zoom_meeting_avg_loss_ratio{meeting_id="42",media="audio",direction="input",aggregate="mean"} 0.046)",
          R"(zoom_meeting_avg_loss_ratio{meeting_id="42",media="audio",direction="input",aggregate="p90"} 0.2)",
      }));
}

TEST(MeetingAggregates, ScoresAndParticipantsPerClass) {
  const std::string text = render_known();
  EXPECT_EQ(
      lines_starting_with(text, "zoom_meeting_audio_mos{"),
      (std::vector<std::string>{
          R"(zoom_meeting_audio_mos{meeting_id="42",direction="input",aggregate="min"} 2.619)",
          R"(zoom_meeting_audio_mos{meeting_id="42",direction="input",aggregate="mean"} 3.642)",
      }));
  EXPECT_EQ(
      lines_starting_with(text, "zoom_meeting_audio_quality_participants{"),
      (std::vector<std::string>{
          R"(zoom_meeting_audio_quality_participants{meeting_id="42",direction="input",class="good"} 2)",
          R"(zoom_meeting_audio_quality_participants{meeting_id="42",direction="input",class="fair"} 1)",
          R"(zoom_meeting_audio_quality_participants{meeting_id="42",direction="input",class="poor"} 2)",
      }));
  EXPECT_EQ(lines_starting_with(text, "zoom_meeting_qos_participants{"),
            (std::vector<std::string>{R"(zoom_meeting_qos_participants{meeting_id="42"} 10)"}));
}

TEST(AccountTotals, MaxMeanScoresAndClassesOverEveryMeeting) {
  MeetingSnapshot first = known_meeting();
  MeetingSnapshot second = known_meeting();
  second.meeting.id = 43;
  second.participants.resize(1);  // one more 4.228, 100 ms audio, 10 ms video
  const std::string text = render_qos({&first, &second}, RenderOptions{});
  EXPECT_EQ(
      lines_starting_with(text, "zoom_account_"),
      (std::vector<std::string>{
          "zoom_account_qos_participants 11",
          R"(zoom_account_latency_seconds{media="audio",direction="input",aggregate="max"} 0.3)",
          R"(zoom_account_latency_seconds{media="audio",direction="input",aggregate="mean"} 0.116666667)",
          R"(zoom_account_latency_seconds{media="video",direction="input",aggregate="max"} 0.1)",
          R"(zoom_account_latency_seconds{media="video",direction="input",aggregate="mean"} 0.050909091)",
          R"(zoom_account_jitter_seconds{media="audio",direction="input",aggregate="max"} 0.03)",
          R"(zoom_account_jitter_seconds{media="audio",direction="input",aggregate="mean"} 0.015)",
          R"(zoom_account_avg_loss_ratio{media="audio",direction="input",aggregate="max"} 0.2)",
          R"(zoom_account_avg_loss_ratio{media="audio",direction="input",aggregate="mean"} 0.04)",
          R"(zoom_account_audio_mos{direction="input",aggregate="min"} 2.619)",
          R"(zoom_account_audio_mos{direction="input",aggregate="mean"} 3.74)",
          R"(zoom_account_audio_quality_participants{direction="input",class="good"} 3)",
          R"(zoom_account_audio_quality_participants{direction="input",class="fair"} 1)",
          R"(zoom_account_audio_quality_participants{direction="input",class="poor"} 2)",
      }));
  EXPECT_EQ(lines_starting_with(text, "zoom_live_meetings"),
            (std::vector<std::string>{"zoom_live_meetings 2"}));
}

TEST(AccountLabel, LeadsTheLabelsOfEverySeries) {
  RenderOptions options;
  options.account = "acme \"eu\"";
  const std::string text = render_known(options);
  std::istringstream stream(text);
  std::size_t series = 0;
  for (std::string line; std::getline(stream, line);) {
    if (line.starts_with("#")) continue;
    ++series;
    EXPECT_NE(line.find("{account=\"acme \\\"eu\\\"\""), std::string::npos) << line;
  }
  EXPECT_EQ(series, exposition::count_series(text));
  EXPECT_EQ(
      lines_starting_with(text, "zoom_account_qos_participants"),
      (std::vector<std::string>{R"(zoom_account_qos_participants{account="acme \"eu\""} 10)"}));
  EXPECT_EQ(
      lines_starting_with(text, "zoom_participant_latency_seconds")[0],
      R"(zoom_participant_latency_seconds{account="acme \"eu\"",meeting_id="42",participant_id="0",media="audio",direction="input"} 0.1)");
}

TEST(Levels, EachLevelCanBeSwitchedOff) {
  RenderOptions options;
  options.levels.participant = false;
  std::string text = render_known(options);
  EXPECT_TRUE(lines_starting_with(text, "zoom_participant_").empty());
  EXPECT_TRUE(lines_starting_with(text, "# HELP zoom_participant_").empty());
  EXPECT_EQ(lines_starting_with(text, "zoom_meeting_latency_seconds{").size(), 6u);
  EXPECT_EQ(lines_starting_with(text, "zoom_account_qos_participants").size(), 1u);

  options = {};
  options.levels.meeting = false;
  text = render_known(options);
  EXPECT_TRUE(lines_starting_with(text, "zoom_meeting_").empty());
  EXPECT_FALSE(lines_starting_with(text, "zoom_participant_latency_seconds{").empty());
  EXPECT_EQ(lines_starting_with(text, "zoom_account_audio_mos").size(), 2u);

  options = {};
  options.levels.account = false;
  text = render_known(options);
  EXPECT_TRUE(lines_starting_with(text, "zoom_account_").empty());
  EXPECT_EQ(lines_starting_with(text, "zoom_live_meetings").size(), 1u);
}

TEST(RenderedMeeting, CountsItsSeriesPerLevel) {
  const QosRenderer renderer(RenderOptions{});
  const auto rendered = renderer.render(known_meeting());
  // 15 audio and 10 video values, 5 scores and 15 classes, 10 info lines (no snapshot times,
  // no CPU).
  EXPECT_EQ(rendered->participant_series, 25u + 5 + 15 + 10);
  // 6 + 3 + 3 aggregates, 2 scores, 3 classes, 1 participant count.
  EXPECT_EQ(rendered->meeting_series, 12u + 2 + 3 + 1);
}

TEST(MeetingInfoLabels, AreAnAllowList) {
  const MeetingSnapshot meeting = known_meeting();
  EXPECT_EQ(render_meeting_families({{&meeting.meeting, {}}}, {"topic"}),
            "# HELP zoom_meeting_info Identity of a live meeting; always 1.\n"
            "# TYPE zoom_meeting_info gauge\n"
            "zoom_meeting_info{meeting_id=\"42\",topic=\"All hands\"} 1\n"
            "# HELP zoom_meeting_participants Participants in a live meeting, as Zoom counts "
            "them.\n"
            "# TYPE zoom_meeting_participants gauge\n"
            "zoom_meeting_participants{meeting_id=\"42\"} 10\n");
  EXPECT_EQ(lines_starting_with(render_meeting_families({{&meeting.meeting, "acme"}}, {}),
                                "zoom_meeting_info"),
            (std::vector<std::string>{R"(zoom_meeting_info{account="acme",meeting_id="42"} 1)"}));
  EXPECT_EQ(meeting_family_series(meeting.meeting), 2u);
  EXPECT_THROW(render_meeting_families({}, {"password"}), std::invalid_argument);
  EXPECT_THROW(render_meeting_families({}, {"topic", "topic"}), std::invalid_argument);
}

}  // namespace
}  // namespace zqe::metrics

namespace zqe::metrics {
namespace {

TEST(ParticipantQosAges, OneSeriesPerWatchedParticipant) {
  EXPECT_EQ(render_participant_qos_ages({}), "");
  EXPECT_EQ(render_participant_qos_ages({{"", 42, "16778240", 3.5}, {"acme", 43, "a\"b", 0}}),
            "# HELP zoom_participant_qos_age_seconds Age of the QoS data exported for a watched "
            "participant: time since it was fetched, on its own or with its meeting.\n"
            "# TYPE zoom_participant_qos_age_seconds gauge\n"
            "zoom_participant_qos_age_seconds{meeting_id=\"42\",participant_id=\"16778240\"} 3.5\n"
            "zoom_participant_qos_age_seconds{account=\"acme\",meeting_id=\"43\","
            "participant_id=\"a\\\"b\"} 0\n");
}

}  // namespace
}  // namespace zqe::metrics
