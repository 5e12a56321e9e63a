// The web config's TLS settings as a client meets them: a real http::Server on 127.0.0.1 with
// certificates made for the test.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/server.hpp"
#include "support/run_io.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"
#include "web/web_security.hpp"

namespace zqe::web {
namespace {

namespace asio = boost::asio;

class WebTlsServer : public ::testing::Test {
 protected:
  WebTlsServer()
      : pki_(dir_.path()),
        server_credential_(pki_.issue("server", test::kLocalhostSans, /*client=*/false)),
        client_(pki_.issue("client",
                           {"DNS:prometheus.example", "IP:10.0.0.7", "email:ops@example.com",
                            "URI:spiffe://example/prometheus"},
                           /*client=*/true)),
        stranger_(pki_.issue_self_signed("stranger", {"DNS:prometheus.example"}, /*client=*/true)) {
  }

  ~WebTlsServer() override {
    if (thread_.joinable()) {
      asio::post(io_, [this] { server_.reset(); });
      thread_.join();
    }
  }

  // Serves "ok" with the web config made of `tls_settings` under tls_server_config and `rest`;
  // called again, switches the running server to the new config.
  void serve(const std::string& tls_settings, const std::string& rest = "") {
    const WebSecurity web = load_web_config(dir_.write(
        "web.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" +
                       tls_settings + rest));
    if (server_) {
      test::run_on_io_thread(io_, [&] { server_->set_security(web.server); });
      return;
    }
    server_ = std::make_unique<http::Server>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        [](const http::Request& request, const http::Responder& respond) {
          respond(request.path == "/" ? http::Response::text(200, "ok\n")
                                      : http::Response::text(404, "404 page not found\n"));
        },
        http::ServerLimits{}, web.server);
    server_->start();
    port_ = server_->local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }

  test::TlsClientOptions verified() const {
    test::TlsClientOptions tls;
    tls.ca_path = pki_.ca_path();
    return tls;
  }
  test::TlsClientOptions with(const test::Credential& credential) const {
    test::TlsClientOptions tls = verified();
    tls.certificate_path = credential.certificate_path;
    tls.key_path = credential.key_path;
    return tls;
  }
  // Whether a request gets its 200. A refused client certificate ends the handshake, or with TLS
  // 1.3 (where the client finishes first) the first read.
  bool admitted(const test::TlsClientOptions& tls, const std::string& target = "/") {
    try {
      return test::https_request(port_, target, tls).status == 200;
    } catch (const std::runtime_error&) {
      return false;
    }
  }

  test::TempDir dir_;
  test::TestPki pki_;
  test::Credential server_credential_;
  test::Credential client_;
  test::Credential stranger_;
  asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  unsigned short port_ = 0;
  std::thread thread_;
};

TEST_F(WebTlsServer, ServesHttpsThatVerifiesAgainstTheCa) {
  serve("");
  const test::HttpReply reply = test::https_request(port_, "/", verified());
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok\n");
  EXPECT_EQ(test::served_certificate(port_), server_credential_.certificate_pem);
}

TEST_F(WebTlsServer, NoClientCertIgnoresACertificateSent) {
  serve("");
  EXPECT_TRUE(admitted(with(stranger_)));
}

TEST_F(WebTlsServer, RequireAndVerifyClientCertAdmitsOnlyCertificatesOfTheClientCa) {
  serve("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n");
  EXPECT_TRUE(admitted(with(client_)));
  EXPECT_FALSE(admitted(verified()));
  EXPECT_FALSE(admitted(with(stranger_)));
  EXPECT_TRUE(admitted(with(client_)));  // and keeps serving
}

TEST_F(WebTlsServer, RequireAndVerifyClientCertRefusesATls12ClientWithoutCertificate) {
  serve("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n");
  test::TlsClientOptions tls12 = verified();
  tls12.max_version = TLS1_2_VERSION;
  EXPECT_FALSE(admitted(tls12));
  tls12.certificate_path = client_.certificate_path;
  tls12.key_path = client_.key_path;
  EXPECT_TRUE(admitted(tls12));
}

TEST_F(WebTlsServer, RequireAnyClientCertAdmitsAnyCertificateButNotNone) {
  serve("  client_auth_type: RequireAnyClientCert\n");
  EXPECT_TRUE(admitted(with(stranger_)));
  EXPECT_TRUE(admitted(with(client_)));
  EXPECT_FALSE(admitted(verified()));
}

TEST_F(WebTlsServer, VerifyClientCertIfGivenAdmitsNoneOrAVerifiedOne) {
  serve("  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.pem\n");
  EXPECT_TRUE(admitted(verified()));
  EXPECT_TRUE(admitted(with(client_)));
  EXPECT_FALSE(admitted(with(stranger_)));
}

TEST_F(WebTlsServer, RequestClientCertAdmitsAnyOrNone) {
  serve("  client_auth_type: RequestClientCert\n");
  EXPECT_TRUE(admitted(verified()));
  EXPECT_TRUE(admitted(with(stranger_)));
}

TEST_F(WebTlsServer, ClientAllowedSansMatchEachKindOfName) {
  for (const char* san :
       {"prometheus.example", "10.0.0.7", "ops@example.com", "spiffe://example/prometheus"}) {
    SCOPED_TRACE(san);
    serve(
        "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n"
        "  client_allowed_sans: [other.example, \"" +
        std::string(san) + "\"]\n");
    EXPECT_TRUE(admitted(with(client_)));
  }
}

TEST_F(WebTlsServer, ClientAllowedSansRefuseACertificateWithoutThem) {
  serve("  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [grafana.example]\n");
  EXPECT_FALSE(admitted(with(client_)));
  EXPECT_FALSE(admitted(with(stranger_)));
}

TEST_F(WebTlsServer, MinVersionRefusesAnOlderClient) {
  serve("  min_version: TLS13\n");
  test::TlsClientOptions tls12 = verified();
  tls12.max_version = TLS1_2_VERSION;
  EXPECT_FALSE(admitted(tls12));
  EXPECT_TRUE(admitted(verified()));
}

TEST_F(WebTlsServer, MaxVersionServesTls12) {
  serve(
      "  max_version: TLS12\n"
      "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n"
      "  curve_preferences: [CurveP384]\n");
  EXPECT_TRUE(admitted(verified()));
}

TEST_F(WebTlsServer, AddsTheConfiguredHeadersToEveryResponse) {
  serve("",
        "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
        "    Strict-Transport-Security: max-age=63072000\n");
  for (const char* target : {"/", "/missing"}) {
    SCOPED_TRACE(target);
    const test::HttpReply reply = test::https_request(port_, target, verified());
    EXPECT_EQ(reply.header("X-Frame-Options"), "deny");
    EXPECT_EQ(reply.header("Strict-Transport-Security"), "max-age=63072000");
  }
}

}  // namespace
}  // namespace zqe::web
