#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "http/security.hpp"
#include "web/basic_auth.hpp"

// The web config file of Prometheus's exporter-toolkit (--web.config.file): TLS, basic auth and
// response headers, read as strictly as the main config.
namespace zqe::web {

// Everything a web config file sets, checked and ready to use: certificates and keys loaded, Go's
// names translated to OpenSSL's. Default: what no web config file means, plain HTTP without auth.
struct WebSecurity {
  // TLS (or none) and response headers, for http::Server.
  std::shared_ptr<const http::SecuritySettings> server =
      std::make_shared<const http::SecuritySettings>();
  UserHashes users;                               // empty: no basic auth
  std::string client_auth_type = "NoClientCert";  // as written, for the log
  bool tls() const { return server->tls != nullptr; }
};

// Reads a web config file and every file it names (relative paths start at its directory).
// Throws config::ConfigError with "FILE:LINE:COLUMN: KEY: problem"; no message holds a key, a
// password hash or a certificate's contents.
WebSecurity load_web_config(const std::string& path);
// The same for YAML text; `source` names it in messages and anchors relative paths.
WebSecurity parse_web_config(std::string_view yaml_text, const std::string& source);

}  // namespace zqe::web
