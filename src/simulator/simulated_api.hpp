#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "http/types.hpp"
#include "simulator/rate_limiter.hpp"
#include "simulator/simulated_account.hpp"
#include "simulator/time_scale.hpp"

namespace zqe::simulator {

// Zoom's HTTP rules over a SimulatedAccount, without sockets: the OAuth token endpoint, bearer
// tokens (a new one invalidates the old), the Dashboard endpoints for live meetings and webinars
// with their paging tokens, Zoom's error bodies, and Zoom's rate limits (see rate_limiter.hpp).
// Paths are those of the server: "/oauth/token" and "/v2/...". Every request costs time in
// proportion to its page, not to the account, so a benchmark can drive a large account through
// a whole simulated day by calling handle() directly.
//
// The clock tells real time. The account's own time (meetings, participants, QoS snapshots, the
// dates of a listing) runs config.speed times as fast from construction on (see time_scale.hpp);
// what Zoom's servers enforce (rate limits, the lifetimes of access and paging tokens) keeps real
// time.
class SimulatedApi {
 public:
  // Enforces the limits of config.plan when config.enforce_rate_limits.
  SimulatedApi(const config::SimulatorConfig& config, Clock clock);
  // Enforces `limits` instead, e.g. a small daily quota for a test.
  SimulatedApi(const config::SimulatorConfig& config, Clock clock, RateLimits limits);

  http::Response handle(const http::Request& request);

  // What the account's requests have cost so far, as of the clock's (real) time.
  RateLimitStats stats() const;
  // The state behind the replies, as of the latest request, for checking what a client saw.
  const SimulatedAccount& account() const { return account_; }

 private:
  struct Route;
  static std::optional<Route> parse_route(std::string_view path);

  http::Response issue_access_token(const http::Request& request, TimePoint now);
  http::Response answer_dashboard(const http::Request& request, const Route& route,
                                  TimePoint now) const;
  http::Response list_meetings(const http::Request& request, MeetingKind kind, TimePoint now) const;
  http::Response list_participants_qos(const http::Request& request, MeetingKind kind,
                                       std::size_t meeting_index, TimePoint now) const;
  http::Response get_participant_qos(MeetingKind kind, std::size_t meeting_index,
                                     std::string_view participant_segment) const;
  bool is_authorized(const http::Request& request, TimePoint now) const;
  // Paging tokens are self-contained and signed, so the server keeps no state per listing. The
  // scope names the listing: see list_scope(), or the meeting's id for a participant list.
  std::string issue_page_token(std::uint64_t scope, std::size_t offset, TimePoint now) const;
  std::optional<std::size_t> redeem_page_token(std::string_view token, std::uint64_t scope,
                                               TimePoint now) const;

  std::size_t qos_page_size_cap_;
  Clock clock_;  // real time
  TimeScale time_scale_;
  SimulatedAccount account_;
  RateLimiter rate_limiter_;
  std::uint64_t secret_;  // signs page tokens and seeds access tokens
  std::uint64_t access_tokens_issued_ = 0;
  std::string access_token_;  // the only valid one; empty until the first is issued
  TimePoint access_token_expiry_;
};

}  // namespace zqe::simulator
