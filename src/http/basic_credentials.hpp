#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zqe::http {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// The credentials of an Authorization header in the Basic scheme (RFC 7617): "Basic " in any
// case, then padded base64 of "user:password", split at the first colon. nullopt for anything
// else, an empty header included.
std::optional<BasicCredentials> parse_basic_authorization(std::string_view authorization);

}  // namespace zqe::http
