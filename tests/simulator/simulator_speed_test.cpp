#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "common/base64.hpp"
#include "simulator/simulated_api.hpp"
#include "simulator/simulated_zoom.hpp"
#include "simulator/simulator_test_support.hpp"
#include "simulator/time_scale.hpp"

// simulator.speed: the account's clock runs `speed` times as fast as real time, while what Zoom
// enforces (rate limits, token lifetimes) keeps real time. The tests move a fake real clock.
namespace zqe::simulator {
namespace {

using namespace std::chrono_literals;
using test::parse_json;
using test::percent_encode;
using test::simulator_config;
using test::test_start;

TEST(TimeScale, SpeedOneIsRealTime) {
  const TimeScale scale(test_start(), 1);
  for (const TimePoint real :
       {test_start(), test_start() + 1ns, test_start() + 90min, test_start() - 5s, TimePoint{}}) {
    EXPECT_EQ(scale.simulated(real), real);
  }
}

TEST(TimeScale, RunsSpeedTimesAsFastFromTheOrigin) {
  const TimeScale sixty(test_start(), 60);
  EXPECT_EQ(sixty.simulated(test_start()), test_start());
  EXPECT_EQ(sixty.simulated(test_start() + 1s), test_start() + 1min);
  EXPECT_EQ(sixty.simulated(test_start() + 90s), test_start() + 90min);
  EXPECT_EQ(sixty.simulated(test_start() + 250ms), test_start() + 15s);

  const TimeScale day_in_half_an_hour(test_start(), 48);
  EXPECT_EQ(day_in_half_an_hour.simulated(test_start() + 30min), test_start() + 24h);
  const TimeScale fractional(test_start(), 1.5);
  EXPECT_EQ(fractional.simulated(test_start() + 2min), test_start() + 3min);
}

TEST(TimeScale, StopsFarBeforeTheClockOverflows) {
  const TimeScale fastest(test_start(), 3600);
  const TimePoint after_ten_years = fastest.simulated(test_start() + std::chrono::years(10));
  EXPECT_EQ(after_ten_years, fastest.simulated(test_start() + std::chrono::years(20)));
  EXPECT_GT(after_ten_years, test_start() + std::chrono::years(99));
  EXPECT_LT(after_ten_years, test_start() + std::chrono::years(101));
}

// "2026-11-22T10:00:00Z" as a time point.
TimePoint parse_timestamp(const std::string& text) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  EXPECT_EQ(
      std::sscanf(text.c_str(), "%d-%u-%uT%d:%d:%dZ", &year, &month, &day, &hour, &minute, &second),
      6)
      << text;
  return std::chrono::sys_days{std::chrono::year{year} / month / day} + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

config::SimulatorConfig at_speed(double speed, bool enforce_rate_limits = false) {
  config::SimulatorConfig config = simulator_config(45, 12);
  config.speed = speed;
  config.enforce_rate_limits = enforce_rate_limits;
  config.plan = config::Plan::pro;
  return config;
}

// A SimulatedApi whose real clock is now_, driven over its HTTP rules.
class SpeedTest : public ::testing::Test {
 protected:
  explicit SpeedTest(const config::SimulatorConfig& config)
      : api_(config, [this] { return now_; }) {}

  http::Response get(const std::string& target) {
    http::Request request;
    request.method = "GET";
    request.target = target;
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    request.headers = {{"Authorization", "Bearer " + token_}};
    return api_.handle(request);
  }

  void renew_token() {
    http::Request request;
    request.method = "POST";
    request.path = request.target = "/oauth/token";
    request.headers = {
        {"Authorization", "Basic " + base64_encode(std::string(kClientId) + ":" + kClientSecret,
                                                   Base64Alphabet::standard)}};
    request.body = std::string("grant_type=account_credentials&account_id=") + kAccountId;
    const http::Response response = api_.handle(request);
    ASSERT_EQ(response.status, 200u) << response.body_string();
    token_ = parse_json(response.body_string())["access_token"].GetString();
  }

  rapidjson::Document get_json(const std::string& target) {
    const http::Response response = get(target);
    EXPECT_EQ(response.status, 200u) << target << ": " << response.body_string();
    return parse_json(response.body_string());
  }

  // Where the meetings of the list were first and last seen while the real clock stepped by
  // `step` over `span`, listing every meeting at each step.
  struct Sighting {
    TimePoint first_seen;
    TimePoint last_seen;
    TimePoint start_time;  // as the list gives it
  };
  std::map<std::string, Sighting> watch_meetings(std::chrono::seconds span,
                                                 std::chrono::seconds step) {
    std::map<std::string, Sighting> sightings;
    for (auto elapsed = 0s; elapsed <= span; elapsed += step) {
      now_ = test_start() + elapsed;
      const rapidjson::Document page = get_json("/v2/metrics/meetings?type=live&page_size=300");
      EXPECT_TRUE(page["next_page_token"].GetStringLength() == 0);
      for (const auto& meeting : page["meetings"].GetArray()) {
        const auto [entry, is_new] = sightings.try_emplace(meeting["uuid"].GetString());
        if (is_new) {
          entry->second.first_seen = now_;
          entry->second.start_time = parse_timestamp(meeting["start_time"].GetString());
        }
        entry->second.last_seen = now_;
      }
    }
    return sightings;
  }

  TimePoint now_ = test_start();
  SimulatedApi api_;
  std::string token_;
};

class SpeedSixtyTest : public SpeedTest {
 protected:
  SpeedSixtyTest() : SpeedTest(at_speed(60)) { renew_token(); }
};

class SpeedOneTest : public SpeedTest {
 protected:
  SpeedOneTest() : SpeedTest(at_speed(1)) { renew_token(); }
};

TEST_F(SpeedSixtyTest, AMeetingsLifetimeOf5To90MinutesPassesIn5To90RealSeconds) {
  const auto span = 240s;  // 4 simulated hours
  const std::map<std::string, Sighting> sightings = watch_meetings(span, 1s);
  int whole_lifetimes = 0;
  for (const auto& [uuid, sighting] : sightings) {
    SCOPED_TRACE(uuid);
    // Meetings live at the start began before it, in simulated time.
    if (sighting.first_seen == test_start()) {
      EXPECT_LE(sighting.start_time, test_start());
      continue;
    }
    // It started within the real second before it was first seen, at 60 times the pace.
    const TimePoint started_after = test_start() + 60 * (sighting.first_seen - 1s - test_start());
    const TimePoint started_by = test_start() + 60 * (sighting.first_seen - test_start());
    EXPECT_GE(sighting.start_time, started_after);
    EXPECT_LE(sighting.start_time, started_by);
    if (sighting.last_seen == test_start() + span) continue;  // still live
    // It ended within the real second after it was last seen, so its real lifetime lies
    // between (last - first) and (last - first + 2) seconds: between 5 and 90 s.
    ++whole_lifetimes;
    const auto seen_for = sighting.last_seen - sighting.first_seen;
    EXPECT_GE(seen_for + 2s, 5s + 1s);
    EXPECT_LE(seen_for, 90s - 1s);
  }
  // 45 slots of meetings of about 47 s each over 4 real minutes.
  EXPECT_GE(whole_lifetimes, 45);
}

TEST_F(SpeedOneTest, NoMeetingStartsAndEndsWithinTheSameFourRealMinutes) {
  const auto span = 240s;
  const std::map<std::string, Sighting> sightings = watch_meetings(span, 10s);
  int started = 0;
  for (const auto& [uuid, sighting] : sightings) {
    if (sighting.first_seen == test_start()) continue;
    ++started;
    EXPECT_EQ(sighting.last_seen, test_start() + span) << uuid;
  }
  EXPECT_GT(started, 0);
}

TEST_F(SpeedSixtyTest, QosSnapshotsComeOncePerSimulatedMinute) {
  // The latest snapshot of each participant of each meeting: user_id -> date_time.
  const auto latest_snapshots = [this](const std::vector<std::string>& meeting_ids) {
    std::map<std::string, TimePoint> latest;
    for (const std::string& id : meeting_ids) {
      const http::Response response =
          get("/v2/metrics/meetings/" + id + "/participants/qos?page_size=10");
      if (response.status != 200) continue;  // ended
      const rapidjson::Document page = parse_json(response.body_string());
      for (const auto& participant : page["participants"].GetArray()) {
        const auto snapshots = participant["user_qos"].GetArray();
        if (snapshots.Empty()) continue;
        latest[participant["user_id"].GetString()] =
            parse_timestamp(snapshots[snapshots.Size() - 1]["date_time"].GetString());
      }
    }
    return latest;
  };

  now_ = test_start() + 30s;  // 30 simulated minutes in
  std::vector<std::string> ids;
  // Named: a range-for over a temporary Document's member would outlive the Document.
  const rapidjson::Document listing = get_json("/v2/metrics/meetings?page_size=300");
  for (const auto& meeting : listing["meetings"].GetArray()) {
    ids.push_back(std::to_string(meeting["id"].GetUint64()));
  }
  const std::map<std::string, TimePoint> before = latest_snapshots(ids);
  now_ = test_start() + 31s;  // one real second, one simulated minute later
  const std::map<std::string, TimePoint> after = latest_snapshots(ids);
  int compared = 0;
  for (const auto& [user_id, date_time] : before) {
    SCOPED_TRACE(user_id);
    EXPECT_EQ(date_time, test_start() + 30min);
    const auto later = after.find(user_id);
    if (later == after.end()) continue;  // left, or the meeting ended
    ++compared;
    EXPECT_EQ(later->second, test_start() + 31min);
  }
  EXPECT_GT(compared, 20);
}

class FastRateLimitedTest : public SpeedTest {
 protected:
  FastRateLimitedTest() : SpeedTest(at_speed(60, /*enforce_rate_limits=*/true)) { renew_token(); }
};

TEST_F(FastRateLimitedTest, RateLimitsAndTokensKeepRealTime) {
  const rapidjson::Document first_page = get_json("/v2/metrics/meetings?page_size=1");
  const std::string id = std::to_string(first_page["meetings"][0]["id"].GetUint64());
  const std::string page_token = first_page["next_page_token"].GetString();
  const std::string qos = "/v2/metrics/meetings/" + id + "/participants/qos";

  // Pro: 10 Heavy calls a real second. 100 ms later is 6 simulated seconds, still the same
  // real second.
  for (int call = 0; call < 10; ++call) ASSERT_EQ(get(qos).status, 200u);
  now_ = test_start() + 100ms;
  const http::Response refused = get(qos);
  EXPECT_EQ(refused.status, 429u);
  EXPECT_EQ(refused.headers.back(), (std::pair<std::string, std::string>{"Retry-After", "1"}));
  now_ = test_start() + 1s;
  EXPECT_EQ(get(qos).status, 200u);

  // A paging token lasts 15 real minutes, here 12 simulated hours.
  now_ = test_start() + 14min;
  renew_token();
  EXPECT_EQ(
      get("/v2/metrics/meetings?page_size=1&next_page_token=" + percent_encode(page_token)).status,
      200u);

  // An access token lasts an hour of real time, not of the account's.
  now_ = test_start() + 14min + 59min;
  EXPECT_EQ(get("/v2/metrics/meetings?page_size=1").status, 200u);
  now_ = test_start() + 14min + 60min;
  EXPECT_EQ(get("/v2/metrics/meetings?page_size=1").status, 401u);
}

}  // namespace
}  // namespace zqe::simulator
