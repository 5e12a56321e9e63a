#include "http/basic_credentials.hpp"

#include "common/base64.hpp"
#include "http/types.hpp"

namespace zqe::http {

std::optional<BasicCredentials> parse_basic_authorization(std::string_view authorization) {
  constexpr std::string_view kScheme = "Basic ";
  if (authorization.size() < kScheme.size() ||
      !iequals(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::optional<std::string> decoded =
      base64_decode(authorization.substr(kScheme.size()), Base64Alphabet::standard);
  if (!decoded) return std::nullopt;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace zqe::http
