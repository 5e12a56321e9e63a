#pragma once

#include <string>
#include <vector>

namespace zqe::web {

// Go's tls.ClientAuthType, whose names exporter-toolkit's client_auth_type takes.
enum class ClientAuth {
  no_client_cert,
  request_client_cert,             // asks for a certificate, accepts any or none
  require_any_client_cert,         // requires a certificate, accepts any
  verify_client_cert_if_given,     // accepts none; verifies one that is sent
  require_and_verify_client_cert,  // requires a certificate the client CA signed
};

enum class TlsVersion { tls10, tls11, tls12, tls13 };

// The server side of TLS as a web config's tls_server_config describes it, with the files read
// and Go's names translated to OpenSSL's.
struct TlsServerConfig {
  std::string certificate_pem;  // the server's certificate, then its chain
  std::string key_pem;          // secret: never logged
  std::string client_ca_pem;    // empty: no client CA
  ClientAuth client_auth = ClientAuth::no_client_cert;
  std::vector<std::string> client_allowed_sans;  // empty: any
  TlsVersion min_version = TlsVersion::tls12;
  TlsVersion max_version = TlsVersion::tls13;
  std::vector<std::string> cipher_suites;      // OpenSSL's names, TLS 1.2 and older; empty: default
  std::vector<std::string> curve_preferences;  // OpenSSL's group names; empty: default
  bool prefer_server_cipher_suites = true;
};

}  // namespace zqe::web
