#pragma once

#include <utility>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "web/tls_server_config.hpp"

namespace zqe::web {

// Why make_tls_context refused a config, and which part of it is at fault.
class TlsSetupError : public std::runtime_error {
 public:
  enum class Part { certificate, key, client_ca, cipher_suites, curve_preferences };
  TlsSetupError(Part part, const std::string& problem) : std::runtime_error(problem), part(part) {}
  Part part;
};

// A server context for the config: certificate and key loaded (and checked to belong together),
// client CA, versions, ciphers, curves and client-certificate policy applied. Throws
// TlsSetupError; its messages never hold key material.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsServerConfig& config);

// Whether one of the certificate's subject alternative names (DNS, IP, e-mail or URI, written as
// Go writes them) is in `allowed`, exactly.
bool has_allowed_san(X509* certificate, const std::vector<std::string>& allowed);

}  // namespace zqe::web
