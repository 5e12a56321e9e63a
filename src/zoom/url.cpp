#include "zoom/url.hpp"

#include <cstdint>

namespace zqe::zoom {

std::string Url::origin() const {
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  // An IPv6 literal needs its brackets back, or its colons would read as a port.
  const bool ipv6 = host.find(':') != std::string::npos;
  return (tls ? "https://" : "http://") + (ipv6 ? "[" + host + "]" : host) +
         (default_port ? "" : ":" + port);
}

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  // A query or fragment may follow the authority directly ("https://host?x"); it must not end
  // up in the host.
  const auto path_start = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : text.substr(path_start);
  while (path.ends_with('/')) path.remove_suffix(1);
  if (path.find_first_of("?#") != std::string_view::npos) return std::nullopt;

  std::string_view port;
  if (authority.starts_with('[')) {  // [::1]:8080
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    // More colons: an IPv6 literal without brackets or a typo like "host:80:80".
    if (url.host.find(':') != std::string::npos) return std::nullopt;
  }
  if (url.host.empty() || url.host.find('@') != std::string::npos) return std::nullopt;
  if (port.empty()) {
    url.port = url.tls ? "443" : "80";
  } else {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) return std::nullopt;
    url.port = std::string(port);
  }
  url.path = std::string(path);
  return url;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string meeting_path_segment(std::string_view uuid, std::uint64_t numeric_id) {
  if (uuid.empty()) return std::to_string(numeric_id);
  const bool needs_double = uuid.starts_with('/') || uuid.find("//") != std::string_view::npos;
  return needs_double ? percent_encode(percent_encode(uuid)) : percent_encode(uuid);
}

}  // namespace zqe::zoom
