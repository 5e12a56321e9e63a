#include <gtest/gtest.h>

#include <string_view>
#include <utility>

#include "config/config.hpp"

namespace zqe::config {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, ReadsPrometheusStyleDurations) {
  const std::pair<std::string_view, Duration> cases[] = {
      {"60s", 60s},
      {"500ms", 500ms},
      {"1h30m", 90min},
      {"5m", 5min},
      {"1d", std::chrono::days(1)},
      {"0s", 0ms},
      {"90m", 90min},
      {"01s", 1s},
      {"1d2h3m4s5ms", std::chrono::days(1) + 2h + 3min + 4s + 5ms},
      {"9223372036854775807ms", Duration::max()},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_duration(text), expected);
  }
}

TEST(ParseDuration, RejectsAnythingElse) {
  const std::string_view cases[] = {
      "",
      "10",
      "5 m",
      "-1s",
      "+1s",
      "1.5h",
      " 1s",
      "1s ",
      "1S",
      "s",
      "ms",
      "1w",
      "1y",
      "1us",
      "1m1m",
      "30m1h",
      "1ms1s",
      "1h 30m",
      "1hm",
      "9223372036854775808ms",  // one past the largest millisecond count
      "106751991167301d",       // overflows when converted to milliseconds
      "106751991167d2238h" /* the sum overflows */,
      "99999999999999999999s",
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_duration(text), std::nullopt);
  }
}

}  // namespace
}  // namespace zqe::config
