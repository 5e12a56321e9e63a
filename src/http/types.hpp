#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// What the HTTP server hands to a handler and takes back: plain data, no Beast types, so that
// handlers (the /metrics endpoint, the simulator, test fakes) compile without Beast.
namespace zqe::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/v2/metrics/meetings?type=live"
  std::string path;    // target up to '?', not decoded
  std::string query;   // after '?', not decoded
  Headers headers;
  std::string body;

  // First header of that name, case-insensitive; empty when absent.
  std::string_view header(std::string_view name) const;
  // Value of a query parameter, percent-decoded; nullopt-like empty when absent.
  std::string query_param(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  Headers headers;  // extra headers, e.g. Content-Encoding, Allow, Retry-After
  // The body is `shared_body`'s pieces followed by `body`'s chunks. Both are shared so that a
  // large cached body (the rendered metrics, in thousands of pieces) is written to many sockets
  // without being copied; the pointer to the pieces keeps the memory they point into alive.
  std::shared_ptr<const std::vector<std::string_view>> shared_body;
  std::vector<std::shared_ptr<const std::string>> body;

  static Response text(unsigned status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  std::size_t body_size() const;
  std::string body_string() const;  // concatenated; for tests and small bodies
};

using Handler = std::function<Response(const Request&)>;

// Takes a handler's response to the client: called once, on the io_context's thread, at once or
// later. Calls after the connection or the server has closed are ignored.
using Responder = std::function<void(Response)>;
// A handler that may answer later, e.g. after work on another thread. The request is valid only
// during the call; the connection reads nothing else until the response comes.
using AsyncHandler = std::function<void(const Request&, Responder respond)>;

// Runs a handler; an exception becomes a 500 and an error line (handler_failure).
Response answer(const Handler& handler, const Request& request);
// The 500 for a request whose handler failed with `what`, logged.
Response handler_failure(const Request& request, std::string_view what);

// Case-insensitive ASCII comparison, for header names and tokens.
bool iequals(std::string_view a, std::string_view b);
std::string percent_decode(std::string_view text);

}  // namespace zqe::http
