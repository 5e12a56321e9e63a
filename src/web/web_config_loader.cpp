#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "common/wipe.hpp"
#include "config/config.hpp"
#include "config/yaml_reader.hpp"
#include "web/bcrypt.hpp"
#include "web/tls_context.hpp"
#include "web/web_security.hpp"

namespace zqe::web {
namespace {

using config::Choice;
using config::in_quotes;
using config::Value;

constexpr Choice<ClientAuth> kClientAuthTypes[] = {
    {"NoClientCert", ClientAuth::no_client_cert},
    {"RequestClientCert", ClientAuth::request_client_cert},
    {"RequireAnyClientCert", ClientAuth::require_any_client_cert},
    {"VerifyClientCertIfGiven", ClientAuth::verify_client_cert_if_given},
    {"RequireAndVerifyClientCert", ClientAuth::require_and_verify_client_cert},
};
// exporter-toolkit still takes the name it had before RequireAnyClientCert.
constexpr std::string_view kOldRequireAnyClientCert = "RequireClientCert";

constexpr Choice<TlsVersion> kTlsVersions[] = {{"TLS10", TlsVersion::tls10},
                                               {"TLS11", TlsVersion::tls11},
                                               {"TLS12", TlsVersion::tls12},
                                               {"TLS13", TlsVersion::tls13}};

// Go's crypto/tls CipherSuites(), the names exporter-toolkit takes, with OpenSSL's names for them.
// As in Go, the TLS 1.3 suites are accepted and have no effect (""): TLS 1.3 always offers all
// three.
constexpr Choice<std::string_view> kCipherSuites[] = {
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_AES_128_GCM_SHA256", ""},
    {"TLS_AES_256_GCM_SHA384", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", ""},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
};

constexpr Choice<std::string_view> kCurves[] = {
    {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};

constexpr Choice<std::string_view> kFrameOptions[] = {{"deny", "deny"},
                                                      {"sameorigin", "sameorigin"}};
constexpr Choice<std::string_view> kContentTypeOptions[] = {{"nosniff", "nosniff"}};

constexpr std::string_view kBcryptFormat =
    "must be a bcrypt hash: $2y$, $2b$ or $2a$, a cost from 04 to 31, $ and 53 characters "
    "(make one with htpasswd -nBC 10 \"\" | tr -d ':\\n')";

// A setting as written, with where, for the checks that need the whole section first.
struct Written {
  std::string text;
  YAML::Mark mark;
  std::string key;
};

// A PEM given in the file itself (cert, key, client_ca) or by a file name (cert_file, ...).
struct PemSetting {
  std::optional<Written> inline_pem;
  std::optional<Written> file;
  bool given() const { return inline_pem || file; }
  const Written& where() const { return file ? *file : *inline_pem; }
};

class WebConfigReader : config::YamlReader {
 public:
  explicit WebConfigReader(const std::string& source) : YamlReader(source), source_(source) {}

  WebSecurity read(const YAML::Node& root) {
    read_document(
        root, {
                  {"tls_server_config", [this](const Value& value) { read_tls(value); }},
                  {"http_server_config", [this](const Value& value) { read_http(value); }},
                  {"basic_auth_users", [this](const Value& value) { read_users(value); }},
                  {"rate_limit",
                   [this](const Value& value) {
                     fail(value,
                          "not supported by zoom-qos-exporter (its server bounds connections and "
                          "requests per connection itself)");
                   }},
              });
    auto server = std::make_shared<http::SecuritySettings>();
    server->tls = finish_tls();
    if (!tls_.client_allowed_sans.empty()) {
      server->accept_peer = [sans = tls_.client_allowed_sans](SSL* ssl) {
        X509* peer = SSL_get0_peer_certificate(ssl);
        return peer != nullptr && has_allowed_san(peer, sans);
      };
    }
    server->response_headers = std::move(headers_);
    WebSecurity web;
    web.server = std::move(server);
    web.users = std::move(users_);
    if (client_auth_type_) web.client_auth_type = client_auth_type_->text;
    return web;
  }

 private:
  void read_tls(const Value& section) {
    tls_section_ = setting_at(section);
    read_map(
        section,
        {
            {"cert", [this](const Value& value) { cert_.inline_pem = written(value); }},
            {"key", [this](const Value& value) { key_.inline_pem = written(value); }},
            {"client_ca", [this](const Value& value) { client_ca_.inline_pem = written(value); }},
            {"cert_file", [this](const Value& value) { cert_.file = written(value); }},
            {"key_file", [this](const Value& value) { key_.file = written(value); }},
            {"client_ca_file", [this](const Value& value) { client_ca_.file = written(value); }},
            {"client_auth_type", [this](const Value& value) { read_client_auth(value); }},
            tls_setting("client_allowed_sans", &sans_,
                        [this](const Value& value) {
                          read_list(value, [this](const Value& item) {
                            tls_.client_allowed_sans.push_back(read_string(item));
                          });
                          if (tls_.client_allowed_sans.empty()) {
                            fail(value,
                                 "must not be empty (leave it out to accept any client "
                                 "certificate)");
                          }
                        }),
            tls_setting("min_version", &min_version_,
                        [this](const Value& value) {
                          tls_.min_version = read_choice(value, "TLS version", kTlsVersions);
                        }),
            tls_setting("max_version", &max_version_,
                        [this](const Value& value) {
                          tls_.max_version = read_choice(value, "TLS version", kTlsVersions);
                        }),
            tls_setting("cipher_suites", &cipher_suites_,
                        [this](const Value& value) {
                          read_list(value, [this](const Value& item) {
                            const std::string_view openssl_name =
                                read_choice(item, "cipher suite", kCipherSuites);
                            if (!openssl_name.empty()) {
                              tls_.cipher_suites.emplace_back(openssl_name);
                            }
                          });
                        }),
            tls_setting("curve_preferences", &curve_preferences_,
                        [this](const Value& value) {
                          read_list(value, [this](const Value& item) {
                            tls_.curve_preferences.emplace_back(
                                read_choice(item, "curve", kCurves));
                          });
                        }),
            tls_setting("prefer_server_cipher_suites", nullptr,
                        [this](const Value& value) {
                          tls_.prefer_server_cipher_suites = read_bool(value);
                        }),
        });
  }

  // A TLS setting that means nothing without a certificate. Where it stands is kept (in
  // `*where`, and as the first such setting) for the checks that need the whole section.
  Setting tls_setting(std::string_view name, std::optional<Written>* where,
                      std::function<void(const Value& value)> read) {
    return {name, [this, where, read = std::move(read)](const Value& value) {
              if (!other_tls_setting_) other_tls_setting_ = setting_at(value);
              if (where != nullptr) *where = setting_at(value);
              read(value);
            }};
  }

  static Written setting_at(const Value& value) {
    return Written{.text = {}, .mark = value.mark, .key = value.key};
  }

  // Empty strings count as not set, as in exporter-toolkit.
  std::optional<Written> written(const Value& value) const {
    std::string text = read_string(value);
    if (text.empty()) return std::nullopt;
    return Written{std::move(text), value.mark, value.key};
  }

  void read_client_auth(const Value& value) {
    client_auth_type_ = written(value);
    if (!client_auth_type_) return;
    tls_.client_auth = client_auth_type_->text == kOldRequireAnyClientCert
                           ? ClientAuth::require_any_client_cert
                           : read_choice(value, "client auth type", kClientAuthTypes);
  }

  // TLS is on when a certificate, a key, a client CA or a client auth type is set, as in
  // exporter-toolkit; then the certificate and the key are required.
  std::shared_ptr<boost::asio::ssl::context> finish_tls() {
    if (!cert_.given() && !key_.given() && !client_ca_.given() && !client_auth_type_) {
      if (other_tls_setting_) {
        fail(other_tls_setting_->mark, other_tls_setting_->key,
             "needs cert_file and key_file (or cert and key): without them TLS is off");
      }
      return nullptr;
    }
    // The checks that need no file first, so that a mistake in this file is reported as such.
    check_pem_setting(cert_, "cert_file", "cert", /*required=*/true);
    check_pem_setting(key_, "key_file", "key", /*required=*/true);
    check_pem_setting(client_ca_, "client_ca_file", "client_ca", /*required=*/false);
    check_tls_combination();
    tls_.certificate_pem = read_pem(cert_);
    tls_.key_pem = read_pem(key_);
    tls_.client_ca_pem = read_pem(client_ca_);
    // The key's copies are wiped as soon as OpenSSL holds the key, or failed to.
    try {
      std::shared_ptr<boost::asio::ssl::context> context = make_tls_context(tls_);
      wipe_key_copies();
      return context;
    } catch (const TlsSetupError& error) {
      wipe_key_copies();
      fail_tls_setup(error);
    }
  }

  void wipe_key_copies() {
    wipe(tls_.key_pem);
    if (key_.inline_pem) wipe(key_.inline_pem->text);
  }

  void check_pem_setting(const PemSetting& setting, std::string_view file_name,
                         std::string_view inline_name, bool required) const {
    if (setting.file && setting.inline_pem) {
      fail(setting.file->mark, setting.file->key,
           "cannot be used together with " + std::string(inline_name));
    }
    if (required && !setting.given()) {
      fail(tls_section_->mark, tls_section_->key,
           "needs " + std::string(file_name) + " (or " + std::string(inline_name) + ") for TLS");
    }
  }

  // The PEM text, from the file itself or read from the file it names; "" when not given.
  std::string read_pem(const PemSetting& setting) const {
    if (!setting.file) return setting.inline_pem ? setting.inline_pem->text : std::string();
    const std::string path = config::relative_to_file(source_, setting.file->text);
    config::FileContent content = config::read_whole_file(path, config::kMaxConfigFileBytes);
    if (content.error != 0) {
      fail(setting.file->mark, setting.file->key,
           "cannot read " + in_quotes(path) + ": " + config::error_text(content.error));
    }
    return std::move(content.text);
  }

  void check_tls_combination() const {
    if (tls_.min_version > tls_.max_version) {
      if (min_version_)
        fail(min_version_->mark, min_version_->key, "must not be above max_version");
      fail(max_version_->mark, max_version_->key, "must not be below min_version (TLS12 if unset)");
    }
    const ClientAuth auth = tls_.client_auth;
    if (client_ca_.given() && auth == ClientAuth::no_client_cert) {
      fail(client_ca_.where().mark, client_ca_.where().key,
           "needs a client_auth_type that asks for client certificates (e.g. "
           "RequireAndVerifyClientCert)");
    }
    const bool verifies = auth == ClientAuth::verify_client_cert_if_given ||
                          auth == ClientAuth::require_and_verify_client_cert;
    if (verifies && !client_ca_.given()) {
      fail(client_auth_type_->mark, client_auth_type_->key,
           client_auth_type_->text +
               " needs client_ca_file (or client_ca): the CA that signs client certificates");
    }
    const bool requires_certificate = auth == ClientAuth::require_any_client_cert ||
                                      auth == ClientAuth::require_and_verify_client_cert;
    if (sans_ && !requires_certificate) {
      fail(sans_->mark, sans_->key,
           "needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert (the others "
           "let clients in without a certificate)");
    }
  }

  [[noreturn]] void fail_tls_setup(const TlsSetupError& error) const {
    const PemSetting* pem = nullptr;
    const std::optional<Written>* list = nullptr;
    switch (error.part) {
      case TlsSetupError::Part::certificate:
        pem = &cert_;
        break;
      case TlsSetupError::Part::key:
        pem = &key_;
        break;
      case TlsSetupError::Part::client_ca:
        pem = &client_ca_;
        break;
      case TlsSetupError::Part::cipher_suites:
        list = &cipher_suites_;
        break;
      case TlsSetupError::Part::curve_preferences:
        list = &curve_preferences_;
        break;
    }
    if (pem == nullptr) fail((*list)->mark, (*list)->key, error.what());
    const Written& where = pem->where();
    const std::string file =
        pem->file ? in_quotes(config::relative_to_file(source_, pem->file->text)) + ": " : "";
    fail(where.mark, where.key, file + error.what());
  }

  void read_http(const Value& section) {
    read_map(section, {
                          {"http2", [this](const Value& value) { read_bool(value); }},
                          {"headers", [this](const Value& value) { read_headers(value); }},
                      });
  }

  // The headers exporter-toolkit lets a config set, the same for every exporter on purpose.
  void read_headers(const Value& section) {
    read_map(section, {
                          header("Strict-Transport-Security"),
                          header("X-Content-Type-Options", kContentTypeOptions),
                          header("X-Frame-Options", kFrameOptions),
                          header("X-XSS-Protection"),
                          header("Content-Security-Policy"),
                      });
  }

  // A header whose value is free text on one line; a blank value leaves it out.
  Setting header(std::string_view name) {
    return {name, [this, name](const Value& value) { add_header(name, value); }};
  }

  // A header with a few allowed values.
  template <std::size_t count>
  Setting header(std::string_view name, const Choice<std::string_view> (&choices)[count]) {
    return {name, [this, name, &choices](const Value& value) {
              if (!read_string(value).empty()) read_choice(value, "value", choices);
              add_header(name, value);
            }};
  }

  void add_header(std::string_view name, const Value& value) {
    std::string text = read_string(value);
    if (text.empty()) return;
    for (const char c : text) {
      if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) {
        fail(value, "must not contain control characters");
      }
    }
    headers_.emplace_back(name, std::move(text));
  }

  void read_users(const Value& section) {
    read_entries(
        section, [this](const std::string& user, const YAML::Mark& user_mark, const Value& value) {
          if (user.find(':') != std::string::npos) {
            fail(user_mark, value.key, "user name must not contain ':' (Basic auth splits at it)");
          }
          std::string hash = read_string(value, "a bcrypt hash");
          if (!bcrypt_cost(hash)) fail(value, kBcryptFormat);
          users_.emplace(user, std::move(hash));
        });
  }

  const std::string& source_;
  TlsServerConfig tls_;
  std::optional<Written> tls_section_;
  PemSetting cert_;
  PemSetting key_;
  PemSetting client_ca_;
  std::optional<Written> client_auth_type_;
  std::optional<Written> sans_;
  std::optional<Written> min_version_;
  std::optional<Written> max_version_;
  std::optional<Written> cipher_suites_;
  std::optional<Written> curve_preferences_;
  std::optional<Written> other_tls_setting_;
  http::Headers headers_;
  UserHashes users_;
};

}  // namespace

WebSecurity parse_web_config(std::string_view yaml_text, const std::string& source) {
  return WebConfigReader(source).read(config::parse_single_document(yaml_text, source));
}

WebSecurity load_web_config(const std::string& path) {
  const config::FileContent file = config::read_whole_file(path, config::kMaxConfigFileBytes);
  if (file.error != 0) {
    throw config::ConfigError(path +
                              ": cannot read web config file: " + config::error_text(file.error));
  }
  return parse_web_config(file.text, path);
}

}  // namespace zqe::web
