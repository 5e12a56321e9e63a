#include "simulator/simulated_api.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "common/base64.hpp"
#include "simulator/simulated_zoom.hpp"
#include "simulator/simulator_test_support.hpp"

namespace zqe::simulator {
namespace {

using namespace std::chrono_literals;
using test::parse_json;
using test::percent_encode;
using test::simulator_config;
using test::test_start;

std::string basic_credentials(std::string_view client_id, std::string_view secret) {
  return "Basic " + base64_encode(std::string(client_id) + ":" + std::string(secret),
                                  Base64Alphabet::standard);
}

http::Request token_request(std::string_view client_id = kClientId,
                            std::string_view secret = kClientSecret) {
  http::Request request;
  request.method = "POST";
  request.path = request.target = "/oauth/token";
  request.headers = {{"Authorization", basic_credentials(client_id, secret)},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = std::string("grant_type=account_credentials&account_id=") + kAccountId;
  return request;
}

class SimulatedApiTest : public ::testing::Test {
 protected:
  explicit SimulatedApiTest(config::SimulatorConfig config = simulator_config(45, 12),
                            std::optional<RateLimits> limits = std::nullopt)
      : config_(config),
        api_(make_api(
            config, [this] { return now_; }, limits)) {}

  static SimulatedApi make_api(const config::SimulatorConfig& config, Clock clock,
                               std::optional<RateLimits> limits) {
    if (limits) return SimulatedApi(config, std::move(clock), *limits);
    return SimulatedApi(config, std::move(clock));
  }

  http::Response get(const std::string& target, std::string_view token) {
    http::Request request;
    request.method = "GET";
    request.target = target;
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    if (!token.empty()) request.headers = {{"Authorization", "Bearer " + std::string(token)}};
    return api_.handle(request);
  }

  std::string new_access_token() {
    const http::Response response = api_.handle(token_request());
    EXPECT_EQ(response.status, 200u);
    return parse_json(response.body_string())["access_token"].GetString();
  }

  // GET with a fresh token, the reply parsed.
  rapidjson::Document get_json(const std::string& target, unsigned expected_status = 200) {
    if (token_.empty()) token_ = new_access_token();
    const http::Response response = get(target, token_);
    EXPECT_EQ(response.status, expected_status) << target << ": " << response.body_string();
    EXPECT_EQ(response.content_type, "application/json;charset=UTF-8");
    rapidjson::Document document = parse_json(response.body_string());
    EXPECT_FALSE(document.HasParseError());
    return document;
  }

  // Every meeting of the list, following next_page_token.
  std::vector<std::string> all_meeting_uuids(int page_size) {
    std::vector<std::string> uuids;
    std::string next_token;
    do {
      std::string target = "/v2/metrics/meetings?type=live&page_size=" + std::to_string(page_size);
      if (!next_token.empty()) target += "&next_page_token=" + percent_encode(next_token);
      const rapidjson::Document page = get_json(target);
      EXPECT_EQ(page["total_records"].GetUint64(), static_cast<std::uint64_t>(config_.meetings));
      EXPECT_LE(page["meetings"].Size(), static_cast<unsigned>(page_size));
      for (const auto& meeting : page["meetings"].GetArray()) {
        uuids.emplace_back(meeting["uuid"].GetString());
      }
      next_token = page["next_page_token"].GetString();
    } while (!next_token.empty());
    return uuids;
  }

  std::string qos_target(std::string_view meeting, std::string_view query = "type=live") {
    return "/v2/metrics/meetings/" + std::string(meeting) + "/participants/qos?" +
           std::string(query);
  }

  // Encoded as Zoom asks: twice when the uuid starts with '/' or contains "//".
  static std::string encoded_uuid(const std::string& uuid) {
    const bool twice = uuid.starts_with('/') || uuid.find("//") != std::string::npos;
    return twice ? percent_encode(percent_encode(uuid)) : percent_encode(uuid);
  }

  std::string meeting_uuid(std::size_t index) {
    return get_json("/v2/metrics/meetings?page_size=300")["meetings"][static_cast<unsigned>(index)]
                                                         ["uuid"]
                                                             .GetString();
  }

  static void expect_zoom_error(const http::Response& response, unsigned status, int code) {
    EXPECT_EQ(response.status, status);
    const rapidjson::Document body = parse_json(response.body_string());
    ASSERT_TRUE(body.IsObject()) << response.body_string();
    EXPECT_EQ(body["code"].GetInt(), code) << response.body_string();
    EXPECT_TRUE(body["message"].IsString());
  }

  config::SimulatorConfig config_;
  TimePoint now_ = test_start();
  SimulatedApi api_;
  std::string token_;
};

TEST_F(SimulatedApiTest, IssuesBearerTokensForTheSimulatedCredentials) {
  const http::Response response = api_.handle(token_request());
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(response.content_type, "application/json;charset=UTF-8");
  const rapidjson::Document body = parse_json(response.body_string());
  EXPECT_GE(std::string(body["access_token"].GetString()).size(), 32u);
  EXPECT_EQ(std::string(body["token_type"].GetString()), "bearer");
  EXPECT_EQ(body["expires_in"].GetInt(), 3600);
  EXPECT_EQ(std::string(body["scope"].GetString()), "dashboard_meetings:read:admin");
}

TEST_F(SimulatedApiTest, RejectsWrongClientCredentials) {
  for (const http::Request& request :
       {token_request(kClientId, "wrong-secret"), token_request("wrong-client", kClientSecret)}) {
    const http::Response response = api_.handle(request);
    EXPECT_EQ(response.status, 400u);
    EXPECT_EQ(response.body_string(),
              R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})");
  }
  http::Request without_credentials = token_request();
  without_credentials.headers.clear();
  EXPECT_EQ(api_.handle(without_credentials).status, 400u);
}

TEST_F(SimulatedApiTest, RejectsOtherGrantsAndAccounts) {
  http::Request other_grant = token_request();
  other_grant.body = std::string("grant_type=client_credentials&account_id=") + kAccountId;
  EXPECT_EQ(api_.handle(other_grant).status, 400u);
  http::Request other_account = token_request();
  other_account.body = "grant_type=account_credentials&account_id=someone-else";
  EXPECT_EQ(api_.handle(other_account).status, 400u);
  // Zoom also takes the fields in the query string.
  http::Request in_query = token_request();
  in_query.body.clear();
  in_query.query = std::string("grant_type=account_credentials&account_id=") + kAccountId;
  EXPECT_EQ(api_.handle(in_query).status, 200u);
}

TEST_F(SimulatedApiTest, RequiresTheLatestUnexpiredBearerToken) {
  expect_zoom_error(get("/v2/metrics/meetings", ""), 401, 124);
  expect_zoom_error(get("/v2/metrics/meetings", "made-up"), 401, 124);

  const std::string first = new_access_token();
  EXPECT_EQ(get("/v2/metrics/meetings", first).status, 200u);
  const std::string second = new_access_token();
  EXPECT_NE(first, second);
  expect_zoom_error(get("/v2/metrics/meetings", first), 401, 124);
  EXPECT_EQ(get("/v2/metrics/meetings", second).status, 200u);

  now_ += 59min;
  EXPECT_EQ(get("/v2/metrics/meetings", second).status, 200u);
  now_ += 1min;
  expect_zoom_error(get("/v2/metrics/meetings", second), 401, 124);
}

TEST_F(SimulatedApiTest, MeetingPagesCoverEveryMeetingOnce) {
  for (const int page_size : {1, 7, 45, 300}) {
    const std::vector<std::string> uuids = all_meeting_uuids(page_size);
    EXPECT_EQ(uuids.size(), 45u);
    EXPECT_EQ(std::set<std::string>(uuids.begin(), uuids.end()).size(), 45u);
  }
}

TEST_F(SimulatedApiTest, MeetingListHasZoomsFields) {
  const rapidjson::Document page = get_json("/v2/metrics/meetings?type=live&page_size=10");
  EXPECT_EQ(std::string(page["from"].GetString()), "2026-11-22");
  EXPECT_EQ(std::string(page["to"].GetString()), "2026-11-22");
  EXPECT_EQ(page["page_count"].GetInt(), 5);
  EXPECT_EQ(page["page_size"].GetInt(), 10);
  EXPECT_EQ(page["total_records"].GetInt(), 45);
  EXPECT_EQ(page["meetings"].Size(), 10u);
  EXPECT_FALSE(std::string(page["next_page_token"].GetString()).empty());
}

TEST_F(SimulatedApiTest, MeetingPageSizeDefaultsToThirtyAndIsCappedAtThreeHundred) {
  SimulatedApi big(simulator_config(400, 1), [this] { return now_; });
  http::Response response = big.handle(token_request());
  const std::string token = parse_json(response.body_string())["access_token"].GetString();
  auto page_size_of = [&](const std::string& query) {
    http::Request request;
    request.method = "GET";
    request.path = "/v2/metrics/meetings";
    request.query = query;
    request.headers = {{"Authorization", "Bearer " + token}};
    const rapidjson::Document page = parse_json(big.handle(request).body_string());
    EXPECT_EQ(page["meetings"].Size(), page["page_size"].GetUint());
    return page["page_size"].GetInt();
  };
  EXPECT_EQ(page_size_of("type=live"), 30);
  EXPECT_EQ(page_size_of("type=live&page_size=1000"), 300);
  EXPECT_EQ(page_size_of("type=live&page_size=0"), 30);
  EXPECT_EQ(page_size_of("type=live&page_size=abc"), 30);
}

TEST_F(SimulatedApiTest, RejectsInvalidAndExpiredPageTokens) {
  token_ = new_access_token();
  const rapidjson::Document page = get_json("/v2/metrics/meetings?page_size=5");
  const std::string next = page["next_page_token"].GetString();
  EXPECT_EQ(get("/v2/metrics/meetings?next_page_token=" + next, token_).status, 200u);

  std::string tampered = next;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {tampered, std::string("garbage"), next.substr(1)}) {
    expect_zoom_error(get("/v2/metrics/meetings?next_page_token=" + percent_encode(bad), token_),
                      400, 300);
  }
  // A meeting list's token does not page a participant list.
  const std::string uuid = meeting_uuid(0);
  expect_zoom_error(get(qos_target(encoded_uuid(uuid), "next_page_token=" + next), token_), 400,
                    300);

  now_ += 15min;
  token_ = new_access_token();
  expect_zoom_error(get("/v2/metrics/meetings?next_page_token=" + next, token_), 400, 300);
}

TEST_F(SimulatedApiTest, ParticipantPagesDefaultToOneAndAreCapped) {
  const std::string uuid = meeting_uuid(0);
  const rapidjson::Document default_page = get_json(qos_target(encoded_uuid(uuid)));
  EXPECT_EQ(default_page["page_size"].GetInt(), 1);
  EXPECT_LE(default_page["participants"].Size(), 1u);

  const rapidjson::Document capped = get_json(qos_target(encoded_uuid(uuid), "page_size=300"));
  EXPECT_EQ(capped["page_size"].GetInt(), 10);
  EXPECT_LE(capped["participants"].Size(), 10u);
}

TEST_F(SimulatedApiTest, ParticipantPagesCoverEveryParticipantOnce) {
  now_ += 40min;
  std::size_t participants_seen = 0;
  const rapidjson::Document meetings = get_json("/v2/metrics/meetings?page_size=300");
  for (const auto& meeting : meetings["meetings"].GetArray()) {
    std::set<std::string> user_ids;
    std::string next_token;
    std::size_t pages = 0;
    do {
      std::string query = "type=live&page_size=4";
      if (!next_token.empty()) query += "&next_page_token=" + next_token;
      const rapidjson::Document page =
          get_json(qos_target(std::to_string(meeting["id"].GetUint64()), query));
      EXPECT_EQ(page["total_records"].GetInt(), meeting["participants"].GetInt());
      for (const auto& participant : page["participants"].GetArray()) {
        EXPECT_TRUE(user_ids.insert(participant["user_id"].GetString()).second);
      }
      next_token = page["next_page_token"].GetString();
      ++pages;
    } while (!next_token.empty());
    EXPECT_EQ(user_ids.size(), static_cast<std::size_t>(meeting["participants"].GetInt()));
    EXPECT_EQ(pages, std::max<std::size_t>(1, (user_ids.size() + 3) / 4));
    participants_seen += user_ids.size();
  }
  EXPECT_GT(participants_seen, 200u);
}

TEST_F(SimulatedApiTest, FindsMeetingsByIdAndByUuidEncodedAsZoomRequires) {
  const rapidjson::Document meetings = get_json("/v2/metrics/meetings?page_size=300");
  int double_encoded = 0;
  for (const auto& meeting : meetings["meetings"].GetArray()) {
    const std::string uuid = meeting["uuid"].GetString();
    const bool needs_twice = uuid.starts_with('/') || uuid.find("//") != std::string::npos;
    double_encoded += needs_twice ? 1 : 0;
    EXPECT_EQ(get_json(qos_target(encoded_uuid(uuid)))["total_records"], meeting["participants"]);
    get_json(qos_target(std::to_string(meeting["id"].GetUint64())));
    if (needs_twice) {
      // Encoded once, Zoom's front end mangles the path and finds no such meeting.
      expect_zoom_error(get(qos_target(percent_encode(uuid)), token_), 404, 3001);
    } else {
      // Encoding twice when not needed still works.
      get_json(qos_target(percent_encode(percent_encode(uuid))));
    }
  }
  EXPECT_GT(double_encoded, 0);
}

TEST_F(SimulatedApiTest, EndedMeetingsAreGone) {
  const rapidjson::Document meetings = get_json("/v2/metrics/meetings?page_size=300");
  const std::string id = std::to_string(meetings["meetings"][0]["id"].GetUint64());
  now_ += 2h;
  token_ = new_access_token();
  const http::Response response = get(qos_target(id), token_);
  expect_zoom_error(response, 404, 3001);
  EXPECT_EQ(std::string(parse_json(response.body_string())["message"].GetString()),
            "Meeting does not exist: " + id + ".");
}

TEST_F(SimulatedApiTest, AnswersOtherPathsAndMethodsLikeZoom) {
  token_ = new_access_token();
  expect_zoom_error(get("/v2/users", token_), 404, 404);
  expect_zoom_error(get("/v2/metrics/meetings/123/participants", token_), 404, 404);
  expect_zoom_error(get("/v2/metrics/meetings/", token_), 404, 404);

  http::Request post;
  post.method = "POST";
  post.path = "/v2/metrics/meetings";
  post.headers = {{"Authorization", "Bearer " + token_}};
  const http::Response not_allowed = api_.handle(post);
  expect_zoom_error(not_allowed, 405, 405);
  EXPECT_EQ(not_allowed.headers, (http::Headers{{"Allow", "GET, HEAD"}}));

  http::Request get_token = token_request();
  get_token.method = "GET";
  EXPECT_EQ(api_.handle(get_token).status, 405u);

  expect_zoom_error(get("/v2/metrics/meetings?type=past", token_), 400, 300);
}

TEST_F(SimulatedApiTest, FollowsTheClockBetweenRequests) {
  const std::vector<std::string> before = all_meeting_uuids(300);
  now_ += 2h;
  token_ = new_access_token();
  const std::vector<std::string> after = all_meeting_uuids(300);
  EXPECT_EQ(after.size(), before.size());
  for (const std::string& uuid : before) {
    EXPECT_EQ(std::count(after.begin(), after.end(), uuid), 0);
  }
}

TEST_F(SimulatedApiTest, ReturnsOneParticipantsQosByUserId) {
  now_ += 30min;
  const rapidjson::Document meetings = get_json("/v2/metrics/meetings?page_size=300");
  int participants_checked = 0;
  for (const auto& meeting : meetings["meetings"].GetArray()) {
    const std::string id = std::to_string(meeting["id"].GetUint64());
    const rapidjson::Document page = get_json(qos_target(id, "page_size=10"));
    for (const auto& participant : page["participants"].GetArray()) {
      const std::string user_id = participant["user_id"].GetString();
      const rapidjson::Document single =
          get_json("/v2/metrics/meetings/" + id + "/participants/" + user_id + "/qos?type=live");
      EXPECT_TRUE(single == participant) << user_id;
      ++participants_checked;
    }
  }
  EXPECT_GT(participants_checked, 100);

  const std::string id = std::to_string(meetings["meetings"][0]["id"].GetUint64());
  for (const std::string unknown : {"1", "16778241", "99999999999", "abc"}) {
    expect_zoom_error(
        get("/v2/metrics/meetings/" + id + "/participants/" + unknown + "/qos", token_), 404, 3001);
  }
}

// The labels' limits, as Zoom enforces them.

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (http::iequals(key, name)) return value;
  }
  return "(absent)";
}

config::SimulatorConfig rate_limited(config::Plan plan = config::Plan::business) {
  config::SimulatorConfig config = simulator_config(45, 12);
  config.enforce_rate_limits = true;
  config.plan = plan;
  return config;
}

class RateLimitedApiTest : public SimulatedApiTest {
 protected:
  RateLimitedApiTest() : SimulatedApiTest(rate_limited()) {}

  std::string first_meeting_id() {
    return std::to_string(
        get_json("/v2/metrics/meetings?page_size=1")["meetings"][0]["id"].GetUint64());
  }
};

TEST_F(RateLimitedApiTest, RefusesTheFortyFirstHeavyCallOfASecond) {
  now_ = test_start() + 200ms;
  const std::string id = first_meeting_id();
  for (int call = 0; call < 40; ++call) ASSERT_EQ(get(qos_target(id), token_).status, 200u);

  now_ = test_start() + 999ms;
  const http::Response refused = get(qos_target(id), token_);
  EXPECT_EQ(refused.status, 429u);
  EXPECT_EQ(refused.content_type, "application/json;charset=UTF-8");
  EXPECT_EQ(refused.body_string(),
            R"({"code":429,"message":"You have reached the maximum per-second rate limit for )"
            R"(this API. Try again later."})");
  EXPECT_EQ(refused.headers, (http::Headers{{"X-RateLimit-Category", "Heavy"},
                                            {"X-RateLimit-Type", "QPS"},
                                            {"X-RateLimit-Limit", "40"},
                                            {"X-RateLimit-Remaining", "0"},
                                            {"Retry-After", "1"}}));
  // The single participant's QoS is Heavy too.
  EXPECT_EQ(get("/v2/metrics/meetings/" + id + "/participants/16778240/qos", token_).status, 429u);
  // Lists are another label.
  EXPECT_EQ(get("/v2/metrics/meetings", token_).status, 200u);

  now_ = test_start() + 1s;
  EXPECT_EQ(get(qos_target(id), token_).status, 200u);
}

TEST_F(RateLimitedApiTest, RefusesTheTwentyFirstListCallOfAMinute) {
  now_ = test_start() + 15s;
  const std::string id = first_meeting_id();
  for (int call = 1; call < 20; ++call) {
    ASSERT_EQ(get(call % 2 ? "/v2/metrics/meetings" : "/v2/metrics/webinars", token_).status, 200u);
  }
  for (const std::string list : {"/v2/metrics/meetings", "/v2/metrics/webinars"}) {
    const http::Response refused = get(list, token_);
    EXPECT_EQ(refused.status, 429u);
    EXPECT_EQ(refused.body_string(),
              R"({"code":429,"message":"You have reached the maximum per-minute rate limit for )"
              R"(this API. Try again later."})");
    EXPECT_EQ(refused.headers, (http::Headers{{"X-RateLimit-Category", "Resource-intensive"},
                                              {"X-RateLimit-Type", "QPS"},
                                              {"X-RateLimit-Limit", "20"},
                                              {"X-RateLimit-Remaining", "0"},
                                              {"Retry-After", "45"}}));
  }
  EXPECT_EQ(get(qos_target(id), token_).status, 200u);

  now_ = test_start() + 1min;
  EXPECT_EQ(get("/v2/metrics/meetings", token_).status, 200u);
}

TEST_F(RateLimitedApiTest, RefusedRequestsUseNoQuota) {
  const std::string id = first_meeting_id();
  for (int call = 0; call < 40; ++call) ASSERT_EQ(get(qos_target(id), token_).status, 200u);
  for (int call = 0; call < 10; ++call) ASSERT_EQ(get(qos_target(id), token_).status, 429u);
  now_ += 1s;
  const http::Response answered = get(qos_target(id), token_);
  EXPECT_EQ(header(answered, "X-RateLimit-Remaining"), std::to_string(60'000 - 42));

  const RateLimitStats stats = api_.stats();
  EXPECT_EQ(stats.heavy.answered, 41u);
  EXPECT_EQ(stats.heavy.refused_by_window, 10u);
  EXPECT_EQ(stats.heavy.refused_by_daily, 0u);
  EXPECT_EQ(stats.resource_intensive.answered, 1u);
  EXPECT_EQ(stats.resource_intensive.refused_by_window, 0u);
  EXPECT_EQ(stats.daily_used, 42);
  EXPECT_EQ(stats.daily_limit, 60'000);
}

TEST_F(RateLimitedApiTest, AnswersCarryTheDailyQuotaLeft) {
  const http::Response list = get("/v2/metrics/meetings", new_access_token());
  token_ = new_access_token();
  EXPECT_EQ(list.status, 200u);
  EXPECT_EQ(header(list, "X-RateLimit-Category"), "Resource-intensive");
  EXPECT_EQ(header(list, "X-RateLimit-Limit"), "60000");
  EXPECT_EQ(header(list, "X-RateLimit-Remaining"), "59999");
  const std::string id = first_meeting_id();  // 59998
  const http::Response qos = get(qos_target(id), token_);
  EXPECT_EQ(header(qos, "X-RateLimit-Category"), "Heavy");
  EXPECT_EQ(header(qos, "X-RateLimit-Remaining"), "59997");
  EXPECT_EQ(header(qos, "X-RateLimit-Type"), "(absent)");
  // An answered error counts; a request without a valid token is nobody's and counts nowhere.
  const http::Response unknown = get(qos_target("12345678901"), token_);
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(header(unknown, "X-RateLimit-Remaining"), "59996");
  const http::Response anonymous = get(qos_target(id), "not-a-token");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(header(anonymous, "X-RateLimit-Remaining"), "(absent)");
  EXPECT_EQ(api_.stats().daily_used, 4);
}

class SmallDailyQuotaApiTest : public SimulatedApiTest {
 protected:
  SmallDailyQuotaApiTest()
      : SimulatedApiTest(
            rate_limited(),
            RateLimits{.heavy_per_second = 40, .resource_intensive_per_minute = 20, .daily = 5}) {}
};

TEST_F(SmallDailyQuotaApiTest, RefusesPastTheDailyQuotaUntilMidnightUtc) {
  const rapidjson::Document meetings = get_json("/v2/metrics/meetings");
  const std::string id = std::to_string(meetings["meetings"][0]["id"].GetUint64());
  for (const std::string remaining : {"3", "2", "1"}) {
    const http::Response qos = get(qos_target(id), token_);
    EXPECT_EQ(qos.status, 200u);
    EXPECT_EQ(header(qos, "X-RateLimit-Limit"), "5");
    EXPECT_EQ(header(qos, "X-RateLimit-Remaining"), remaining);
  }
  EXPECT_EQ(header(get("/v2/metrics/webinars", token_), "X-RateLimit-Remaining"), "0");

  const std::string daily_message =
      R"({"code":429,"message":"You have exceeded the daily rate limit (5) of Dashboard API )"
      R"(requests permitted for this particular account. Your daily rate limit will reset at )"
      R"(00:00 UTC."})";
  const http::Response heavy = get(qos_target(id), token_);
  EXPECT_EQ(heavy.status, 429u);
  EXPECT_EQ(heavy.body_string(), daily_message);
  EXPECT_EQ(heavy.headers, (http::Headers{{"X-RateLimit-Category", "Heavy"},
                                          {"X-RateLimit-Type", "Daily-limit"},
                                          {"X-RateLimit-Limit", "5"},
                                          {"X-RateLimit-Remaining", "0"},
                                          {"Retry-After", "2026-11-23T00:00:00Z"}}));
  const http::Response list = get("/v2/metrics/meetings", token_);
  EXPECT_EQ(list.status, 429u);
  EXPECT_EQ(list.body_string(), daily_message);
  EXPECT_EQ(header(list, "X-RateLimit-Category"), "Resource-intensive");
  EXPECT_EQ(header(list, "X-RateLimit-Type"), "Daily-limit");

  now_ = test_start() + 13h + 59min + 59s;  // 23:59:59 UTC
  token_ = new_access_token();
  EXPECT_EQ(get("/v2/metrics/meetings", token_).status, 429u);
  EXPECT_EQ(api_.stats().daily_used, 5);
  EXPECT_EQ(api_.stats().heavy.refused_by_daily, 1u);
  EXPECT_EQ(api_.stats().resource_intensive.refused_by_daily, 2u);

  now_ += 1s;  // midnight
  EXPECT_EQ(api_.stats().daily_used, 0);
  const http::Response next_day = get("/v2/metrics/meetings", token_);
  EXPECT_EQ(next_day.status, 200u);
  EXPECT_EQ(header(next_day, "X-RateLimit-Remaining"), "4");
}

class ProPlanApiTest : public SimulatedApiTest {
 protected:
  ProPlanApiTest() : SimulatedApiTest(rate_limited(config::Plan::pro)) {}
};

TEST_F(ProPlanApiTest, EnforcesTheProPlansLimits) {
  const http::Response list = get("/v2/metrics/meetings", new_access_token());
  token_ = new_access_token();
  EXPECT_EQ(header(list, "X-RateLimit-Limit"), "30000");
  const std::string id =
      std::to_string(parse_json(list.body_string())["meetings"][0]["id"].GetUint64());
  for (int call = 0; call < 10; ++call) ASSERT_EQ(get(qos_target(id), token_).status, 200u);
  const http::Response refused = get(qos_target(id), token_);
  EXPECT_EQ(refused.status, 429u);
  EXPECT_EQ(header(refused, "X-RateLimit-Limit"), "10");
  for (int call = 1; call < 10; ++call) ASSERT_EQ(get("/v2/metrics/meetings", token_).status, 200u);
  EXPECT_EQ(header(get("/v2/metrics/meetings", token_), "X-RateLimit-Limit"), "10");
}

TEST_F(SimulatedApiTest, UnenforcedLimitsNeverAnswer429) {
  ASSERT_FALSE(config_.enforce_rate_limits);
  token_ = new_access_token();
  const std::string id =
      std::to_string(get_json("/v2/metrics/meetings?page_size=1")["meetings"][0]["id"].GetUint64());
  for (int call = 0; call < 200; ++call) {
    const http::Response qos = get(qos_target(id), token_);
    ASSERT_EQ(qos.status, 200u);
    EXPECT_TRUE(qos.headers.empty());
  }
  for (int call = 0; call < 50; ++call) {
    ASSERT_EQ(get("/v2/metrics/webinars", token_).status, 200u);
  }
  const RateLimitStats stats = api_.stats();
  EXPECT_EQ(stats.heavy.answered, 200u);
  EXPECT_EQ(stats.resource_intensive.answered, 51u);
  EXPECT_EQ(stats.heavy.refused_by_window + stats.resource_intensive.refused_by_window, 0u);
  EXPECT_EQ(stats.daily_used, 251);
}

// Webinars: the same rules under /metrics/webinars.

config::SimulatorConfig with_webinars() {
  config::SimulatorConfig config = simulator_config(45, 12);
  config.webinars = 8;
  return config;
}

class WebinarApiTest : public SimulatedApiTest {
 protected:
  WebinarApiTest() : SimulatedApiTest(with_webinars()) {}

  std::string webinar_qos_target(std::string_view webinar, std::string_view query = "type=live") {
    return "/v2/metrics/webinars/" + std::string(webinar) + "/participants/qos?" +
           std::string(query);
  }
};

TEST_F(WebinarApiTest, ListsLiveWebinarsApartFromMeetings) {
  std::set<std::uint64_t> webinar_ids;
  std::string next_token;
  std::size_t pages = 0;
  do {
    std::string target = "/v2/metrics/webinars?type=live&page_size=3";
    if (!next_token.empty()) target += "&next_page_token=" + percent_encode(next_token);
    const rapidjson::Document page = get_json(target);
    EXPECT_EQ(page["total_records"].GetInt(), 8);
    EXPECT_EQ(page["page_count"].GetInt(), 3);
    EXPECT_FALSE(page.HasMember("meetings"));
    for (const auto& webinar : page["webinars"].GetArray()) {
      EXPECT_TRUE(webinar_ids.insert(webinar["id"].GetUint64()).second);
      for (const char* key :
           {"uuid", "topic", "host", "email", "user_type", "start_time", "duration", "participants",
            "has_pstn", "has_voip", "has_3rd_party_audio", "has_video", "has_screen_share",
            "has_recording", "has_sip"}) {
        EXPECT_TRUE(webinar.HasMember(key)) << key;
      }
    }
    next_token = page["next_page_token"].GetString();
    ++pages;
  } while (!next_token.empty());
  EXPECT_EQ(pages, 3u);
  EXPECT_EQ(webinar_ids.size(), 8u);

  const rapidjson::Document meetings = get_json("/v2/metrics/meetings?page_size=300");
  EXPECT_EQ(meetings["total_records"].GetInt(), 45);
  for (const auto& meeting : meetings["meetings"].GetArray()) {
    EXPECT_FALSE(webinar_ids.contains(meeting["id"].GetUint64()));
  }
}

TEST_F(WebinarApiTest, WebinarQosPagesCoverEveryAttendee) {
  now_ += 40min;
  const rapidjson::Document webinars = get_json("/v2/metrics/webinars?page_size=300");
  std::size_t attendees = 0;
  for (const auto& webinar : webinars["webinars"].GetArray()) {
    const std::string id = std::to_string(webinar["id"].GetUint64());
    std::set<std::string> user_ids;
    std::string next_token;
    do {
      std::string query = "type=live&page_size=10";
      if (!next_token.empty()) query += "&next_page_token=" + next_token;
      const rapidjson::Document page = get_json(webinar_qos_target(id, query));
      EXPECT_EQ(page["total_records"].GetInt(), webinar["participants"].GetInt());
      EXPECT_LE(page["participants"].Size(), 10u);
      for (const auto& participant : page["participants"].GetArray()) {
        EXPECT_TRUE(user_ids.insert(participant["user_id"].GetString()).second);
        EXPECT_TRUE(participant["user_qos"].IsArray());
        const rapidjson::Document single =
            get_json("/v2/metrics/webinars/" + id + "/participants/" +
                     participant["user_id"].GetString() + "/qos");
        EXPECT_TRUE(single == participant);
      }
      next_token = page["next_page_token"].GetString();
    } while (!next_token.empty());
    EXPECT_EQ(user_ids.size(), static_cast<std::size_t>(webinar["participants"].GetInt()));
    attendees += user_ids.size();
  }
  // Webinars draw five times a meeting's audience: 60 on average here.
  EXPECT_GT(attendees, 8u * 30);
}

TEST_F(WebinarApiTest, EndedAndUnknownWebinarsDoNotExist) {
  const std::string webinar_id =
      std::to_string(get_json("/v2/metrics/webinars?page_size=1")["webinars"][0]["id"].GetUint64());
  const std::string meeting_id =
      std::to_string(get_json("/v2/metrics/meetings?page_size=1")["meetings"][0]["id"].GetUint64());
  EXPECT_EQ(get(webinar_qos_target(webinar_id), token_).status, 200u);

  const http::Response unknown = get(webinar_qos_target("12345678901"), token_);
  expect_zoom_error(unknown, 404, 3001);
  EXPECT_EQ(std::string(parse_json(unknown.body_string())["message"].GetString()),
            "Webinar does not exist: 12345678901.");
  // Each kind is found only under its own path.
  expect_zoom_error(get(webinar_qos_target(meeting_id), token_), 404, 3001);
  expect_zoom_error(get(qos_target(webinar_id), token_), 404, 3001);

  // No webinar lasts longer than two hours.
  now_ += 3h;
  token_ = new_access_token();
  const http::Response ended = get(webinar_qos_target(webinar_id), token_);
  expect_zoom_error(ended, 404, 3001);
  EXPECT_EQ(std::string(parse_json(ended.body_string())["message"].GetString()),
            "Webinar does not exist: " + webinar_id + ".");
  expect_zoom_error(get("/v2/metrics/webinars?type=past", token_), 400, 300);
}

TEST_F(WebinarApiTest, PageTokensBelongToTheirListing) {
  const std::string meetings_token =
      get_json("/v2/metrics/meetings?page_size=1")["next_page_token"].GetString();
  const std::string webinars_token =
      get_json("/v2/metrics/webinars?page_size=1")["next_page_token"].GetString();
  expect_zoom_error(
      get("/v2/metrics/webinars?next_page_token=" + percent_encode(meetings_token), token_), 400,
      300);
  expect_zoom_error(
      get("/v2/metrics/meetings?next_page_token=" + percent_encode(webinars_token), token_), 400,
      300);
}

}  // namespace
}  // namespace zqe::simulator
