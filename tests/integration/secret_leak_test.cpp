// The grep test: the real binary, given an unmistakable client secret, is driven through every
// error path that involves the secret (config errors, --check-config, each source of the secret,
// a hostile fake Zoom that echoes the secret and the Authorization header back, outages, reloads,
// debug logging), and nothing it prints or serves may contain the secret in any form.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "integration/exporter_process.hpp"
#include "support/fake_zoom.hpp"
#include "support/temp_dir.hpp"
#include "support/test_tools.hpp"

namespace zqe::test {
namespace {
using namespace std::chrono_literals;

constexpr std::string_view kClientId = "zqeLeakTestClient";
// Two secrets (the second one arrives with a reload), each with characters that base64 and
// percent-encoding change, and each form written out here rather than computed by the code
// under test.
struct SecretForms {
  std::string_view plain;
  std::string_view basic;  // base64 of kClientId:plain, as the Authorization header has it
  std::string_view percent_encoded;
};
constexpr SecretForms kSecret{
    "zqe-LEAK-CANARY-7f3a+Kd/q=9xQ2wE",
    "enFlTGVha1Rlc3RDbGllbnQ6enFlLUxFQUstQ0FOQVJZLTdmM2ErS2QvcT05eFEyd0U=",
    "zqe-LEAK-CANARY-7f3a%2BKd%2Fq%3D9xQ2wE"};
constexpr SecretForms kReloadedSecret{
    "zqe-LEAK-CANARY-2nd+Rl/oad=77Zz",
    "enFlTGVha1Rlc3RDbGllbnQ6enFlLUxFQUstQ0FOQVJZLTJuZCtSbC9vYWQ9Nzdaeg==",
    "zqe-LEAK-CANARY-2nd%2BRl%2Foad%3D77Zz"};
// Part of both secrets: output that holds a piece of one leaks too.
constexpr std::string_view kFragment = "LEAK-CANARY";

// Which form of a secret `text` holds, or nullopt.
std::optional<std::string> leaked_form(std::string_view text) {
  for (const SecretForms& secret : {kSecret, kReloadedSecret}) {
    if (text.find(secret.plain) != std::string_view::npos) return "the secret";
    if (text.find(secret.basic) != std::string_view::npos) return "base64 of client_id:secret";
    if (text.find(secret.percent_encoded) != std::string_view::npos) {
      return "the percent-encoded secret";
    }
  }
  if (text.find(kFragment) != std::string_view::npos) return "a fragment of the secret";
  return std::nullopt;
}

// Everything the exporter wrote and served during a test, by where it came from.
class Transcript {
 public:
  void add(const std::string& what, const std::string& text) { pieces_.emplace_back(what, text); }
  void expect_no_secret() const {
    ASSERT_FALSE(pieces_.empty());
    for (const auto& [what, text] : pieces_) {
      if (const auto form = leaked_form(text)) {
        ADD_FAILURE() << what << " contains " << *form << ":\n" << text;
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> pieces_;
};

std::string replaced(std::string text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A FakeZoom on its own thread, scripted from the test's.
class FakeZoomThread {
 public:
  FakeZoomThread() {
    zoom_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeZoomThread() {
    boost::asio::post(io_, [this] { zoom_.stop(); });
    work_.reset();
    thread_.join();
  }
  FakeZoom& operator*() { return zoom_; }
  const FakeZoom& operator*() const { return zoom_; }
  FakeZoom* operator->() { return &zoom_; }

 private:
  boost::asio::io_context io_;
  // While it refuses connections the fake has nothing to wait for, and run() must not return.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  FakeZoom zoom_{io_};
  std::thread thread_;
};

// A token endpoint that answers `status` and sends back what it was sent, as a hostile or
// broken endpoint might: the secret, the Authorization header and the percent-encoded secret.
FakeReply echoing_token_reply(unsigned status, const SecretForms& secret) {
  const std::string echo = std::string(secret.plain) + " Basic " + std::string(secret.basic) + " " +
                           std::string(secret.percent_encoded);
  return {status,
          R"({"error":"invalid_client","reason":"got )" + echo + R"(","error_description":")" +
              echo + R"("})",
          {{"WWW-Authenticate", "Basic realm=\"" + std::string(secret.plain) + "\""}}};
}

// An API error that quotes the secret back in Zoom's message field.
FakeReply echoing_api_reply(unsigned status, int code) {
  return {status,
          R"({"code":)" + std::to_string(code) + R"(,"message":"echo )" +
              std::string(kSecret.plain) + " Basic " + std::string(kSecret.basic) + R"("})",
          {}};
}

bool sent_basic(const FakeZoom& zoom, const SecretForms& secret) {
  const std::string header = "Basic " + std::string(secret.basic);
  for (const auto& request : zoom.requests()) {
    if (request.path == "/oauth/token" && request.header("Authorization") == header) return true;
  }
  return false;
}

std::string zoom_settings(const FakeZoom& zoom) {
  return "  api_base_url: " + zoom.api_base_url() +
         "\n  oauth_token_url: " + zoom.oauth_token_url() + "\n  request_timeout: 1s\n";
}

// A config for a run against the fake Zoom; `zoom_lines` go into the zoom section.
std::string running_config(unsigned short port, const FakeZoom& zoom,
                           const std::string& zoom_lines) {
  return "listen: \"127.0.0.1:" + std::to_string(port) + "\"\nlog_level: debug\n" +
         "zoom:\n  account_id: leak-test-account\n  client_id: " + std::string(kClientId) + "\n" +
         zoom_lines + zoom_settings(zoom) +
         "poll:\n  interval: 1s\nlimits:\n  heavy_per_second: 1000\n"
         "  resource_intensive_per_minute: 10000\n  daily_requests: 100000000\n"
         "  daily_share: 1\n";
}

// Scrapes every endpoint into the transcript; the bodies of a running exporter.
void scrape_all(unsigned short port, Transcript& transcript, const std::string& when) {
  for (const std::string path : {"/metrics", "/", "/healthz", "/readyz"}) {
    try {
      const HttpReply reply = http_request(port, "GET", path);
      transcript.add("GET " + path + " " + when, reply.body);
      for (const auto& [name, value] : reply.headers) {
        transcript.add("GET " + path + " header " + name + " " + when, value);
      }
    } catch (const std::exception& error) {
      ADD_FAILURE() << "GET " << path << " " << when << ": " << error.what();
    }
  }
}

// A scraper that sends half a request and resets the connection: the server logs that at debug
// level, so a debug line is sure to be among the output.
void reset_a_connection(unsigned short port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(std::string_view("GET /metrics HTTP/1.1\r\n")));
  socket.set_option(boost::asio::socket_base::linger(true, 0));
  socket.close();
}

bool answers(unsigned short port) {
  try {
    return http_request(port, "GET", "/healthz").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

int count_of(const std::string& text, std::string_view part) {
  int count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

const std::vector<std::string> kBaseEnvironment = {"PATH=/usr/bin:/bin", "LC_ALL=C"};

// --- The collector and the check catch a leak

TEST(SecretLeakCheck, RecognisesEveryFormOfTheSecret) {
  EXPECT_EQ(leaked_form("x " + std::string(kSecret.plain) + " y"), "the secret");
  EXPECT_EQ(leaked_form("Basic " + std::string(kReloadedSecret.basic)),
            "base64 of client_id:secret");
  EXPECT_EQ(leaked_form(std::string(kSecret.percent_encoded)), "the percent-encoded secret");
  EXPECT_EQ(leaked_form("zqe-LEAK-CANARY-7f3a+K"), "a fragment of the secret");
  EXPECT_EQ(leaked_form("level=error msg=\"<redacted>\""), std::nullopt);
}

TEST(SecretLeakCheck, SeesTheSecretWhenTheBinaryPrintsIt) {
  // A path named after the secret is the one way to make the exporter print it deliberately: it
  // names a missing secret file in its error. This proves the collector reads what the binary
  // writes and the check fails on it.
  const TempDir dir;
  const std::string config =
      dir.write("config.yaml", "zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: \"" +
                                   dir.path() + "/" + std::string(kSecret.plain) + "\"\n");
  ExporterProcess exporter(
      {.arguments = {"--check-config", "--config", config}, .environment = kBaseEnvironment});
  EXPECT_EQ(WEXITSTATUS(exporter.wait()), 2);
  EXPECT_EQ(leaked_form(exporter.err()), "the secret") << exporter.err();
}

// --- Config errors and --check-config

struct SecretFile {
  std::string name;
  std::string content;
  mode_t mode = 0600;
};

struct ConfigCase {
  std::string name;
  // The zoom section after the ids; "@DIR@" stands for the case's directory and "@SECRET@" for
  // the secret, here and below.
  std::string zoom_lines;
  std::vector<SecretFile> files;
  std::vector<std::string> environment;
  int status;            // exit status of --check-config
  std::string expected;  // in the output, proving the case took its path
  bool as_nobody = false;
  mode_t config_mode = 0600;
};

std::string with_secret(std::string text) {
  return replaced(std::move(text), "@SECRET@", std::string(kSecret.plain));
}

std::vector<ConfigCase> config_cases() {
  const std::string secret_file = "  client_secret_file: @DIR@/secret\n";
  const std::string credentials = "CREDENTIALS_DIRECTORY=@DIR@/credentials";
  return {
      {"SecretInAList",
       with_secret("  client_secret: [@SECRET@]\n"),
       {},
       {},
       2,
       "zoom.client_secret: expected a string, got a list"},
      {"SecretAsAMapKey",
       with_secret("  client_secret: {@SECRET@: 1}\n"),
       {},
       {},
       2,
       "zoom.client_secret: expected a string, got a map"},
      {"UnterminatedListOnTheSecretsLine",
       with_secret("  client_secret: [@SECRET@\n"),
       {},
       {},
       2,
       "invalid YAML"},
      {"TextAfterTheQuotedSecret",
       with_secret("  client_secret: \"@SECRET@\" and more\n"),
       {},
       {},
       2,
       "invalid YAML: end of map not found"},
      {"ColonAfterTheSecret",
       with_secret("  client_secret: @SECRET@: x\n"),
       {},
       {},
       2,
       "invalid YAML: illegal map value"},
      {"BadEscapeInTheSecret",
       with_secret("  client_secret: \"\\@SECRET@\"\n"),
       {},
       {},
       2,
       "invalid YAML: unknown escape character"},
      {"BadUnicodeEscapeInTheSecret",
       with_secret("  client_secret: \"\\U@SECRET@\"\n"),
       {},
       {},
       2,
       "invalid YAML"},
      {"UnknownKeyBesideTheSecret",
       with_secret("  client_secret: @SECRET@\n  client_secrett: @SECRET@\n"),
       {},
       {},
       2,
       "zoom.client_secrett: unknown key"},
      {"UnsetVariableInTheSecret",
       with_secret("  client_secret: \"@SECRET@${ZQE_UNSET}\"\n"),
       {},
       {},
       2,
       "zoom.client_secret: environment variable ZQE_UNSET is not set"},
      {"MalformedVariableInTheSecret",
       with_secret("  client_secret: \"@SECRET@${\"\n"),
       {},
       {},
       2,
       "zoom.client_secret: malformed ${...} reference"},
      {"EmptySecret",
       "  client_secret: \"\"\n",
       {},
       {},
       2,
       "zoom.client_secret: must not be empty"},
      {"SecretAndSecretFile",
       with_secret("  client_secret: @SECRET@\n") + secret_file,
       {{"secret", std::string(kSecret.plain)}},
       {},
       2,
       "cannot be used together"},
      {"SecretFileMissing",
       secret_file,
       {},
       {},
       2,
       "cannot read \"@DIR@/secret\": No such file or directory"},
      {"SecretFileUnreadable",
       secret_file,
       {{"secret", std::string(kSecret.plain), 0}},
       {},
       2,
       "cannot read \"@DIR@/secret\": Permission denied",
       true},
      {"SecretFileIsADirectory", "  client_secret_file: @DIR@\n", {}, {}, 2, "Is a directory"},
      {"SecretFileEmpty", secret_file, {{"secret", "\n"}}, {}, 2, "\"@DIR@/secret\" is empty"},
      {"SecretFileReadableByOthers",
       secret_file,
       {{"secret", std::string(kSecret.plain) + "\n", 0644}},
       {},
       0,
       "secret file \"@DIR@/secret\" is readable by others (mode 0644); chmod 600 it"},
      {"SecretFileThatIsValid",
       secret_file,
       {{"secret", std::string(kSecret.plain)}},
       {},
       0,
       "config is valid"},
      {"LiteralSecretInAConfigOthersMayRead",
       with_secret("  client_secret: @SECRET@\n"),
       {},
       {},
       0,
       "holds the secret and is readable by others (mode 0644)",
       false,
       0644},
      {"VariableSecretWithAnErrorElsewhere",
       "  qos_page_size: many\n",
       {},
       {with_secret("ZOOM_CLIENT_SECRET=@SECRET@")},
       2,
       "zoom.qos_page_size: must be an integer"},
      {"VariableSecretThatIsValid",
       "",
       {},
       {with_secret("ZOOM_CLIENT_SECRET=@SECRET@")},
       0,
       "config is valid"},
      {"FileVariableMissing",
       "",
       {},
       {"ZOOM_CLIENT_SECRET_FILE=@DIR@/none"},
       2,
       "ZOOM_CLIENT_SECRET_FILE: cannot read \"@DIR@/none\": No such file or directory"},
      {"FileVariableBesideTheVariable",
       "",
       {{"secret", std::string(kSecret.plain)}},
       {with_secret("ZOOM_CLIENT_SECRET=@SECRET@"), "ZOOM_CLIENT_SECRET_FILE=@DIR@/secret"},
       2,
       "ZOOM_CLIENT_SECRET_FILE: cannot be used together with ZOOM_CLIENT_SECRET"},
      {"FileVariableReadableByOthers",
       "",
       {{"secret", std::string(kSecret.plain), 0644}},
       {"ZOOM_CLIENT_SECRET_FILE=@DIR@/secret"},
       0,
       "ZOOM_CLIENT_SECRET_FILE: secret file \"@DIR@/secret\" is readable by others"},
      {"CredentialUnreadable",
       "",
       {{"credentials/zoom-client-secret", "x-secret-x", 0}},
       {credentials},
       2,
       "systemd credential zoom-client-secret: cannot read "
       "\"@DIR@/credentials/zoom-client-secret\": "
       "Permission denied",
       true},
      {"CredentialEmpty",
       "",
       {{"credentials/zoom-client-secret", ""}},
       {credentials},
       2,
       "systemd credential zoom-client-secret: \"@DIR@/credentials/zoom-client-secret\" is empty"},
      {"CredentialReadableByOthers",
       "",
       {{"credentials/zoom-client-secret", std::string(kSecret.plain), 0644}},
       {credentials},
       0,
       "systemd credential zoom-client-secret: secret file "
       "\"@DIR@/credentials/zoom-client-secret\" "
       "is readable by others (mode 0644)"},
      {"CredentialThatIsValid",
       "",
       {{"credentials/zoom-client-secret", std::string(kSecret.plain), 0400}},
       {credentials},
       0,
       "config is valid"},
      {"CredentialPathWithoutTheDirectory",
       "  client_secret_file: \"${CREDENTIALS_DIRECTORY}/zoom-client-secret\"\n",
       {},
       {},
       2,
       "environment variable CREDENTIALS_DIRECTORY is not set"},
      {"NoSecretAnywhere", "", {}, {}, 2, "zoom.client_secret: required"},
  };
}

// The case's files and config in `dir`; returns the config's path.
std::string set_up(const ConfigCase& test_case, const TempDir& dir) {
  if (test_case.as_nobody) chmod(dir.path().c_str(), 0755);  // nobody must reach the config
  for (const SecretFile& file : test_case.files) {
    if (file.name.starts_with("credentials/")) {
      mkdir((dir.path() + "/credentials").c_str(), test_case.as_nobody ? 0755 : 0700);
    }
    dir.write(file.name, file.content, file.mode);
  }
  return dir.write("config.yaml",
                   replaced("zoom:\n  account_id: acct\n  client_id: " + std::string(kClientId) +
                                "\n" + test_case.zoom_lines,
                            "@DIR@", dir.path()),
                   test_case.as_nobody ? 0644 : test_case.config_mode);
}

class ConfigErrorTest : public ::testing::TestWithParam<ConfigCase> {};

void PrintTo(const ConfigCase& test_case, std::ostream* out) {
  *out << test_case.name;
}

TEST_P(ConfigErrorTest, NamesTheProblemAndNeverTheSecret) {
  const ConfigCase& test_case = GetParam();
  const TempDir dir;
  const std::string config = set_up(test_case, dir);
  std::vector<std::string> environment = kBaseEnvironment;
  for (const std::string& variable : test_case.environment) {
    environment.push_back(replaced(variable, "@DIR@", dir.path()));
  }
  const std::string expected = replaced(test_case.expected, "@DIR@", dir.path());
  Transcript transcript;
  std::vector<std::vector<std::string>> runs = {{"--check-config", "--config", config}};
  // A config that cannot run stops the daemon the same way, without --check-config.
  if (test_case.status != 0) runs.push_back({"--config", config});
  for (const auto& arguments : runs) {
    ExporterProcess exporter({.arguments = arguments,
                              .environment = environment,
                              .working_directory = dir.path(),
                              .as_nobody = test_case.as_nobody});
    const int status = exporter.wait();
    const std::string output = exporter.out() + exporter.err();
    transcript.add(arguments[0] + " stdout", exporter.out());
    transcript.add(arguments[0] + " stderr", exporter.err());
    ASSERT_TRUE(WIFEXITED(status)) << output;
    EXPECT_EQ(WEXITSTATUS(status), test_case.status) << output;
    EXPECT_NE(output.find(expected), std::string::npos) << "expected: " << expected << "\n"
                                                        << output;
  }
  transcript.expect_no_secret();
}

INSTANTIATE_TEST_SUITE_P(Secret, ConfigErrorTest, ::testing::ValuesIn(config_cases()),
                         [](const ::testing::TestParamInfo<ConfigCase>& info) {
                           return info.param.name;
                         });

// --- Each source of the secret, against a token endpoint that echoes it

struct SourceCase {
  std::string name;
  std::string zoom_lines;  // "@DIR@" and "@SECRET@" as in ConfigCase
  std::vector<SecretFile> files;
  std::vector<std::string> environment;
  std::string ids;  // the ids' lines, or "" when they come from credentials too
};

std::vector<SourceCase> source_cases() {
  const std::string ids =
      "  account_id: leak-test-account\n  client_id: " + std::string(kClientId) + "\n";
  const SecretFile secret_file{"secret", std::string(kSecret.plain) + "\n"};
  const SecretFile credential{"credentials/zoom-client-secret", std::string(kSecret.plain), 0400};
  return {
      {"ConfigLiteral", with_secret("  client_secret: \"@SECRET@\"\n"), {}, {}, ids},
      {"ConfigFile", "  client_secret_file: @DIR@/secret\n", {secret_file}, {}, ids},
      {"ConfigFileInTheCredentialsDirectory",
       "  client_secret_file: \"${CREDENTIALS_DIRECTORY}/zoom-client-secret\"\n",
       {credential},
       {"CREDENTIALS_DIRECTORY=@DIR@/credentials"},
       ids},
      {"Variable", "", {}, {with_secret("ZOOM_CLIENT_SECRET=@SECRET@")}, ids},
      {"FileVariable", "", {secret_file}, {"ZOOM_CLIENT_SECRET_FILE=@DIR@/secret"}, ids},
      {"CredentialsOnly",
       "",
       {credential,
        {"credentials/zoom-account-id", "leak-test-account\n"},
        {"credentials/zoom-client-id", std::string(kClientId) + "\n"}},
       {"CREDENTIALS_DIRECTORY=@DIR@/credentials"},
       ""},
  };
}

class SecretSourceTest : public ::testing::TestWithParam<SourceCase> {};

void PrintTo(const SourceCase& test_case, std::ostream* out) {
  *out << test_case.name;
}

TEST_P(SecretSourceTest, IsSentToZoomAndNeverShown) {
  const SourceCase& test_case = GetParam();
  FakeZoomThread zoom;
  zoom->on_token({echoing_token_reply(400, kSecret)});
  const TempDir dir;
  mkdir((dir.path() + "/credentials").c_str(), 0700);
  for (const SecretFile& file : test_case.files) dir.write(file.name, file.content, file.mode);
  const unsigned short port = free_port();
  const std::string config = dir.write(
      "config.yaml", replaced("listen: \"127.0.0.1:" + std::to_string(port) +
                                  "\"\nlog_level: debug\npoll:\n  interval: 1s\nzoom:\n" +
                                  test_case.ids + test_case.zoom_lines + zoom_settings(*zoom),
                              "@DIR@", dir.path()));
  std::vector<std::string> environment = kBaseEnvironment;
  for (const std::string& variable : test_case.environment) {
    environment.push_back(replaced(variable, "@DIR@", dir.path()));
  }

  Transcript transcript;
  ExporterProcess checked(
      {.arguments = {"--check-config", "--config", config}, .environment = environment});
  EXPECT_EQ(WEXITSTATUS(checked.wait()), 0) << checked.err();
  transcript.add("--check-config stdout", checked.out());
  transcript.add("--check-config stderr", checked.err());
  ExporterProcess exporter({.arguments = {"--config", config}, .environment = environment});
  ASSERT_TRUE(eventually([&] { return answers(port); })) << exporter.err();
  // Two token requests: the first one's answer has been logged by the time the second comes.
  EXPECT_TRUE(eventually([&] { return zoom->count("/oauth/token") >= 2; })) << exporter.err();
  scrape_all(port, transcript, "while Zoom refuses the credentials");
  exporter.signal(SIGTERM);
  const int status = exporter.wait();
  transcript.add("stdout", exporter.out());
  transcript.add("stderr", exporter.err());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << exporter.err();
  // The source delivered this very secret, and the echo of it reached the log, redacted.
  EXPECT_TRUE(sent_basic(*zoom, kSecret));
  EXPECT_NE(exporter.err().find("invalid_client: got <redacted> Basic <redacted> <redacted>"),
            std::string::npos)
      << exporter.err();
  transcript.expect_no_secret();
}

INSTANTIATE_TEST_SUITE_P(Secret, SecretSourceTest, ::testing::ValuesIn(source_cases()),
                         [](const ::testing::TestParamInfo<SourceCase>& info) {
                           return info.param.name;
                         });

// --- One running exporter through every fault of the token endpoint and the API, and reloads

class RunningExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Its group may read it: a warning at start.
    secret_path_ = dir_.write("secret", std::string(kSecret.plain) + "\n", 0640);
    config_path_ =
        dir_.write("config.yaml",
                   running_config(port_, *zoom_, "  client_secret_file: " + secret_path_ + "\n"));
  }

  // Waits for `count` more requests whose path starts with `path` than there were before.
  void wait_for_requests(const std::string& path, int before, int count, const char* phase) {
    EXPECT_TRUE(eventually([&] { return zoom_->count(path) >= before + count; }, 20s))
        << phase << "\n"
        << exporter_->err();
    scrape_all(port_, transcript_, phase);
  }

  // The token endpoint fails once with `failure`, then issues tokens again, which the API
  // refuses (401, code 124), so that the exporter asks again at once: one failure after each
  // success keeps its backoff at a second.
  void token_phase(FakeReply failure, const char* phase) {
    zoom_->on_token({std::move(failure), kToken});
    wait_for_requests("/oauth/token", zoom_->count("/oauth/token"), 2, phase);
  }

  const FakeReply kToken{200, R"({"access_token":"leak-test-token","expires_in":3600})", {}};

  // Waits until /metrics counts a token request that failed with `code`.
  void wait_for_token_failure(const std::string& code, const char* phase) {
    const std::string series = "code=\"" + code + "\",endpoint=\"oauth_token\"";
    EXPECT_TRUE(eventually([&] {
      return http_request(port_, "GET", "/metrics").body.find(series) != std::string::npos;
    })) << phase;
    scrape_all(port_, transcript_, phase);
  }

  void list_phase(FakeReply reply, int requests, const char* phase) {
    const int before = zoom_->count("/v2/metrics/meetings");
    zoom_->on_get("/metrics/meetings", {std::move(reply)});
    wait_for_requests("/v2/metrics/meetings", before, requests, phase);
  }

  // Rewrites the config, sends SIGHUP and waits until the exporter logged `outcome` once more.
  void reload(const std::string& config, std::string_view outcome, mode_t mode = 0600) {
    const int before = count_of(exporter_->err(), outcome);
    dir_.write("config.yaml", config, mode);
    exporter_->signal(SIGHUP);
    EXPECT_TRUE(eventually([&] { return count_of(exporter_->err(), outcome) > before; }))
        << outcome << "\n"
        << exporter_->err();
    scrape_all(port_, transcript_, "after a reload");
  }

  std::string config_with(const std::string& zoom_lines) const {
    return running_config(port_, *zoom_, zoom_lines);
  }

  TempDir dir_;
  FakeZoomThread zoom_;
  unsigned short port_ = free_port();
  std::string secret_path_;
  std::string config_path_;
  std::unique_ptr<ExporterProcess> exporter_;
  Transcript transcript_;
};

TEST_F(RunningExporterTest, ThroughEveryFaultAndReloadNeverShowsTheSecret) {
  zoom_->on_token({echoing_token_reply(400, kSecret), kToken});
  zoom_->reject_tokens(1'000'000);
  exporter_ = std::make_unique<ExporterProcess>(
      ExporterRun{.arguments = {"--config", config_path_}, .environment = kBaseEnvironment});
  ASSERT_TRUE(eventually([&] { return answers(port_); })) << exporter_->err();
  reset_a_connection(port_);

  // The token endpoint: refusals that echo the credentials, errors, garbage, silence.
  wait_for_requests("/oauth/token", 0, 2, "token endpoint 400 invalid_client with an echo");
  token_phase(echoing_token_reply(401, kSecret), "token endpoint 401 with an echo");
  token_phase(echoing_token_reply(500, kSecret), "token endpoint 500 with an echo");
  token_phase({502, "<html>" + std::string(kSecret.plain) + "</html>", {}},
              "token endpoint 502, not JSON");
  token_phase({200, R"({"access_token":")" + std::string(kSecret.plain), {}},
              "token endpoint 200, truncated JSON");
  token_phase({200, R"({"token_type":")" + std::string(kSecret.plain) + R"("})", {}},
              "token endpoint 200 without a token");
  zoom_->on_token({kToken});
  zoom_->fail_token(Fault::hang);
  wait_for_token_failure("timeout", "token endpoint hangs");
  zoom_->refuse_connections(true);
  wait_for_token_failure("connect_error", "Zoom refuses connections");
  zoom_->heal();

  // The API, with a token: errors whose message quotes the secret back.
  zoom_->reject_tokens(0);
  list_phase(echoing_api_reply(401, 124), 3, "API 401 with an echo");
  list_phase(echoing_api_reply(500, 500), 2, "API 500 with an echo");
  FakeReply rate_limited = echoing_api_reply(429, 429);
  rate_limited.headers = {{"X-RateLimit-Type", "QPS"}, {"Retry-After", std::string(kSecret.plain)}};
  list_phase(rate_limited, 3, "API 429 with the secret in Retry-After");
  zoom_->on_get("/metrics/meetings/uuid-one%3D%3D/participants/qos", {echoing_api_reply(500, 500)});
  list_phase({200, meetings_page({meeting(111, "uuid-one==", "Weekly sync", 1)}), {}}, 2,
             "participants QoS 500 with an echo");
  EXPECT_GE(zoom_->count("/v2/metrics/meetings/uuid-one"), 1);

  // Reloads: configs that fail on the secret's own line, then a good one with a new secret in a
  // config file others may read.
  const std::string failed = "config reload failed";
  reload(config_with(with_secret("  client_secret: [@SECRET@\n")), failed);
  reload(config_with(with_secret("  client_secret: {@SECRET@: 1}\n")), failed);
  reload(config_with(with_secret("  client_secret: @SECRET@\n  client_secrett: @SECRET@\n")),
         failed);
  reload(config_with(with_secret("  client_secret: \"@SECRET@${ZQE_UNSET}\"\n")), failed);
  reload(config_with("  client_secret_file: " + dir_.path() + "/missing\n"), failed);
  reload(config_with("  client_secret: \"" + std::string(kReloadedSecret.plain) + "\"\n"),
         "config reloaded", 0644);
  token_phase(echoing_token_reply(400, kReloadedSecret), "token 400 echoing the new secret");

  exporter_->signal(SIGTERM);
  const int status = exporter_->wait();
  const std::string log = exporter_->err();
  transcript_.add("stdout", exporter_->out());
  transcript_.add("stderr", log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log;

  // Each path was taken: the secrets were sent, the echoes reached the log redacted.
  EXPECT_TRUE(sent_basic(*zoom_, kSecret));
  EXPECT_TRUE(sent_basic(*zoom_, kReloadedSecret));
  for (const std::string_view line :
       {"level=debug", "HTTP 400 (invalid_client: got <redacted> Basic <redacted> <redacted>",
        "HTTP 401 (invalid_client", "HTTP 500 (invalid_client", "token request answered HTTP 502",
        "token reply unusable: invalid JSON", "token reply unusable: missing access_token",
        "token request failed: timeout", "token request failed: connect_error",
        "HTTP 401 (code 124): echo <redacted> Basic <redacted>",
        "HTTP 500 (code 500): echo <redacted> Basic <redacted>", R"(retry_after="<redacted>")",
        "participants QoS fetch failed", "is readable by its group (mode 0640)",
        "holds the secret and is readable by others", "config reloaded"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(count_of(log, failed), 5);
  EXPECT_EQ(count_of(log, "config warning"), 2);  // at start, and after the good reload
  transcript_.expect_no_secret();
}

// --- Core dumps

// Whether this machine writes a core file into the working directory of a process that aborts:
// a shell killed by SIGABRT, with RLIMIT_CORE unlimited, in `directory`.
bool writes_core_files(const std::string& directory) {
  const pid_t child = fork();
  if (child == 0) {
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    if (chdir(directory.c_str()) != 0 || setrlimit(RLIMIT_CORE, &unlimited) != 0) _exit(126);
    execl("/bin/sh", "sh", "-c", "kill -ABRT $$", nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFSIGNALED(status) && WCOREDUMP(status);
}

bool has_core_file(const std::string& directory) {
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().filename().string().starts_with("core")) return true;
  }
  return false;
}

void remove_core_files(const std::string& directory) {
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().filename().string().starts_with("core")) std::filesystem::remove(entry);
  }
}

TEST(CoreDumps, AKilledExporterHoldingTheSecretLeavesNoCore) {
  std::string pattern;
  std::getline(std::ifstream("/proc/sys/kernel/core_pattern"), pattern);
  if (pattern.starts_with("|")) {
    GTEST_SKIP() << "core_pattern hands cores to a program (" << pattern
                 << "): their absence cannot be seen here";
  }
  const TempDir dir;
  chmod(dir.path().c_str(), 0777);  // whoever the kernel writes cores as
  if (!writes_core_files(dir.path())) {
    GTEST_SKIP() << "this machine writes no core files (core_pattern " << pattern << ")";
  }
  remove_core_files(dir.path());

  FakeZoomThread zoom;
  zoom->on_token({echoing_token_reply(400, kSecret)});
  const std::string secret = dir.write("secret", std::string(kSecret.plain));
  for (const int signal : {SIGABRT, SIGQUIT}) {
    SCOPED_TRACE(strsignal(signal));
    const unsigned short port = free_port();
    const std::string config = dir.write(
        "config.yaml", running_config(port, *zoom, "  client_secret_file: " + secret + "\n"));
    ExporterProcess exporter({.arguments = {"--config", config},
                              .environment = kBaseEnvironment,
                              .working_directory = dir.path(),
                              .unlimited_core = true});
    ASSERT_TRUE(eventually([&] { return answers(port); })) << exporter.err();
    ASSERT_TRUE(eventually([&] { return sent_basic(*zoom, kSecret); }));  // it holds the secret
    exporter.signal(signal);
    const int status = exporter.wait();
    ASSERT_TRUE(WIFSIGNALED(status)) << exporter.err();
    EXPECT_EQ(WTERMSIG(status), signal);
    EXPECT_FALSE(WCOREDUMP(status));
    EXPECT_FALSE(has_core_file(dir.path()));
    remove_core_files(dir.path());
  }
}

}  // namespace
}  // namespace zqe::test
