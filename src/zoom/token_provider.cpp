#include "zoom/token_provider.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <cmath>
#include <random>

#include "common/log.hpp"
#include "common/redactor.hpp"
#include "common/wipe.hpp"
#include "zoom/reply_decoder.hpp"

namespace zqe::zoom {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::string base64(std::string_view text) {
  namespace b64 = boost::beast::detail::base64;
  std::string out(b64::encoded_size(text.size()), '\0');
  out.resize(b64::encode(out.data(), text.data(), text.size()));
  return out;
}

// Zoom's own words on why it refused a token (e.g. "invalid_client: Invalid client_id or
// client_secret"), or "". A hostile or broken endpoint could echo the credentials it was sent
// back, so they are redacted, and the text is kept short.
std::string refusal_reason(std::string_view body, const log::Redactor& credentials) {
  constexpr std::size_t kLongestReason = 200;
  const TokenErrorBody refusal = decode_token_error_body(body);
  std::string reason = refusal.error;
  if (!refusal.error.empty() && !refusal.reason.empty()) reason += ": ";
  reason += refusal.reason;
  credentials.redact(reason);
  if (reason.size() > kLongestReason) reason = reason.substr(0, kLongestReason) + "...";
  return reason;
}

// How long to use a token: Zoom says 3600 s. A missing or absurd expires_in is clamped so the
// exporter neither refreshes in a loop nor keeps a token for days: a token that really expires
// sooner is refreshed when Zoom answers 401.
Clock::duration usable_lifetime(std::optional<double> expires_in_seconds) {
  const double seconds = std::clamp(expires_in_seconds.value_or(600.0), 60.0, 86400.0);
  const auto lifetime =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  // Refresh a minute early (a tenth early for short-lived tokens) so no request carries a token
  // that expires on its way.
  return lifetime - std::min<Clock::duration>(60s, lifetime / 10);
}

Clock::duration retry_delay(const TokenRetryPolicy& retry, int failures_in_a_row) {
  static std::minstd_rand random(std::random_device{}());
  const double doubled = std::chrono::duration<double>(retry.first).count() *
                         std::pow(2.0, std::min(failures_in_a_row - 1, 30));
  const double capped = std::min(doubled, std::chrono::duration<double>(retry.longest).count());
  const double jitter = std::uniform_real_distribution<double>(0.8, 1.2)(random);
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(capped * jitter));
}

}  // namespace

std::string basic_credentials(std::string_view client_id, std::string_view client_secret) {
  std::string plain;
  plain.reserve(client_id.size() + 1 + client_secret.size());
  plain.append(client_id).append(":").append(client_secret);
  std::string encoded = base64(plain);
  wipe(plain);
  return encoded;
}

TokenProvider::TokenProvider(asio::io_context& io, HttpClient& http,
                             metrics::AccountMetrics& metrics, Credentials credentials,
                             TokenRetryPolicy retry)
    : http_(http),
      metrics_(metrics),
      credentials_(std::move(credentials)),
      retry_(retry),
      refresh_done_(io, Clock::time_point::max()) {}

void TokenProvider::set_credentials(Credentials credentials) {
  wipe(credentials_.client_secret);
  credentials_ = std::move(credentials);
  access_token_.clear();
  failures_in_a_row_ = 0;
  retry_at_ = {};
}

void TokenProvider::invalidate(const std::string& access_token) {
  if (access_token == access_token_) access_token_.clear();
}

asio::awaitable<TokenResult> TokenProvider::token() {
  TokenResult cached;
  cached.access_token = access_token_;
  if (!access_token_.empty() && Clock::now() < refresh_at_) co_return cached;
  if (access_token_.empty() && !refreshing_ && Clock::now() < retry_at_) co_return last_failure_;
  if (refreshing_) {
    boost::system::error_code ignored;
    co_await refresh_done_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  } else {
    co_await refresh();
  }
  if (access_token_.empty()) co_return last_failure_;
  cached.access_token = access_token_;
  co_return cached;
}

asio::awaitable<void> TokenProvider::refresh() {
  refreshing_ = true;
  access_token_.clear();
  std::string encoded = basic_credentials(credentials_.client_id, credentials_.client_secret);
  std::string percent_encoded = percent_encode(credentials_.client_secret);
  // What the reply must not carry back into messages: the secret as this request sent it, and
  // as a form would have.
  log::Redactor sent_credentials;
  sent_credentials.set_values({credentials_.client_secret, encoded, percent_encoded});
  wipe(percent_encoded);
  OutgoingRequest request;
  request.method = "POST";
  request.target = credentials_.token_url.path.empty() ? "/" : credentials_.token_url.path;
  request.headers.emplace_back("Authorization", "Basic " + encoded);
  wipe(encoded);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.body =
      "grant_type=account_credentials&account_id=" + percent_encode(credentials_.account_id);

  const auto started = Clock::now();
  HttpOutcome outcome = co_await http_.send(credentials_.token_url, std::move(request));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  metrics_.count_request(metrics::endpoint::oauth_token,
                         outcome.error == TransportError::none
                             ? std::to_string(outcome.status)
                             : std::string(transport_error_name(outcome.error)),
                         seconds);

  TokenResult failure;
  if (outcome.error != TransportError::none) {
    failure.error = "token request failed: " + std::string(transport_error_name(outcome.error)) +
                    " (" + outcome.error_detail + ")";
  } else if (outcome.status != 200) {
    failure.error = "token request answered HTTP " + std::to_string(outcome.status);
    if (const std::string reason = refusal_reason(outcome.body, sent_credentials);
        !reason.empty()) {
      failure.error += " (" + reason + ")";
    }
    // Zoom answers 400 invalid_client / 401 for wrong credentials or account id.
    if (outcome.status == 400 || outcome.status == 401 || outcome.status == 403) {
      failure.credentials_rejected = true;
      // The keys as the config names them: zoom.* for one account, the list entry for several.
      const std::string keys =
          metrics_.account().empty()
              ? std::string("zoom.account_id, zoom.client_id")
              : "account_id and client_id of zoom.accounts entry " + log::quote(metrics_.account());
      failure.error += ": Zoom rejected the credentials; check " + keys +
                       " and the client secret of the Server-to-Server OAuth app, and that the "
                       "app is activated";
    }
  } else {
    auto reply = decode_token_reply(outcome.body);
    if (reply.value) {
      access_token_ = std::move(reply.value->access_token);
      refresh_at_ = Clock::now() + usable_lifetime(reply.value->expires_in_seconds);
    } else {
      metrics_.count_invalid_reply(metrics::endpoint::oauth_token);
      failure.error = "token reply unusable: " + reply.error;
    }
  }

  metrics_.count_token_refresh(!access_token_.empty());
  if (access_token_.empty()) {
    // Failures reach the log through the call that needed the token, once per outage.
    last_failure_ = failure;
    ++failures_in_a_row_;
    retry_at_ = Clock::now() + retry_delay(retry_, failures_in_a_row_);
  } else {
    failures_in_a_row_ = 0;
  }
  refreshing_ = false;
  refresh_done_.cancel();
}

}  // namespace zqe::zoom
