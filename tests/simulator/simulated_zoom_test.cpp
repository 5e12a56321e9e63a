// First, before any Boost header: Boost 1.74's Asio needs it under C++20 with GCC 12.
#include <utility>

#include "simulator/simulated_zoom.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "common/base64.hpp"
#include "simulator/simulator_test_support.hpp"

namespace zqe::simulator {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::parse_json;
using test::percent_encode;
using test::simulator_config;
using test::test_start;

struct HttpReply {
  unsigned status = 0;
  std::string head;  // status line and header fields
  std::string body;
};

// One request on a fresh connection, read to the server's close: as simple as a client can be.
HttpReply exchange(unsigned short port, const std::string& method, const std::string& target,
                   const std::string& header_lines = "", const std::string& body = "") {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::address_v4::loopback(), port});
  const std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
      header_lines + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(socket, asio::buffer(request));
  std::string response;
  boost::system::error_code end_of_stream;
  asio::read(socket, asio::dynamic_buffer(response), end_of_stream);
  EXPECT_EQ(end_of_stream, asio::error::eof);

  HttpReply reply;
  const std::size_t head_end = response.find("\r\n\r\n");
  EXPECT_NE(head_end, std::string::npos) << response;
  reply.head = response.substr(0, head_end);
  reply.body = response.substr(head_end + 4);
  reply.status = static_cast<unsigned>(std::stoul(response.substr(response.find(' ') + 1, 3)));
  return reply;
}

// Runs SimulatedZoom on its own thread, as the exporter does on its event loop.
class SimulatedZoomTest : public ::testing::Test {
 protected:
  explicit SimulatedZoomTest(config::SimulatorConfig config = simulator_config(25, 6))
      : zoom_(io_, config, [this] { return now_.load(); }) {}

  void SetUp() override {
    zoom_.start();
    const std::string base = zoom_.api_base_url();
    port_ = static_cast<unsigned short>(
        std::stoul(base.substr(base.rfind(':') + 1, base.rfind('/') - base.rfind(':') - 1)));
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    asio::post(io_, [this] { zoom_.stop(); });
    io_thread_.join();
  }

  HttpReply request_token(const std::string& client_id = kClientId) {
    const std::string credentials =
        base64_encode(client_id + ":" + kClientSecret, Base64Alphabet::standard);
    return exchange(port_, "POST", "/oauth/token",
                    "Authorization: Basic " + credentials +
                        "\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                    std::string("grant_type=account_credentials&account_id=") + kAccountId);
  }

  std::string access_token() {
    const HttpReply reply = request_token();
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return parse_json(reply.body)["access_token"].GetString();
  }

  HttpReply get(const std::string& target, const std::string& token) {
    return exchange(port_, "GET", "/v2" + target, "Authorization: Bearer " + token + "\r\n");
  }

  asio::io_context io_;
  std::atomic<TimePoint> now_{test_start()};
  SimulatedZoom zoom_;
  unsigned short port_ = 0;
  std::thread io_thread_;
};

TEST_F(SimulatedZoomTest, ListensOnLoopbackWithZoomsPaths) {
  EXPECT_EQ(zoom_.api_base_url(), "http://127.0.0.1:" + std::to_string(port_) + "/v2");
  EXPECT_EQ(zoom_.oauth_token_url(), "http://127.0.0.1:" + std::to_string(port_) + "/oauth/token");
  EXPECT_NE(port_, 0);
}

TEST_F(SimulatedZoomTest, AnotherCannotListenOnItsPort) {
  asio::io_context io;
  SimulatedZoom other(io, simulator_config(1, 1));
  EXPECT_THROW(other.start(port_), boost::system::system_error);
}

TEST(SimulatedZoomPort, ListensOnTheGivenPort) {
  // A port that was free a moment ago.
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::address_v4::loopback(), 0});
  const unsigned short port = probe.local_endpoint().port();
  probe.close();

  SimulatedZoom zoom(io, simulator_config(1, 1));
  zoom.start(port);
  EXPECT_EQ(zoom.api_base_url(), "http://127.0.0.1:" + std::to_string(port) + "/v2");
  EXPECT_EQ(zoom.oauth_token_url(), "http://127.0.0.1:" + std::to_string(port) + "/oauth/token");
  std::thread io_thread([&io] { io.run(); });
  const HttpReply anonymous = exchange(port, "GET", "/v2/metrics/meetings");
  EXPECT_EQ(anonymous.status, 401u);
  asio::post(io, [&zoom] { zoom.stop(); });
  io_thread.join();
}

TEST_F(SimulatedZoomTest, ServesAPollLikeTheExportersOverSockets) {
  const std::string token = access_token();
  std::string next_token;
  std::vector<std::pair<std::string, int>> meetings;  // uuid, participants
  do {
    std::string target = "/metrics/meetings?type=live&page_size=10";
    if (!next_token.empty()) target += "&next_page_token=" + percent_encode(next_token);
    const HttpReply reply = get(target, token);
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_NE(reply.head.find("application/json;charset=UTF-8"), std::string::npos);
    const rapidjson::Document page = parse_json(reply.body);
    for (const auto& meeting : page["meetings"].GetArray()) {
      meetings.emplace_back(meeting["uuid"].GetString(), meeting["participants"].GetInt());
    }
    next_token = page["next_page_token"].GetString();
  } while (!next_token.empty());
  ASSERT_EQ(meetings.size(), 25u);

  for (const auto& [uuid, participants] : meetings) {
    const bool twice = uuid.starts_with('/') || uuid.find("//") != std::string::npos;
    const std::string encoded = twice ? percent_encode(percent_encode(uuid)) : percent_encode(uuid);
    const HttpReply reply =
        get("/metrics/meetings/" + encoded + "/participants/qos?type=live&page_size=10", token);
    ASSERT_EQ(reply.status, 200u) << uuid << ": " << reply.body;
    const rapidjson::Document page = parse_json(reply.body);
    EXPECT_EQ(page["total_records"].GetInt(), participants);
    EXPECT_EQ(page["participants"].Size(), static_cast<unsigned>(std::min(participants, 10)));
  }
}

TEST_F(SimulatedZoomTest, EnforcesTokenRulesOverSockets) {
  const HttpReply refused = request_token("intruder");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(std::string(parse_json(refused.body)["error"].GetString()), "invalid_client");

  const HttpReply anonymous = exchange(port_, "GET", "/v2/metrics/meetings");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(parse_json(anonymous.body)["code"].GetInt(), 124);

  const std::string old_token = access_token();
  const std::string new_token = access_token();
  EXPECT_EQ(get("/metrics/meetings", old_token).status, 401u);
  EXPECT_EQ(get("/metrics/meetings", new_token).status, 200u);
}

TEST_F(SimulatedZoomTest, FollowsItsClock) {
  const std::string token = access_token();
  const std::string before =
      parse_json(get("/metrics/meetings?page_size=300", token).body)["meetings"][0]["uuid"]
          .GetString();
  now_ = now_.load() + 2h;
  const HttpReply expired = get("/metrics/meetings", token);
  EXPECT_EQ(expired.status, 401u);
  const std::string after =
      parse_json(get("/metrics/meetings?page_size=300", access_token()).body)["meetings"][0]["uuid"]
          .GetString();
  EXPECT_NE(before, after);
}

config::SimulatorConfig pro_plan_enforced() {
  config::SimulatorConfig config = simulator_config(25, 6);
  config.enforce_rate_limits = true;
  config.plan = config::Plan::pro;
  return config;
}

class RateLimitedSimulatedZoomTest : public SimulatedZoomTest {
 protected:
  RateLimitedSimulatedZoomTest() : SimulatedZoomTest(pro_plan_enforced()) {}
};

TEST_F(RateLimitedSimulatedZoomTest, SendsZoomsRateLimitHeadersOverSockets) {
  const std::string token = access_token();
  const HttpReply list = get("/metrics/meetings?page_size=1", token);
  ASSERT_EQ(list.status, 200u);
  EXPECT_NE(list.head.find("X-RateLimit-Limit: 30000\r\n"), std::string::npos) << list.head;
  EXPECT_NE(list.head.find("X-RateLimit-Remaining: 29999\r\n"), std::string::npos) << list.head;
  const std::string id = std::to_string(parse_json(list.body)["meetings"][0]["id"].GetUint64());
  for (int call = 0; call < 10; ++call) {
    ASSERT_EQ(get("/metrics/meetings/" + id + "/participants/qos", token).status, 200u);
  }
  const HttpReply refused = get("/metrics/meetings/" + id + "/participants/qos", token);
  EXPECT_EQ(refused.status, 429u);
  for (const char* line : {"X-RateLimit-Category: Heavy\r\n", "X-RateLimit-Type: QPS\r\n",
                           "X-RateLimit-Limit: 10\r\n", "Retry-After: 1"}) {
    EXPECT_NE(refused.head.find(line), std::string::npos) << line << " in " << refused.head;
  }
  EXPECT_EQ(parse_json(refused.body)["code"].GetInt(), 429);

  const RateLimitStats stats = zoom_.stats();
  EXPECT_EQ(stats.heavy.answered, 10u);
  EXPECT_EQ(stats.heavy.refused_by_window, 1u);
  EXPECT_EQ(stats.resource_intensive.answered, 1u);
  EXPECT_EQ(stats.daily_used, 11);
}

}  // namespace
}  // namespace zqe::simulator
