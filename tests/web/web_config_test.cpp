#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "web/web_security.hpp"

namespace zqe::web {
namespace {

const std::string kDataDir = ZQE_TEST_DATA_DIR;

std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "(no ConfigError)";
}

struct InvalidFile {
  std::string_view name;
  std::string_view message;  // after "FILE"
};

const InvalidFile kInvalidFiles[] = {
    {"invalid-unknown-top-level-key.yaml",
     ":1:1: tls_config: unknown key (known: tls_server_config, http_server_config, "
     "basic_auth_users, rate_limit)"},
    {"invalid-unknown-tls-key.yaml",
     ":3:3: tls_server_config.keyfile: unknown key (known: cert, key, client_ca, cert_file, "
     "key_file, client_ca_file, client_auth_type, client_allowed_sans, min_version, max_version, "
     "cipher_suites, curve_preferences, prefer_server_cipher_suites)"},
    {"invalid-duplicate-key.yaml", ":4:3: tls_server_config.cert_file: duplicate key"},
    {"invalid-duplicate-user.yaml", ":4:3: basic_auth_users.alice: duplicate key"},
    {"invalid-users-not-map.yaml", ":2:3: basic_auth_users: expected a map, got a list"},
    {"invalid-user-with-colon.yaml",
     ":2:3: basic_auth_users.ali:ce: user name must not contain ':' (Basic auth splits at it)"},
    {"invalid-bcrypt-plain-password.yaml",
     ":2:10: basic_auth_users.alice: must be a bcrypt hash: $2y$, $2b$ or $2a$, a cost from 04 "
     "to 31, $ and 53 characters (make one with htpasswd -nBC 10 \"\" | tr -d ':\\n')"},
    {"invalid-bcrypt-cost.yaml",
     ":2:10: basic_auth_users.alice: must be a bcrypt hash: $2y$, $2b$ or $2a$, a cost from 04 "
     "to 31, $ and 53 characters (make one with htpasswd -nBC 10 \"\" | tr -d ':\\n')"},
    {"invalid-bcrypt-prefix.yaml",
     ":2:10: basic_auth_users.alice: must be a bcrypt hash: $2y$, $2b$ or $2a$, a cost from 04 "
     "to 31, $ and 53 characters (make one with htpasswd -nBC 10 \"\" | tr -d ':\\n')"},
    {"invalid-hash-not-string.yaml",
     ":3:5: basic_auth_users.alice: expected a bcrypt hash, got a map"},
    {"invalid-client-auth-type.yaml",
     ":4:21: tls_server_config.client_auth_type: unknown client auth type \"RequireClientCerts\" "
     "(use NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or "
     "RequireAndVerifyClientCert)"},
    {"invalid-client-auth-type-not-string.yaml",
     ":4:21: tls_server_config.client_auth_type: expected a string, got a list"},
    {"invalid-tls-version.yaml",
     ":4:16: tls_server_config.min_version: unknown TLS version \"TLS1.2\" (use TLS10, TLS11, "
     "TLS12 or TLS13)"},
    {"invalid-min-above-max.yaml",
     ":4:16: tls_server_config.min_version: must not be above max_version"},
    {"invalid-max-below-default-min.yaml",
     ":4:16: tls_server_config.max_version: must not be below min_version (TLS12 if unset)"},
    {"invalid-cipher-suite.yaml",
     ":6:7: tls_server_config.cipher_suites: unknown cipher suite \"TLS_RSA_WITH_RC4_128_SHA\" "
     "(use TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA, "
     "TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_AES_128_GCM_SHA256, "
     "TLS_RSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
     "TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "
     "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, "
     "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 or "
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)"},
    {"invalid-cipher-suites-not-list.yaml",
     ":4:18: tls_server_config.cipher_suites: expected a list, got a scalar"},
    {"invalid-curve.yaml",
     ":4:34: tls_server_config.curve_preferences: unknown curve \"P-384\" (use CurveP256, "
     "CurveP384, CurveP521 or X25519)"},
    {"invalid-prefer-server-cipher-suites.yaml",
     ":4:32: tls_server_config.prefer_server_cipher_suites: expected a boolean (true or false), "
     "got \"yes\""},
    {"invalid-missing-key.yaml", ":2:3: tls_server_config: needs key_file (or key) for TLS"},
    {"invalid-missing-cert.yaml", ":2:3: tls_server_config: needs cert_file (or cert) for TLS"},
    {"invalid-cert-and-cert-file.yaml",
     ":4:14: tls_server_config.cert_file: cannot be used together with cert"},
    {"invalid-client-ca-without-client-auth.yaml",
     ":4:19: tls_server_config.client_ca_file: needs a client_auth_type that asks for client "
     "certificates (e.g. RequireAndVerifyClientCert)"},
    {"invalid-verify-without-client-ca.yaml",
     ":4:21: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file "
     "(or client_ca): the CA that signs client certificates"},
    {"invalid-sans-with-optional-cert.yaml",
     ":6:24: tls_server_config.client_allowed_sans: needs client_auth_type RequireAnyClientCert "
     "or RequireAndVerifyClientCert (the others let clients in without a certificate)"},
    {"invalid-sans-empty.yaml",
     ":5:24: tls_server_config.client_allowed_sans: must not be empty (leave it out to accept any "
     "client certificate)"},
    {"invalid-tls-setting-without-cert.yaml",
     ":2:16: tls_server_config.min_version: needs cert_file and key_file (or cert and key): "
     "without them TLS is off"},
    {"invalid-header-not-allowed.yaml",
     ":4:5: http_server_config.headers.X-Powered-By: unknown key (known: "
     "Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, "
     "Content-Security-Policy)"},
    {"invalid-frame-options.yaml",
     ":3:22: http_server_config.headers.X-Frame-Options: unknown value \"DENY\" (use deny or "
     "sameorigin)"},
    {"invalid-content-type-options.yaml",
     ":3:29: http_server_config.headers.X-Content-Type-Options: unknown value \"sniff\" (use "
     "nosniff)"},
    {"invalid-header-line-break.yaml",
     ":3:30: http_server_config.headers.Content-Security-Policy: must not contain control "
     "characters"},
    {"invalid-http2-not-boolean.yaml",
     ":2:10: http_server_config.http2: expected a boolean (true or false), got \"on\""},
    {"invalid-rate-limit.yaml",
     ":2:3: rate_limit: not supported by zoom-qos-exporter (its server bounds connections and "
     "requests per connection itself)"},
    {"invalid-yaml-syntax.yaml", ":3:11: invalid YAML: end of sequence flow not found"},
    {"invalid-multiple-documents.yaml", ":3:1: only one YAML document is allowed"},
    // yaml-cpp reads this as endless empty documents; the shared reader stops after two.
    {"invalid-stray-comma.yaml", ":1:1: only one YAML document is allowed"},
    {"invalid-top-level-not-map.yaml",
     ":1:1: expected a map of settings at the top level, got a list"},
};

TEST(InvalidWebConfigFiles, EachHasItsExactMessage) {
  for (const InvalidFile& file : kInvalidFiles) {
    SCOPED_TRACE(file.name);
    const std::string path = kDataDir + "/" + std::string(file.name);
    EXPECT_EQ(error_of([&] { load_web_config(path); }), path + std::string(file.message));
  }
}

TEST(InvalidWebConfigFiles, TheTableHasEveryInvalidFileOfTestdataAndNoOther) {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("invalid-")) on_disk.insert(std::move(name));
  }
  std::set<std::string> listed;
  for (const InvalidFile& file : kInvalidFiles) listed.emplace(file.name);
  EXPECT_EQ(on_disk, listed);
}

TEST(InvalidWebConfigFiles, NoMessageShowsAPasswordOrAHash) {
  for (const InvalidFile& file : kInvalidFiles) {
    const std::string message =
        error_of([&] { load_web_config(kDataDir + "/" + std::string(file.name)); });
    EXPECT_EQ(message.find("k3ep-Th1s-Password"), std::string::npos) << message;
    EXPECT_EQ(message.find("X0h1gDsPszWURQaxFh"), std::string::npos) << message;
  }
}

TEST(WebConfigFile, MissingFileIsAnError) {
  EXPECT_EQ(error_of([] { load_web_config("/nonexistent/web.yml"); }),
            "/nonexistent/web.yml: cannot read web config file: No such file or directory");
}

TEST(WebConfigFile, EmptyFileMeansPlainHttpWithoutAuth) {
  for (const char* name : {"valid-empty.yaml", "valid-blank-values.yaml"}) {
    SCOPED_TRACE(name);
    const WebSecurity web = load_web_config(kDataDir + "/" + name);
    EXPECT_FALSE(web.tls());
    EXPECT_TRUE(web.users.empty());
    EXPECT_TRUE(web.server->response_headers.empty());
    EXPECT_EQ(web.client_auth_type, "NoClientCert");
  }
}

TEST(WebConfigFile, ReadsHeadersAndUsers) {
  const WebSecurity web = load_web_config(kDataDir + "/valid-headers-and-users.yaml");
  EXPECT_FALSE(web.tls());
  const http::Headers expected = {
      {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "sameorigin"},
      {"X-XSS-Protection", "1; mode=block"},
      {"Content-Security-Policy", "default-src 'self'"}};
  EXPECT_EQ(web.server->response_headers, expected);
  ASSERT_EQ(web.users.size(), 3u);
  EXPECT_TRUE(web.users.at("alice").starts_with("$2y$10$"));
  EXPECT_TRUE(web.users.at("bob").starts_with("$2b$04$"));
  EXPECT_TRUE(web.users.at("carol smith").starts_with("$2a$04$"));
}

// Certificates made for the test, next to the web config that names them.
class WebConfigTls : public ::testing::Test {
 protected:
  WebConfigTls() : pki_(dir_.path()), server_(pki_.issue("server", test::kLocalhostSans, false)) {}

  WebSecurity load(const std::string& yaml) const {
    return load_web_config(dir_.write("web.yml", yaml));
  }
  std::string error_loading(const std::string& yaml) const {
    return error_of([&] { load(yaml); });
  }

  test::TempDir dir_;
  test::TestPki pki_;
  test::Credential server_;
};

TEST_F(WebConfigTls, ReadsEveryTlsSettingWithPathsRelativeToTheWebConfig) {
  const WebSecurity web = load(R"(tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_ca_file: ca.pem
  client_auth_type: RequireAndVerifyClientCert
  client_allowed_sans: [prometheus.example, 10.0.0.1]
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: true
)");
  ASSERT_TRUE(web.tls());
  EXPECT_EQ(web.client_auth_type, "RequireAndVerifyClientCert");
  SSL_CTX* context = web.server->tls->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(context), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode(context), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(SSL_CTX_get_options(context) & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
  EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(context)), 1);
  EXPECT_TRUE(web.server->accept_peer);
}

TEST_F(WebConfigTls, TakesCertificateAndKeyInline) {
  auto indented = [](const std::string& pem) {
    std::string text;
    std::istringstream lines(pem);
    for (std::string line; std::getline(lines, line);) text += "    " + line + "\n";
    return text;
  };
  const WebSecurity web =
      load("tls_server_config:\n  cert: |\n" + indented(server_.certificate_pem) + "  key: |\n" +
           indented(server_.key_pem) + "  client_ca: |\n" + indented(pki_.ca_pem()) +
           "  client_auth_type: VerifyClientCertIfGiven\n");
  ASSERT_TRUE(web.tls());
  EXPECT_EQ(SSL_CTX_get_verify_mode(web.server->tls->native_handle()), SSL_VERIFY_PEER);
  EXPECT_FALSE(web.server->accept_peer);
}

TEST_F(WebConfigTls, DefaultsAreExporterToolkits) {
  const WebSecurity web =
      load("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
  SSL_CTX* context = web.server->tls->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(context), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode(context), SSL_VERIFY_NONE);
  EXPECT_NE(SSL_CTX_get_options(context) & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
  EXPECT_NE(SSL_CTX_get_options(context) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_EQ(web.client_auth_type, "NoClientCert");
}

TEST_F(WebConfigTls, TakesExporterToolkitsOldNameOfRequireAnyClientCert) {
  const WebSecurity web = load(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_auth_type: RequireClientCert\n");
  EXPECT_EQ(SSL_CTX_get_verify_mode(web.server->tls->native_handle()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

// Each Go name reaches OpenSSL as the suite of the same IANA name.
TEST_F(WebConfigTls, MapsEachGoCipherSuiteToTheOpenSslSuiteOfTheSameStandardName) {
  for (const char* name :
       {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}) {
    SCOPED_TRACE(name);
    const WebSecurity web = load(
        "tls_server_config:\n  cert_file: server.crt\n  key_file: "
        "server.key\n  cipher_suites: [" +
        std::string(name) + "]\n");
    std::vector<std::string> below_tls13;
    STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(web.server->tls->native_handle());
    for (int index = 0; index < sk_SSL_CIPHER_num(ciphers); ++index) {
      const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, index);
      if (std::string_view(SSL_CIPHER_get_version(cipher)) != "TLSv1.3") {
        below_tls13.emplace_back(SSL_CIPHER_standard_name(cipher));
      }
    }
    EXPECT_EQ(below_tls13, std::vector<std::string>{name});
  }
}

TEST_F(WebConfigTls, AcceptsEveryCurve) {
  const WebSecurity web = load(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  curve_preferences: [CurveP256, CurveP384, CurveP521, X25519]\n");
  EXPECT_TRUE(web.tls());
}

TEST_F(WebConfigTls, ACertificateFileThatIsNoCertificateIsAnErrorAtLoad) {
  dir_.write("garbage.crt", "not a certificate\n");
  EXPECT_EQ(error_loading("tls_server_config:\n  cert_file: garbage.crt\n  key_file: server.key\n"),
            dir_.file("web.yml") + ":2:14: tls_server_config.cert_file: \"" +
                dir_.file("garbage.crt") + "\": holds no PEM certificate");
}

TEST_F(WebConfigTls, AKeyOfAnotherCertificateIsAnErrorAtLoad) {
  const test::Credential other = pki_.issue("other", test::kLocalhostSans, false);
  const std::string message =
      error_loading("tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n");
  EXPECT_EQ(message, dir_.file("web.yml") + ":3:13: tls_server_config.key_file: \"" +
                         dir_.file("other.key") + "\": does not belong to the certificate");
  EXPECT_EQ(message.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(WebConfigTls, AnInlineKeyThatIsNoKeyIsAnErrorThatDoesNotShowIt) {
  const std::string message =
      error_loading("tls_server_config:\n  cert_file: server.crt\n  key: \"s3cret-not-a-key\"\n");
  EXPECT_TRUE(message.starts_with(dir_.file("web.yml") +
                                  ":3:8: tls_server_config.key: holds no PEM private key (or "
                                  "one that needs a passphrase)"))
      << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
}

TEST_F(WebConfigTls, AnUnreadableKeyFileIsAnErrorAtLoad) {
  EXPECT_EQ(error_loading("tls_server_config:\n  cert_file: server.crt\n  key_file: gone.key\n"),
            dir_.file("web.yml") + ":3:13: tls_server_config.key_file: cannot read \"" +
                dir_.file("gone.key") + "\": No such file or directory");
}

TEST_F(WebConfigTls, AClientCaFileWithoutCertificatesIsAnErrorAtLoad) {
  dir_.write("empty-ca.pem", "\n");
  EXPECT_EQ(error_loading("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                          "  client_auth_type: RequireAndVerifyClientCert\n"
                          "  client_ca_file: empty-ca.pem\n"),
            dir_.file("web.yml") + ":5:19: tls_server_config.client_ca_file: \"" +
                dir_.file("empty-ca.pem") + "\": holds no PEM certificate");
}

TEST_F(WebConfigTls, AbsolutePathsStayAsTheyAre) {
  const WebSecurity web = load("tls_server_config:\n  cert_file: " + server_.certificate_path +
                               "\n  key_file: " + server_.key_path + "\n");
  EXPECT_TRUE(web.tls());
}

}  // namespace
}  // namespace zqe::web
