#include "metrics/exposition_cache.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>

#include "support/test_tools.hpp"

namespace zqe::metrics {
namespace {

std::string concatenated(const BodyChunks& chunks) {
  std::string bytes;
  for (const auto& chunk : chunks) bytes += *chunk;
  return bytes;
}

// Decodes with zlib's own gzip reader; nullopt unless `gzip` is exactly one complete member.
std::optional<std::string> inflate_single_gzip_member(const std::string& gzip) {
  try {
    return zqe::test::gunzip(gzip);
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
}

std::optional<std::string> decompress_with_gzip_tool(const std::string& gzip) {
  auto [status, output] = zqe::test::run_command("gzip -dc", gzip);
  if (status != 0) return std::nullopt;
  return output;
}

// Checks the body with two independent decoders, and the framing the cache promises.
void expect_gzip_body_decodes_to(const BodyChunks& body, const std::string& expected) {
  ASSERT_EQ(body.size(), 4u);
  EXPECT_EQ(body[0]->size(), 10u);
  EXPECT_EQ(body[3]->size(), 8u);
  const std::string gzip = concatenated(body);
  const std::optional<std::string> inflated = inflate_single_gzip_member(gzip);
  ASSERT_TRUE(inflated.has_value()) << "zlib rejected the body";
  EXPECT_TRUE(*inflated == expected)
      << "zlib decoded " << inflated->size() << " bytes, expected " << expected.size();
  const std::optional<std::string> gunzipped = decompress_with_gzip_tool(gzip);
  ASSERT_TRUE(gunzipped.has_value()) << "gzip -dc rejected the body";
  EXPECT_TRUE(*gunzipped == expected)
      << "gzip -dc decoded " << gunzipped->size() << " bytes, expected " << expected.size();
}

// About `size` bytes of exposition-like lines with varied numbers, so that deflate has both
// repetition and entropy to deal with, as in a real scrape.
std::string exposition_like_text(std::size_t size) {
  std::mt19937_64 random(20240611);
  std::uniform_int_distribution<std::uint64_t> participant(16778240, 16778240 + 5000);
  std::uniform_real_distribution<double> value(0, 100000);
  std::string text;
  text.reserve(size + 256);
  while (text.size() < size) {
    text +=
        "zoom_participant_bitrate_bytes_per_second{meeting_id=\"81234567890\",participant_id=\"";
    text += std::to_string(participant(random));
    text += "\",media=\"video\",direction=\"input\"} ";
    text += std::to_string(value(random));
    text += '\n';
  }
  return text;
}

TEST(ExpositionCache, PlainBodyIsCachedTextThenPerScrapeText) {
  ExpositionCache cache;
  cache.update("zoom_live_meetings 3\n");
  const BodyChunks body = cache.plain_body("zoom_exporter_up 1\n");
  EXPECT_EQ(concatenated(body), "zoom_live_meetings 3\nzoom_exporter_up 1\n");
  EXPECT_EQ(cache.plain_size(), 21u);
}

TEST(ExpositionCache, BodiesShareTheCachedDataInsteadOfCopyingIt) {
  ExpositionCache cache;
  cache.update("zoom_live_meetings 3\n");
  EXPECT_EQ(cache.plain_body("a").front(), cache.plain_body("b").front());
  EXPECT_EQ(cache.gzip_body("a")[1], cache.gzip_body("b")[1]);
}

TEST(ExpositionCache, EmptyCacheWorksBeforeTheFirstUpdate) {
  const ExpositionCache cache;
  EXPECT_EQ(cache.plain_size(), 0u);
  EXPECT_EQ(concatenated(cache.plain_body("up 1\n")), "up 1\n");
  expect_gzip_body_decodes_to(cache.gzip_body(""), "");
  expect_gzip_body_decodes_to(cache.gzip_body("up 1\n"), "up 1\n");
}

TEST(ExpositionCache, EmptyPerScrapeTextStillEndsTheStream) {
  ExpositionCache cache;
  cache.update("zoom_live_meetings 3\n");
  expect_gzip_body_decodes_to(cache.gzip_body(""), "zoom_live_meetings 3\n");
}

TEST(ExpositionCache, GzipRoundTripOfSmallText) {
  ExpositionCache cache;
  cache.update("# TYPE zoom_live_meetings gauge\nzoom_live_meetings 3\n");
  expect_gzip_body_decodes_to(cache.gzip_body("zoom_exporter_up 1\n"),
                              "# TYPE zoom_live_meetings gauge\nzoom_live_meetings 3\n"
                              "zoom_exporter_up 1\n");
}

TEST(ExpositionCache, GzipRoundTripOfFiveMegabytes) {
  const std::string text = exposition_like_text(5 * 1024 * 1024);
  const std::string per_scrape = exposition_like_text(4096);
  ExpositionCache cache;
  cache.update(text);
  EXPECT_LT(cache.gzip_body(per_scrape)[1]->size(), text.size() / 2);
  expect_gzip_body_decodes_to(cache.gzip_body(per_scrape), text + per_scrape);
}

TEST(ExpositionCache, SeveralScrapesOfOneCacheEachDecodeToTheirOwnText) {
  ExpositionCache cache;
  const std::string text = exposition_like_text(64 * 1024);
  cache.update(text);
  for (const std::string per_scrape : {"up 1\n", "up 1\nscrapes_total 2\n", "", "x 3\n"}) {
    expect_gzip_body_decodes_to(cache.gzip_body(per_scrape), text + per_scrape);
    EXPECT_EQ(concatenated(cache.plain_body(per_scrape)), text + per_scrape);
  }
}

TEST(ExpositionCache, UpdateReplacesTheTextWhileEarlierBodiesStayValid) {
  ExpositionCache cache;
  cache.update("zoom_live_meetings 1\n");
  const BodyChunks earlier_gzip = cache.gzip_body("up 1\n");
  const BodyChunks earlier_plain = cache.plain_body("up 1\n");
  cache.update("zoom_live_meetings 2\nzoom_meeting_info{meeting_id=\"1\"} 1\n");

  expect_gzip_body_decodes_to(
      cache.gzip_body("up 2\n"),
      "zoom_live_meetings 2\nzoom_meeting_info{meeting_id=\"1\"} 1\nup 2\n");
  EXPECT_EQ(concatenated(cache.plain_body("up 2\n")),
            "zoom_live_meetings 2\nzoom_meeting_info{meeting_id=\"1\"} 1\nup 2\n");
  expect_gzip_body_decodes_to(earlier_gzip, "zoom_live_meetings 1\nup 1\n");
  EXPECT_EQ(concatenated(earlier_plain), "zoom_live_meetings 1\nup 1\n");
}

}  // namespace
}  // namespace zqe::metrics
