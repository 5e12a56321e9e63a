#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include "http/types.hpp"

namespace zqe::http {

struct ServerLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds request_timeout{10'000};  // to read one whole request
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 512;
};

// A small HTTP/1.1 server on the caller's io_context: keep-alive, HEAD, limits on header and
// body size, connection count and time per step. Violations get 400/413/431/503 or a close,
// never an exception out of run(). The handler runs on the io_context's thread.
// A HEAD request reaches the handler as GET; the server sends that response's head only.
class Server {
 public:
  Server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
         Handler handler, ServerLimits limits = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Throws boost::system::system_error when the bind fails.
  void start();
  // Stops accepting and closes every connection; pending handlers finish with operation_aborted.
  void stop();

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::size_t connection_count() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace zqe::http
