#pragma once

#include <utility>

#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>

#include "http/types.hpp"

namespace zqe::http {

// How a Server protects the connections it accepts. A connection keeps the settings it was
// accepted with; Server::set_security() swaps them for the connections that follow.
struct SecuritySettings {
  // TLS for every connection; null serves plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // Asked after each TLS handshake, with the connection's SSL object (the peer's certificate is
  // SSL_get0_peer_certificate); false closes the connection. Empty: every peer is accepted.
  std::function<bool(SSL* ssl)> accept_peer;
  Headers response_headers;  // added to every response
};

}  // namespace zqe::http
