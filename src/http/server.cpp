#include "http/server.hpp"

#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
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
// A flood of refused connections or failing accepts logs one line per interval, with a count.
constexpr std::chrono::seconds kLogInterval{60};

// Lets through the first event and then at most one per kLogInterval; the events in between are
// counted and reported with the next line that goes through.
class ThrottledLog {
 public:
  // The number of events the line should report (this one included), or 0 to stay quiet.
  std::uint64_t note() {
    ++unlogged_;
    const auto now = std::chrono::steady_clock::now();
    if (last_ && now - *last_ < kLogInterval) return 0;
    last_ = now;
    return std::exchange(unlogged_, 0);
  }

 private:
  std::optional<std::chrono::steady_clock::time_point> last_;
  std::uint64_t unlogged_ = 0;
};

// The settings of a server without TLS and extra headers stand for "none".
std::shared_ptr<const SecuritySettings> or_plain(std::shared_ptr<const SecuritySettings> security) {
  return security ? std::move(security) : std::make_shared<const SecuritySettings>();
}

}  // namespace

struct Server::State : detail::ServerCore, std::enable_shared_from_this<State> {
  State(asio::io_context& io, const tcp::endpoint& endpoint, AsyncHandler handler,
        ServerLimits limits, std::shared_ptr<const SecuritySettings> security)
      : ServerCore(std::move(handler), limits, or_plain(std::move(security))),
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
      if (const std::uint64_t failures = accept_failures_log.note()) {
        log::warn("http accept failed",
                  "error=" + log::quote(ec.message()) + " failures=" + std::to_string(failures));
      }
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec && !self->stopped) self->accept_next();
      });
      return;
    }
    // Turned away rather than left in the backlog: the client learns at once, and the server keeps
    // accepting, so the event loop never waits on a full house. Refused connections are counted in
    // open_connections while their 503 is pending, and past max_refused_in_flight of them a socket
    // is closed unanswered, so a flood of connections holds a bounded number of sockets.
    const std::size_t open = open_connections.size();
    if (open < limits.max_connections) {
      detail::serve(shared_from_this(), std::move(socket));
    } else {
      note_refusal();
      if (open - limits.max_connections < limits.max_refused_in_flight) {
        detail::turn_away(shared_from_this(), std::move(socket));
      } else {
        boost::system::error_code already_gone;
        socket.close(already_gone);
      }
    }
    accept_next();
  }

  void note_refusal() {
    ++refused_connections;
    if (const std::uint64_t refused = refusals_log.note()) {
      log::warn("http connections refused at max_connections",
                "max_connections=" + std::to_string(limits.max_connections) +
                    " refused=" + std::to_string(refused));
    }
  }

  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  tcp::endpoint endpoint;  // as requested until start(), then as bound (port 0 resolved)
  std::uint64_t refused_connections = 0;
  ThrottledLog refusals_log;
  ThrottledLog accept_failures_log;
};

Server::Server(asio::io_context& io, const tcp::endpoint& endpoint, Handler handler,
               ServerLimits limits)
    : Server(
          io, endpoint,
          [handler = std::move(handler)](const Request& request, const Responder& respond) {
            respond(answer(handler, request));
          },
          limits) {}

Server::Server(asio::io_context& io, const tcp::endpoint& endpoint, AsyncHandler handler,
               ServerLimits limits, std::shared_ptr<const SecuritySettings> security)
    : state_(
          std::make_shared<State>(io, endpoint, std::move(handler), limits, std::move(security))) {}

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

void Server::set_security(std::shared_ptr<const SecuritySettings> security) {
  state_->security = or_plain(std::move(security));
}

tcp::endpoint Server::local_endpoint() const {
  return state_->endpoint;
}

std::size_t Server::connection_count() const {
  return state_->open_connections.size();
}

std::uint64_t Server::refused_connection_count() const {
  return state_->refused_connections;
}

}  // namespace zqe::http
