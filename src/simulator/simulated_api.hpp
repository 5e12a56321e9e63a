#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "http/types.hpp"
#include "simulator/simulated_account.hpp"

namespace zqe::simulator {

// Zoom's HTTP rules over a SimulatedAccount, without sockets: the OAuth token endpoint, bearer
// tokens (a new one invalidates the old), the two Dashboard QoS endpoints with their paging
// tokens and Zoom's error bodies. Paths are those of the server: "/oauth/token" and "/v2/...".
class SimulatedApi {
 public:
  SimulatedApi(const config::SimulatorConfig& config, Clock clock);

  http::Response handle(const http::Request& request);

 private:
  http::Response issue_access_token(const http::Request& request, TimePoint now);
  http::Response list_meetings(const http::Request& request, TimePoint now) const;
  http::Response list_participants_qos(const http::Request& request,
                                       std::string_view meeting_segment, TimePoint now) const;
  bool is_authorized(const http::Request& request, TimePoint now) const;
  // Paging tokens are self-contained and signed, so the server keeps no state per listing. The
  // scope is 0 for the meeting list and the meeting id for a participant list.
  std::string issue_page_token(std::uint64_t scope, std::size_t offset, TimePoint now) const;
  std::optional<std::size_t> redeem_page_token(std::string_view token, std::uint64_t scope,
                                               TimePoint now) const;

  std::size_t qos_page_size_cap_;
  Clock clock_;
  SimulatedAccount account_;
  std::uint64_t secret_;  // signs page tokens and seeds access tokens
  std::uint64_t access_tokens_issued_ = 0;
  std::string access_token_;  // the only valid one; empty until the first is issued
  TimePoint access_token_expiry_;
};

}  // namespace zqe::simulator
