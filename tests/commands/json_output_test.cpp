#include "commands/json_output.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "commands/report_fixture.hpp"

namespace zqe::commands {
namespace {

// The documents are long: their exact text lives in testdata/, rewritten by UPDATE_GOLDEN=1.
void expect_golden(const std::string& actual, const std::string& name) {
  const std::string path = std::string(ZQE_TEST_DATA_DIR) + "/" + name;
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "golden file rewritten: " << path;
  }
  std::ifstream golden(path);
  ASSERT_TRUE(golden) << "missing " << path << "; run with UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << golden.rdbuf();
  EXPECT_EQ(actual, expected.str());
}

TEST(MeetingsJson, EveryFieldInAStableOrderWithNulls) {
  expect_golden(meetings_json(test::two_meetings_and_a_webinar()), "meetings.golden.json");
}

TEST(MeetingsJson, NoMeetings) {
  EXPECT_EQ(meetings_json({}), "{\n  \"meetings\": []\n}\n");
}

TEST(QosJson, BaseUnitsNullsAndEveryStream) {
  expect_golden(qos_json(test::two_participants(), {}), "qos.golden.json");
}

TEST(QosJson, ValuesInBaseUnits) {
  const std::string json = qos_json(test::two_participants(), {});
  EXPECT_NE(json.find("\"latency_seconds\": 0.126,"), std::string::npos);
  EXPECT_NE(json.find("\"bitrate_bytes_per_second\": 2875,"), std::string::npos);
  EXPECT_NE(json.find("\"avg_loss_ratio\": 0.003,"), std::string::npos);
  EXPECT_NE(json.find("\"resolution_width_pixels\": 1280,"), std::string::npos);
  EXPECT_NE(json.find("\"snapshot_time\": null,"), std::string::npos);
  EXPECT_NE(json.find("\"audio_quality\": \"good\""), std::string::npos);
  EXPECT_EQ(json.find(" ms"), std::string::npos);
  EXPECT_EQ(json.find("kB/s"), std::string::npos);
}

TEST(QosJson, NoParticipants) {
  QosReport report;
  report.type = zoom::MeetingType::webinar;
  report.meeting = "/uuid//==";
  EXPECT_EQ(qos_json(report, {}),
            "{\n  \"meeting\": {\n    \"type\": \"webinar\",\n    \"id\": \"/uuid//==\"\n  },\n"
            "  \"participants\": []\n}\n");
}

}  // namespace
}  // namespace zqe::commands
