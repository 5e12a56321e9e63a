// The exporter behind its web config: TLS, basic auth and headers, as Prometheus scrapes it, and
// what SIGHUP does to them.
#include <gtest/gtest.h>

#include <string>

#include "integration/exporter_harness.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"
#include "web/bcrypt.hpp"

namespace zqe::test {
namespace {

const std::string kChallenge = "Basic realm=\"zoom-qos-exporter\"";

class ExporterWebTest : public ::testing::Test {
 protected:
  ExporterWebTest()
      : pki_(dir_.path()), first_(pki_.issue("first", kLocalhostSans, /*client=*/false)) {
    verified_.ca_path = pki_.ca_path();
    harness_.zoom().on_get("/metrics/meetings", {{200, meetings_page({}), {}}});
  }

  // The web config of the tests: TLS with server.crt and server.key, user alice.
  std::string web_config(const std::string& password_hash, const std::string& extra = "") const {
    return "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
           "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n"
           "basic_auth_users:\n  alice: " +
           password_hash + "\n" + extra;
  }
  void use_certificate(const Credential& credential) const {
    dir_.write("server.crt", credential.certificate_pem);
    dir_.write("server.key", credential.key_pem);
  }

  // Starts the exporter from a config file whose web.config_file is web.yml beside it.
  void start_with_files(const std::string& web_yaml, bool open_health_endpoints = true) {
    use_certificate(first_);
    dir_.write("web.yml", web_yaml);
    const Config& config = harness_.config();
    dir_.write("config.yaml",
               "listen: \"127.0.0.1:9799\"\nlog_level: warn\n"
               "zoom:\n  account_id: account\n  client_id: client\n  client_secret: secret\n"
               "  api_base_url: " +
                   config.zoom.api_base_url +
                   "\n  oauth_token_url: " + config.zoom.oauth_token_url +
                   "\nlimits:\n  heavy_per_second: 1000\n  resource_intensive_per_minute: 10000\n"
                   "web:\n  config_file: web.yml\n  open_health_endpoints: " +
                   (open_health_endpoints ? "true" : "false") + "\n");
    harness_.config().web.config_file = dir_.file("web.yml");
    harness_.config().web.open_health_endpoints = open_health_endpoints;
    harness_.start(dir_.file("config.yaml"));
  }

  HttpReply scrape(const std::string& target, const std::string& user,
                   const std::string& password) {
    return https_request(harness_.port(), target, verified_,
                         {{"Authorization", basic_authorization(user, password)}});
  }

  using Config = config::Config;
  TempDir dir_;
  TestPki pki_;
  Credential first_;
  TlsClientOptions verified_;
  ExporterHarness harness_;
  const std::string hash_ = web::bcrypt_hash("pw", 4);
};

TEST_F(ExporterWebTest, ServesMetricsOverTlsToTheRightCredentialsOnly) {
  start_with_files(web_config(hash_));
  const HttpReply scraped = scrape("/metrics", "alice", "pw");
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("zoom_up 1"), std::string::npos);
  EXPECT_EQ(scraped.header("X-Content-Type-Options"), "nosniff");

  for (const auto& [user, password] :
       {std::pair<std::string, std::string>{"alice", "wrong"}, {"mallory", "pw"}}) {
    SCOPED_TRACE(user + ":" + password);
    const HttpReply refused = scrape("/metrics", user, password);
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.header("WWW-Authenticate"), kChallenge);
    EXPECT_EQ(refused.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(refused.body, "Unauthorized\n");
  }
  for (const std::string& authorization : {std::string(), std::string("Basic bm9jb2xvbg==")}) {
    SCOPED_TRACE(authorization);
    const HttpReply refused = authorization.empty()
                                  ? https_request(harness_.port(), "/metrics", verified_)
                                  : https_request(harness_.port(), "/metrics", verified_,
                                                  {{"Authorization", authorization}});
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.header("WWW-Authenticate"), kChallenge);
  }
  EXPECT_EQ(scrape("/", "alice", "wrong").status, 401);  // the landing page too

  const std::string metrics = scrape("/metrics", "alice", "pw").body;
  EXPECT_EQ(sample_value(metrics, "zoom_exporter_http_auth_failures_total{reason=\"wrong\"}"), "3");
  EXPECT_EQ(sample_value(metrics, "zoom_exporter_http_auth_failures_total{reason=\"missing\"}"),
            "2");
  EXPECT_EQ(sample_value(metrics, "zoom_exporter_http_auth_failures_total{reason=\"busy\"}"), "0");
  EXPECT_EQ(metrics.find(hash_), std::string::npos);
}

TEST_F(ExporterWebTest, HealthEndpointsAnswerWithoutCredentialsByDefault) {
  start_with_files(web_config(hash_));
  EXPECT_EQ(https_request(harness_.port(), "/healthz", verified_).status, 200);
  EXPECT_EQ(https_request(harness_.port(), "/readyz", verified_).status, 200);
  EXPECT_EQ(https_request(harness_.port(), "/metrics", verified_).status, 401);
}

TEST_F(ExporterWebTest, HealthEndpointsNeedCredentialsWhenNotOpen) {
  start_with_files(web_config(hash_), /*open_health_endpoints=*/false);
  EXPECT_EQ(https_request(harness_.port(), "/healthz", verified_).status, 401);
  EXPECT_EQ(https_request(harness_.port(), "/readyz", verified_).status, 401);
  EXPECT_EQ(scrape("/healthz", "alice", "pw").status, 200);
}

TEST_F(ExporterWebTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  start_with_files(web_config(hash_));
  EXPECT_THROW(harness_.get("/healthz"), std::runtime_error);
  EXPECT_EQ(https_request(harness_.port(), "/healthz", verified_).status, 200);
}

TEST_F(ExporterWebTest, ReloadServesANewCertificateAndKeepsTheOldOneWhenTheNewIsBroken) {
  start_with_files(web_config(hash_));
  EXPECT_EQ(served_certificate(harness_.port()), first_.certificate_pem);

  const Credential second = pki_.issue("second", kLocalhostSans, /*client=*/false);
  use_certificate(second);
  harness_.reload();
  EXPECT_EQ(served_certificate(harness_.port()), second.certificate_pem);
  EXPECT_EQ(scrape("/metrics", "alice", "pw").status, 200);

  dir_.write("server.crt", "-----BEGIN CERTIFICATE-----\ntruncated\n");
  harness_.reload();
  EXPECT_EQ(served_certificate(harness_.port()), second.certificate_pem);
  const Credential third = pki_.issue("third", kLocalhostSans, /*client=*/false);
  dir_.write("server.key", third.key_pem);  // a key of another certificate
  dir_.write("server.crt", second.certificate_pem);
  harness_.reload();
  EXPECT_EQ(served_certificate(harness_.port()), second.certificate_pem);
  EXPECT_EQ(scrape("/metrics", "alice", "pw").status, 200);
}

TEST_F(ExporterWebTest, ABrokenWebConfigKeepsTheOldUsersToo) {
  start_with_files(web_config(hash_));
  dir_.write("web.yml", web_config(web::bcrypt_hash("new", 4), "rate_limit: {}\n"));
  harness_.reload();
  EXPECT_EQ(scrape("/metrics", "alice", "pw").status, 200);
  EXPECT_EQ(scrape("/metrics", "alice", "new").status, 401);
}

TEST_F(ExporterWebTest, ReloadReplacesTheUsers) {
  start_with_files(web_config(hash_));
  EXPECT_EQ(scrape("/metrics", "alice", "pw").status, 200);  // remembered from here on
  dir_.write("web.yml", web_config(web::bcrypt_hash("new", 4)));
  harness_.reload();
  EXPECT_EQ(scrape("/metrics", "alice", "pw").status, 401);
  EXPECT_EQ(scrape("/metrics", "alice", "new").status, 200);
}

TEST_F(ExporterWebTest, ReloadCanSwitchTlsAndAuthOffAndOnAgain) {
  start_with_files(web_config(hash_));
  dir_.write("web.yml", "");
  harness_.reload();
  EXPECT_EQ(harness_.get("/metrics").status, 200);
  dir_.write("web.yml", web_config(hash_));
  harness_.reload();
  EXPECT_EQ(scrape("/metrics", "alice", "pw").status, 200);
  EXPECT_EQ(https_request(harness_.port(), "/metrics", verified_).status, 401);
}

}  // namespace
}  // namespace zqe::test
