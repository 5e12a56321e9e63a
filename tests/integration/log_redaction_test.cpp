// The logger's redaction in the running exporter: an error message from Zoom that quotes the
// client secret reaches the log redacted, and would reach it whole without the redaction, so the
// redaction (not luck) is what keeps the secret out; a reload registers the new secret.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/log.hpp"
#include "integration/exporter_harness.hpp"

namespace zqe::test {
namespace {

constexpr std::string_view kSecret = "redaction-test-Secret+/=";
constexpr std::string_view kReloadedSecret = "redaction-test-Reloaded+/=";

// Polls once while Zoom's meeting list answers `status` with a message that echoes `echo`.
std::string logged_while_polling(ExporterHarness& harness, unsigned status, std::string_view echo) {
  harness.zoom().on_get("/metrics/meetings",
                        {{status,
                          R"({"code":)" + std::to_string(status) + R"(,"message":"echo )" +
                              std::string(echo) + R"("})",
                          {}}});
  ::testing::internal::CaptureStderr();
  harness.poll();
  return ::testing::internal::GetCapturedStderr();
}

TEST(LogRedaction, AnEchoedSecretIsRedactedAndWouldLeakWithoutIt) {
  ExporterHarness harness;
  const std::string path = "/tmp/zqe-redaction-test-" + std::to_string(getpid()) + ".yaml";
  std::ofstream(path) << "zoom:\n  account_id: account\n  client_id: client\n"
                      << "  client_secret: \"" << kReloadedSecret << "\"\n"
                      << "  api_base_url: " << harness.zoom().api_base_url() << "\n"
                      << "  oauth_token_url: " << harness.zoom().oauth_token_url() << "\n"
                      << "log_level: warn\npoll:\n  interval: 1h\n"
                      << "limits:\n  resource_intensive_per_minute: 10000\n";
  harness.config().zoom.client_secret = std::string(kSecret);
  harness.zoom().on_get("/metrics/meetings", {{200, meetings_page({}), {}}});
  harness.start(path);

  const std::string redacted = logged_while_polling(harness, 500, kSecret);
  EXPECT_NE(redacted.find("echo <redacted>"), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find(kSecret), std::string::npos) << redacted;

  log::set_redacted_values({});
  const std::string unredacted = logged_while_polling(harness, 502, kSecret);
  EXPECT_NE(unredacted.find(kSecret), std::string::npos) << unredacted;

  harness.reload();
  const std::string reloaded = logged_while_polling(harness, 503, kReloadedSecret);
  EXPECT_NE(reloaded.find("echo <redacted>"), std::string::npos) << reloaded;
  EXPECT_EQ(reloaded.find(kReloadedSecret), std::string::npos) << reloaded;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zqe::test
