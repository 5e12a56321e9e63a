#include "metrics/exposition_cache.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "support/test_tools.hpp"

namespace zqe::metrics {
namespace {

using test::lines_starting_with;

const std::string kGoldenPath = std::string(ZQE_TEST_DATA_DIR) + "/qos_render.golden.prom";

constexpr std::size_t kAudioInput = 0;
constexpr std::size_t kAudioOutput = 1;
constexpr std::size_t kVideoInput = 2;
constexpr std::size_t kVideoOutput = 3;
constexpr std::size_t kScreenShareInput = 4;

// Two meetings, three participants: absent values of every kind, label values that need
// escaping, invalid UTF-8 and a NaN.
std::vector<MeetingSnapshot> golden_input() {
  MeetingSnapshot planning;
  planning.meeting.id = 81234567890;
  planning.meeting.uuid = "aBc+dEf/GhIjK==";
  planning.meeting.topic = "Weekly \"sync\" \\ planning\nQ3";
  planning.meeting.host = "host@example.com";
  planning.meeting.start_timestamp_seconds = 1624564800;
  planning.meeting.participants = 2;

  qos::ParticipantQos ada;
  ada.participant_id = "16778240";
  ada.identity.user_name = "Ada Lovelace";
  ada.identity.device = "Mac";
  ada.identity.version = "5.17.0 (23503)";
  ada.identity.location = "San Jose (US)";
  ada.identity.pc_name = "never rendered by default";
  ada.snapshot_timestamp_seconds = 1624564860;
  ada.streams[kAudioInput] = {8000, 0.126, 0.005, 0.001, 0.012, {}, {}, {}};
  ada.streams[kAudioOutput] = {6000, 0.1, std::numeric_limits<double>::quiet_NaN(), 0, 0, {},
                               {},   {}};
  ada.streams[kVideoInput] = {2875, 0.09, 0.004, 0.0002, 0.03, 25, 1280, 720};
  ada.streams[kVideoOutput].frames_per_second = 30;
  ada.cpu = {0.01, 0.05, 0.12, 0.47};

  qos::ParticipantQos jose;
  jose.participant_id = "16779264";
  jose.identity.user_name = "Jos\xC3\xA9 \xFF M\xC3\xBCller\xE2\x82";
  jose.identity.device = "Windows";
  jose.streams[kScreenShareInput].bitrate_bytes_per_second = 131072;
  jose.streams[kScreenShareInput].resolution_width_pixels = 1920;
  jose.streams[kScreenShareInput].resolution_height_pixels = 1080;
  jose.cpu.zoom_avg_ratio = 0.2;
  planning.participants = {ada, jose};

  MeetingSnapshot standup;
  standup.meeting.id = 9876543210;
  standup.meeting.uuid = "xYz0123456789abcdefghi==";
  standup.meeting.topic = "Standup";

  qos::ParticipantQos quoted;
  quoted.participant_id = "id \"with\" quotes\\";
  quoted.identity.user_name = "Line one\nLine two";
  quoted.identity.location = "Berlin (DE)";
  quoted.snapshot_timestamp_seconds = 1624564900.5;
  standup.participants = {quoted};

  return {planning, standup};
}

std::vector<const MeetingSnapshot*> pointers_to(const std::vector<MeetingSnapshot>& meetings) {
  std::vector<const MeetingSnapshot*> pointers;
  for (const MeetingSnapshot& meeting : meetings) pointers.push_back(&meeting);
  return pointers;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string render_with_info_labels(std::vector<std::string> labels) {
  const std::vector<MeetingSnapshot> meetings = golden_input();
  RenderOptions options;
  options.participant_info_labels = std::move(labels);
  return render_qos(pointers_to(meetings), options);
}

TEST(RenderQos, MatchesGoldenFile) {
  const std::vector<MeetingSnapshot> meetings = golden_input();
  const std::string rendered = render_qos(pointers_to(meetings), RenderOptions{});
  const char* const update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::ofstream(kGoldenPath, std::ios::binary) << rendered;
    GTEST_SKIP() << "rewrote " << kGoldenPath;
  }
  EXPECT_EQ(rendered, read_file(kGoldenPath))
      << "run with UPDATE_GOLDEN=1 to accept the new output, then review the diff";
}

TEST(RenderQos, GoldenFilePassesPromtoolCheck) {
  if (zqe::test::run_command("command -v promtool").first != 0) {
    GTEST_SKIP() << "promtool is not installed";
  }
  const auto [status, output] =
      zqe::test::run_command("promtool check metrics", read_file(kGoldenPath));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(output, "");
}

TEST(RenderQos, EmptyInputRendersOnlyTheAccountFamilies) {
  EXPECT_EQ(render_qos({}, RenderOptions{}),
            "# HELP zoom_account_qos_participants Participants of an account's live meetings "
            "with QoS data.\n"
            "# TYPE zoom_account_qos_participants gauge\n"
            "zoom_account_qos_participants 0\n"
            "# HELP zoom_live_meetings Live meetings Zoom reports.\n"
            "# TYPE zoom_live_meetings gauge\n"
            "zoom_live_meetings 0\n");
}

TEST(RenderQos, MeetingWithoutParticipantsRendersOnlyMeetingFamilies) {
  MeetingSnapshot empty;
  empty.meeting.id = 42;
  empty.meeting.participants = 0;
  const std::string rendered = render_qos({&empty}, RenderOptions{});
  EXPECT_EQ(rendered.find("zoom_participant_"), std::string::npos);
  EXPECT_EQ(lines_starting_with(rendered, "zoom_meeting_info{").size(), 1u);
  EXPECT_EQ(lines_starting_with(rendered, "zoom_meeting_participants{meeting_id=\"42\"} 0").size(),
            1u);
  EXPECT_EQ(rendered.find("zoom_meeting_start_timestamp_seconds"), std::string::npos);
  EXPECT_EQ(lines_starting_with(rendered, "zoom_live_meetings 1").size(), 1u);
}

// Each family once, introduced by HELP then TYPE, its samples right after: the structure
// Prometheus needs, checked independently of the golden text.
TEST(RenderQos, EveryFamilyIsContiguousAndDeclared) {
  const std::string rendered = render_with_info_labels({"user_name", "device"});
  std::set<std::string> seen_families;
  std::string current_family;
  std::string pending_help;
  std::istringstream stream(rendered);
  for (std::string line; std::getline(stream, line);) {
    if (line.starts_with("# HELP ")) {
      pending_help = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.starts_with("# TYPE ")) {
      current_family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(current_family, pending_help);
      EXPECT_EQ(line, "# TYPE " + current_family + " gauge");
      EXPECT_TRUE(seen_families.insert(current_family).second) << current_family;
    } else {
      const std::string name = line.substr(0, line.find_first_of("{ "));
      EXPECT_EQ(name, current_family) << line;
    }
  }
  // 13 participant, 6 meeting aggregate, 3 meeting, 6 account families and zoom_live_meetings
  EXPECT_EQ(seen_families.size(), 29u);
}

TEST(RenderQos, InfoLabelsFollowTheConfiguredSelectionAndOrder) {
  EXPECT_EQ(lines_starting_with(render_with_info_labels({"location", "pc_name", "user_name"}),
                                "zoom_participant_info{"),
            (std::vector<std::string>{
                "zoom_participant_info{meeting_id=\"81234567890\",participant_id=\"16778240\","
                "location=\"San Jose (US)\",pc_name=\"never rendered by default\","
                "user_name=\"Ada Lovelace\"} 1",
                "zoom_participant_info{meeting_id=\"81234567890\",participant_id=\"16779264\","
                "location=\"\",pc_name=\"\",user_name=\"Jos\xC3\xA9 \xEF\xBF\xBD "
                "M\xC3\xBCller\xEF\xBF\xBD\"} 1",
                "zoom_participant_info{meeting_id=\"9876543210\",participant_id=\"id "
                "\\\"with\\\" quotes\\\\\",location=\"Berlin (DE)\",pc_name=\"\","
                "user_name=\"Line one\\nLine two\"} 1",
            }));
}

TEST(RenderQos, NoInfoLabelsLeavesOnlyTheIds) {
  const auto info = lines_starting_with(render_with_info_labels({}), "zoom_participant_info{");
  ASSERT_EQ(info.size(), 3u);
  EXPECT_EQ(info[0],
            "zoom_participant_info{meeting_id=\"81234567890\",participant_id=\"16778240\"} 1");
}

TEST(RenderQos, SupportsEveryConfigurableInfoLabel) {
  std::vector<std::string> all_choices(std::begin(config::kParticipantInfoLabelChoices),
                                       std::end(config::kParticipantInfoLabelChoices));
  const auto info =
      lines_starting_with(render_with_info_labels(all_choices), "zoom_participant_info{");
  ASSERT_EQ(info.size(), 3u);
  std::size_t position = 0;
  for (const std::string& label : all_choices) {
    position = info[0].find("," + label + "=\"", position);
    EXPECT_NE(position, std::string::npos) << label;
  }
}

// Ada's audio input: 126 ms, 5 ms jitter, 0.1 % loss: d = 146 ms, R = 89.319, MOS 4.32196. Her
// output's jitter is NaN: no score. Jose and the quoted participant send no audio.
TEST(RenderQos, AudioScoresAndClassesOfEachStreamWithLatencyJitterAndLoss) {
  const std::vector<MeetingSnapshot> meetings = golden_input();
  const std::string text = render_qos(pointers_to(meetings), RenderOptions{});
  const std::string ada =
      "meeting_id=\"81234567890\",participant_id=\"16778240\",direction=\"input\"";
  EXPECT_EQ(lines_starting_with(text, "zoom_participant_audio_mos{"),
            (std::vector<std::string>{"zoom_participant_audio_mos{" + ada + "} 4.322"}));
  EXPECT_EQ(lines_starting_with(text, "zoom_participant_audio_quality{"),
            (std::vector<std::string>{
                "zoom_participant_audio_quality{" + ada + ",class=\"good\"} 1",
                "zoom_participant_audio_quality{" + ada + ",class=\"fair\"} 0",
                "zoom_participant_audio_quality{" + ada + ",class=\"poor\"} 0",
            }));
}

TEST(RenderQos, AudioQualityClassesFollowTheConfiguredThresholds) {
  const std::vector<MeetingSnapshot> meetings = golden_input();
  const auto class_of_ada = [&](qos::QualityThresholds thresholds) {
    RenderOptions options;
    options.audio_quality = thresholds;
    for (const std::string& line : lines_starting_with(render_qos(pointers_to(meetings), options),
                                                       "zoom_participant_audio_quality{")) {
      if (line.ends_with(" 1")) return line.substr(line.find("class=\""));
    }
    return std::string("none");
  };
  EXPECT_EQ(class_of_ada({.good_mos = 4.322, .poor_mos = 3.6}), "class=\"good\"} 1");
  EXPECT_EQ(class_of_ada({.good_mos = 4.323, .poor_mos = 3.6}), "class=\"fair\"} 1");
  EXPECT_EQ(class_of_ada({.good_mos = 4.5, .poor_mos = 4.4}), "class=\"poor\"} 1");
}

TEST(RenderQos, RejectsUnknownOrDuplicateInfoLabels) {
  EXPECT_THROW(render_with_info_labels({"user_name", "password"}), std::invalid_argument);
  EXPECT_THROW(render_with_info_labels({"device", "device"}), std::invalid_argument);
}

}  // namespace
}  // namespace zqe::metrics
