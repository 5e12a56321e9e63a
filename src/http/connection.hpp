#pragma once

#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <unordered_set>

#include "http/security.hpp"
#include "http/server.hpp"
#include "http/types.hpp"

// Private to the http module: what Server hands to its connections. Beast stays in connection.cpp.
namespace zqe::http::detail {

// What the server needs of a connection of either kind, plain or TLS.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // Cancels the connection's pending operations; it goes away once they have completed.
  virtual void close() = 0;
};

// The part of a Server its connections share. Connections hold it by shared_ptr, so completions
// that arrive after stop() or after the Server is destroyed still touch valid memory; `stopped`
// keeps them from calling the handler, whose captures may be gone by then.
struct ServerCore {
  ServerCore(AsyncHandler handler, ServerLimits limits,
             std::shared_ptr<const SecuritySettings> security)
      : handler(std::move(handler)), limits(limits), security(std::move(security)) {}

  AsyncHandler handler;
  ServerLimits limits;
  std::shared_ptr<const SecuritySettings> security;  // for connections accepted from now on
  bool stopped = false;
  // Each connection is in here from construction to destruction, so stop() can close it.
  std::unordered_set<ConnectionBase*> open_connections;
};

// Serves requests on an accepted socket until the peer leaves, a limit is hit or the server stops.
void serve(std::shared_ptr<ServerCore> core, boost::asio::ip::tcp::socket socket);
// Answers 503 without reading the request, then closes: for sockets accepted at max_connections.
// Over TLS the socket is closed at once: a handshake is what an overloaded server cannot afford.
void turn_away(std::shared_ptr<ServerCore> core, boost::asio::ip::tcp::socket socket);
// Closes every open connection; their pending operations complete with operation_aborted.
void close_all(ServerCore& core);

}  // namespace zqe::http::detail
