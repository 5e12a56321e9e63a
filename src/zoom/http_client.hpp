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
#include "zoom/host_resolver.hpp"
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

// Idle keep-alive connections are closed after this long. Servers and load balancers drop
// idle connections on their own schedule (often after 60 s or more); closing ours first
// avoids most requests that find their connection closed by the server (those are retried once
// anyway). Polls page through the API in bursts, so a connection idle this long is unlikely to
// be needed soon, and an idle daemon should not hold sockets indefinitely.
inline constexpr std::chrono::milliseconds kIdleConnectionTimeout{30'000};
// Idle connections kept per (scheme, host, port); a connection returned to a full pool closes
// the oldest one. Enough for each of the poller's workers (zoom.max_concurrent_requests, 4 by
// default) to find a connection; a bound on sockets when more run at once.
inline constexpr std::size_t kMaxIdleConnectionsPerHost = 16;

// The defaults suit the exporter; tests shorten them.
struct ConnectionPoolOptions {
  std::size_t max_idle_per_host = kMaxIdleConnectionsPerHost;
  std::chrono::milliseconds idle_timeout = kIdleConnectionTimeout;
};

// Sends requests over http or https (certificates verified against the system store, with SNI
// and host name checks), the timeout covering every step from the DNS lookup on, reusing keep-alive
// connections per (scheme, host, port). A request that finds its reused connection closed by the
// server before any byte of the reply is retried once on a new connection. Never throws for network
// trouble: every failure is an HttpOutcome with an error. Requests must be finished before the
// client is destroyed (cancel_all() and let them complete). Idle connections are closed by
// cancel_all(), the destructor, or the io_context's destruction, whichever comes first.
class HttpClient {
 public:
  HttpClient(boost::asio::io_context& io, HttpClientOptions options,
             ConnectionPoolOptions pool = {}, HostResolverOptions resolver = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<HttpOutcome> send(const Url& url, OutgoingRequest request);

  void set_options(HttpClientOptions options);
  // Aborts every request in flight; they complete with TransportError::cancelled. Also closes
  // every idle connection, so that no socket or timer keeps the io_context busy.
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zqe::zoom
