// Faults from Zoom, end to end: the real exporter against a fake Zoom that refuses, hangs,
// trickles, truncates, floods, errs and loops. For each: the daemon stays up, /metrics answers
// while the fault lasts and keeps the last good data, zoom_up and the counters say what happened,
// and a poll after Zoom heals brings everything back.
#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>
#include <fstream>
#include <thread>

#include "integration/exporter_harness.hpp"

namespace zqe::test {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kMeetings = "/metrics/meetings";
const std::string kMeeting1Qos = "/metrics/meetings/uuid-one%3D%3D/participants/qos";
const std::string kMeeting2Qos = "/metrics/meetings/uuid-two%3D%3D/participants/qos";

std::string latency(const std::string& meeting, const std::string& participant) {
  return "zoom_participant_latency_seconds{meeting_id=\"" + meeting + "\",participant_id=\"" +
         participant + "\",media=\"audio\",direction=\"input\"}";
}

std::string requests_total(const std::string& endpoint, const std::string& code) {
  return "zoom_exporter_api_requests_total{code=\"" + code + "\",endpoint=\"" + endpoint + "\"}";
}

void script_meetings(FakeZoom& zoom) {
  zoom.on_get(kMeetings, {{200,
                           meetings_page({meeting(111, "uuid-one==", "Weekly sync", 1),
                                          meeting(222, "uuid-two==", "All hands", 1)}),
                           {}}});
}

// Both meetings' QoS, with the given latencies.
void script_qos(FakeZoom& zoom, const std::string& latency1, const std::string& latency2) {
  zoom.on_get(kMeeting1Qos,
              {{200, participants_page({participant("16001", "Ann", latency1)}), {}}});
  zoom.on_get(kMeeting2Qos, {{200, participants_page({participant("26001", "Cy", latency2)}), {}}});
}

// Starts with both meetings fetched: 111 at 126 ms, 222 at 80 ms.
void start_with_good_data(ExporterHarness& harness) {
  script_meetings(harness.zoom());
  script_qos(harness.zoom(), "126 ms", "80 ms");
  harness.start();
  const std::string text = harness.metrics();
  ASSERT_EQ(sample_value(text, "zoom_up"), "1");
  ASSERT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  ASSERT_EQ(sample_value(text, latency("222", "26001")), "0.08");
}

struct TimedScrape {
  std::string text;
  Clock::duration took;
};

// The values start_with_good_data() exported: what a fault must not lose.
void expect_last_good_data(const std::string& text) {
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  EXPECT_EQ(sample_value(text, latency("222", "26001")), "0.08");
}

TimedScrape timed_scrape(ExporterHarness& harness) {
  const auto started = Clock::now();
  HttpReply reply = harness.get("/metrics");
  EXPECT_EQ(reply.status, 200);
  return {std::move(reply.body), Clock::now() - started};
}

// Requests for pages of the live meeting list (count() would count the QoS paths under it too).
int list_requests(const FakeZoom& zoom) {
  int lists = 0;
  for (const auto& request : zoom.requests()) lists += request.path == "/v2" + kMeetings;
  return lists;
}

// Waits until the fake Zoom has seen more than `count` requests whose path starts with `path`.
void wait_for_request(FakeZoom& zoom, const std::string& path, int count) {
  const auto deadline = Clock::now() + 5s;
  while (zoom.count(path) <= count && Clock::now() < deadline) {
    std::this_thread::sleep_for(2ms);
  }
  ASSERT_GT(zoom.count(path), count) << path;
}

// Heals the fake Zoom with new values for both meetings and checks that a poll brings them.
void expect_recovery(ExporterHarness& harness) {
  harness.zoom().heal();
  harness.zoom().on_token({});
  harness.zoom().reject_tokens(0);
  script_meetings(harness.zoom());
  script_qos(harness.zoom(), "50 ms", "60 ms");
  harness.poll();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.05");
  EXPECT_EQ(sample_value(text, latency("222", "26001")), "0.06");
}

// --- One meeting's QoS call meets a fault; the other meeting is refreshed as usual.

struct MeetingFault {
  const char* name;
  Fault fault;
  std::string code;  // of zoom_exporter_api_requests_total
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const MeetingFault& fault, std::ostream* out) {
  *out << fault.name;
}

class PerMeetingFaultTest : public ::testing::TestWithParam<MeetingFault> {};

TEST_P(PerMeetingFaultTest, KeepsTheMeetingsLastDataServesMetricsAndRecovers) {
  const MeetingFault& param = GetParam();
  ExporterHarness harness;
  harness.config().zoom.request_timeout = 600ms;
  harness.config().zoom.max_response_bytes = 1024 * 1024;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  zoom.set_trickle_interval(100ms);  // 600 ms get 6 bytes of the reply
  zoom.fail(kMeeting1Qos, param.fault);
  script_qos(zoom, "90 ms", "90 ms");

  const int before = zoom.count("/v2" + kMeeting1Qos);
  harness.poll_while([&] {
    wait_for_request(zoom, "/v2" + kMeeting1Qos, before);
    // While the fault lasts (for hang and trickle, until the timeout), /metrics answers at
    // once with the last data.
    const TimedScrape scrape = timed_scrape(harness);
    EXPECT_LT(scrape.took, 300ms);
    EXPECT_EQ(sample_value(scrape.text, latency("111", "16001")), "0.126");
  });

  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, requests_total("participants_qos", param.code)), "1");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");  // the last good data
  EXPECT_EQ(sample_value(text, latency("222", "26001")), "0.09");   // refreshed
  EXPECT_EQ(sample_value(text, "zoom_meeting_participants{meeting_id=\"111\"}"), "1");
  EXPECT_EQ(harness.get("/healthz").status, 200);
  expect_recovery(harness);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, PerMeetingFaultTest,
    ::testing::Values(MeetingFault{"AcceptsAndNeverAnswers", Fault::hang, "timeout"},
                      MeetingFault{"TricklesTheReply", Fault::trickle, "timeout"},
                      MeetingFault{"FiftyMegabyteBody", Fault::huge_body, "body_too_large"},
                      MeetingFault{"FiftyMegabyteChunkedBody", Fault::huge_chunked,
                                   "body_too_large"},
                      MeetingFault{"TruncatedReply", Fault::truncate, "protocol_error"},
                      MeetingFault{"ClosesWithoutAReply", Fault::close, "protocol_error"}),
    [](const ::testing::TestParamInfo<MeetingFault>& info) { return info.param.name; });

TEST(ZoomFaultTest, MalformedAndTruncatedJsonKeepTheLastData) {
  ExporterHarness harness;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  zoom.on_get(kMeeting1Qos, {{200, R"({"participants":[{"user_id":"16001","user_qos":[{)", {}}});
  zoom.on_get(kMeeting2Qos, {{200, "<html>Bad gateway</html>", {}}});
  harness.poll();
  std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(
      sample_value(text, "zoom_exporter_invalid_replies_total{endpoint=\"participants_qos\"}"),
      "2");
  expect_last_good_data(text);

  // A malformed meeting list: Zoom counts as down, every meeting keeps its data.
  zoom.on_get(kMeetings, {{200, R"({"next_page_token":"","meetings":[{"id":111,)", {}}});
  harness.poll();
  text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_exporter_polls_total{result=\"failure\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_exporter_invalid_replies_total{endpoint=\"list_meetings\"}"),
            "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  expect_recovery(harness);
}

TEST(ZoomFaultTest, ServerErrorBurstsAreCountedAndOutlasted) {
  ExporterHarness harness;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  zoom.on_get(kMeetings, {{500, R"({"code":500,"message":"Internal error"})", {}},
                          {502, "<html>Bad Gateway</html>", {}},
                          {503, "Service Unavailable", {}}});
  for (int i = 0; i < 3; ++i) {
    harness.poll_while([&] { EXPECT_LT(timed_scrape(harness).took, 300ms); });
  }
  std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_exporter_polls_total{result=\"failure\"}"), "3");
  for (const std::string code : {"500", "502", "503"}) {
    EXPECT_EQ(sample_value(text, requests_total("list_meetings", code)), "1") << code;
  }
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  expect_last_good_data(text);

  // The list answers again, one meeting's QoS does not.
  script_meetings(zoom);
  zoom.on_get(kMeeting1Qos, {{502, "<html>Bad Gateway</html>", {}}});
  zoom.on_get(kMeeting2Qos, {{200, participants_page({participant("26001", "Cy", "70 ms")}), {}}});
  harness.poll();
  text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, requests_total("participants_qos", "502")), "1");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  EXPECT_EQ(sample_value(text, latency("222", "26001")), "0.07");
  expect_recovery(harness);
}

TEST(ZoomFaultTest, ConnectionRefusedKeepsEverythingUntilZoomIsBack) {
  ExporterHarness harness;
  start_with_good_data(harness);
  harness.zoom().refuse_connections(true);
  harness.poll_while([&] { EXPECT_LT(timed_scrape(harness).took, 300ms); });
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, requests_total("list_meetings", "connect_error")), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  expect_last_good_data(text);
  expect_recovery(harness);
}

TEST(ZoomFaultTest, APerSecond429StormIsWaitedOutAsZoomSays) {
  ExporterHarness harness;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  const FakeReply storm{
      429,
      R"({"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."})",
      {{"X-RateLimit-Category", "Heavy"}, {"X-RateLimit-Type", "QPS"}, {"Retry-After", "1"}}};
  zoom.on_get(kMeeting1Qos,
              {storm, storm, {200, participants_page({participant("16001", "Ann", "90 ms")}), {}}});
  zoom.on_get(kMeeting2Qos, {{200, participants_page({participant("26001", "Cy", "90 ms")}), {}}});
  const int before = zoom.count("/v2" + kMeeting1Qos);
  const auto started = Clock::now();
  harness.poll_while([&] {
    wait_for_request(zoom, "/v2" + kMeeting1Qos, before);
    const TimedScrape scrape = timed_scrape(harness);
    EXPECT_LT(scrape.took, 300ms);
    EXPECT_EQ(sample_value(scrape.text, latency("111", "16001")), "0.126");
  });
  // Each 429 paused QoS calls for the second Retry-After asked.
  EXPECT_GE(Clock::now() - started, 1900ms);
  EXPECT_EQ(zoom.count("/v2" + kMeeting1Qos) - before, 3);
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_exporter_rate_limited_total{category=\"heavy\",type=\"qps\"}"),
            "2");
  EXPECT_EQ(sample_value(text, requests_total("participants_qos", "429")), "2");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.09");
  EXPECT_EQ(sample_value(text, latency("222", "26001")), "0.09");
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
}

// --- The token endpoint.

TEST(ZoomFaultTest, TokenEndpointDownMakesZoomDownUntilItAnswers) {
  ExporterHarness harness;
  harness.config().zoom.request_timeout = 500ms;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  zoom.reject_tokens(100);  // the cached token is refused, and a new one cannot be had
  zoom.fail_token(Fault::hang);
  harness.poll_while([&] {
    wait_for_request(zoom, "/oauth/token", 1);
    EXPECT_LT(timed_scrape(harness).took, 300ms);
  });
  zoom.heal();
  zoom.on_token({{503, "Service Unavailable", {}}});
  harness.poll();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_NE(sample_value(text, requests_total("oauth_token", "timeout")), "absent");
  EXPECT_NE(sample_value(text, requests_total("oauth_token", "503")), "absent");
  EXPECT_NE(sample_value(text, "zoom_exporter_token_refreshes_total{result=\"failure\"}"),
            "absent");
  expect_last_good_data(text);
  expect_recovery(harness);
}

TEST(ZoomFaultTest, RejectedCredentialsAreLoggedOnceWithAFixHint) {
  ExporterHarness harness;
  harness.config().zoom.client_secret = "s3cr3t-value";
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  zoom.reject_tokens(100);
  zoom.on_token(
      {{400, R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})", {}}});
  ::testing::internal::CaptureStderr();
  harness.poll();
  harness.poll();
  const std::string log = ::testing::internal::GetCapturedStderr();
  std::size_t hints = 0;
  for (auto at = log.find("check zoom.account_id"); at != std::string::npos;
       at = log.find("check zoom.account_id", at + 1)) {
    ++hints;
  }
  EXPECT_EQ(hints, 1u) << log;
  EXPECT_EQ(log.find("s3cr3t"), std::string::npos) << log;
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_NE(sample_value(text, requests_total("oauth_token", "400")), "absent");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
  expect_recovery(harness);
}

// --- Pagination.

TEST(ZoomFaultTest, APageTokenThatComesBackStopsTheListing) {
  ExporterHarness harness;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  // The list loops on its second page; meeting 111's QoS pages go round in a circle.
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(111, "uuid-one==", "A", 1)}, "m2"), {}}});
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(222, "uuid-two==", "B", 1)}, "m2"), {}}},
              "m2");
  const int lists_before = list_requests(zoom);
  harness.poll();
  std::string text = harness.metrics();
  EXPECT_EQ(list_requests(zoom) - lists_before, 2);
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");

  script_meetings(zoom);
  zoom.on_get(kMeeting1Qos,
              {{200, participants_page({participant("16001", "Ann", "1 ms")}, "p2"), {}}});
  zoom.on_get(kMeeting1Qos,
              {{200, participants_page({participant("16002", "Bo", "2 ms")}, "p3"), {}}}, "p2");
  zoom.on_get(kMeeting1Qos,
              {{200, participants_page({participant("16003", "Di", "3 ms")}, "p2"), {}}}, "p3");
  zoom.on_get(kMeeting2Qos, {{200, participants_page({participant("26001", "Cy", "90 ms")}), {}}});
  const int qos_before = zoom.count("/v2" + kMeeting1Qos);
  harness.poll();
  text = harness.metrics();
  EXPECT_EQ(zoom.count("/v2" + kMeeting1Qos) - qos_before, 3);
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  EXPECT_EQ(sample_value(text, latency("111", "16002")), "absent");
  EXPECT_EQ(sample_value(text, latency("222", "26001")), "0.09");
  expect_recovery(harness);
}

const FakeReply kExpiredPageToken{
    400, R"({"code":300,"message":"The next page token is invalid or expired."})", {}};

TEST(ZoomFaultTest, AnExpiredPageTokenRestartsTheListingOnce) {
  ExporterHarness harness;
  start_with_good_data(harness);
  FakeZoom& zoom = harness.zoom();
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(111, "uuid-one==", "A", 1)}, "m2"), {}}});
  zoom.on_get(kMeetings,
              {kExpiredPageToken, {200, meetings_page({meeting(222, "uuid-two==", "B", 1)}), {}}},
              "m2");
  const int before = list_requests(zoom);
  harness.poll();
  std::string text = harness.metrics();
  EXPECT_EQ(list_requests(zoom) - before, 4);  // 1, 2 (expired), 1, 2
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text, requests_total("list_meetings", "400")), "1");

  // A token that expires every time: abandoned after one restart, the last data kept.
  zoom.on_get(kMeetings, {kExpiredPageToken}, "m2");
  const int again = list_requests(zoom);
  harness.poll();
  text = harness.metrics();
  EXPECT_EQ(list_requests(zoom) - again, 4);
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");

  // The same for a meeting's QoS pages.
  script_meetings(zoom);
  zoom.on_get(kMeeting1Qos,
              {{200, participants_page({participant("16001", "Ann", "1 ms")}, "p2"), {}}});
  zoom.on_get(kMeeting1Qos, {kExpiredPageToken}, "p2");
  const int qos_before = zoom.count("/v2" + kMeeting1Qos);
  harness.poll();
  text = harness.metrics();
  EXPECT_EQ(zoom.count("/v2" + kMeeting1Qos) - qos_before, 4);
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, latency("111", "16001")), "0.126");
  expect_recovery(harness);
}

// --- Name resolution and TLS, by pointing the running exporter elsewhere with a reload.

class ReloadedFaultTest : public ::testing::Test {
 protected:
  void write_config(const std::string& api_base_url) {
    std::ofstream(path_) << "listen: \"127.0.0.1:9799\"\n"
                         << "zoom:\n"
                         << "  account_id: account\n  client_id: client\n  client_secret: secret\n"
                         << "  api_base_url: " << api_base_url << "\n"
                         << "  oauth_token_url: " << harness_.zoom().oauth_token_url() << "\n"
                         << "  request_timeout: 2s\n"
                         << "log_level: warn\npoll:\n  interval: 1h\n"
                         << "limits:\n  heavy_per_second: 1000\n"
                         << "  resource_intensive_per_minute: 10000\n";
  }
  void TearDown() override { std::remove(path_.c_str()); }

  // Starts with good data, then points the exporter at `broken_url`, polls, and checks that
  // what it kept and counted; then points it back.
  void expect_fault_then_recovery(const std::string& broken_url,
                                  const std::vector<std::string>& codes) {
    write_config(harness_.zoom().api_base_url());
    script_meetings(harness_.zoom());
    script_qos(harness_.zoom(), "126 ms", "80 ms");
    harness_.start(path_);
    write_config(broken_url);
    harness_.reload();
    harness_.poll_while([&] { EXPECT_LT(timed_scrape(harness_).took, 300ms); });
    const std::string text = harness_.metrics();
    EXPECT_EQ(sample_value(text, "zoom_up"), "0");
    bool counted = false;
    for (const auto& code : codes) {
      counted = counted || sample_value(text, requests_total("list_meetings", code)) == "1";
    }
    EXPECT_TRUE(counted) << text;
    expect_last_good_data(text);

    write_config(harness_.zoom().api_base_url());
    harness_.reload();
    expect_recovery(harness_);
  }

  ExporterHarness harness_;
  std::string path_ = "/tmp/zqe-fault-test-" + std::to_string(getpid()) + ".yaml";
};

TEST_F(ReloadedFaultTest, AHostThatDoesNotResolve) {
  // .invalid never resolves (RFC 6761); a resolver that cannot be reached times out instead.
  expect_fault_then_recovery("http://zoom-qos-exporter-test.invalid/v2",
                             {"resolve_error", "timeout"});
}

TEST_F(ReloadedFaultTest, ATlsHandshakeThatFails) {
  // The fake speaks plain HTTP: the handshake fails.
  expect_fault_then_recovery("https://127.0.0.1:" + std::to_string(harness_.zoom().port()) + "/v2",
                             {"tls_error"});
}

}  // namespace
}  // namespace zqe::test
