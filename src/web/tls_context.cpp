#include "web/tls_context.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace zqe::web {
namespace {

namespace ssl = boost::asio::ssl;
using Part = TlsSetupError::Part;

constexpr std::string_view kSessionIdContext = "zoom-qos-exporter";

// The reason of the oldest error in OpenSSL's queue, which is then emptied so that nothing of it
// is mistaken later for an error of another call.
std::string take_openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

int openssl_version(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls10:
      return TLS1_VERSION;
    case TlsVersion::tls11:
      return TLS1_1_VERSION;
    case TlsVersion::tls12:
      return TLS1_2_VERSION;
    case TlsVersion::tls13:
      return TLS1_3_VERSION;
  }
  return TLS1_3_VERSION;
}

// RequestClientCert and RequireAnyClientCert ask for a certificate but, as in Go, accept it
// unverified.
int accept_any_certificate(int /*preverified*/, X509_STORE_CTX* /*chain*/) {
  return 1;
}

void apply_client_auth(SSL_CTX* context, ClientAuth client_auth) {
  switch (client_auth) {
    case ClientAuth::no_client_cert:
      SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
      return;
    case ClientAuth::request_client_cert:
      SSL_CTX_set_verify(context, SSL_VERIFY_PEER, accept_any_certificate);
      return;
    case ClientAuth::require_any_client_cert:
      SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         accept_any_certificate);
      return;
    case ClientAuth::verify_client_cert_if_given:
      SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
      return;
    case ClientAuth::require_and_verify_client_cert:
      SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      return;
  }
}

using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

// The certificates of a PEM text, in order; text around them is skipped, as Go skips it.
std::vector<Certificate> read_certificates(const std::string& pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> input(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::vector<Certificate> certificates;
  while (X509* read = PEM_read_bio_X509(input.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(read, &X509_free);
  }
  ERR_clear_error();  // the end of the text reads as an error too
  return certificates;
}

// No passphrase: without this callback OpenSSL would prompt for one on the terminal.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*data*/) {
  return 0;
}

// The server's certificate comes first in the text, then the chain to send with it.
void load_certificate_and_key(SSL_CTX* context, const TlsServerConfig& config) {
  const std::vector<Certificate> chain = read_certificates(config.certificate_pem);
  if (chain.empty()) throw TlsSetupError(Part::certificate, "holds no PEM certificate");
  const std::unique_ptr<BIO, decltype(&BIO_free)> input(
      BIO_new_mem_buf(config.key_pem.data(), static_cast<int>(config.key_pem.size())), &BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(input.get(), nullptr, no_passphrase, nullptr), &EVP_PKEY_free);
  ERR_clear_error();
  if (!key) {
    throw TlsSetupError(Part::key, "holds no PEM private key (or one that needs a passphrase)");
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    throw TlsSetupError(Part::key, "does not belong to the certificate");
  }
  if (SSL_CTX_use_certificate(context, chain.front().get()) != 1) {
    throw TlsSetupError(Part::certificate, "not usable: " + take_openssl_error());
  }
  for (std::size_t index = 1; index < chain.size(); ++index) {
    SSL_CTX_add1_chain_cert(context, chain[index].get());
  }
  if (SSL_CTX_use_PrivateKey(context, key.get()) != 1) {
    throw TlsSetupError(Part::key, "not usable: " + take_openssl_error());
  }
}

// Every certificate of the PEM text becomes a trust anchor for client certificates and is named
// to clients in the certificate request, as Go does with ClientCAs.
void load_client_ca(SSL_CTX* context, const std::string& pem) {
  const std::vector<Certificate> authorities = read_certificates(pem);
  if (authorities.empty()) throw TlsSetupError(Part::client_ca, "holds no PEM certificate");
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  for (const Certificate& authority : authorities) {
    X509_STORE_add_cert(store, authority.get());  // a repeated certificate is no problem
    SSL_CTX_add_client_CA(context, authority.get());
  }
  ERR_clear_error();
}

// OpenSSL's list syntax: "a:b:c".
std::string colon_list(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ':';
    text += name;
  }
  return text;
}

std::optional<std::string> ip_address_text(const ASN1_OCTET_STRING* address) {
  const unsigned char* bytes = ASN1_STRING_get0_data(address);
  const int length = ASN1_STRING_length(address);
  char text[INET6_ADDRSTRLEN];
  // Go writes an IPv4-mapped IPv6 address as IPv4.
  constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (length == 16 && std::equal(kMappedPrefix, kMappedPrefix + 12, bytes)) {
    bytes += 12;
    return inet_ntop(AF_INET, bytes, text, sizeof text) ? std::optional<std::string>(text)
                                                        : std::nullopt;
  }
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, bytes, text, sizeof text) == nullptr) return std::nullopt;
  return text;
}

std::optional<std::string> san_text(const GENERAL_NAME& name) {
  switch (name.type) {
    case GEN_DNS:
    case GEN_EMAIL:
    case GEN_URI:
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name.d.ia5)),
                         static_cast<std::size_t>(ASN1_STRING_length(name.d.ia5)));
    case GEN_IPADD:
      return ip_address_text(name.d.iPAddress);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsServerConfig& config) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* handle = context->native_handle();
  load_certificate_and_key(handle, config);
  if (!config.client_ca_pem.empty()) load_client_ca(handle, config.client_ca_pem);
  apply_client_auth(handle, config.client_auth);
  // Without it OpenSSL refuses to resume a session of a server that asks for certificates.
  SSL_CTX_set_session_id_context(handle,
                                 reinterpret_cast<const unsigned char*>(kSessionIdContext.data()),
                                 static_cast<unsigned int>(kSessionIdContext.size()));

  SSL_CTX_set_min_proto_version(handle, openssl_version(config.min_version));
  SSL_CTX_set_max_proto_version(handle, openssl_version(config.max_version));
  // OpenSSL 3 negotiates TLS 1.0 and 1.1 only at security level 0; who allows them asked for it.
  if (config.min_version < TlsVersion::tls12) SSL_CTX_set_security_level(handle, 0);
  // Client-initiated renegotiation only costs the server handshakes.
  SSL_CTX_set_options(handle, SSL_OP_NO_RENEGOTIATION);
  if (config.prefer_server_cipher_suites) {
    SSL_CTX_set_options(handle, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    SSL_CTX_clear_options(handle, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  if (const std::string ciphers = colon_list(config.cipher_suites);
      !ciphers.empty() && SSL_CTX_set_cipher_list(handle, ciphers.c_str()) != 1) {
    throw TlsSetupError(Part::cipher_suites,
                        "none of them is available in this OpenSSL: " + take_openssl_error());
  }
  if (const std::string groups = colon_list(config.curve_preferences);
      !groups.empty() && SSL_CTX_set1_groups_list(handle, groups.c_str()) != 1) {
    throw TlsSetupError(Part::curve_preferences,
                        "not available in this OpenSSL: " + take_openssl_error());
  }
  return context;
}

bool has_allowed_san(X509* certificate, const std::vector<std::string>& allowed) {
  const std::unique_ptr<GENERAL_NAMES, void (*)(GENERAL_NAMES*)> names(
      static_cast<GENERAL_NAMES*>(
          X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)),
      [](GENERAL_NAMES* list) { GENERAL_NAMES_free(list); });
  if (!names) return false;
  for (int index = 0; index < sk_GENERAL_NAME_num(names.get()); ++index) {
    const std::optional<std::string> text = san_text(*sk_GENERAL_NAME_value(names.get(), index));
    if (text && std::find(allowed.begin(), allowed.end(), *text) != allowed.end()) return true;
  }
  return false;
}

}  // namespace zqe::web
