#include "http/types.hpp"

#include <exception>
#include <optional>

#include "common/log.hpp"

namespace zqe::http {
namespace {

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// In application/x-www-form-urlencoded a '+' stands for a space; a literal '+' arrives as %2B,
// so spaces are restored before the percent escapes are.
std::string decode_query_component(std::string_view component) {
  std::string spaced(component);
  for (char& c : spaced) {
    if (c == '+') c = ' ';
  }
  return percent_decode(spaced);
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (iequals(field, name)) return value;
  }
  return {};
}

std::string Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);

    const std::size_t equals = pair.find('=');
    if (decode_query_component(pair.substr(0, equals)) != name) continue;
    return equals == std::string_view::npos ? std::string{}
                                            : decode_query_component(pair.substr(equals + 1));
  }
  return {};
}

Response Response::text(unsigned status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body.push_back(std::make_shared<const std::string>(std::move(body)));
  return response;
}

std::size_t Response::body_size() const {
  std::size_t size = 0;
  if (shared_body) {
    for (const std::string_view piece : *shared_body) size += piece.size();
  }
  for (const auto& chunk : body) size += chunk->size();
  return size;
}

std::string Response::body_string() const {
  std::string joined;
  joined.reserve(body_size());
  if (shared_body) {
    for (const std::string_view piece : *shared_body) joined += piece;
  }
  for (const auto& chunk : body) joined += *chunk;
  return joined;
}

Response answer(const Handler& handler, const Request& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    return handler_failure(request, e.what());
  } catch (...) {
    return handler_failure(request, "unknown exception");
  }
}

Response handler_failure(const Request& request, std::string_view what) {
  log::error("http handler failed", "method=" + log::quote(request.method) + " path=" +
                                        log::quote(request.path) + " error=" + log::quote(what));
  return Response::text(500, "internal server error\n");
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const auto high = hex_value(text[i + 1]);
      const auto low = hex_value(text[i + 2]);
      if (high && low) {
        decoded += static_cast<char>(*high * 16 + *low);
        i += 2;
        continue;
      }
    }
    decoded += text[i];
  }
  return decoded;
}

}  // namespace zqe::http
