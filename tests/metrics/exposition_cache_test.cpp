#include "metrics/exposition_cache.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_tools.hpp"

namespace zqe::metrics {
namespace {

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
void expect_gzip_body_decodes_to(const ScrapeBody& body, const std::string& expected) {
  ASSERT_EQ(body.tail.size(), 2u);  // the final piece and the trailer
  EXPECT_EQ(body.tail.back()->size(), 8u);
  const std::string gzip = body.joined();
  EXPECT_EQ(gzip.substr(0, 4), std::string("\x1f\x8b\x08\x00", 4));  // one member, no flags
  const std::optional<std::string> inflated = inflate_single_gzip_member(gzip);
  ASSERT_TRUE(inflated.has_value()) << "zlib rejected the body";
  EXPECT_TRUE(*inflated == expected)
      << "zlib decoded " << inflated->size() << " bytes, expected " << expected.size();
  const std::optional<std::string> gunzipped = decompress_with_gzip_tool(gzip);
  ASSERT_TRUE(gunzipped.has_value()) << "gzip -dc rejected the body";
  EXPECT_TRUE(*gunzipped == expected)
      << "gzip -dc decoded " << gunzipped->size() << " bytes, expected " << expected.size();
}

// A meeting of `participants` people with varied values, so that deflate has both repetition
// and entropy to deal with, as in a real scrape. Odd meetings share their screen, even ones not.
MeetingSnapshot busy_meeting(std::uint64_t id, int participants) {
  std::mt19937_64 random(id);
  std::uniform_real_distribution<double> value(0, 1);
  MeetingSnapshot meeting;
  meeting.meeting.id = id;
  meeting.meeting.topic = "Meeting " + std::to_string(id);
  meeting.meeting.participants = participants;
  for (int index = 0; index < participants; ++index) {
    qos::ParticipantQos participant;
    participant.participant_id = std::to_string(16778240 + index * 1024);
    participant.identity.user_name = "Participant " + std::to_string(index);
    participant.snapshot_timestamp_seconds = 1763800000 + index;
    for (std::size_t stream = 0; stream < 4; ++stream) {
      participant.streams[stream] = {value(random) * 1e5,
                                     value(random) * 0.2,
                                     value(random) * 0.02,
                                     value(random) * 0.01,
                                     value(random) * 0.05,
                                     {},
                                     {},
                                     {}};
    }
    if (id % 2 == 1) participant.streams[4].bitrate_bytes_per_second = value(random) * 1e5;
    participant.cpu.zoom_avg_ratio = value(random);
    meeting.participants.push_back(participant);
  }
  return meeting;
}

struct Published {
  std::vector<ExportedMeeting> rendered;
  std::string tail;
  std::string text;  // the whole exposition, as render_qos gives it when every meeting has QoS
};

// `fetched` says which meetings have QoS data; the others are listed but not yet rendered.
Published publish(const std::vector<MeetingSnapshot>& meetings,
                  const std::vector<bool>& fetched = {}) {
  Published published;
  const RenderOptions options;
  const QosRenderer renderer(options);
  std::vector<ListedMeeting> listed;
  AccountTotals account{{}, meetings.size(), {}};
  std::vector<const MeetingSnapshot*> pointers;
  for (std::size_t index = 0; index < meetings.size(); ++index) {
    const bool has_qos = fetched.empty() || fetched[index];
    published.rendered.push_back({has_qos ? renderer.render(meetings[index]) : nullptr, true});
    if (has_qos) account.totals.merge(published.rendered.back().rendered->totals);
    listed.push_back({&meetings[index].meeting, {}});
    pointers.push_back(&meetings[index]);
  }
  published.tail = render_meeting_families(listed, options.meeting_info_labels) +
                   render_account_families({account}, true);
  published.text = render_qos(pointers, options);
  return published;
}

std::vector<MeetingSnapshot> busy_meetings(int count, int participants) {
  std::vector<MeetingSnapshot> meetings;
  for (int index = 0; index < count; ++index) {
    meetings.push_back(busy_meeting(81234567890 + static_cast<std::uint64_t>(index), participants));
  }
  return meetings;
}

void update(ExpositionCache& cache, const Published& published) {
  cache.update(published.rendered, published.tail);
}

TEST(ExpositionCache, PlainBodyIsTheExpositionThenPerScrapeText) {
  const Published published = publish(busy_meetings(3, 4));
  ExpositionCache cache;
  update(cache, published);
  EXPECT_EQ(cache.plain_body("zoom_exporter_up 1\n").joined(),
            published.text + "zoom_exporter_up 1\n");
  EXPECT_EQ(cache.plain_size(), published.text.size());
}

TEST(ExpositionCache, EachFamilyIsDeclaredOnceAndHoldsEveryMeetingsSeries) {
  const Published published = publish(busy_meetings(3, 2));
  ExpositionCache cache;
  update(cache, published);
  const std::string text = cache.plain_body("").joined();
  std::istringstream lines(text);
  std::vector<std::string> families_in_order;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# TYPE ")) families_in_order.push_back(line);
  }
  const std::set<std::string> distinct(families_in_order.begin(), families_in_order.end());
  EXPECT_EQ(distinct.size(), families_in_order.size());
  // Only the odd meetings share their screen: the family is there, with just their series.
  EXPECT_NE(text.find("media=\"screen_share\""), std::string::npos);
  EXPECT_EQ(
      text.find("meeting_id=\"81234567890\",participant_id=\"16778240\",media=\"screen_share"),
      std::string::npos);
}

TEST(ExpositionCache, MeetingWithoutQosYetHasOnlyItsMeetingSeries) {
  const Published published = publish(busy_meetings(2, 3), {true, false});
  ExpositionCache cache;
  update(cache, published);
  const std::string text = cache.plain_body("").joined();
  EXPECT_NE(text.find("zoom_meeting_info{meeting_id=\"81234567891\""), std::string::npos);
  EXPECT_EQ(text.find("zoom_participant_info{meeting_id=\"81234567891\""), std::string::npos);
  EXPECT_EQ(text.find("zoom_meeting_qos_participants{meeting_id=\"81234567891\""),
            std::string::npos);
  EXPECT_NE(text.find("zoom_account_qos_participants 3\n"), std::string::npos);
  expect_gzip_body_decodes_to(cache.gzip_body("up 1\n"), text + "up 1\n");
}

TEST(ExpositionCache, MeetingWithoutItsParticipantSeriesKeepsItsAggregates) {
  Published published = publish(busy_meetings(2, 3));
  published.rendered[1].participant_series = false;
  ExpositionCache cache;
  update(cache, published);
  const std::string text = cache.plain_body("").joined();
  EXPECT_NE(text.find("zoom_participant_info{meeting_id=\"81234567890\""), std::string::npos);
  EXPECT_EQ(text.find("zoom_participant_info{meeting_id=\"81234567891\""), std::string::npos);
  EXPECT_NE(text.find("zoom_meeting_qos_participants{meeting_id=\"81234567891\"} 3\n"),
            std::string::npos);
  expect_gzip_body_decodes_to(cache.gzip_body(""), text);
}

TEST(ExpositionCache, BodiesShareTheCachedPiecesInsteadOfCopyingThem) {
  ExpositionCache cache;
  update(cache, publish(busy_meetings(2, 2)));
  EXPECT_EQ(cache.plain_body("a").pieces, cache.plain_body("b").pieces);
  EXPECT_EQ(cache.gzip_body("a").pieces, cache.gzip_body("b").pieces);
}

TEST(ExpositionCache, EmptyCacheHoldsTheLiveMeetingsCount) {
  const ExpositionCache cache;
  const std::string empty =
      "# HELP zoom_live_meetings Live meetings Zoom reports.\n"
      "# TYPE zoom_live_meetings gauge\n"
      "zoom_live_meetings 0\n";
  EXPECT_EQ(cache.plain_size(), empty.size());
  EXPECT_EQ(cache.plain_body("up 1\n").joined(), empty + "up 1\n");
  expect_gzip_body_decodes_to(cache.gzip_body(""), empty);
  expect_gzip_body_decodes_to(cache.gzip_body("up 1\n"), empty + "up 1\n");
}

TEST(ExpositionCache, GzipRoundTripOfSmallExposition) {
  const Published published = publish(busy_meetings(1, 1));
  ExpositionCache cache;
  update(cache, published);
  expect_gzip_body_decodes_to(cache.gzip_body(""), published.text);
  expect_gzip_body_decodes_to(cache.gzip_body("zoom_exporter_up 1\n"),
                              published.text + "zoom_exporter_up 1\n");
}

TEST(ExpositionCache, GzipRoundTripOfSeveralMegabytes) {
  const Published published = publish(busy_meetings(300, 10));
  ASSERT_GT(published.text.size(), 3'000'000u);
  ExpositionCache cache;
  update(cache, published);
  const ScrapeBody gzip = cache.gzip_body("up 1\n");
  // Compressed piece by piece, the exposition still shrinks several times over.
  EXPECT_LT(gzip.size() * 6, published.text.size());
  expect_gzip_body_decodes_to(gzip, published.text + "up 1\n");
}

TEST(ExpositionCache, SeveralScrapesOfOneCacheEachDecodeToTheirOwnText) {
  const Published published = publish(busy_meetings(5, 6));
  ExpositionCache cache;
  update(cache, published);
  for (const std::string per_scrape : {"up 1\n", "up 1\nscrapes_total 2\n", "", "x 3\n"}) {
    expect_gzip_body_decodes_to(cache.gzip_body(per_scrape), published.text + per_scrape);
    EXPECT_EQ(cache.plain_body(per_scrape).joined(), published.text + per_scrape);
  }
}

TEST(ExpositionCache, ARefreshKeepsTheSegmentsOfFamiliesThatDidNotChange) {
  const QosRenderer renderer(RenderOptions{});
  MeetingSnapshot meeting = busy_meeting(81234567891, 3);
  const auto before = renderer.render(meeting);
  meeting.participants[1].streams[0].latency_seconds = 0.5;  // audio input latency only
  const auto after = renderer.render(meeting, before.get());

  constexpr std::size_t kLatency = 1;  // families in exposition order: bitrate, latency, ...
  constexpr std::size_t kInfo = kParticipantFamilyCount - 2;
  EXPECT_NE(after->family_text(kLatency), before->family_text(kLatency));
  EXPECT_EQ(after->family_text(kInfo), before->family_text(kInfo));
  EXPECT_EQ(after->family_segment(kInfo), before->family_segment(kInfo));

  ExpositionCache cache;
  const RenderOptions options;
  cache.update({{after, true}},
               render_meeting_families({{&meeting.meeting, {}}}, options.meeting_info_labels) +
                   render_account_families({{{}, 1, after->totals}}, true));
  expect_gzip_body_decodes_to(cache.gzip_body(""), render_qos({&meeting}, options));
}

TEST(ExpositionCache, UpdateReplacesTheExpositionWhileEarlierBodiesStayValid) {
  const Published first = publish(busy_meetings(1, 2));
  ExpositionCache cache;
  update(cache, first);
  const std::uint64_t first_generation = cache.generation();
  const ScrapeBody earlier_gzip = cache.gzip_body("up 1\n");
  const ScrapeBody earlier_plain = cache.plain_body("up 1\n");
  {
    const Published second = publish(busy_meetings(3, 3));
    update(cache, second);
    EXPECT_NE(cache.generation(), first_generation);
    expect_gzip_body_decodes_to(cache.gzip_body("up 2\n"), second.text + "up 2\n");
    EXPECT_EQ(cache.plain_body("up 2\n").joined(), second.text + "up 2\n");
  }
  update(cache, publish({}));  // nothing of the first publish is left in the cache
  expect_gzip_body_decodes_to(earlier_gzip, first.text + "up 1\n");
  EXPECT_EQ(earlier_plain.joined(), first.text + "up 1\n");
}

}  // namespace
}  // namespace zqe::metrics
