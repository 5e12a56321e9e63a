#include <gtest/gtest.h>

#include <sys/wait.h>

#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "integration/exporter_process.hpp"
#include "support/fake_zoom.hpp"
#include "support/temp_dir.hpp"
#include "support/test_tools.hpp"

// The commands (meetings, qos) of the real binary against a fake Zoom and the simulator: their
// exact output (golden files, UPDATE_GOLDEN=1 rewrites them), exit codes and requests on the wire.
namespace zqe::test {
namespace {

const std::string kBinary = ZQE_BINARY;

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
};

CommandResult run_binary(const std::vector<std::string>& arguments) {
  ExporterRun run;
  run.arguments = arguments;
  ExporterProcess process(run);
  const int status = process.wait();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), process.out(),
          process.err()};
}

void expect_golden(const std::string& actual, const std::string& name) {
  const std::string path = std::string(ZQE_TEST_DATA_DIR) + "/commands/" + name;
  if (std::getenv("UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream golden(path);
  ASSERT_TRUE(golden) << "missing " << path << "; run with UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << golden.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "run with UPDATE_GOLDEN=1 to accept, then review the diff";
}

std::string webinars_page(const std::vector<std::string>& webinars) {
  std::string page = meetings_page(webinars);
  page.replace(page.find("\"meetings\""), 10, "\"webinars\"");
  return page;
}

// A participant with video and screen share besides fake_zoom's audio and CPU.
std::string participant_with_video(const std::string& user_id, const std::string& user_name) {
  return R"J({"user_id":")J" + user_id + R"J(","user_name":")J" + user_name +
         R"J(","device":"Windows","version":"5.17.11","location":"São Paulo (BR)",)J"
         R"J("user_qos":[{"date_time":"2026-11-22T10:06:00Z",)J"
         R"J("audio_input":{"bitrate":"65 kbps","latency":"290 ms","jitter":"41 ms",)J"
         R"J("avg_loss":"4.5%","max_loss":"12%"},)J"
         R"J("audio_output":{"bitrate":"60 kbps","latency":"280 ms","jitter":"30 ms",)J"
         R"J("avg_loss":"2%","max_loss":"6%"},)J"
         R"J("video_input":{"bitrate":"1200 kbps","latency":"300 ms","jitter":"40 ms",)J"
         R"J("avg_loss":"3%","max_loss":"9%","resolution":"1280*720","frame_rate":"25 fps"},)J"
         R"J("video_output":{"bitrate":"","latency":"","resolution":"0*0","frame_rate":""},)J"
         R"J("as_output":{"bitrate":"900 kbps","resolution":"1920*1080","frame_rate":"5 fps"},)J"
         R"J("cpu_usage":{"zoom_min_cpu_usage":"20%","zoom_avg_cpu_usage":"35%",)J"
         R"J("zoom_max_cpu_usage":"61%","system_max_cpu_usage":"92%"}}]})J";
}

class CommandTest : public ::testing::Test {
 protected:
  CommandTest() : work_(io_.get_executor()), zoom_(io_) {
    zoom_.start();
    thread_ = std::thread([this] { io_.run(); });
    config_ = dir_.write("config.yaml", config_text(zoom_.api_base_url(), zoom_.oauth_token_url()));
  }
  ~CommandTest() override {
    boost::asio::post(io_, [this] { zoom_.stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  static std::string config_text(const std::string& api, const std::string& token) {
    return "zoom:\n  account_id: acct\n  client_id: client\n  client_secret: s3cr3t-value\n"
           "  api_base_url: " +
           api + "\n  oauth_token_url: " + token + "\n";
  }

  CommandResult run(std::vector<std::string> arguments) {
    arguments.push_back("--config");
    arguments.push_back(config_);
    return run_binary(arguments);
  }

  // The Dashboard API calls the fake saw (the token request left out).
  std::vector<std::string> api_targets() const {
    std::vector<std::string> targets;
    for (const auto& request : zoom_.requests()) {
      if (request.path.starts_with("/v2/")) targets.push_back(request.target);
    }
    return targets;
  }

  void script_meetings() {
    zoom_.on_get("/metrics/meetings",
                 {{200,
                   meetings_page({meeting(81234567890, "uuid-one==", "Weekly sync", 2),
                                  meeting(222, "/uuid//two==", "Café & croissants", 1)}),
                   {}}});
    zoom_.on_get("/metrics/webinars",
                 {{200, webinars_page({meeting(93583295521, "web-uuid==", "Town hall", 44)}), {}}});
  }

  // Two pages of participants of meeting 81234567890.
  void script_participants() {
    const std::string path = "/metrics/meetings/81234567890/participants/qos";
    zoom_.on_get(path, {{200,
                         participants_page({participant("16001", "Ann", "126 ms"),
                                            participant_with_video("16002", "Jürgen")},
                                           "page-2"),
                         {}}});
    zoom_.on_get(path, {{200, participants_page({participant("16003", "Bob", "40 ms")}), {}}},
                 "page-2");
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  FakeZoom zoom_;
  std::thread thread_;
  TempDir dir_;
  std::string config_;
};

TEST_F(CommandTest, MeetingsTableAndJson) {
  script_meetings();
  CommandResult result = run({"meetings"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "");  // no log lines at info level
  expect_golden(result.out, "meetings.golden.txt");
  result = run({"meetings", "--output", "json"});
  EXPECT_EQ(result.status, 0) << result.err;
  expect_golden(result.out, "meetings.golden.json");
  EXPECT_EQ(api_targets(), (std::vector<std::string>{
                               "/v2/metrics/meetings?type=live&page_size=300",
                               "/v2/metrics/webinars?type=live&page_size=300",
                               "/v2/metrics/meetings?type=live&page_size=300",
                               "/v2/metrics/webinars?type=live&page_size=300",
                           }));
}

TEST_F(CommandTest, MeetingsWithoutWebinarsWhenPollWebinarsIsOff) {
  script_meetings();
  std::ofstream(config_, std::ios::app) << "poll:\n  webinars: false\n";
  const CommandResult result = run({"meetings"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out.find("Town hall"), std::string::npos) << result.out;
  EXPECT_EQ(zoom_.count("/v2/metrics/webinars"), 0);
}

TEST_F(CommandTest, QosOfEveryParticipantOnEveryPage) {
  script_participants();
  CommandResult result = run({"qos", "81234567890"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, "");
  expect_golden(result.out, "qos.golden.txt");
  result = run({"qos", "81234567890", "--output=json"});
  EXPECT_EQ(result.status, 0) << result.err;
  expect_golden(result.out, "qos.golden.json");
  EXPECT_EQ(zoom_.count("/v2/metrics/meetings/81234567890/participants/qos"), 4);
}

TEST_F(CommandTest, QosOfOneParticipantIsOneCallPlusTheToken) {
  zoom_.on_get("/metrics/meetings/81234567890/participants/16002/qos",
               {{200, participant_with_video("16002", "Jürgen"), {}}});
  CommandResult result = run({"qos", "81234567890", "16002"});
  EXPECT_EQ(result.status, 0) << result.err;
  expect_golden(result.out, "qos-participant.golden.txt");
  const auto requests = zoom_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/oauth/token");
  EXPECT_EQ(requests[1].target,
            "/v2/metrics/meetings/81234567890/participants/16002/qos?type=live");

  result = run({"qos", "81234567890", "16002", "--output", "json"});
  EXPECT_EQ(result.status, 0) << result.err;
  expect_golden(result.out, "qos-participant.golden.json");
}

TEST_F(CommandTest, UuidsArePercentEncodedOnceOrTwice) {
  zoom_.on_get("/metrics/meetings/uuid-one%3D%3D/participants/qos",
               {{200, participants_page({participant("16001", "Ann")}), {}}});
  zoom_.on_get("/metrics/meetings/%252Fuuid%252F%252Ftwo%253D%253D/participants/qos",
               {{200, participants_page({participant("16001", "Ann")}), {}}});
  zoom_.on_get("/metrics/webinars/a%252F%252Fb%253D%253D/participants/7%2F8/qos",
               {{200, participant("7/8", "Cy"), {}}});
  EXPECT_EQ(run({"qos", "uuid-one=="}).status, 0);
  EXPECT_EQ(run({"qos", "/uuid//two=="}).status, 0);
  const CommandResult webinar = run({"qos", "a//b==", "7/8", "--webinar"});
  EXPECT_EQ(webinar.status, 0) << webinar.err;
  EXPECT_EQ(webinar.out.find("Webinar a//b==, participant 7/8\n"), 0u) << webinar.out;
  EXPECT_EQ(api_targets(),
            (std::vector<std::string>{
                "/v2/metrics/meetings/uuid-one%3D%3D/participants/qos?type=live&page_size=10",
                "/v2/metrics/meetings/%252Fuuid%252F%252Ftwo%253D%253D/participants/"
                "qos?type=live&page_size=10",
                "/v2/metrics/webinars/a%252F%252Fb%253D%253D/participants/7%2F8/qos?type=live",
            }));
}

TEST_F(CommandTest, NotLiveAndUnknownMeetingsExitWith1AndZoomsMessage) {
  zoom_.on_get("/metrics/meetings/81234567890/participants/qos",
               {{404, R"({"code":3001,"message":"Meeting 81234567890 is not live."})", {}}});
  CommandResult result = run({"qos", "81234567890"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "zoom-qos-exporter: meeting 81234567890 not found or not live: HTTP 404 (code 3001): "
            "Meeting 81234567890 is not live.\n");
  // Unscripted: the fake answers 404 / 3001 "Meeting does not exist."
  result = run({"qos", "99999999999", "16001"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("Meeting does not exist."), std::string::npos) << result.err;
  zoom_.on_get("/metrics/meetings/81234567890/participants/qos",
               {{400, R"({"code":300,"message":"Invalid meeting id."})", {}}});
  result = run({"qos", "81234567890"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("Invalid meeting id."), std::string::npos) << result.err;
}

TEST_F(CommandTest, UsageAndConfigErrorsExitWith2) {
  for (const auto& arguments :
       std::vector<std::vector<std::string>>{{"frobnicate"},
                                             {"qos"},
                                             {"meetings", "--frobnicate"},
                                             {"qos", "1", "2", "3"},
                                             {"meetings", "--output", "yaml"},
                                             {"meetings", "extra"}}) {
    SCOPED_TRACE(arguments.front() + (arguments.size() > 1 ? " " + arguments[1] : ""));
    const CommandResult result = run(arguments);
    EXPECT_EQ(result.status, 2);
    EXPECT_TRUE(result.err.starts_with("zoom-qos-exporter: ")) << result.err;
    EXPECT_NE(result.err.find("--help'."), std::string::npos) << result.err;
  }
  EXPECT_EQ(run_binary({"meetings"}).status, 2);  // neither --config nor --simulate
  const std::string bad = dir_.write("bad.yaml", "zoom:\n  client_idd: x\n");
  const CommandResult result = run_binary({"meetings", "--config", bad});
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find(bad + ":2:3: zoom.client_idd: unknown key"), std::string::npos)
      << result.err;
  EXPECT_EQ(zoom_.requests().size(), 0u);
}

TEST_F(CommandTest, HelpExitsWith0AndDocumentsTheExitCodes) {
  for (const std::string command : {"meetings", "qos"}) {
    const CommandResult result = run_binary({command, "--help"});
    EXPECT_EQ(result.status, 0);
    EXPECT_NE(result.out.find("Exit codes:"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Usage: zoom-qos-exporter " + command), std::string::npos);
  }
  const CommandResult daemon = run_binary({"--help"});
  EXPECT_EQ(daemon.status, 0);
  EXPECT_NE(daemon.out.find("qos MEETING [PARTICIPANT]"), std::string::npos) << daemon.out;
}

TEST_F(CommandTest, UnreachableZoomExitsWith3) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(free_port());
  const std::string config =
      dir_.write("closed.yaml", config_text(closed + "/v2", closed + "/oauth/token"));
  const CommandResult result = run_binary({"meetings", "--config", config});
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("cannot get an access token from Zoom: token request failed: "),
            std::string::npos)
      << result.err;
}

TEST_F(CommandTest, RefusedCredentialsExitWith3WithoutTheSecret) {
  zoom_.on_token(
      {{400, R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})", {}}});
  CommandResult result = run({"meetings"});
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("Zoom rejected the credentials"), std::string::npos) << result.err;
  EXPECT_EQ((result.out + result.err).find("s3cr3t-value"), std::string::npos);

  zoom_.on_token({});
  zoom_.reject_tokens(100);  // every token is refused by the API: 401 / code 124
  result = run({"qos", "81234567890"});
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("HTTP 401 (code 124)"), std::string::npos) << result.err;
  zoom_.reject_tokens(0);

  zoom_.on_get(
      "/metrics/meetings",
      {{403, R"({"code":4711,"message":"Invalid access token, does not contain scopes."})", {}}});
  result = run({"meetings"});
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("does not contain scopes"), std::string::npos) << result.err;
}

TEST_F(CommandTest, DailyRateLimitExitsWith3) {
  zoom_.on_get(
      "/metrics/meetings/81234567890/participants/qos",
      {{429,
        R"({"code":429,"message":"You have exceeded the daily rate limit (60000) of Dashboard API requests permitted for this particular account."})",
        {{"X-RateLimit-Type", "Daily-limit"}, {"Retry-After", "2099-01-01T00:00:00Z"}}}});
  const CommandResult result = run({"qos", "81234567890"});
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("zoom-qos-exporter: Zoom's daily rate limit of the account is used up"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(zoom_.count("/v2/metrics/meetings/81234567890"), 1);  // not retried
}

TEST_F(CommandTest, PerSecondRateLimitIsWaitedOutAndRetried) {
  const std::string path = "/metrics/meetings/81234567890/participants/16001/qos";
  zoom_.on_get(
      path,
      {{429,
        R"({"code":429,"message":"You have reached the maximum per-second rate limit for this API."})",
        {{"X-RateLimit-Type", "QPS"}, {"Retry-After", "1"}}},
       {200, participant("16001", "Ann"), {}}});
  const auto started = std::chrono::steady_clock::now();
  const CommandResult result = run({"qos", "81234567890", "16001"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  EXPECT_EQ(zoom_.count("/v2" + path), 2);
}

// `meetings --simulate` gives the same ids every run (for the seed), so `qos --simulate` finds
// them.
TEST_F(CommandTest, WithSeveralAccountsAccountChoosesWhichToAsk) {
  script_meetings();
  config_ = dir_.write("accounts.yaml",
                       "zoom:\n  accounts:\n"
                       "    - name: east\n      account_id: a\n      client_id: c\n"
                       "      client_secret: east-secret\n"
                       "      api_base_url: http://127.0.0.1:1/v2\n"
                       "      oauth_token_url: http://127.0.0.1:1/oauth/token\n"
                       "    - name: west\n      account_id: acct\n      client_id: client\n"
                       "      client_secret: s3cr3t-value\n      api_base_url: " +
                           zoom_.api_base_url() +
                           "\n      oauth_token_url: " + zoom_.oauth_token_url() + "\n");
  CommandResult result = run({"meetings", "--account", "west"});
  EXPECT_EQ(result.status, 0) << result.err;
  expect_golden(result.out, "meetings.golden.txt");  // the same fake Zoom as the single account

  result = run({"meetings"});
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(result.err, "zoom-qos-exporter: " + config_ +
                            " lists several zoom.accounts: choose one with --account NAME "
                            "(east, west)\n");
  result = run({"qos", "81234567890", "--account=north"});
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(result.err, "zoom-qos-exporter: --account north: no such entry in zoom.accounts of " +
                            config_ + " (east, west)\n");
  result = run({"meetings", "--account", "east"});
  EXPECT_EQ(result.status, 3) << result.err;  // nothing listens there
}

TEST_F(CommandTest, AccountWithoutAccountsIsAUsageError) {
  const CommandResult result = run({"meetings", "--account", "west"});
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(result.err, "zoom-qos-exporter: --account west: " + config_ +
                            " has no zoom.accounts, only one account\n");
}

TEST(SimulatedCommandTest, IdsFromMeetingsWorkForQos) {
  const CommandResult first = run_binary({"meetings", "--simulate", "--output", "json"});
  ASSERT_EQ(first.status, 0) << first.err;
  const CommandResult second = run_binary({"meetings", "--simulate", "--output", "json"});
  ASSERT_EQ(second.status, 0) << second.err;
  auto ids = [](const std::string& json) {
    std::vector<std::string> found;
    for (std::size_t at = json.find("\"id\": "); at != std::string::npos;
         at = json.find("\"id\": ", at + 1)) {
      found.push_back(json.substr(at + 6, json.find(',', at) - at - 6));
    }
    return found;
  };
  const std::vector<std::string> meeting_ids = ids(first.out);
  ASSERT_EQ(meeting_ids.size(), 22u) << first.out;  // 20 meetings and 2 webinars by default
  EXPECT_EQ(meeting_ids, ids(second.out));

  const CommandResult qos = run_binary({"qos", meeting_ids.front(), "--simulate", "--output=json"});
  ASSERT_EQ(qos.status, 0) << qos.err;
  const std::size_t at = qos.out.find("\"participant_id\": \"");
  ASSERT_NE(at, std::string::npos) << qos.out;
  const std::string participant = qos.out.substr(at + 19, qos.out.find('"', at + 19) - at - 19);
  const CommandResult one = run_binary({"qos", meeting_ids.front(), participant, "--simulate"});
  EXPECT_EQ(one.status, 0) << one.err;
  EXPECT_NE(one.out.find("participant " + participant), std::string::npos) << one.out;
  const CommandResult webinar = run_binary({"qos", meeting_ids.back(), "--webinar", "--simulate"});
  EXPECT_EQ(webinar.status, 0) << webinar.err;
  EXPECT_EQ(run_binary({"qos", "12345", "--simulate"}).status, 1);
}

}  // namespace
}  // namespace zqe::test
