#include "http/types.hpp"

#include <gtest/gtest.h>

namespace zqe::http {
namespace {

TEST(RequestTest, HeaderLookupIgnoresCaseAndTakesTheFirst) {
  Request request;
  request.headers = {{"Content-Type", "text/plain"}, {"X-Trace", "a"}, {"x-trace", "b"}};
  EXPECT_EQ(request.header("content-type"), "text/plain");
  EXPECT_EQ(request.header("X-TRACE"), "a");
  EXPECT_EQ(request.header("Accept"), "");
}

TEST(RequestTest, QueryParamIsDecoded) {
  Request request;
  request.query = "type=live&from=2024-01-01&name=a+b%2Bc%20d&flag&empty=";
  EXPECT_EQ(request.query_param("type"), "live");
  EXPECT_EQ(request.query_param("name"), "a b+c d");
  EXPECT_EQ(request.query_param("flag"), "");
  EXPECT_EQ(request.query_param("empty"), "");
  EXPECT_EQ(request.query_param("missing"), "");
}

TEST(RequestTest, QueryParamMatchesDecodedNamesAndTakesTheFirst) {
  Request request;
  request.query = "next%5Fpage=x&next_page=y";
  EXPECT_EQ(request.query_param("next_page"), "x");
}

TEST(RequestTest, QueryParamOnEmptyQuery) {
  Request request;
  EXPECT_EQ(request.query_param("type"), "");
}

TEST(ResponseTest, TextHasOneChunkAndTheGivenContentType) {
  const Response response = Response::text(404, "not found\n", "application/json");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body_size(), 10u);
  EXPECT_EQ(response.body_string(), "not found\n");
}

TEST(ResponseTest, BodyIsTheConcatenationOfItsChunks) {
  Response response;
  response.body = {std::make_shared<const std::string>("ab"),
                   std::make_shared<const std::string>(""),
                   std::make_shared<const std::string>("cde")};
  EXPECT_EQ(response.body_size(), 5u);
  EXPECT_EQ(response.body_string(), "abcde");
}

TEST(IequalsTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_FALSE(iequals("[", "{"));  // differ by 0x20 but are not letters
}

TEST(PercentDecodeTest, DecodesEscapesInBothCases) {
  EXPECT_EQ(percent_decode("%2Fv2%2fmetrics"), "/v2/metrics");
  EXPECT_EQ(percent_decode("%41%42%43"), "ABC");
  EXPECT_EQ(percent_decode("a+b"), "a+b");  // '+' is a space only in query strings
}

TEST(PercentDecodeTest, KeepsInvalidEscapesLiterally) {
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("%zz%41"), "%zzA");
  EXPECT_EQ(percent_decode("%%41"), "%A");
}

}  // namespace
}  // namespace zqe::http
