// AuthorizingHandler in front of a real server, with bcrypt replaced by a check the test counts
// and holds: what bcrypt is asked, and that a slow verification stalls nobody else.
#include "daemon/authorizing_handler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "http/server.hpp"
#include "support/test_tools.hpp"
#include "support/tls_client.hpp"
#include "web/bcrypt.hpp"

namespace zqe::daemon {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class AuthorizingHandlerTest : public ::testing::Test {
 protected:
  ~AuthorizingHandlerTest() override {
    release();
    asio::post(io_, [this] {
      auth_->stop();
      server_.reset();
    });
    thread_.join();
    auth_.reset();
  }

  void start(std::size_t max_pending = 8) {
    web::BasicAuthOptions options;
    options.threads = 1;
    options.max_pending = max_pending;
    options.check = [this](std::string_view password, const std::string& hash) {
      checks_.fetch_add(1);
      if (hold_) release_.wait_for(10s);
      return web::bcrypt_matches(password, hash);
    };
    auth_ = std::make_unique<web::BasicAuth>(io_, options);
    auth_->set_users({{"alice", web::bcrypt_hash("pw", 4)}});
    server_ = std::make_unique<http::Server>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        AuthorizingHandler(
            *auth_,
            [](const http::Request& request) { return http::Response::text(200, request.path); },
            [this] { return open_health_.load(); }, metrics_));
    server_->start();
    port_ = server_->local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }

  test::HttpReply get(const std::string& target, const std::string& user = "",
                      const std::string& password = "") {
    if (user.empty()) return test::http_request(port_, "GET", target);
    return test::http_request(port_, "GET", target,
                              {{"Authorization", test::basic_authorization(user, password)}});
  }

  void wait_for_checks(int count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (checks_.load() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
  }
  void release() {
    if (hold_ && !released_) {
      released_ = true;
      release_promise_.set_value();
    }
  }

  asio::io_context io_;
  metrics::ExporterMetrics metrics_;
  std::unique_ptr<web::BasicAuth> auth_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
  std::atomic<int> checks_{0};
  std::atomic<bool> open_health_{true};
  bool hold_ = false;
  bool released_ = false;
  std::promise<void> release_promise_;
  std::shared_future<void> release_ = release_promise_.get_future().share();
};

TEST_F(AuthorizingHandlerTest, AnUnknownUserAndAWrongPasswordBothGoThroughBcrypt) {
  start();
  EXPECT_EQ(get("/metrics", "alice", "wrong").status, 401);
  EXPECT_EQ(checks_.load(), 1);
  EXPECT_EQ(get("/metrics", "mallory", "pw").status, 401);
  EXPECT_EQ(checks_.load(), 2);
  EXPECT_EQ(get("/metrics").status, 401);  // no credentials: nothing to check
  EXPECT_EQ(checks_.load(), 2);
  EXPECT_EQ(get("/metrics", "alice", "pw").status, 200);
  EXPECT_EQ(get("/metrics", "alice", "pw").status, 200);  // remembered
  EXPECT_EQ(checks_.load(), 3);
}

TEST_F(AuthorizingHandlerTest, ASlowVerificationDoesNotHoldUpOtherConnections) {
  hold_ = true;
  start();
  auto scrape = std::async(std::launch::async, [this] { return get("/metrics", "alice", "pw"); });
  wait_for_checks(1);
  ASSERT_EQ(checks_.load(), 1);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(scrape.wait_for(0s), std::future_status::timeout);  // still in bcrypt
  release();
  EXPECT_EQ(scrape.get().status, 200);
}

TEST_F(AuthorizingHandlerTest, TooManyPendingVerificationsGet503WithRetryAfter) {
  hold_ = true;
  start(/*max_pending=*/1);
  auto first = std::async(std::launch::async, [this] { return get("/metrics", "alice", "pw"); });
  wait_for_checks(1);
  const test::HttpReply busy = get("/metrics", "alice", "other");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("Retry-After"), "1");
  release();
  EXPECT_EQ(first.get().status, 200);
  EXPECT_NE(metrics_.render().find("zoom_exporter_http_auth_failures_total{reason=\"busy\"} 1"),
            std::string::npos);
}

TEST_F(AuthorizingHandlerTest, HealthEndpointsFollowTheSettingAtEachRequest) {
  start();
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/readyz").status, 200);
  EXPECT_EQ(get("/").status, 401);
  open_health_ = false;
  EXPECT_EQ(get("/healthz").status, 401);
  EXPECT_EQ(get("/healthz", "alice", "pw").status, 200);
}

TEST_F(AuthorizingHandlerTest, WithoutUsersEverythingIsOpen) {
  start();
  asio::post(io_, [this] { auth_->set_users({}); });
  EXPECT_EQ(get("/metrics").status, 200);
  EXPECT_EQ(checks_.load(), 0);
}

}  // namespace
}  // namespace zqe::daemon
