#include "simulator/zoom_json.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "simulator/simulated_account.hpp"
#include "simulator/simulator_test_support.hpp"

namespace zqe::simulator {
namespace {

using namespace std::chrono_literals;
using test::parse_json;
using test::simulator_config;
using test::test_start;

std::set<std::string> keys_of(const rapidjson::Value& object) {
  std::set<std::string> keys;
  for (const auto& member : object.GetObject()) keys.insert(member.name.GetString());
  return keys;
}

rapidjson::Document zoom_sample() {
  std::ifstream file(ZQE_TEST_DATA_DIR "/list-meeting-participants-qos.200.json");
  std::stringstream text;
  text << file.rdbuf();
  rapidjson::Document sample = parse_json(text.str());
  EXPECT_FALSE(sample.HasParseError());
  return sample;
}

// Every participant of a simulated account over a few hours, each parsed back from its JSON.
std::vector<rapidjson::Document> simulated_participants() {
  std::vector<rapidjson::Document> participants;
  SimulatedAccount account(simulator_config(30, 8), test_start());
  for (auto elapsed = 0min; elapsed < 3h; elapsed += 20min) {
    account.advance_to(test_start() + elapsed);
    for (std::size_t index = 0; index < account.meeting_count(); ++index) {
      for (const ParticipantQos& participant : account.participants(index, 0, 1000).participants) {
        participants.push_back(parse_json(test::to_json(participant, &write_participant)));
      }
    }
  }
  return participants;
}

TEST(ZoomJson, FormatsTimesLikeZoom) {
  EXPECT_EQ(format_timestamp(test_start() + 61s + 500ms), "2026-11-22T10:01:01Z");
  EXPECT_EQ(format_date(test_start() + 13h + 59min), "2026-11-22");
  EXPECT_EQ(format_duration(0s), "00:00");
  EXPECT_EQ(format_duration(12min + 34s), "12:34");
  EXPECT_EQ(format_duration(1h + 2min + 3s), "01:02:03");
}

TEST(ZoomJson, ParticipantsHaveTheShapeOfZoomsSample) {
  const rapidjson::Document sample = zoom_sample();
  const rapidjson::Value& sample_participant = sample["participants"][0];
  const rapidjson::Value& sample_snapshot = sample_participant["user_qos"][0];
  const std::vector<rapidjson::Document> participants = simulated_participants();
  ASSERT_GT(participants.size(), 100u);

  for (const rapidjson::Document& participant : participants) {
    ASSERT_TRUE(participant.IsObject());
    std::set<std::string> expected_keys = keys_of(sample_participant);
    expected_keys.insert("internal_ip_addresses");
    std::set<std::string> keys = keys_of(participant);
    keys.erase("id");  // account users have one, guests not
    EXPECT_EQ(keys, expected_keys);
    for (const auto& member : participant.GetObject()) {
      const std::string key = member.name.GetString();
      if (key != "user_qos" && key != "internal_ip_addresses") {
        EXPECT_TRUE(member.value.IsString()) << key;
      }
    }
    ASSERT_TRUE(participant["user_qos"].IsArray());
    for (const auto& snapshot : participant["user_qos"].GetArray()) {
      for (const auto& sample_stream : sample_snapshot.GetObject()) {
        const std::string name = sample_stream.name.GetString();
        // Video objects are missing while cameras are off.
        if (name.starts_with("video_") && !snapshot.HasMember(name.c_str())) continue;
        ASSERT_TRUE(snapshot.HasMember(name.c_str())) << name;
        if (sample_stream.value.IsObject()) {
          EXPECT_EQ(keys_of(snapshot[name.c_str()]), keys_of(sample_stream.value)) << name;
        }
      }
    }
  }
}

// `pattern` is literal text in which '#' stands for one or more digits: "#.#%" matches "0.3%".
bool matches(std::string_view text, std::string_view pattern) {
  for (const char expected : pattern) {
    if (expected == '#') {
      if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return false;
      while (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
      }
    } else {
      if (text.empty() || text.front() != expected) return false;
      text.remove_prefix(1);
    }
  }
  return text.empty();
}

TEST(ZoomJson, PatternMatcherOfTheseTests) {
  EXPECT_TRUE(matches("23 kbps", "# kbps"));
  EXPECT_TRUE(matches("0.3%", "#.#%"));
  EXPECT_FALSE(matches("0.3 %", "#.#%"));
  EXPECT_FALSE(matches(" kbps", "# kbps"));
  EXPECT_FALSE(matches("23 kbps ", "# kbps"));
}

TEST(ZoomJson, QosValuesHaveZoomsUnits) {
  const std::map<std::string, std::string_view> formats = {
      {"bitrate", "# kbps"},        {"latency", "# ms"},           {"jitter", "# ms"},
      {"avg_loss", "#.#%"},         {"max_loss", "#.#%"},          {"resolution", "#*#"},
      {"frame_rate", "# fps"},      {"zoom_min_cpu_usage", "#%"},  {"zoom_avg_cpu_usage", "#%"},
      {"zoom_max_cpu_usage", "#%"}, {"system_max_cpu_usage", "#%"}};
  std::map<std::string, int> empty_values;
  int idle_shares = 0;
  for (const rapidjson::Document& participant : simulated_participants()) {
    for (const auto& snapshot : participant["user_qos"].GetArray()) {
      EXPECT_TRUE(matches(snapshot["date_time"].GetString(), "#-#-#T#:#:00Z"));
      for (const auto& stream : snapshot.GetObject()) {
        if (!stream.value.IsObject() || std::string(stream.name.GetString()) == "wifi_rssi") {
          continue;
        }
        for (const auto& value : stream.value.GetObject()) {
          const std::string text = value.value.GetString();
          if (text.empty()) {
            ++empty_values[value.name.GetString()];
            continue;
          }
          EXPECT_TRUE(matches(text, formats.at(value.name.GetString())))
              << value.name.GetString() << ": " << text;
        }
        if (std::string(stream.name.GetString()).starts_with("as_") &&
            std::string(stream.value["resolution"].GetString()) == "0*0") {
          ++idle_shares;
          EXPECT_EQ(std::string(stream.value["bitrate"].GetString()), "");
          EXPECT_EQ(std::string(stream.value["frame_rate"].GetString()), "");
        }
      }
    }
  }
  EXPECT_GT(empty_values["bitrate"], 0);
  EXPECT_GT(empty_values["latency"], 0);
  EXPECT_GT(idle_shares, 0);
}

TEST(ZoomJson, EscapesNamesWithQuotesAndKeepsUtf8) {
  ParticipantQos participant;
  participant.user_name = "Robert \"Bob\" Smith";
  participant.pc_name = "Zoë's Mac\\Book";
  const std::string json = test::to_json(participant, &write_participant);
  EXPECT_NE(json.find(R"("Robert \"Bob\" Smith")"), std::string::npos);
  EXPECT_NE(json.find("Zoë"), std::string::npos);
  const rapidjson::Document parsed = parse_json(json);
  ASSERT_FALSE(parsed.HasParseError());
  EXPECT_EQ(std::string(parsed["user_name"].GetString()), participant.user_name);
  EXPECT_EQ(std::string(parsed["pc_name"].GetString()), participant.pc_name);
}

TEST(ZoomJson, MeetingsHaveTheListFields) {
  const SimulatedAccount account(simulator_config(3, 4), test_start());
  const rapidjson::Document meeting = parse_json(test::to_json(account.meeting(0), &write_meeting));
  EXPECT_EQ(keys_of(meeting),
            (std::set<std::string>{"uuid", "id", "topic", "host", "email", "user_type",
                                   "start_time", "duration", "participants", "has_pstn", "has_voip",
                                   "has_video", "has_screen_share", "has_recording", "has_sip"}));
  EXPECT_TRUE(meeting["id"].IsUint64());
  EXPECT_TRUE(meeting["participants"].IsInt());
  EXPECT_TRUE(meeting["has_video"].IsBool());
  EXPECT_TRUE(matches(meeting["duration"].GetString(), "#:#"));
}

}  // namespace
}  // namespace zqe::simulator
