#include "commands/table_output.hpp"

#include <gtest/gtest.h>

#include "commands/report_fixture.hpp"

namespace zqe::commands {
namespace {

TEST(MeetingsTable, OneRowPerMeetingWithAlignedColumns) {
  EXPECT_EQ(meetings_table(test::two_meetings_and_a_webinar()),
            "TYPE     ID           START (UTC)           PARTICIPANTS  TOPIC\n"
            "meeting  111          2026-11-22T10:00:00Z             2  Weekly sync\n"
            "meeting  86211681455  -                                -  Café & croissants\n"
            "webinar  222          2026-11-22T10:05:00Z            44  Town hall\n");
}

TEST(MeetingsTable, NoMeetings) {
  EXPECT_EQ(meetings_table({}), "No live meetings.\n");
}

TEST(QosTable, HeadingPerParticipantAndARowPerStreamWithData) {
  const std::string expected =
      "Meeting 111: 2 participants\n"
      "\n"
      "  STREAM     LATENCY  JITTER  AVG LOSS  MAX LOSS   BITRATE  RESOLUTION  FRAME RATE  AUDIO "
      "SCORE\n"
      "16001  Ann  Mac 6.2.0  Berlin (DE)  CPU 12 % (max 18 %, system 40 %)  at "
      "2026-11-22T10:05:00Z\n"
      "  audio in    126 ms    6 ms     0.3 %     1.9 %  2.9 kB/s                          4.30 "
      "good\n"
      "  video in     50 ms    4 ms       0 %     0.1 %  125 kB/s    1280x720      25 fps\n"
      "  share out        -       -         -         -         -   1920x1080           -\n"
      "16002  Jürgen\n"
      "  no QoS data yet\n";
  EXPECT_EQ(qos_table(test::two_participants(), {}), expected);
}

TEST(QosTable, ClassesFollowTheConfiguredThresholds) {
  std::string table = qos_table(test::two_participants(), {4.5, 4.35});
  EXPECT_NE(table.find("4.30 poor"), std::string::npos) << table;
  table = qos_table(test::two_participants(), {4.5, 4.3});
  EXPECT_NE(table.find("4.30 fair"), std::string::npos) << table;
}

TEST(QosTable, OneParticipantAndWebinarTitles) {
  QosReport report = test::two_participants();
  report.type = zoom::MeetingType::webinar;
  report.participant = "16002";
  report.participants.erase(report.participants.begin());
  EXPECT_EQ(qos_table(report, {}),
            "Webinar 111, participant 16002\n"
            "\n"
            "  STREAM  LATENCY  JITTER  AVG LOSS  MAX LOSS  BITRATE  RESOLUTION  FRAME RATE  AUDIO "
            "SCORE\n"
            "16002  Jürgen\n"
            "  no QoS data yet\n");
  report.participant.reset();
  report.participants.clear();
  EXPECT_EQ(qos_table(report, {}), "Webinar 111: 0 participants\n");
}

TEST(QosTable, StreamNames) {
  EXPECT_EQ(stream_name(qos::kStreamKinds[0]), "audio in");
  EXPECT_EQ(stream_name(qos::kStreamKinds[3]), "video out");
  EXPECT_EQ(stream_name(qos::kStreamKinds[4]), "share in");
}

}  // namespace
}  // namespace zqe::commands
