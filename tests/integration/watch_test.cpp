// The watch list end to end: watched participants refreshed with the single-participant call at
// their own interval, watched meetings refreshed whole, and the data age of each.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "integration/exporter_harness.hpp"

namespace zqe::test {
namespace {

using namespace std::chrono_literals;

const std::string kMeetingQos = "/metrics/meetings/uuid-one%3D%3D/participants/qos";
const std::string kAnnQos = "/metrics/meetings/uuid-one%3D%3D/participants/16001/qos";
const std::string kBobQos = "/metrics/meetings/uuid-one%3D%3D/participants/16002/qos";

// One meeting, Ann and Bob at 126 ms; Ann alone, asked for herself, at 300 ms.
void script_meeting(FakeZoom& zoom) {
  zoom.on_get("/metrics/meetings",
              {{200, meetings_page({meeting(111, "uuid-one==", "Weekly sync", 2)}), {}}});
  zoom.on_get(kMeetingQos, {{200,
                             participants_page({participant("16001", "Ann Example", "126 ms"),
                                                participant("16002", "Bob", "126 ms")}),
                             {}}});
  zoom.on_get(kAnnQos, {{200, participant("16001", "Ann Example", "300 ms"), {}}});
}

void allow_a_large_budget(ExporterHarness& harness) {
  // The watch list may use half of what the daily budget leaves per second: plenty here.
  harness.config().limits.daily_requests = 100'000'000;
  harness.config().limits.daily_share = 1;
}

std::string ann_latency(const std::string& text) {
  return sample_value(text,
                      "zoom_participant_latency_seconds{meeting_id=\"111\",participant_id="
                      "\"16001\",media=\"audio\",direction=\"input\"}");
}

TEST(Watch, AWatchedParticipantIsRefreshedOnItsOwnEveryInterval) {
  ExporterHarness harness;
  script_meeting(harness.zoom());
  allow_a_large_budget(harness);
  harness.config().watch.interval = 1s;
  harness.config().watch.users = {"ann EXAMPLE"};  // user names match case-insensitively
  harness.start();
  EXPECT_EQ(ann_latency(harness.metrics()), "0.126");  // from the meeting's refresh

  // Watch the single-participant calls for 3.5 s: one a second, none for Bob, no meeting call.
  std::vector<std::chrono::steady_clock::time_point> calls;
  const auto start = std::chrono::steady_clock::now();
  int seen = harness.zoom().count("/v2" + kAnnQos);
  while (std::chrono::steady_clock::now() - start < 3500ms) {
    std::this_thread::sleep_for(20ms);
    const int now_seen = harness.zoom().count("/v2" + kAnnQos);
    for (; seen < now_seen; ++seen) calls.push_back(std::chrono::steady_clock::now());
  }
  ASSERT_GE(calls.size(), 2u);
  EXPECT_LE(calls.size(), 4u);
  for (std::size_t index = 1; index < calls.size(); ++index) {
    EXPECT_GE(calls[index] - calls[index - 1], 900ms) << index;
  }
  EXPECT_GE(calls.front() - start, 0ms);
  EXPECT_EQ(harness.zoom().count("/v2" + kBobQos), 0);
  EXPECT_EQ(harness.zoom().count("/v2" + kMeetingQos), 1);

  const std::string text = harness.metrics();
  EXPECT_EQ(ann_latency(text), "0.3");  // the single call's data, in the same series
  const double age = std::stod(sample_value(
      text, "zoom_participant_qos_age_seconds{meeting_id=\"111\",participant_id=\"16001\"}"));
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 1.5);
  EXPECT_EQ(text.find("zoom_participant_qos_age_seconds{meeting_id=\"111\",participant_id="
                      "\"16002\""),
            std::string::npos);  // Bob is not watched: his age is the meeting's
  EXPECT_EQ(sample_value(text, "zoom_exporter_watched{kind=\"participant\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_exporter_watched{kind=\"meeting\"}"), "0");
  EXPECT_EQ(sample_value(text, "zoom_exporter_watch_period_seconds"), "1");
  // No extra labels on a watched participant's series.
  EXPECT_EQ(sample_value(text,
                         "zoom_participant_latency_seconds{meeting_id=\"111\",participant_id="
                         "\"16002\",media=\"audio\",direction=\"input\"}"),
            "0.126");
}

TEST(Watch, AWatchedMeetingIsRefreshedWholeEveryInterval) {
  ExporterHarness harness;
  script_meeting(harness.zoom());
  allow_a_large_budget(harness);
  harness.config().watch.interval = 1s;
  harness.config().watch.meetings = {"111"};
  harness.start();
  std::this_thread::sleep_for(2500ms);
  const int meeting_calls = harness.zoom().count("/v2" + kMeetingQos);
  EXPECT_GE(meeting_calls, 2);  // the first round, then every second
  EXPECT_LE(meeting_calls, 4);
  EXPECT_EQ(harness.zoom().count("/v2" + kAnnQos), 0);  // no single calls: the pages are cheaper
  const std::string text = harness.metrics();
  EXPECT_EQ(text.find("zoom_participant_qos_age_seconds"), std::string::npos);
  EXPECT_EQ(sample_value(text, "zoom_exporter_watched{kind=\"meeting\"}"), "1");
}

TEST(Watch, WithoutAWatchListNoSingleParticipantCalls) {
  ExporterHarness harness;
  script_meeting(harness.zoom());
  harness.start();
  std::this_thread::sleep_for(300ms);
  harness.poll();
  EXPECT_EQ(harness.zoom().count("/v2/metrics/meetings/uuid-one%3D%3D/participants/1"), 0);
  EXPECT_EQ(harness.zoom().count("/v2" + kMeetingQos), 2);
}

}  // namespace
}  // namespace zqe::test
