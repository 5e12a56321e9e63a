#include "zoom/host_resolver.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "support/run_io.hpp"

namespace zqe::zoom {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kPatience = 5s;
constexpr auto kShortDeadline = 200ms;
// How late a deadline may be noticed (sanitizer builds are slow).
constexpr auto kSlack = 400ms;

// A lookup that blocks until released, as getaddrinfo does when no DNS server answers. Its state
// is shared with the lookup threads, which outlive the test when a test never releases them.
class HangingLookup {
 public:
  HostLookup function() const {
    return [state = state_](const std::string&, const std::string&) {
      std::unique_lock lock(state->mutex);
      ++state->calls;
      state->changed.notify_all();
      state->changed.wait(lock, [&] { return state->released; });
      return ResolvedHost{{}, {{asio::ip::make_address("127.0.0.1"), 80}}};
    };
  }
  void release() {
    const std::lock_guard lock(state_->mutex);
    state_->released = true;
    state_->changed.notify_all();
  }
  int calls() const {
    const std::lock_guard lock(state_->mutex);
    return state_->calls;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    bool released = false;
    int calls = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

struct PendingResolve {
  std::optional<ResolvedHost> result;
  Clock::time_point started = Clock::now();
  Clock::duration elapsed{};
};

class HostResolverTest : public ::testing::Test {
 protected:
  std::shared_ptr<PendingResolve> start(HostResolver& resolver, const std::string& host,
                                        Clock::duration timeout = kPatience) {
    auto pending = std::make_shared<PendingResolve>();
    asio::co_spawn(io_, resolver.resolve(host, "80", Clock::now() + timeout),
                   [pending](std::exception_ptr error, ResolvedHost result) {
                     if (error) std::rethrow_exception(error);
                     pending->elapsed = Clock::now() - pending->started;
                     pending->result = std::move(result);
                   });
    return pending;
  }

  template <class Predicate>
  bool run_until(Predicate done) {
    return test::run_io_until(io_, done, kPatience);
  }

  ResolvedHost finish(PendingResolve& pending) {
    EXPECT_TRUE(run_until([&] { return pending.result.has_value(); }));
    return pending.result.value_or(ResolvedHost{asio::error::in_progress, {}});
  }

  asio::io_context io_;
};

TEST_F(HostResolverTest, ResolvesAnAddressAndLocalhost) {
  HostResolver resolver(io_);
  const ResolvedHost literal = finish(*start(resolver, "127.0.0.1"));
  ASSERT_FALSE(literal.error) << literal.error.message();
  ASSERT_EQ(literal.endpoints.size(), 1u);
  EXPECT_EQ(literal.endpoints[0], asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 80));

  const ResolvedHost name = finish(*start(resolver, "localhost"));
  ASSERT_FALSE(name.error) << name.error.message();
  EXPECT_FALSE(name.endpoints.empty());
  EXPECT_EQ(resolver.lookups_in_flight(), 0u);
}

TEST_F(HostResolverTest, AHangingLookupEndsAtTheDeadline) {
  HangingLookup lookup;
  HostResolver resolver(io_, {.max_lookups_in_flight = 8, .lookup = lookup.function()});

  const auto pending = start(resolver, "dns.hangs.example", kShortDeadline);
  const ResolvedHost result = finish(*pending);

  EXPECT_EQ(result.error, asio::error::timed_out);
  EXPECT_GE(pending->elapsed, kShortDeadline);
  EXPECT_LT(pending->elapsed, kShortDeadline + kSlack);
  EXPECT_EQ(resolver.lookups_in_flight(), 1u);  // its thread still waits for the DNS server
  lookup.release();
  EXPECT_TRUE(run_until([&] { return resolver.lookups_in_flight() == 0; }));
}

TEST_F(HostResolverTest, CallersOfTheSameHostShareOneLookup) {
  HangingLookup lookup;
  HostResolver resolver(io_, {.max_lookups_in_flight = 8, .lookup = lookup.function()});

  const auto first = start(resolver, "api.zoom.us");
  const auto second = start(resolver, "api.zoom.us");
  EXPECT_TRUE(run_until([&] { return lookup.calls() == 1; }));
  lookup.release();

  EXPECT_FALSE(finish(*first).error);
  EXPECT_FALSE(finish(*second).error);
  EXPECT_EQ(lookup.calls(), 1);
}

TEST_F(HostResolverTest, AHangingLookupDoesNotHoldUpOtherHosts) {
  HangingLookup hanging;
  HostResolver resolver(
      io_,
      {.max_lookups_in_flight = 8,
       .lookup = [hang = hanging.function()](const std::string& host, const std::string& port) {
         return host == "hangs" ? hang(host, port) : system_host_lookup(host, port);
       }});
  const auto stuck = start(resolver, "hangs");
  EXPECT_TRUE(run_until([&] { return hanging.calls() == 1; }));

  const ResolvedHost other = finish(*start(resolver, "127.0.0.1", kShortDeadline));

  EXPECT_FALSE(other.error) << other.error.message();
  EXPECT_FALSE(stuck->result.has_value());
  hanging.release();
  EXPECT_FALSE(finish(*stuck).error);
}

TEST_F(HostResolverTest, PastTheLimitOfLookupsInFlightALookupFailsAtOnce) {
  HangingLookup lookup;
  HostResolver resolver(io_, {.max_lookups_in_flight = 2, .lookup = lookup.function()});
  start(resolver, "a");
  start(resolver, "b");

  const ResolvedHost third = finish(*start(resolver, "c"));

  EXPECT_EQ(third.error, boost::system::errc::resource_unavailable_try_again);
  EXPECT_EQ(resolver.lookups_in_flight(), 2u);
  lookup.release();
  EXPECT_TRUE(run_until([&] { return resolver.lookups_in_flight() == 0; }));
}

TEST_F(HostResolverTest, CancelAllEndsTheWaitAtOnce) {
  HangingLookup lookup;
  HostResolver resolver(io_, {.max_lookups_in_flight = 8, .lookup = lookup.function()});
  const auto pending = start(resolver, "hangs");
  EXPECT_TRUE(run_until([&] { return lookup.calls() == 1; }));

  resolver.cancel_all();

  EXPECT_EQ(finish(*pending).error, asio::error::operation_aborted);
  EXPECT_LT(pending->elapsed, kPatience / 2);
  lookup.release();
}

TEST(HostResolverLifetimeTest, ALookupThatReturnsAfterItsIoContextIsGoneIsDropped) {
  HangingLookup lookup;
  {
    asio::io_context io;
    HostResolver resolver(io, {.max_lookups_in_flight = 8, .lookup = lookup.function()});
    asio::co_spawn(io, resolver.resolve("hangs", "80", Clock::now() + kPatience),
                   [](std::exception_ptr, ResolvedHost) {});
    test::run_io_until(
        io, [&] { return lookup.calls() == 1; }, kPatience);
    ASSERT_EQ(lookup.calls(), 1);
    // Destroyed with the lookup still hanging: neither waits for it.
  }
  lookup.release();                    // the thread finds no io_context to post to and ends
  std::this_thread::sleep_for(100ms);  // long enough for a post into the dead io_context to crash
}

}  // namespace
}  // namespace zqe::zoom
