#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers under C++20 with GCC 12.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "http/types.hpp"
#include "zoom/url.hpp"

namespace zqe::zoom {

struct OutgoingRequest {
  std::string method = "GET";
  std::string target;  // path and query, e.g. "/v2/metrics/meetings?type=live"
  http::Headers headers;
  std::string body;
};

enum class TransportError {
  none,
  resolve,    // DNS lookup failed
  connect,    // refused, unreachable
  tls,        // handshake or certificate verification failed
  timeout,    // the whole exchange took longer than the limit
  too_large,  // reply body over the limit
  protocol,   // malformed reply, connection dropped mid-reply
  cancelled,  // cancel_all(), e.g. on shutdown
};

std::string_view transport_error_name(TransportError error);

struct HttpOutcome {
  TransportError error = TransportError::none;
  std::string error_detail;  // human-readable cause when error != none
  unsigned status = 0;
  http::Headers headers;
  std::string body;

  std::string_view header(std::string_view name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30'000};  // per request, connect to last byte
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

// Sends one request per connection over http or https (certificates verified against the
// system store, with SNI and host name checks). Never throws for network trouble: every
// failure is an HttpOutcome with an error.
class HttpClient {
 public:
  HttpClient(boost::asio::io_context& io, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<HttpOutcome> send(const Url& url, OutgoingRequest request);

  void set_options(HttpClientOptions options);
  // Aborts every request in flight; they complete with TransportError::cancelled.
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zqe::zoom
