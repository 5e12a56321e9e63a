#include "web/basic_auth.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "support/run_io.hpp"
#include "support/tls_client.hpp"

namespace zqe::web {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr auto kPatience = 10s;

// A PasswordCheck that records the hashes it was given, and can be held until released.
class RecordingCheck {
 public:
  explicit RecordingCheck(bool hold = false) : hold_(hold) {}

  PasswordCheck function() {
    return [this](std::string_view password, const std::string& hash) {
      {
        const std::lock_guard lock(mutex_);
        hashes_.push_back(hash);
      }
      if (hold_) release_.wait_for(kPatience);
      return bcrypt_matches(password, hash);
    };
  }
  void release() { released_.set_value(); }
  std::vector<std::string> hashes() const {
    const std::lock_guard lock(mutex_);
    return hashes_;
  }

 private:
  bool hold_;
  std::promise<void> released_;
  std::shared_future<void> release_ = released_.get_future().share();
  mutable std::mutex mutex_;
  std::vector<std::string> hashes_;
};

// A BasicAuth on an io_context of its own thread, used the way the server uses it: on that
// thread.
class BasicAuthTest : public ::testing::Test {
 protected:
  ~BasicAuthTest() override {
    on_io([&] { auth_.reset(); });
    work_.reset();
    thread_.join();
  }

  void start(BasicAuthOptions options, const UserHashes& users) {
    auth_ = std::make_unique<BasicAuth>(io_, std::move(options));
    auth_->set_users(users);
    thread_ = std::thread([this] { io_.run(); });
  }

  template <typename Work>
  void on_io(Work work) {
    test::run_on_io_thread(io_, std::move(work));
  }

  std::future<AuthResult> check_async(const std::string& authorization) {
    auto result = std::make_shared<std::promise<AuthResult>>();
    asio::post(io_, [this, authorization, result] {
      auth_->check(authorization, [result](AuthResult verdict) { result->set_value(verdict); });
    });
    return result->get_future();
  }

  // One worker, so that the order of checks is the order of the calls.
  static BasicAuthOptions one_worker(PasswordCheck check, std::size_t max_pending = 4,
                                     std::size_t cache_capacity = 16) {
    return {.threads = 1,
            .max_pending = max_pending,
            .cache_capacity = cache_capacity,
            .check = std::move(check)};
  }

  AuthResult check(const std::string& user, const std::string& password) {
    auto verdict = check_async(test::basic_authorization(user, password));
    if (verdict.wait_for(kPatience) != std::future_status::ready) {
      throw std::runtime_error("no verdict");
    }
    return verdict.get();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<BasicAuth> auth_;
  std::thread thread_;
  const std::string alice_hash_ = bcrypt_hash("pw", 4);
};

TEST_F(BasicAuthTest, AllowsTheRightPasswordOnly) {
  start({}, {{"alice", alice_hash_}});
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(check("alice", "wrong"), AuthResult::wrong_credentials);
  EXPECT_EQ(check("mallory", "pw"), AuthResult::wrong_credentials);
  EXPECT_EQ(check("", ""), AuthResult::wrong_credentials);
}

TEST_F(BasicAuthTest, MissingOrMalformedCredentialsAreNoCredentials) {
  start({}, {{"alice", alice_hash_}});
  for (const std::string header :
       {"", "Bearer token", "Basic", "Basic !!!!", "Basic YWxpY2U=" /* "alice", no colon */,
        "Digest username=\"alice\""}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(check_async(header).get(), AuthResult::no_credentials);
  }
  EXPECT_EQ(check_async("bAsIc YWxpY2U6cHc=").get(), AuthResult::allowed);  // scheme's case
}

// Told apart by what bcrypt was asked, never by time: an unknown user costs a bcrypt run of the
// users' highest cost, as a wrong password does.
TEST_F(BasicAuthTest, AnUnknownUserAndAWrongPasswordBothRunBcryptAtTheSameCost) {
  RecordingCheck recording;
  const std::string bob_hash = bcrypt_hash("pw", 5);
  start(one_worker(recording.function()), {{"alice", alice_hash_}, {"bob", bob_hash}});
  EXPECT_EQ(check("bob", "wrong"), AuthResult::wrong_credentials);
  EXPECT_EQ(check("mallory", "wrong"), AuthResult::wrong_credentials);
  EXPECT_EQ(check("mallory", "pw"), AuthResult::wrong_credentials);
  const std::vector<std::string> hashes = recording.hashes();
  ASSERT_EQ(hashes.size(), 3u);
  EXPECT_EQ(hashes[0], bob_hash);
  EXPECT_EQ(bcrypt_cost(hashes[1]), 5);
  EXPECT_NE(hashes[1], bob_hash);
  EXPECT_NE(hashes[1], alice_hash_);
  EXPECT_EQ(hashes[2], hashes[1]);
}

TEST_F(BasicAuthTest, RemembersVerifiedPairsSoRepeatedChecksSkipBcrypt) {
  RecordingCheck recording;
  start(one_worker(recording.function()), {{"alice", alice_hash_}});
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(recording.hashes().size(), 1u);
  // Failures are not remembered: each costs bcrypt again.
  EXPECT_EQ(check("alice", "nope"), AuthResult::wrong_credentials);
  EXPECT_EQ(check("alice", "nope"), AuthResult::wrong_credentials);
  EXPECT_EQ(recording.hashes().size(), 3u);
}

TEST_F(BasicAuthTest, NewUsersClearTheCacheAndTheSameUsersKeepIt) {
  RecordingCheck recording;
  start(one_worker(recording.function()), {{"alice", alice_hash_}});
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  on_io([&] { auth_->set_users({{"alice", alice_hash_}}); });
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(recording.hashes().size(), 1u);

  on_io([&] { auth_->set_users({{"alice", bcrypt_hash("new", 4)}}); });
  EXPECT_EQ(check("alice", "pw"), AuthResult::wrong_credentials);
  EXPECT_EQ(check("alice", "new"), AuthResult::allowed);
  EXPECT_EQ(recording.hashes().size(), 3u);
}

TEST_F(BasicAuthTest, TheCacheIsBounded) {
  RecordingCheck recording;
  start(one_worker(recording.function(), 4, /*cache_capacity=*/1),
        {{"alice", alice_hash_}, {"bob", alice_hash_}});
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(check("bob", "pw"), AuthResult::allowed);    // pushes alice out
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);  // bcrypt again
  EXPECT_EQ(recording.hashes().size(), 3u);
}

TEST_F(BasicAuthTest, NoUsersRequireNothing) {
  start({}, {});
  bool required = true;
  on_io([&] { required = auth_->required(); });
  EXPECT_FALSE(required);
  on_io([&] { auth_->set_users({{"alice", alice_hash_}}); });
  on_io([&] { required = auth_->required(); });
  EXPECT_TRUE(required);
}

TEST_F(BasicAuthTest, BeyondMaxPendingChecksAreBusyAtOnce) {
  RecordingCheck held(/*hold=*/true);
  start(one_worker(held.function(), /*max_pending=*/2), {{"alice", alice_hash_}});
  auto first = check_async(test::basic_authorization("alice", "pw"));
  auto second = check_async(test::basic_authorization("alice", "wrong"));
  EXPECT_EQ(check_async(test::basic_authorization("alice", "pw")).get(), AuthResult::busy);
  held.release();
  EXPECT_EQ(first.get(), AuthResult::allowed);
  EXPECT_EQ(second.get(), AuthResult::wrong_credentials);
  // A remembered pair never waits for a worker, busy or not.
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
}

// bcrypt runs on the workers: while one holds a check, the io_context's thread runs on.
TEST_F(BasicAuthTest, ChecksDoNotHoldUpTheEventLoop) {
  RecordingCheck held(/*hold=*/true);
  start(one_worker(held.function(), /*max_pending=*/2), {{"alice", alice_hash_}});
  auto verdict = check_async(test::basic_authorization("alice", "pw"));
  while (held.hashes().empty()) std::this_thread::sleep_for(1ms);
  std::promise<void> ran;
  asio::post(io_, [&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(kPatience), std::future_status::ready);
  EXPECT_EQ(verdict.wait_for(0s), std::future_status::timeout);
  held.release();
  EXPECT_EQ(verdict.get(), AuthResult::allowed);
}

TEST_F(BasicAuthTest, AVerdictForUsersReplacedMeanwhileCountsButIsNotRemembered) {
  RecordingCheck held(/*hold=*/true);
  start(one_worker(held.function()), {{"alice", alice_hash_}});
  auto verdict = check_async(test::basic_authorization("alice", "pw"));
  while (held.hashes().empty()) std::this_thread::sleep_for(1ms);
  on_io([&] { auth_->set_users({{"alice", alice_hash_}, {"bob", alice_hash_}}); });
  held.release();
  EXPECT_EQ(verdict.get(), AuthResult::allowed);
  EXPECT_EQ(check("alice", "pw"), AuthResult::allowed);
  EXPECT_EQ(held.hashes().size(), 2u);
}

TEST_F(BasicAuthTest, StopDropsPendingChecks) {
  RecordingCheck held(/*hold=*/true);
  start(one_worker(held.function()), {{"alice", alice_hash_}});
  auto running = check_async(test::basic_authorization("alice", "pw"));
  auto queued = check_async(test::basic_authorization("alice", "pw2"));
  while (held.hashes().empty()) std::this_thread::sleep_for(1ms);
  on_io([&] { auth_->stop(); });
  held.release();
  on_io([] {});
  EXPECT_EQ(check_async(test::basic_authorization("alice", "pw")).get(), AuthResult::busy);
  on_io([&] { auth_.reset(); });  // joins the workers
  // Their callbacks were dropped without a call.
  EXPECT_THROW(running.get(), std::future_error);
  EXPECT_THROW(queued.get(), std::future_error);
  EXPECT_EQ(held.hashes().size(), 1u);
}

}  // namespace
}  // namespace zqe::web
