#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "integration/exporter_harness.hpp"

namespace zqe::test {
namespace {

const std::string kMeetings = "/metrics/meetings";
const std::string kMeeting1Qos = "/metrics/meetings/uuid-one%3D%3D/participants/qos";
const std::string kMeeting2Qos = "/metrics/meetings/uuid-two%3D%3D/participants/qos";

std::string audio_input(const std::string& family, const std::string& meeting,
                        const std::string& participant) {
  return family + "{meeting_id=\"" + meeting + "\",participant_id=\"" + participant +
         "\",media=\"audio\",direction=\"input\"}";
}

bool contains_line_starting(const std::string& text, const std::string& prefix) {
  return text.starts_with(prefix) || text.find("\n" + prefix) != std::string::npos;
}

// Two meetings, three participants, every call answered.
void script_two_meetings(FakeZoom& zoom) {
  zoom.on_get(kMeetings, {{200,
                           meetings_page({meeting(111, "uuid-one==", "Weekly sync", 2),
                                          meeting(222, "uuid-two==", "All hands", 1)}),
                           {}}});
  zoom.on_get(kMeeting1Qos, {{200,
                              participants_page({participant("16001", "Ann", "126 ms"),
                                                 participant("16002", "Bob", "40 ms")}),
                              {}}});
  zoom.on_get(kMeeting2Qos, {{200, participants_page({participant("26001", "Cy", "80 ms")}), {}}});
}

// The whole /metrics output with what changes from run to run masked, and the sample lines of
// each family sorted (prometheus-cpp's order within a family follows a hash map).
std::string normalized(const std::string& exposition) {
  std::istringstream lines(exposition);
  std::string line, out;
  std::vector<std::string> samples;
  auto flush = [&] {
    std::sort(samples.begin(), samples.end());
    for (const auto& sample : samples) out += sample + "\n";
    samples.clear();
  };
  const std::regex volatile_value(
      "^(zoom_exporter_poll_duration_seconds|zoom_exporter_last_poll_success_timestamp_seconds|"
      "zoom_exporter_api_request_duration_seconds_sum[^ ]*|zoom_meeting_qos_age_seconds[^ ]*|"
      "zoom_exporter_event_loop_lag_seconds_(sum|count)) .*$");
  const std::regex revision("revision=\"[^\"]*\"");
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) {
      flush();
      out += line + "\n";
      continue;
    }
    if (line.starts_with("zoom_exporter_api_request_duration_seconds_bucket") ||
        line.starts_with("zoom_exporter_event_loop_lag_seconds_bucket")) {
      continue;
    }
    line = std::regex_replace(line, volatile_value, "$1 <volatile>");
    line = std::regex_replace(line, revision, "revision=\"<revision>\"");
    samples.push_back(line);
  }
  flush();
  return out;
}

TEST(ExporterTest, ExportsExactValuesOfEveryMeeting) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  const std::string text = harness.metrics();

  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "111", "16001")),
            "0.126");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "111", "16002")),
            "0.04");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "222", "26001")),
            "0.08");
  EXPECT_EQ(
      sample_value(text, audio_input("zoom_participant_bitrate_bytes_per_second", "111", "16001")),
      "2875");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_avg_loss_ratio", "111", "16001")),
            "0.003");
  EXPECT_EQ(sample_value(text,
                         "zoom_participant_cpu_usage_ratio{meeting_id=\"111\",participant_id="
                         "\"16001\",source=\"zoom_min\"}"),
            "0.08");
  // "" and "-" are no value: no series, not zero.
  EXPECT_FALSE(contains_line_starting(text,
                                      "zoom_participant_bitrate_bytes_per_second{meeting_id="
                                      "\"111\",participant_id=\"16001\",media=\"video\""));
  EXPECT_EQ(sample_value(text, "zoom_meeting_participants{meeting_id=\"111\"}"), "2");
  EXPECT_EQ(sample_value(text,
                         "zoom_meeting_info{meeting_id=\"222\",uuid=\"uuid-two==\",topic="
                         "\"All hands\",host=\"Host Name\",type=\"meeting\"}"),
            "1");
  // The IP address is not a label unless configured.
  EXPECT_EQ(text.find("192.0.2.7"), std::string::npos);
}

TEST(ExporterTest, WholeScrapeMatchesGoldenFile) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  const std::string actual = normalized(harness.metrics());
  const std::string golden_path = std::string(ZQE_TEST_DATA_DIR) + "/scrape.golden.prom";
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(golden_path) << actual;
    GTEST_SKIP() << "golden file rewritten: " << golden_path;
  }
  std::ifstream golden(golden_path);
  ASSERT_TRUE(golden) << "missing " << golden_path << "; run with UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << golden.rdbuf();
  EXPECT_EQ(actual, expected.str());
}

TEST(ExporterTest, OutputPassesPromtool) {
  if (run_command("command -v promtool").first != 0) GTEST_SKIP() << "promtool not installed";
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  auto [status, output] = run_command("promtool check metrics", harness.metrics());
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "") << output;
}

TEST(ExporterTest, SeriesOfEndedMeetingsAndLeftParticipantsDisappear) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  ASSERT_NE(sample_value(harness.metrics(), "zoom_meeting_participants{meeting_id=\"222\"}"),
            "absent");

  // Meeting 222 ends; Bob leaves meeting 111.
  harness.zoom().on_get(kMeetings,
                        {{200, meetings_page({meeting(111, "uuid-one==", "Weekly sync", 1)}), {}}});
  harness.zoom().on_get(kMeeting1Qos,
                        {{200, participants_page({participant("16001", "Ann", "126 ms")}), {}}});
  harness.poll();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "1");
  EXPECT_EQ(text.find("meeting_id=\"222\""), std::string::npos);
  EXPECT_EQ(text.find("participant_id=\"16002\""), std::string::npos);
  EXPECT_NE(text.find("participant_id=\"16001\""), std::string::npos);

  harness.zoom().on_get(kMeetings, {{200, meetings_page({}), {}}});
  harness.poll();
  const std::string empty = harness.metrics();
  EXPECT_EQ(sample_value(empty, "zoom_live_meetings"), "0");
  EXPECT_EQ(empty.find("zoom_participant_"), std::string::npos);
  EXPECT_EQ(empty.find("zoom_meeting_"), std::string::npos);
}

TEST(ExporterTest, RefreshesTheTokenOnceAndRetriesOn401) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.zoom().reject_tokens(1);
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(harness.zoom().count("/oauth/token"), 2);
  EXPECT_EQ(sample_value(text, "zoom_exporter_token_refreshes_total{result=\"success\"}"), "2");
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  // The retried call carried the new token.
  const auto requests = harness.zoom().requests();
  EXPECT_EQ(requests.back().header("Authorization"), "Bearer token-2");
}

TEST(ExporterTest, AsksForOneTokenAndReusesIt) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  harness.poll();
  harness.poll();
  EXPECT_EQ(harness.zoom().count("/oauth/token"), 1);
  const auto requests = harness.zoom().requests();
  const auto& token_request = requests.front();
  EXPECT_EQ(token_request.method, "POST");
  EXPECT_EQ(token_request.header("Authorization"), "Basic Y2xpZW50OnNlY3JldA==");  // client:secret
  EXPECT_EQ(token_request.body, "grant_type=account_credentials&account_id=account");
}

TEST(ExporterTest, FollowsEveryPageOfBothListings) {
  ExporterHarness harness;
  auto& zoom = harness.zoom();
  harness.config().zoom.qos_page_size = 1;
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(111, "uuid-one==", "A", 2)}, "m2"), {}}});
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(222, "uuid-two==", "B", 1)}), {}}}, "m2");
  zoom.on_get(kMeeting1Qos, {{200, participants_page({participant("16001", "Ann")}, "p2"), {}}});
  zoom.on_get(kMeeting1Qos, {{200, participants_page({participant("16002", "Bob")}), {}}}, "p2");
  zoom.on_get(kMeeting2Qos, {{200, participants_page({participant("26001", "Cy")}), {}}});
  harness.start();

  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  for (const auto& [meeting_id, participant_id] : std::vector<std::pair<std::string, std::string>>{
           {"111", "16001"}, {"111", "16002"}, {"222", "26001"}}) {
    EXPECT_NE(sample_value(text, audio_input("zoom_participant_latency_seconds", meeting_id,
                                             participant_id)),
              "absent")
        << meeting_id << "/" << participant_id;
  }
  bool asked_page_size = false;
  for (const auto& request : zoom.requests()) {
    if (request.path == "/v2" + kMeeting1Qos) {
      asked_page_size = request.query_param("page_size") == "1";
      EXPECT_EQ(request.query_param("type"), "live");
    }
  }
  EXPECT_TRUE(asked_page_size);
}

TEST(ExporterTest, EncodesUuidsTwiceWhereZoomRequiresIt) {
  ExporterHarness harness;
  auto& zoom = harness.zoom();
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(333, "/ab//c==", "Slashes", 1)}), {}}});
  zoom.on_get("/metrics/meetings/%252Fab%252F%252Fc%253D%253D/participants/qos",
              {{200, participants_page({participant("36001", "Dee")}), {}}});
  harness.start();
  EXPECT_NE(sample_value(harness.metrics(),
                         audio_input("zoom_participant_latency_seconds", "333", "36001")),
            "absent");
}

TEST(ExporterTest, DropsMeetingsThatEndedBetweenListAndQosCall) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.zoom().on_get(kMeeting2Qos,
                        {{404, R"({"code":3001,"message":"Meeting does not exist."})", {}}});
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "1");
  EXPECT_EQ(text.find("meeting_id=\"222\""), std::string::npos);
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
}

TEST(ExporterTest, KeepsLastGoodDataOfAMeetingWhoseFetchFails) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();

  // Zoom fails meeting 111 now; meeting 222 gets new values.
  harness.zoom().on_get(kMeeting1Qos, {{500, R"({"code":500,"message":"oops"})", {}}});
  harness.zoom().on_get(kMeeting2Qos,
                        {{200, participants_page({participant("26001", "Cy", "90 ms")}), {}}});
  harness.poll();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "111", "16001")),
            "0.126");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "222", "26001")),
            "0.09");
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_api_requests_total{code=\"500\","
                         "endpoint=\"participants_qos\"}"),
            "1");
}

TEST(ExporterTest, KeepsServingWhenTheMeetingListFails) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  harness.zoom().on_get(kMeetings, {{503, "Service Unavailable", {}}});
  harness.poll();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text, "zoom_exporter_polls_total{result=\"failure\"}"), "1");

  script_two_meetings(harness.zoom());
  harness.poll();
  EXPECT_EQ(sample_value(harness.metrics(), "zoom_up"), "1");
}

TEST(ExporterTest, ZoomUnreachableIsAMetricNotADeadEndpoint) {
  ExporterHarness harness;
  harness.config().zoom.api_base_url = "http://127.0.0.1:1/v2";  // nothing listens there
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "0");
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_api_requests_total{code=\"connect_error\","
                         "endpoint=\"list_meetings\"}"),
            "1");
  EXPECT_EQ(harness.get("/readyz").status, 503);
  EXPECT_EQ(harness.get("/healthz").status, 200);
}

TEST(ExporterTest, RejectedCredentialsMakeZoomDown) {
  ExporterHarness harness;
  harness.zoom().on_token(
      {{400, R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})", {}}});
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "0");
  EXPECT_EQ(sample_value(text, "zoom_exporter_token_refreshes_total{result=\"failure\"}"), "1");
  EXPECT_EQ(text.find("secret"), std::string::npos);
}

TEST(ExporterTest, CountsParseErrorsPerField) {
  ExporterHarness harness;
  auto& zoom = harness.zoom();
  zoom.on_get(kMeetings, {{200, meetings_page({meeting(111, "uuid-one==", "A", 1)}), {}}});
  zoom.on_get(kMeeting1Qos, {{200, participants_page({participant("16001", "Ann", "fast")}), {}}});
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_exporter_parse_errors_total{field=\"audio_input.latency\"}"),
            "1");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "111", "16001")),
            "absent");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_jitter_seconds", "111", "16001")),
            "0.006");
}

TEST(ExporterTest, ServesGzipThatDecodesToThePlainBody) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  const HttpReply gzip = harness.get("/metrics", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gzip.status, 200);
  EXPECT_EQ(gzip.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gzip.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string decoded = gunzip(gzip.body);
  EXPECT_NE(decoded.find("zoom_live_meetings 2\n"), std::string::npos);
  EXPECT_NE(decoded.find("zoom_exporter_build_info"), std::string::npos);

  const HttpReply refused = harness.get("/metrics", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.header("Content-Encoding"), "");
}

TEST(ExporterTest, AnswersOtherPathsAndMethodsProperly) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  EXPECT_EQ(harness.get("/readyz").status, 200);
  EXPECT_EQ(harness.get("/healthz").body, "ok\n");
  EXPECT_EQ(harness.get("/").status, 200);
  EXPECT_EQ(harness.get("/nope").status, 404);
  const HttpReply post = harness.request("POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("Allow"), "GET, HEAD");
  const HttpReply head = harness.request("HEAD", "/metrics");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

}  // namespace
}  // namespace zqe::test

namespace zqe::test {
namespace {

TEST(ExporterReloadTest, AppliesAValidConfigAndKeepsTheRunningOneWhenInvalid) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  const std::string path = "/tmp/zqe-reload-test-" + std::to_string(getpid()) + ".yaml";
  auto write_config = [&](const std::string& labels) {
    std::ofstream(path) << "listen: \"127.0.0.1:9799\"\n"
                        << "zoom:\n"
                        << "  account_id: account\n  client_id: client\n  client_secret: secret\n"
                        << "  api_base_url: " << harness.zoom().api_base_url() << "\n"
                        << "  oauth_token_url: " << harness.zoom().oauth_token_url() << "\n"
                        << "limits:\n  heavy_per_second: 1000\n"
                        << "  resource_intensive_per_minute: 10000\n"
                        << "metrics:\n  participant_info_labels: " << labels << "\n";
  };
  write_config("[user_name]");
  harness.start(path);
  const std::string info = "zoom_participant_info{meeting_id=\"111\",participant_id=\"16001\"";
  EXPECT_EQ(sample_value(harness.metrics(), info + ",user_name=\"Ann\",device=\"Mac\","
                                                   "version=\"6.2.0\",location=\"Berlin (DE)\"}"),
            "1");

  write_config("[user_name, ip_address]");
  harness.reload();
  harness.poll();
  EXPECT_EQ(sample_value(harness.metrics(), info + ",user_name=\"Ann\",ip_address=\"192.0.2.7\"}"),
            "1");

  write_config("[user_name, no_such_label]");
  harness.reload();
  harness.poll();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, info + ",user_name=\"Ann\",ip_address=\"192.0.2.7\"}"), "1");
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zqe::test

namespace zqe::test {
namespace {

const FakeReply kPerSecondLimit{
    429,
    R"({"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."})",
    {{"X-RateLimit-Category", "Heavy"}, {"X-RateLimit-Type", "QPS"}, {"Retry-After", "1"}}};

const FakeReply kDailyLimit{
    429,
    R"({"code":429,"message":"You have exceeded the daily rate limit (60000) of Dashboard API requests permitted for this particular account."})",
    {{"X-RateLimit-Category", "Heavy"},
     {"X-RateLimit-Type", "Daily-limit"},
     {"Retry-After", "2099-01-01T00:00:00Z"}}};

TEST(ExporterRateLimitTest, WaitsOutAPerSecond429AndRetries) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.zoom().on_get(
      kMeeting1Qos,
      {kPerSecondLimit,
       {200, participants_page({participant("16001", "Ann"), participant("16002", "Bob")}), {}}});
  const auto started = std::chrono::steady_clock::now();
  harness.start();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "111", "16001")),
            "0.126");
  EXPECT_EQ(sample_value(text, "zoom_exporter_rate_limited_total{category=\"heavy\",type=\"qps\"}"),
            "1");
}

TEST(ExporterRateLimitTest, ADailyLimitStopsCallsAndKeepsServingTheLastData) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.start();
  harness.zoom().on_get(kMeeting1Qos, {kDailyLimit});
  harness.zoom().on_get(kMeeting2Qos, {kDailyLimit});
  harness.request_poll();
  // The first refused call stops every further one until the reset.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int calls = harness.zoom().count("/v2/metrics/");
  harness.request_poll();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(harness.zoom().count("/v2/metrics/"), calls);

  const std::string text = harness.metrics();
  // Both meetings' calls may have been in flight when the first 429 came back.
  const double refused = std::stod(
      sample_value(text, "zoom_exporter_rate_limited_total{category=\"heavy\",type=\"daily\"}"));
  EXPECT_GE(refused, 1);
  EXPECT_LE(refused, 2);
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_api_budget_remaining{category=\"daily\","
                         "source=\"exporter\"}"),
            "0");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "111", "16001")),
            "0.126");
  EXPECT_NE(sample_value(text, "zoom_meeting_qos_age_seconds{meeting_id=\"111\"}"), "absent");
}

TEST(ExporterRateLimitTest, ExportsTheBudgetZoomReports) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.zoom().on_get(kMeetings, {{200,
                                     meetings_page({meeting(111, "uuid-one==", "Weekly sync", 2),
                                                    meeting(222, "uuid-two==", "All hands", 1)}),
                                     {{"X-RateLimit-Remaining", "5000"}}}});
  harness.start();
  const std::string text = harness.metrics();
  // The webinar list and two QoS calls came after Zoom said 5000.
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_api_budget_remaining{category=\"daily\","
                         "source=\"zoom\"}"),
            "4997");
  EXPECT_EQ(sample_value(text, "zoom_exporter_scheduled_meetings"), "2");
}

TEST(ExporterWebinarTest, ExportsLiveWebinarsWithTheirType) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.zoom().on_get(
      "/metrics/webinars",
      {{200,
        R"({"next_page_token":"","webinars":[)" + meeting(999, "web-uuid==", "Town hall", 1) + "]}",
        {}}});
  harness.zoom().on_get("/metrics/webinars/web-uuid%3D%3D/participants/qos",
                        {{200, participants_page({participant("96001", "Vi", "200 ms")}), {}}});
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text,
                         "zoom_meeting_info{meeting_id=\"999\",uuid=\"web-uuid==\",topic="
                         "\"Town hall\",host=\"Host Name\",type=\"webinar\"}"),
            "1");
  EXPECT_EQ(sample_value(text, audio_input("zoom_participant_latency_seconds", "999", "96001")),
            "0.2");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "3");
}

TEST(ExporterWebinarTest, AFailedWebinarListKeepsTheMeetings) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.zoom().on_get("/metrics/webinars",
                        {{400, R"({"code":300,"message":"Cannot access webinar info."})", {}}});
  harness.start();
  const std::string text = harness.metrics();
  EXPECT_EQ(sample_value(text, "zoom_up"), "1");
  EXPECT_EQ(sample_value(text, "zoom_live_meetings"), "2");
  EXPECT_EQ(sample_value(text,
                         "zoom_exporter_api_requests_total{code=\"400\","
                         "endpoint=\"list_webinars\"}"),
            "1");
}

TEST(ExporterWebinarTest, WebinarsCanBeSwitchedOff) {
  ExporterHarness harness;
  script_two_meetings(harness.zoom());
  harness.config().poll.webinars = false;
  harness.start();
  EXPECT_EQ(harness.zoom().count("/v2/metrics/webinars"), 0);
}

}  // namespace
}  // namespace zqe::test
