#include "common/redactor.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zqe::log {
namespace {

std::string redacted(const std::vector<std::string_view>& values, std::string text) {
  Redactor redactor;
  redactor.set_values(values);
  redactor.redact(text);
  return text;
}

TEST(Redactor, ReplacesEveryOccurrenceOfEveryValue) {
  EXPECT_EQ(redacted({"s3cret-value", "c2VjcmV0LWJhc2U2NA=="},
                     "a=s3cret-value b=xs3cret-valuex c=c2VjcmV0LWJhc2U2NA== end"),
            "a=<redacted> b=x<redacted>x c=<redacted> end");
  EXPECT_EQ(redacted({"s3cret-value"}, "nothing to see"), "nothing to see");
}

TEST(Redactor, WithoutValuesChangesNothing) {
  // The negative case the leak tests rely on: an unregistered secret passes through.
  EXPECT_EQ(redacted({}, "s3cret-value"), "s3cret-value");
}

TEST(Redactor, ReplacesTheLongerOfOverlappingValuesWhole) {
  EXPECT_EQ(redacted({"s3cret-value", "id:s3cret-value-and-more"}, "x id:s3cret-value-and-more y"),
            "x <redacted> y");
}

TEST(Redactor, AlsoMatchesTheValueAsLogfmtQuotingEscapesIt) {
  EXPECT_EQ(redacted({R"(s3cr"et\value)"}, R"(raw=s3cr"et\value quoted="s3cr\"et\\value")"),
            R"(raw=<redacted> quoted="<redacted>")");
}

TEST(Redactor, IgnoresValuesTooShortToBeCredentials) {
  EXPECT_EQ(redacted({"", "secret7"}, "client_secret7 secret7"), "client_secret7 secret7");
}

TEST(Redactor, NewValuesReplaceTheOldOnes) {
  Redactor redactor;
  redactor.set_values({"old-s3cret-value"});
  redactor.set_values({"new-s3cret-value"});
  std::string text = "old-s3cret-value new-s3cret-value";
  redactor.redact(text);
  EXPECT_EQ(text, "old-s3cret-value <redacted>");
}

}  // namespace
}  // namespace zqe::log
