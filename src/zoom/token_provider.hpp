#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "metrics/account_metrics.hpp"
#include "zoom/http_client.hpp"

namespace zqe::zoom {

struct Credentials {
  std::string account_id;
  std::string client_id;
  std::string client_secret;
  Url token_url;
};

// CLIENT_ID:SECRET in base64, as the Authorization: Basic header of a token request carries it.
std::string basic_credentials(std::string_view client_id, std::string_view client_secret);

struct TokenResult {
  std::string access_token;           // empty on failure
  std::string error;                  // why there is no token; never contains the secret
  bool credentials_rejected = false;  // Zoom said the credentials are wrong: retrying won't help
};

// How soon a failed token request is tried again: `first` after one failure, doubling with each
// failure in a row up to `longest`, each delay scaled by a random 0.8 to 1.2 so that exporters
// that failed together do not come back together. Calls in between get the last failure.
struct TokenRetryPolicy {
  std::chrono::steady_clock::duration first = std::chrono::seconds(1);
  std::chrono::steady_clock::duration longest = std::chrono::seconds(60);
};

// Server-to-Server OAuth access tokens: cached until shortly before they expire, with exactly one
// refresh in flight (Zoom invalidates the token in use when a new one is issued, so concurrent
// refreshes would make requests fail with 401 / code 124 at random). While the token endpoint
// fails, every request of every meeting would otherwise ask it again: retries back off instead.
class TokenProvider {
 public:
  TokenProvider(boost::asio::io_context& io, HttpClient& http, metrics::AccountMetrics& metrics,
                Credentials credentials, TokenRetryPolicy retry = {});

  // A valid token, fetching one when none is cached or the cached one expires soon.
  boost::asio::awaitable<TokenResult> token();
  // Zoom rejected `access_token` (401): forget it, unless a newer one has replaced it already.
  void invalidate(const std::string& access_token);
  // New credentials are tried at once, whatever the backoff of the old ones.
  void set_credentials(Credentials credentials);
  // When the cached token will be replaced; meaningful while one is cached.
  std::chrono::steady_clock::time_point refresh_at() const { return refresh_at_; }
  // Before it, a call without a cached token gets the last failure; meaningful after one.
  std::chrono::steady_clock::time_point retry_at() const { return retry_at_; }

 private:
  boost::asio::awaitable<void> refresh();

  HttpClient& http_;
  metrics::AccountMetrics& metrics_;
  Credentials credentials_;
  std::string access_token_;
  std::chrono::steady_clock::time_point refresh_at_;
  TokenResult last_failure_;
  TokenRetryPolicy retry_;
  int failures_in_a_row_ = 0;
  std::chrono::steady_clock::time_point retry_at_{};  // no token request before, after a failure
  bool refreshing_ = false;
  // Waiters of the refresh in flight sleep on this timer; the refresh cancels it when done.
  boost::asio::steady_timer refresh_done_;
};

}  // namespace zqe::zoom
