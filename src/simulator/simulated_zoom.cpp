#include "simulator/simulated_zoom.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <mutex>

#include "http/server.hpp"
#include "simulator/simulated_api.hpp"

namespace zqe::simulator {

struct SimulatedZoom::Impl {
  Impl(boost::asio::io_context& io, const config::SimulatorConfig& config, Clock clock)
      : io(io), api(config, std::move(clock)) {}

  boost::asio::io_context& io;
  // The io_context may be run by several threads, and the account changes on every request.
  std::mutex api_mutex;
  SimulatedApi api;
  std::unique_ptr<http::Server> server;
  unsigned short port = 0;
};

SimulatedZoom::SimulatedZoom(boost::asio::io_context& io, const config::SimulatorConfig& config,
                             Clock clock)
    : impl_(std::make_unique<Impl>(io, config, std::move(clock))) {}

SimulatedZoom::~SimulatedZoom() = default;

void SimulatedZoom::start(unsigned short port) {
  if (impl_->server) return;
  Impl& impl = *impl_;
  auto server = std::make_unique<http::Server>(
      impl.io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), port),
      [&impl](const http::Request& request) {
        const std::lock_guard lock(impl.api_mutex);
        return impl.api.handle(request);
      });
  // Kept only once listening, so that a failed start can be retried.
  server->start();
  impl.port = server->local_endpoint().port();
  impl.server = std::move(server);
}

void SimulatedZoom::stop() {
  if (impl_->server) impl_->server->stop();
}

RateLimitStats SimulatedZoom::stats() const {
  const std::lock_guard lock(impl_->api_mutex);
  return impl_->api.stats();
}

std::string SimulatedZoom::api_base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v2";
}

std::string SimulatedZoom::oauth_token_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/oauth/token";
}

}  // namespace zqe::simulator
