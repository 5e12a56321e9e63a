#pragma once

#include <string>
#include <string_view>

#include "zoom/zoom_client.hpp"

namespace zqe::commands {

// The commands' exit codes (documented in --help and the README).
inline constexpr int kExitFound = 0;
inline constexpr int kExitNotFound = 1;  // no such meeting or participant, or not live
inline constexpr int kExitUsage = 2;     // usage or config error, as the daemon's
inline constexpr int kExitZoom = 3;      // Zoom unreachable, failing, refusing credentials, limits

// Which exit a failed call ends the command with: 404 / code 3001 and other refusals of what was
// asked (4xx) are "not found"; everything that says Zoom cannot be used now, or not with these
// credentials (transport, token, 401, 403, 429, 5xx, an unreadable reply) is kExitZoom.
int exit_code_of(const zoom::ApiError& error);

// One line for stderr, naming what was asked (`subject`, e.g. "meeting 111") and carrying
// Zoom's own message.
std::string explain(const zoom::ApiError& error, std::string_view subject);

}  // namespace zqe::commands
