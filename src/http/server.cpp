#include "http/server.hpp"

#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <utility>

#include "common/log.hpp"
#include "http/connection.hpp"

namespace zqe::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// accept() fails mostly when file descriptors or memory run out. Retrying at once would spin on
// the same pending connection; a pause lets connections close in the meantime.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

struct Server::State : detail::ServerCore, std::enable_shared_from_this<State> {
  State(asio::io_context& io, const tcp::endpoint& endpoint, Handler handler, ServerLimits limits)
      : ServerCore(std::move(handler), limits),
        acceptor(io),
        accept_retry(io),
        endpoint(endpoint) {}

  void accept_next() {
    acceptor.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          self->on_accept(ec, std::move(socket));
        });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (stopped) return;
    if (ec) {
      log::warn("http accept failed", "error=" + log::quote(ec.message()));
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec && !self->stopped) self->accept_next();
      });
      return;
    }
    // Turned away rather than left in the backlog: the client learns at once, and the server keeps
    // accepting, so the event loop never waits on a full house.
    if (open_connections.size() >= limits.max_connections) {
      detail::turn_away(shared_from_this(), std::move(socket));
    } else {
      detail::serve(shared_from_this(), std::move(socket));
    }
    accept_next();
  }

  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  tcp::endpoint endpoint;  // as requested until start(), then as bound (port 0 resolved)
};

Server::Server(asio::io_context& io, const tcp::endpoint& endpoint, Handler handler,
               ServerLimits limits)
    : state_(std::make_shared<State>(io, endpoint, std::move(handler), limits)) {}

Server::~Server() {
  stop();
}

void Server::start() {
  tcp::acceptor& acceptor = state_->acceptor;
  acceptor.open(state_->endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(state_->endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  state_->endpoint = acceptor.local_endpoint();
  state_->accept_next();
}

void Server::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code already_closed;
  state_->acceptor.close(already_closed);
  state_->accept_retry.cancel();
  detail::close_all(*state_);
}

tcp::endpoint Server::local_endpoint() const {
  return state_->endpoint;
}

std::size_t Server::connection_count() const {
  return state_->open_connections.size();
}

}  // namespace zqe::http
