#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "http/security.hpp"
#include "http/types.hpp"

namespace zqe::http {

// What one client may cost. The defaults suit a Prometheus exporter: a scrape is one small GET,
// and every bound below holds whatever a client sends or fails to read.
struct ServerLimits {
  // Request line and header fields; beyond it 431. A connection also buffers at most this plus
  // 16 KiB of input (read-ahead, pipelined requests, chunk lines and trailers); beyond that 413.
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;  // beyond it 413, before the body is read
  // To read one whole request, from its first byte (or the accept) to its last: cuts off
  // Slowloris clients and bodies that never arrive.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};  // to write one whole response
  // After the last response of a connection: how long input is drained before the close.
  std::chrono::milliseconds linger_timeout{2'000};
  // Connections served at once. Beyond it a connection is accepted, answered 503 and closed, so
  // the listen backlog never fills with clients nobody reads; at most max_refused_in_flight such
  // answers are pending at a time, and connections past those are closed at once without one.
  // Refusals are counted and logged at most once a minute.
  std::size_t max_connections = 512;
  std::size_t max_refused_in_flight = 32;
  // Requests answered on one connection, pipelined or not; the response that reaches it says
  // "Connection: close". Requests are read one at a time and never while a response is written,
  // so a pipelining client is held back by TCP flow control, and a flood of pipelined requests
  // ends here. (Prometheus, on keep-alive, reconnects every few hours.)
  std::size_t max_requests_per_connection = 1000;
};

// A small HTTP/1.1 server on the caller's io_context: keep-alive, HEAD, optional TLS, limits on
// header and body size, connection count and time per step, over TLS as over plain TCP.
// Violations get 400/413/431/503 or a close, never an exception out of run(). The handler runs on
// the io_context's thread. A HEAD request reaches the handler as GET; the server sends that
// response's head only.
class Server {
 public:
  Server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
         Handler handler, ServerLimits limits = {});
  Server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
         AsyncHandler handler, ServerLimits limits = {},
         std::shared_ptr<const SecuritySettings> security = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Throws boost::system::system_error when the bind fails.
  void start();
  // Stops accepting and closes every connection; pending handlers finish with operation_aborted.
  void stop();
  // For the connections accepted from now on (null: plain HTTP, no extra headers); those open
  // keep theirs. TLS can be switched on or off this way too.
  void set_security(std::shared_ptr<const SecuritySettings> security);

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Connections open now, those refused at max_connections included until they close.
  std::size_t connection_count() const;
  // Connections refused at max_connections since start().
  std::uint64_t refused_connection_count() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace zqe::http
