#include "commands/exit_codes.hpp"

#include "scheduler/retry_after.hpp"

namespace zqe::commands {

using Kind = zoom::ApiError::Kind;

int exit_code_of(const zoom::ApiError& error) {
  switch (error.kind) {
    case Kind::meeting_ended:
      return kExitNotFound;
    case Kind::http_status:
      if (error.status == 401 || error.status == 403 || error.status == 429) return kExitZoom;
      return error.status >= 400 && error.status < 500 ? kExitNotFound : kExitZoom;
    case Kind::transport:
    case Kind::invalid_reply:
    case Kind::no_token:
    case Kind::pagination:
    case Kind::rate_limited:
    case Kind::cancelled:
      return kExitZoom;
  }
  return kExitZoom;
}

std::string explain(const zoom::ApiError& error, std::string_view subject) {
  const std::string what = zoom::describe(error);
  const std::string of = std::string(subject);
  switch (error.kind) {
    case Kind::meeting_ended:
      return of + " not found or not live: " + what;
    case Kind::http_status:
      if (error.status == 401 || error.status == 403) {
        return "Zoom refused the request for " + of +
               " (check the app's scopes and credentials): " + what;
      }
      if (exit_code_of(error) == kExitNotFound) return "Zoom refused " + of + ": " + what;
      return "Zoom failed to answer for " + of + ": " + what;
    case Kind::transport:
      return "cannot reach Zoom: " + what;
    case Kind::no_token:
      return "cannot get an access token from Zoom: " + what;
    case Kind::rate_limited:
      if (scheduler::rate_limit_type({}, error.detail) == scheduler::LimitType::daily) {
        return "Zoom's daily rate limit of the account is used up (it resets at 00:00 UTC): " +
               what;
      }
      return "Zoom kept answering 429 (per-second rate limit) for " + of + ": " + what;
    case Kind::invalid_reply:
    case Kind::pagination:
      return "Zoom's reply for " + of + " is unusable: " + what;
    case Kind::cancelled:
      return "cancelled";
  }
  return what;
}

}  // namespace zqe::commands
