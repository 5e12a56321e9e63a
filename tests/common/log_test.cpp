#include "common/log.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zqe::log {
namespace {

std::string logged(std::string_view message, std::string_view fields) {
  ::testing::internal::CaptureStderr();
  error(message, fields);
  return ::testing::internal::GetCapturedStderr();
}

TEST(Log, RedactsRegisteredValuesInTheMessageAndTheFields) {
  set_redacted_values({"s3cret-value"});
  const std::string line =
      logged("echo s3cret-value", "error=" + quote("Zoom said \"s3cret-value\""));
  set_redacted_values({});
  EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(msg="echo <redacted>" error="Zoom said \"<redacted>\"")"),
            std::string::npos)
      << line;
  // Unregistered again: the line carries the value, as the leak tests' negative case needs.
  EXPECT_NE(logged("echo s3cret-value", {}).find("s3cret-value"), std::string::npos);
}

}  // namespace
}  // namespace zqe::log
