#include "commands/exit_codes.hpp"

#include <gtest/gtest.h>

namespace zqe::commands {
namespace {

using Kind = zoom::ApiError::Kind;

zoom::ApiError error(Kind kind, unsigned status = 0, std::optional<long long> code = {},
                     std::string detail = {}) {
  return {kind, status, code, std::move(detail)};
}

TEST(ExitCodes, NotFoundAndNotLiveAre1) {
  EXPECT_EQ(exit_code_of(error(Kind::meeting_ended, 404, 3001)), kExitNotFound);
  EXPECT_EQ(exit_code_of(error(Kind::http_status, 400, 300)), kExitNotFound);
}

TEST(ExitCodes, ZoomUnusableIs3) {
  EXPECT_EQ(exit_code_of(error(Kind::transport)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::no_token)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::http_status, 401, 124)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::http_status, 403)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::http_status, 503)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::rate_limited, 429, 429)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::invalid_reply, 200)), kExitZoom);
  EXPECT_EQ(exit_code_of(error(Kind::pagination, 200)), kExitZoom);
}

TEST(ExitCodes, MessagesNameTheSubjectAndCarryZoomsMessage) {
  EXPECT_EQ(
      explain(error(Kind::meeting_ended, 404, 3001, "Meeting does not exist: 1."), "meeting 1"),
      "meeting 1 not found or not live: HTTP 404 (code 3001): Meeting does not exist: 1.");
  EXPECT_EQ(explain(error(Kind::rate_limited, 429, 429,
                          "You have exceeded the daily rate limit (30000) of Dashboard API"),
                    "meeting 1"),
            "Zoom's daily rate limit of the account is used up (it resets at 00:00 UTC): You have "
            "exceeded the daily rate limit (30000) of Dashboard API");
  EXPECT_EQ(explain(error(Kind::transport, 0, {}, "connect_error: Connection refused"), "x"),
            "cannot reach Zoom: connect_error: Connection refused");
  EXPECT_NE(explain(error(Kind::http_status, 401, 124, "Invalid access token."), "meeting 1")
                .find("Zoom refused the request for meeting 1"),
            std::string::npos);
}

}  // namespace
}  // namespace zqe::commands
