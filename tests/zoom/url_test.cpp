#include "zoom/url.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zqe::zoom {
namespace {

// parse_url must succeed for these tests to mean anything; a failure stops the test at once.
Url parsed(std::string_view text) {
  const std::optional<Url> url = parse_url(text);
  if (!url) {
    ADD_FAILURE() << "parse_url rejected " << text;
    return {};
  }
  return *url;
}

TEST(ParseUrl, HttpsWithoutPortDefaultsTo443) {
  const Url url = parsed("https://api.zoom.us");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "api.zoom.us");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.path, "");
}

TEST(ParseUrl, HttpWithoutPortDefaultsTo80) {
  const Url url = parsed("http://example.test");
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "example.test");
  EXPECT_EQ(url.port, "80");
  EXPECT_EQ(url.path, "");
}

TEST(ParseUrl, ExplicitPortIsKept) {
  const Url url = parsed("http://127.0.0.1:8080");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, "8080");
  EXPECT_EQ(parsed("https://example.test:1").port, "1");
  EXPECT_EQ(parsed("https://example.test:65535").port, "65535");
}

TEST(ParseUrl, BracketedIpv6HostLosesItsBrackets) {
  // The resolver wants the bare address; the brackets only exist to delimit the port.
  const Url url = parsed("http://[::1]:8080/v2");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, "8080");
  EXPECT_EQ(url.path, "/v2");
  EXPECT_EQ(parsed("https://[::1]").port, "443");
}

TEST(ParseUrl, PathIsKeptWithoutTrailingSlash) {
  EXPECT_EQ(parsed("https://api.zoom.us/v2").path, "/v2");
  EXPECT_EQ(parsed("https://api.zoom.us/v2/").path, "/v2");
  EXPECT_EQ(parsed("https://api.zoom.us/v2//").path, "/v2");
  EXPECT_EQ(parsed("https://api.zoom.us/").path, "");
  EXPECT_EQ(parsed("http://127.0.0.1:9/a/b").path, "/a/b");
}

TEST(ParseUrl, RejectsOtherSchemes) {
  EXPECT_FALSE(parse_url("ftp://example.test"));
  EXPECT_FALSE(parse_url("HTTPS://example.test"));
  EXPECT_FALSE(parse_url("example.test"));
  EXPECT_FALSE(parse_url("//example.test"));
  EXPECT_FALSE(parse_url(""));
}

TEST(ParseUrl, RejectsMissingHost) {
  EXPECT_FALSE(parse_url("http://"));
  EXPECT_FALSE(parse_url("https:///v2"));
  EXPECT_FALSE(parse_url("http://:8080"));
  EXPECT_FALSE(parse_url("http://[]:8080"));
}

TEST(ParseUrl, RejectsPortsOutOfRangeOrNotNumeric) {
  EXPECT_FALSE(parse_url("http://example.test:0"));
  EXPECT_FALSE(parse_url("http://example.test:70000"));
  EXPECT_FALSE(parse_url("http://example.test:65536"));
  EXPECT_FALSE(parse_url("http://example.test:123456"));
  EXPECT_FALSE(parse_url("http://example.test:http"));
  EXPECT_FALSE(parse_url("http://example.test:-1"));
  EXPECT_FALSE(parse_url("http://example.test:80x/v2"));
  EXPECT_FALSE(parse_url("http://[::1]:abc"));
}

TEST(ParseUrl, RejectsMalformedBrackets) {
  EXPECT_FALSE(parse_url("http://[::1"));
  EXPECT_FALSE(parse_url("http://[::1]8080"));
}

TEST(ParseUrl, RejectsUnbracketedColonsInHost) {
  // Without brackets, an extra colon means an IPv6 literal or a typo; neither resolves usefully.
  EXPECT_FALSE(parse_url("http://::1"));
  EXPECT_FALSE(parse_url("http://example.test:80:80"));
}

TEST(ParseUrl, RejectsQueryAndFragment) {
  // A base URL is prefixed to request targets, so a query or fragment in it would corrupt them.
  EXPECT_FALSE(parse_url("https://api.zoom.us/v2?x=1"));
  EXPECT_FALSE(parse_url("https://api.zoom.us/v2#top"));
  EXPECT_FALSE(parse_url("https://api.zoom.us?x=1"));
  EXPECT_FALSE(parse_url("https://api.zoom.us#top"));
  EXPECT_FALSE(parse_url("https://api.zoom.us?next=/v2"));
  EXPECT_FALSE(parse_url("https://api.zoom.us:443?x=1"));
}

TEST(ParseUrl, RejectsUserinfo) {
  EXPECT_FALSE(parse_url("https://user@api.zoom.us"));
  EXPECT_FALSE(parse_url("https://user:secret@api.zoom.us"));
  EXPECT_FALSE(parse_url("https://user:secret@api.zoom.us:443/v2"));
}

TEST(UrlOrigin, LeavesOutTheSchemesDefaultPort) {
  EXPECT_EQ(parsed("https://api.zoom.us/v2").origin(), "https://api.zoom.us");
  EXPECT_EQ(parsed("http://example.test:80").origin(), "http://example.test");
  EXPECT_EQ(parsed("https://api.zoom.us:8443/v2").origin(), "https://api.zoom.us:8443");
  EXPECT_EQ(parsed("http://example.test:443").origin(), "http://example.test:443");
  EXPECT_EQ(parsed("https://example.test:80").origin(), "https://example.test:80");
}

TEST(UrlOrigin, BracketsIpv6Hosts) {
  EXPECT_EQ(parsed("http://[::1]:8080/v2").origin(), "http://[::1]:8080");
  EXPECT_EQ(parsed("https://[::1]").origin(), "https://[::1]");
}

TEST(PercentEncode, LeavesUnreservedCharactersAlone) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(percent_encode(unreserved), unreserved);
  EXPECT_EQ(percent_encode(""), "");
}

TEST(PercentEncode, EncodesReservedAndOtherBytesInUpperCaseHex) {
  EXPECT_EQ(percent_encode(":/?#[]@"), "%3A%2F%3F%23%5B%5D%40");
  EXPECT_EQ(percent_encode("!$&'()*+,;="), "%21%24%26%27%28%29%2A%2B%2C%3B%3D");
  EXPECT_EQ(percent_encode(" %"), "%20%25");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");  // UTF-8 bytes one by one
  EXPECT_EQ(percent_encode(std::string_view("\0\x7F", 2)), "%00%7F");
}

TEST(MeetingPathSegment, EncodesAnOrdinaryUuidOnce) {
  EXPECT_EQ(meeting_path_segment("abc==", 1), "abc%3D%3D");
  EXPECT_EQ(meeting_path_segment("4444AAAiAAAAAiAiAiiAii==", 1), "4444AAAiAAAAAiAiAiiAii%3D%3D");
}

TEST(MeetingPathSegment, EncodesASingleInnerSlashOnce) {
  EXPECT_EQ(meeting_path_segment("a/b", 1), "a%2Fb");
}

TEST(MeetingPathSegment, EncodesTwiceWhenTheUuidStartsWithASlash) {
  EXPECT_EQ(meeting_path_segment("/abc==", 1), "%252Fabc%253D%253D");
}

TEST(MeetingPathSegment, EncodesTwiceWhenTheUuidContainsADoubleSlash) {
  EXPECT_EQ(meeting_path_segment("/ab//c==", 1), "%252Fab%252F%252Fc%253D%253D");
  EXPECT_EQ(meeting_path_segment("ab//c", 1), "ab%252F%252Fc");
}

TEST(MeetingPathSegment, FallsBackToTheNumericIdWithoutAUuid) {
  EXPECT_EQ(meeting_path_segment("", 85746065432), "85746065432");
  EXPECT_EQ(meeting_path_segment("", UINT64_MAX), "18446744073709551615");
}

}  // namespace
}  // namespace zqe::zoom
