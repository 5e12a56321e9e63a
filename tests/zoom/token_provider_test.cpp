#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "metrics/account_metrics.hpp"
#include "support/fake_zoom.hpp"
#include "zoom/http_client.hpp"
#include "zoom/token_provider.hpp"

namespace zqe::zoom {
namespace {
namespace asio = boost::asio;

struct TokenProviderTest : ::testing::Test {
  asio::io_context io;
  test::FakeZoom zoom{io};
  metrics::ExporterMetrics registry;
  metrics::AccountMetrics metrics{registry, ""};
  HttpClient http{io, {}};

  TokenProviderTest() { zoom.start(); }

  TokenProvider provider(TokenRetryPolicy retry = {}) {
    return TokenProvider(io, http, metrics,
                         {"account", "client", "secret", *parse_url(zoom.oauth_token_url())},
                         retry);
  }

  // Runs `count` token() calls at once and returns what each got.
  std::vector<TokenResult> concurrent_tokens(TokenProvider& tokens, int count) {
    std::vector<TokenResult> results(count);
    for (int i = 0; i < count; ++i) {
      asio::co_spawn(
          io, [&, i]() -> asio::awaitable<void> { results[i] = co_await tokens.token(); },
          asio::detached);
    }
    io.restart();
    while (std::any_of(results.begin(), results.end(), [](const TokenResult& r) {
      return r.access_token.empty() && r.error.empty();
    })) {
      io.run_one();
    }
    return results;
  }
};

TEST_F(TokenProviderTest, ConcurrentCallersShareOneRefresh) {
  auto tokens = provider();
  for (const auto& result : concurrent_tokens(tokens, 5)) EXPECT_EQ(result.access_token, "token-1");
  EXPECT_EQ(zoom.count("/oauth/token"), 1);
}

TEST_F(TokenProviderTest, CachesTheTokenAndRefreshesAfterInvalidate) {
  auto tokens = provider();
  EXPECT_EQ(concurrent_tokens(tokens, 1)[0].access_token, "token-1");
  EXPECT_EQ(concurrent_tokens(tokens, 1)[0].access_token, "token-1");
  tokens.invalidate("token-0");  // not the current one: ignored
  EXPECT_EQ(concurrent_tokens(tokens, 1)[0].access_token, "token-1");
  tokens.invalidate("token-1");
  for (const auto& result : concurrent_tokens(tokens, 3)) EXPECT_EQ(result.access_token, "token-2");
  EXPECT_EQ(zoom.count("/oauth/token"), 2);
}

TEST_F(TokenProviderTest, RejectedCredentialsAreReportedToEveryWaiterWithAHint) {
  zoom.on_token(
      {{400, R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})", {}}});
  auto tokens = provider();
  for (const auto& result : concurrent_tokens(tokens, 3)) {
    EXPECT_TRUE(result.access_token.empty());
    EXPECT_TRUE(result.credentials_rejected);
    EXPECT_NE(result.error.find("check zoom.account_id"), std::string::npos) << result.error;
    EXPECT_EQ(result.error.find("secret\""), std::string::npos);
  }
  EXPECT_EQ(zoom.count("/oauth/token"), 1);
}

TEST_F(TokenProviderTest, ZoomsReasonIsReportedWithTheCredentialsItEchoesRedacted) {
  // A hostile or broken endpoint sends back what it was sent: the secret and the header.
  const std::string secret = "s3cret-Value+/=";
  const std::string header = "Basic " + basic_credentials("client", secret);
  zoom.on_token(
      {{400,
        R"({"error":"invalid_client","reason":"bad )" + secret + " in " + header + R"( "})",
        {}}});
  TokenProvider tokens(io, http, metrics,
                       {"account", "client", secret, *parse_url(zoom.oauth_token_url())});
  const TokenResult result = concurrent_tokens(tokens, 1)[0];
  EXPECT_NE(result.error.find(
                "HTTP 400 (invalid_client: bad <redacted> in Basic <redacted> ): Zoom rejected"),
            std::string::npos)
      << result.error;
  EXPECT_EQ(result.error.find("s3cret"), std::string::npos) << result.error;
  // The request did carry them: the redaction is what kept them out.
  ASSERT_EQ(zoom.requests().size(), 1u);
  EXPECT_NE(std::find(zoom.requests()[0].headers.begin(), zoom.requests()[0].headers.end(),
                      std::pair<std::string, std::string>("Authorization", header)),
            zoom.requests()[0].headers.end());
}

TEST_F(TokenProviderTest, ALongReasonIsCut) {
  zoom.on_token(
      {{500, R"({"error":"server_error","reason":")" + std::string(1000, 'x') + R"("})", {}}});
  auto tokens = provider();
  const TokenResult result = concurrent_tokens(tokens, 1)[0];
  EXPECT_NE(result.error.find("(server_error: xxx"), std::string::npos) << result.error;
  EXPECT_LT(result.error.size(), 300u) << result.error;
}

TEST_F(TokenProviderTest, AReplyWithoutATokenIsAnError) {
  zoom.on_token({{200, R"({"token_type":"bearer"})", {}}});
  auto tokens = provider();
  const auto result = concurrent_tokens(tokens, 1)[0];
  EXPECT_TRUE(result.access_token.empty());
  EXPECT_NE(result.error.find("token reply unusable"), std::string::npos) << result.error;
  EXPECT_NE(
      registry.render().find("zoom_exporter_invalid_replies_total{endpoint=\"oauth_token\"} 1"),
      std::string::npos)
      << registry.render();
}

// How long after `before` the provider will replace the token it got from `reply`, after
// checking that a second call uses the cached token rather than asking again.
std::chrono::seconds lifetime_of(TokenProviderTest& test, const std::string& reply) {
  test.zoom.on_token({{200, reply, {}}});
  auto tokens = test.provider();
  const int asked = test.zoom.count("/oauth/token");
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(test.concurrent_tokens(tokens, 1)[0].access_token, "t") << reply;
  EXPECT_EQ(test.concurrent_tokens(tokens, 1)[0].access_token, "t") << reply;
  EXPECT_EQ(test.zoom.count("/oauth/token") - asked, 1) << reply;
  return std::chrono::round<std::chrono::seconds>(tokens.refresh_at() - before);
}

TEST_F(TokenProviderTest, UsesZoomsExpiresInLessAMinute) {
  EXPECT_EQ(lifetime_of(*this, R"({"access_token":"t","expires_in":3600})").count(), 3540);
}

TEST_F(TokenProviderTest, MissingZeroNegativeOrNonNumericExpiresInIsTakenAsTenMinutes) {
  for (const std::string expires_in : {"", R"(,"expires_in":0)", R"(,"expires_in":-60)",
                                       R"(,"expires_in":"soon")", R"(,"expires_in":null)"}) {
    EXPECT_EQ(lifetime_of(*this, R"({"access_token":"t")" + expires_in + "}").count(), 540)
        << expires_in;
  }
}

TEST_F(TokenProviderTest, ATinyExpiresInIsRaisedToAMinute) {
  // Refreshing every few seconds would hammer the token endpoint; a token that really expires
  // sooner is replaced when Zoom answers 401.
  EXPECT_EQ(lifetime_of(*this, R"({"access_token":"t","expires_in":1})").count(), 54);
}

TEST_F(TokenProviderTest, AHugeExpiresInIsCappedAtADay) {
  for (const std::string expires_in : {"86400000", "1e300"}) {
    EXPECT_EQ(lifetime_of(*this, R"({"access_token":"t","expires_in":)" + expires_in + "}").count(),
              86340)
        << expires_in;
  }
}

TEST_F(TokenProviderTest, AnUnreachableTokenEndpointIsAnErrorAndRetriedOnTheNextCall) {
  TokenProvider tokens(
      io, http, metrics,
      {"account", "client", "secret", *parse_url("http://127.0.0.1:1/oauth/token")});
  const auto result = concurrent_tokens(tokens, 2);
  for (const auto& failed : result) {
    EXPECT_TRUE(failed.access_token.empty());
    EXPECT_FALSE(failed.credentials_rejected);
    EXPECT_NE(failed.error.find("connect_error"), std::string::npos) << failed.error;
  }
  // Nothing is cached: the next call asks again (here of a reachable endpoint).
  tokens.set_credentials({"account", "client", "secret", *parse_url(zoom.oauth_token_url())});
  EXPECT_EQ(concurrent_tokens(tokens, 1)[0].access_token, "token-1");
  EXPECT_NE(
      registry.render().find(
          R"(zoom_exporter_api_requests_total{code="connect_error",endpoint="oauth_token"} 1)"),
      std::string::npos)
      << registry.render();
}

}  // namespace
}  // namespace zqe::zoom

namespace zqe::zoom {
namespace {

using namespace std::chrono_literals;

TEST_F(TokenProviderTest, AfterAFailureCallsGetItWithoutAskingUntilTheRetryTime) {
  zoom.on_token({{503, "Service Unavailable", {}}, {200, R"({"access_token":"t"})", {}}});
  auto tokens = provider({.first = 200ms, .longest = 1s});
  const auto failed = concurrent_tokens(tokens, 1)[0];
  EXPECT_NE(failed.error.find("HTTP 503"), std::string::npos) << failed.error;

  for (const auto& result : concurrent_tokens(tokens, 3)) EXPECT_EQ(result.error, failed.error);
  EXPECT_EQ(zoom.count("/oauth/token"), 1);

  std::this_thread::sleep_until(tokens.retry_at());
  EXPECT_EQ(concurrent_tokens(tokens, 1)[0].access_token, "t");
  EXPECT_EQ(zoom.count("/oauth/token"), 2);
}

TEST_F(TokenProviderTest, RetryDelaysDoubleWithJitterUpToTheLongest) {
  zoom.on_token({{500, "", {}}});
  auto tokens = provider({.first = 50ms, .longest = 150ms});
  const std::pair<std::chrono::milliseconds, std::chrono::milliseconds> expected[] = {
      {40ms, 60ms}, {80ms, 120ms}, {120ms, 180ms}, {120ms, 180ms}};
  for (const auto& [shortest, longest] : expected) {
    std::this_thread::sleep_until(tokens.retry_at());
    concurrent_tokens(tokens, 1);
    const auto delay = tokens.retry_at() - std::chrono::steady_clock::now();
    // The delay is measured after the refresh returned, so it may have shrunk a little.
    EXPECT_GT(delay, shortest - 30ms);
    EXPECT_LE(delay, longest);
  }
  EXPECT_EQ(zoom.count("/oauth/token"), 4);
}

TEST_F(TokenProviderTest, NewCredentialsAreTriedAtOnce) {
  zoom.on_token({{400, R"({"error":"invalid_client"})", {}}, {200, R"({"access_token":"t"})", {}}});
  auto tokens = provider({.first = 1h, .longest = 1h});
  EXPECT_TRUE(concurrent_tokens(tokens, 1)[0].credentials_rejected);
  tokens.set_credentials({"account", "client", "fixed", *parse_url(zoom.oauth_token_url())});
  EXPECT_EQ(concurrent_tokens(tokens, 1)[0].access_token, "t");
}

}  // namespace
}  // namespace zqe::zoom
