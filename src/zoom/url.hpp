#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zqe::zoom {

// An absolute http:// or https:// URL split into what a connection and a request target need.
struct Url {
  bool tls = false;
  std::string host;
  std::string port;  // always set: explicit, or 80/443 from the scheme
  std::string path;  // "/v2" or "" for the root; no trailing slash

  std::string origin() const;  // "https://api.zoom.us" (default port left out)
};

std::optional<Url> parse_url(std::string_view text);

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string percent_encode(std::string_view text);

// A meeting's path segment. Zoom takes the numeric id or the UUID; a UUID that starts with '/'
// or contains "//" must be percent-encoded twice, any other once.
std::string meeting_path_segment(std::string_view uuid, std::uint64_t numeric_id);

}  // namespace zqe::zoom
