#include "zoom/reply_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

namespace zqe::zoom {
namespace {

using qos::CpuUsage;
using qos::ParticipantQos;
using qos::StreamQos;

std::string read_testdata(std::string_view name) {
  const std::string path = std::string(ZQE_TEST_DATA_DIR) + "/" + std::string(name);
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file.good()) << "cannot open " << path;
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Decodes a copy, since in-situ parsing modifies the body.
Decoded<ParticipantsPage> decode_participants(std::string_view body) {
  std::string mutable_body(body);
  return decode_participants_page(mutable_body);
}

Decoded<MeetingsPage> decode_meetings(std::string_view body) {
  std::string mutable_body(body);
  return decode_meetings_page(mutable_body);
}

ParticipantsPage decoded_page(std::string_view body) {
  Decoded<ParticipantsPage> decoded = decode_participants(body);
  EXPECT_TRUE(decoded.value.has_value()) << decoded.error;
  EXPECT_EQ(decoded.error, "");
  return decoded.value.value_or(ParticipantsPage{});
}

// Indexes of kStreamKinds, spelled out so a test names the stream it checks.
enum StreamIndex : std::size_t {
  kAudioInput,
  kAudioOutput,
  kVideoInput,
  kVideoOutput,
  kScreenShareInput,
  kScreenShareOutput,
};

const ParticipantQos* find_participant(const ParticipantsPage& page, std::string_view id) {
  const auto found = std::find_if(
      page.participants.begin(), page.participants.end(),
      [id](const ParticipantQos& participant) { return participant.participant_id == id; });
  return found == page.participants.end() ? nullptr : &*found;
}

void expect_all_absent(const StreamQos& stream) {
  EXPECT_FALSE(stream.bitrate_bytes_per_second);
  EXPECT_FALSE(stream.latency_seconds);
  EXPECT_FALSE(stream.jitter_seconds);
  EXPECT_FALSE(stream.avg_loss_ratio);
  EXPECT_FALSE(stream.max_loss_ratio);
  EXPECT_FALSE(stream.frames_per_second);
  EXPECT_FALSE(stream.resolution_width_pixels);
  EXPECT_FALSE(stream.resolution_height_pixels);
}

void expect_all_absent(const CpuUsage& cpu) {
  EXPECT_FALSE(cpu.zoom_min_ratio);
  EXPECT_FALSE(cpu.zoom_avg_ratio);
  EXPECT_FALSE(cpu.zoom_max_ratio);
  EXPECT_FALSE(cpu.system_max_ratio);
}

void expect_empty_snapshot(const ParticipantQos& participant) {
  EXPECT_FALSE(participant.snapshot_timestamp_seconds);
  for (const StreamQos& stream : participant.streams) expect_all_absent(stream);
  expect_all_absent(participant.cpu);
}

// The one participant of both of Zoom's documented sample replies.
void expect_sample_participant(const ParticipantQos& participant) {
  EXPECT_EQ(participant.participant_id, "1670000000");
  EXPECT_EQ(participant.identity.user_name, "User");
  EXPECT_EQ(participant.identity.device, "Android");
  EXPECT_EQ(participant.identity.ip_address, "192.0.2.0");
  EXPECT_EQ(participant.identity.location, "San Jose (US)");
  EXPECT_EQ(participant.identity.pc_name, "User's Phone");
  EXPECT_EQ(participant.identity.domain, "user-android");
  EXPECT_EQ(participant.identity.mac_addr, "");
  EXPECT_EQ(participant.identity.harddisk_id, "");
  EXPECT_EQ(participant.identity.version, "4.4.55383.0726");
  EXPECT_EQ(participant.snapshot_timestamp_seconds, 1624564800);

  const StreamQos& audio_input = participant.streams[kAudioInput];
  EXPECT_EQ(audio_input.bitrate_bytes_per_second, 2875);
  EXPECT_EQ(audio_input.latency_seconds, 0.126);
  EXPECT_EQ(audio_input.jitter_seconds, 0.006);
  EXPECT_EQ(audio_input.avg_loss_ratio, 0.003);
  EXPECT_EQ(audio_input.max_loss_ratio, 0.019);
  EXPECT_FALSE(audio_input.frames_per_second);
  EXPECT_FALSE(audio_input.resolution_width_pixels);

  const StreamQos& audio_output = participant.streams[kAudioOutput];
  EXPECT_EQ(audio_output.bitrate_bytes_per_second, 7875);
  EXPECT_EQ(audio_output.latency_seconds, 0.134);
  EXPECT_EQ(audio_output.jitter_seconds, 0.006);
  EXPECT_EQ(audio_output.avg_loss_ratio, 0);
  EXPECT_EQ(audio_output.max_loss_ratio, 0);

  const StreamQos& video_input = participant.streams[kVideoInput];
  EXPECT_EQ(video_input.bitrate_bytes_per_second, 131875);
  EXPECT_EQ(video_input.latency_seconds, 0.129);
  EXPECT_EQ(video_input.jitter_seconds, 0.011);
  EXPECT_EQ(video_input.avg_loss_ratio, 0);
  EXPECT_EQ(video_input.max_loss_ratio, 0.049);
  EXPECT_EQ(video_input.resolution_width_pixels, 1280);
  EXPECT_EQ(video_input.resolution_height_pixels, 720);
  EXPECT_EQ(video_input.frames_per_second, 12);

  const StreamQos& video_output = participant.streams[kVideoOutput];
  EXPECT_EQ(video_output.bitrate_bytes_per_second, 84125);
  EXPECT_EQ(video_output.latency_seconds, 0.135);
  EXPECT_EQ(video_output.resolution_width_pixels, 640);
  EXPECT_EQ(video_output.resolution_height_pixels, 360);
  EXPECT_EQ(video_output.frames_per_second, 22);

  for (const StreamIndex index : {kScreenShareInput, kScreenShareOutput}) {
    SCOPED_TRACE(index);
    const StreamQos& screen_share = participant.streams[index];
    EXPECT_EQ(screen_share.bitrate_bytes_per_second, 8750);
    EXPECT_EQ(screen_share.latency_seconds, 0.135);
    EXPECT_EQ(screen_share.jitter_seconds, 0.008);
    EXPECT_EQ(screen_share.avg_loss_ratio, 0);
    EXPECT_EQ(screen_share.max_loss_ratio, 0);
    // "0*0" and "" are Zoom's "no screen share": no series, and not an error either.
    EXPECT_FALSE(screen_share.resolution_width_pixels);
    EXPECT_FALSE(screen_share.resolution_height_pixels);
    EXPECT_FALSE(screen_share.frames_per_second);
  }

  EXPECT_EQ(participant.cpu.zoom_min_ratio, 0.08);
  EXPECT_EQ(participant.cpu.zoom_avg_ratio, 0.12);
  EXPECT_EQ(participant.cpu.zoom_max_ratio, 0.18);
  EXPECT_EQ(participant.cpu.system_max_ratio, 0.4);
}

TEST(DecodeParticipantsPage, ZoomsListSample) {
  const ParticipantsPage page =
      decoded_page(read_testdata("list-meeting-participants-qos.200.json"));
  ASSERT_EQ(page.participants.size(), 1u);
  expect_sample_participant(page.participants.front());
  EXPECT_TRUE(page.parse_errors.empty());
  // The sample's placeholder is a string like any token; its "integer [int64]" pagination
  // fields are ignored.
  EXPECT_EQ(page.next_page_token, "string");
}

// The single-participant endpoint replies with one participant object, the same as a page entry.
TEST(DecodeParticipantsPage, ZoomsSingleParticipantSampleAsAPageEntry) {
  const std::string participant = read_testdata("get-meeting-participant-qos.200.json");
  const ParticipantsPage page = decoded_page(R"({"participants": [)" + participant + "]}");
  ASSERT_EQ(page.participants.size(), 1u);
  expect_sample_participant(page.participants.front());
  EXPECT_TRUE(page.parse_errors.empty());
  EXPECT_EQ(page.next_page_token, "");
}

TEST(DecodeParticipantReply, ZoomsSingleParticipantSample) {
  std::string body = read_testdata("get-meeting-participant-qos.200.json");
  const Decoded<ParticipantReply> reply = decode_participant_reply(body);
  ASSERT_TRUE(reply.value) << reply.error;
  expect_sample_participant(reply.value->participant);
  EXPECT_TRUE(reply.value->parse_errors.empty());
}

TEST(DecodeParticipantReply, CountsParseErrorsLikeAPageEntry) {
  std::string body =
      R"({"user_id":"7","user_qos":[{"audio_input":{"latency":"fast","jitter":"6 ms"}}]})";
  const Decoded<ParticipantReply> reply = decode_participant_reply(body);
  ASSERT_TRUE(reply.value) << reply.error;
  EXPECT_EQ(reply.value->participant.participant_id, "7");
  EXPECT_EQ(reply.value->participant.streams[0].jitter_seconds, 0.006);
  EXPECT_FALSE(reply.value->participant.streams[0].latency_seconds);
  EXPECT_EQ(reply.value->parse_errors.at("audio_input.latency"), 1u);
}

TEST(DecodeParticipantReply, FailsWithoutUserIdOrObject) {
  for (std::string body : {std::string(R"({"user_name":"Ann"})"), std::string("[]"),
                           std::string("{"), std::string(R"({"user_id":""})")}) {
    SCOPED_TRACE(body);
    const Decoded<ParticipantReply> reply = decode_participant_reply(body);
    EXPECT_FALSE(reply.value);
    EXPECT_FALSE(reply.error.empty());
  }
}

TEST(DecodeParticipantsPage, UserQosAsOneObjectLikeThe2021Spec) {
  const ParticipantsPage page = decoded_page(read_testdata("participants-user-qos-object.json"));
  ASSERT_EQ(page.participants.size(), 1u);
  const ParticipantQos& participant = page.participants.front();
  EXPECT_EQ(participant.participant_id, "16778240");
  EXPECT_EQ(participant.identity.user_name, "Spec 2021");
  EXPECT_EQ(participant.snapshot_timestamp_seconds, 1624564800);
  EXPECT_EQ(participant.streams[kAudioInput].latency_seconds, 0.126);
  EXPECT_EQ(participant.streams[kAudioInput].bitrate_bytes_per_second, 2875);
  EXPECT_EQ(participant.streams[kVideoInput].resolution_width_pixels, 1280);
  EXPECT_EQ(participant.streams[kVideoInput].frames_per_second, 12);
  expect_all_absent(participant.streams[kAudioOutput]);
  EXPECT_EQ(participant.cpu.system_max_ratio, 0.4);
  EXPECT_TRUE(page.parse_errors.empty());
}

TEST(DecodeParticipantsPage, PicksTheLatestSnapshot) {
  const ParticipantsPage page = decoded_page(read_testdata("participants-snapshot-order.json"));
  EXPECT_TRUE(page.parse_errors.empty()) << "only the chosen snapshot's values are counted";
  ASSERT_EQ(page.participants.size(), 6u);

  struct Expectation {
    std::string_view participant_id;
    double latency_seconds;
    std::optional<double> timestamp_seconds;
  };
  for (const Expectation& expected : {
           Expectation{"newest-in-the-middle", 0.3, 1709287320},
           Expectation{"undated", 0.2, std::nullopt},
           Expectation{"equal-dates", 0.2, 1709287200},
           Expectation{"dated-beats-undated", 0.1, 1709287200},
           Expectation{"offsets-compared-in-utc", 0.2, 1709285400},
       }) {
    SCOPED_TRACE(expected.participant_id);
    const ParticipantQos* participant = find_participant(page, expected.participant_id);
    ASSERT_NE(participant, nullptr);
    EXPECT_EQ(participant->streams[kAudioInput].latency_seconds, expected.latency_seconds);
    EXPECT_EQ(participant->snapshot_timestamp_seconds, expected.timestamp_seconds);
  }

  const ParticipantQos* without_snapshots = find_participant(page, "no-snapshots");
  ASSERT_NE(without_snapshots, nullptr);
  expect_empty_snapshot(*without_snapshots);
}

TEST(DecodeParticipantsPage, UnusualButValidValues) {
  const ParticipantsPage page = decoded_page(read_testdata("participants-unusual-values.json"));
  EXPECT_EQ(page.next_page_token, "Tva2CuIdTgsv8wAnhyAdU3m06Y2HuLQtlh3");
  const ParticipantQos* participant = find_participant(page, "16778240");
  ASSERT_NE(participant, nullptr) << "a numeric user_id becomes its decimal text";

  // Identity fields of other types than string are left empty.
  EXPECT_EQ(participant->identity.user_name, "");
  EXPECT_EQ(participant->identity.device, "");
  EXPECT_EQ(participant->identity.version, "");
  EXPECT_EQ(participant->identity.location, "");
  EXPECT_EQ(participant->identity.ip_address, "198.51.100.7");
  EXPECT_DOUBLE_EQ(participant->snapshot_timestamp_seconds.value_or(0), 1768464300.25);

  // JSON numbers in Zoom's documented units, spaces, upper case, bare numeric strings.
  const StreamQos& audio_input = participant->streams[kAudioInput];
  EXPECT_EQ(audio_input.bitrate_bytes_per_second, 8000);
  EXPECT_EQ(audio_input.latency_seconds, 0.126);
  EXPECT_EQ(audio_input.jitter_seconds, 0.006);
  EXPECT_EQ(audio_input.avg_loss_ratio, 0.003);
  EXPECT_EQ(audio_input.max_loss_ratio, 0.019);

  const StreamQos& audio_output = participant->streams[kAudioOutput];
  EXPECT_EQ(audio_output.bitrate_bytes_per_second, 62500);
  EXPECT_EQ(audio_output.latency_seconds, 0.2);
  EXPECT_EQ(audio_output.jitter_seconds, 0.006);
  EXPECT_FALSE(audio_output.avg_loss_ratio) << "\"-\" is absent";
  EXPECT_FALSE(audio_output.max_loss_ratio) << "\"\" is absent";

  const StreamQos& video_input = participant->streams[kVideoInput];
  EXPECT_EQ(video_input.bitrate_bytes_per_second, 131875);
  EXPECT_EQ(video_input.latency_seconds, 0.129);
  EXPECT_EQ(video_input.resolution_width_pixels, 1280);
  EXPECT_EQ(video_input.resolution_height_pixels, 720);
  EXPECT_EQ(video_input.frames_per_second, 30);

  // Idle streams: null, an empty object, a string instead of an object.
  expect_all_absent(participant->streams[kVideoOutput]);
  expect_all_absent(participant->streams[kScreenShareInput]);
  expect_all_absent(participant->streams[kScreenShareOutput]);

  EXPECT_EQ(participant->cpu.zoom_min_ratio, 0.08);
  EXPECT_EQ(participant->cpu.zoom_avg_ratio, 0.12);
  EXPECT_FALSE(participant->cpu.zoom_max_ratio) << "null is absent";
  EXPECT_FALSE(participant->cpu.system_max_ratio) << "{} is absent";

  // Unknown fields (audio_device_*, wifi_rssi, *_socket_break, rc_reason) hold garbage here
  // and must not show up as errors: none of this participant's keys are counted.
  for (const auto& [key, count] : page.parse_errors) {
    EXPECT_EQ(key.find("device"), std::string::npos) << key;
    EXPECT_EQ(key.find("rssi"), std::string::npos) << key;
    EXPECT_EQ(key.find("socket"), std::string::npos) << key;
    EXPECT_EQ(key.find("rc_reason"), std::string::npos) << key;
  }
}

TEST(DecodeParticipantsPage, InvalidValuesAreCountedPerField) {
  const ParticipantsPage page = decoded_page(read_testdata("participants-unusual-values.json"));
  const ParseErrorCounts expected{
      {"as_input.frame_rate", 1},
      {"as_input.resolution", 1},
      {"audio_input.avg_loss", 1},
      {"audio_input.bitrate", 1},
      {"audio_input.jitter", 1},
      {"audio_input.latency", 1},
      {"audio_input.max_loss", 1},
      {"cpu_usage.zoom_avg_cpu_usage", 1},
      {"cpu_usage.zoom_max_cpu_usage", 1},
      {"cpu_usage.zoom_min_cpu_usage", 1},
      {"date_time", 1},
      {"user_id", 5},
      {"user_qos", 1},
      {"video_output.avg_loss", 1},
      {"video_output.bitrate", 1},
      {"video_output.frame_rate", 1},
      {"video_output.jitter", 1},
      {"video_output.latency", 1},
      {"video_output.max_loss", 1},
      {"video_output.resolution", 1},
  };
  EXPECT_EQ(page.parse_errors, expected);

  const ParticipantQos* participant = find_participant(page, "wrong-types");
  ASSERT_NE(participant, nullptr);
  EXPECT_FALSE(participant->snapshot_timestamp_seconds);
  expect_all_absent(participant->streams[kAudioInput]);
  expect_all_absent(participant->streams[kVideoOutput]);
  expect_all_absent(participant->streams[kScreenShareInput]);
  EXPECT_FALSE(participant->cpu.zoom_min_ratio);
  EXPECT_EQ(participant->cpu.system_max_ratio, 0.4) << "valid neighbours of invalid values stay";
}

TEST(DecodeParticipantsPage, ParticipantsWithoutUsableIdAreSkipped) {
  const ParticipantsPage page = decoded_page(read_testdata("participants-unusual-values.json"));
  std::vector<std::string> ids;
  for (const ParticipantQos& participant : page.participants) {
    ids.push_back(participant.participant_id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"16778240", "wrong-types", "idle-user-qos",
                                           "user-qos-is-a-string"}));
  EXPECT_EQ(page.parse_errors.at("user_id"), 5u);

  for (std::string_view id : {"idle-user-qos", "user-qos-is-a-string"}) {
    SCOPED_TRACE(id);
    const ParticipantQos* participant = find_participant(page, id);
    ASSERT_NE(participant, nullptr);
    expect_empty_snapshot(*participant);
  }
}

TEST(DecodeParticipantsPage, EmptyAndMissingParticipants) {
  for (std::string_view body : {R"({})", R"({"participants": []})", R"({"participants": null})",
                                R"({"page_count": "integer [int64]", "total_records": 0})"}) {
    SCOPED_TRACE(body);
    const ParticipantsPage page = decoded_page(body);
    EXPECT_TRUE(page.participants.empty());
    EXPECT_EQ(page.next_page_token, "");
    EXPECT_TRUE(page.parse_errors.empty());
  }
}

TEST(DecodeParticipantsPage, NextPageTokenOfAnotherTypeIsEmpty) {
  for (std::string_view body : {R"({"next_page_token": 5})", R"({"next_page_token": null})",
                                R"({"next_page_token": ["a"]})", R"({"next_page_token": {}})"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(decoded_page(body).next_page_token, "");
  }
  EXPECT_EQ(decoded_page(R"({"next_page_token": "abc"})").next_page_token, "abc");
}

TEST(DecodeParticipantsPage, EmptySnapshotObjects) {
  const ParticipantsPage page = decoded_page(
      R"({"participants": [{"user_id": "a", "user_qos": {}}, {"user_id": "b", "user_qos": [{}]}]})");
  ASSERT_EQ(page.participants.size(), 2u);
  for (const ParticipantQos& participant : page.participants) expect_empty_snapshot(participant);
  EXPECT_TRUE(page.parse_errors.empty());
}

TEST(DecodeParticipantsPage, NonObjectSnapshotsAreCountedAndSkipped) {
  const ParticipantsPage page = decoded_page(
      R"({"participants": [{"user_id": "a", "user_qos": [1, {"audio_input": {"latency": "5 ms"}},
          "x"]}]})");
  ASSERT_EQ(page.participants.size(), 1u);
  EXPECT_EQ(page.participants.front().streams[kAudioInput].latency_seconds, 0.005);
  EXPECT_EQ(page.parse_errors, (ParseErrorCounts{{"user_qos", 2}}));
}

TEST(DecodeParticipantsPage, AudioStreamsIgnoreVideoOnlyFields) {
  const ParticipantsPage page = decoded_page(
      R"({"participants": [{"user_id": "a", "user_qos": [{"audio_input":
          {"resolution": "garbage", "frame_rate": "garbage", "latency": "1 ms"}}]}]})");
  ASSERT_EQ(page.participants.size(), 1u);
  const StreamQos& audio_input = page.participants.front().streams[kAudioInput];
  EXPECT_EQ(audio_input.latency_seconds, 0.001);
  EXPECT_FALSE(audio_input.frames_per_second);
  EXPECT_FALSE(audio_input.resolution_width_pixels);
  EXPECT_TRUE(page.parse_errors.empty());
}

TEST(DecodeParticipantsPage, ErrorCountsAddUpAcrossParticipants) {
  const ParticipantsPage page = decoded_page(R"({"participants": [
      {"user_id": "a", "user_qos": [{"audio_input": {"latency": "soon"}}]},
      {"user_id": "b", "user_qos": [{"audio_input": {"latency": "later"}}]},
      {"user_name": "c"}]})");
  EXPECT_EQ(page.participants.size(), 2u);
  EXPECT_EQ(page.parse_errors, (ParseErrorCounts{{"audio_input.latency", 2}, {"user_id", 1}}));
}

TEST(DecodeParticipantsPage, NegativeNumericUserIdKeepsItsText) {
  const ParticipantsPage page = decoded_page(R"({"participants": [{"user_id": -16778240}]})");
  ASSERT_EQ(page.participants.size(), 1u);
  EXPECT_EQ(page.participants.front().participant_id, "-16778240");
}

TEST(DecodeParticipantsPage, MalformedJsonFailsWithoutQuotingTheBody) {
  const Decoded<ParticipantsPage> decoded =
      decode_participants(R"({"next_page_token": "secret-token" "participants": []})");
  EXPECT_FALSE(decoded.value);
  EXPECT_EQ(decoded.error,
            "invalid JSON at offset 35: Missing a comma or '}' after an object member.");
  EXPECT_EQ(decoded.error.find("secret"), std::string::npos);
}

TEST(DecodeParticipantsPage, MalformedBodies) {
  using namespace std::string_view_literals;
  for (std::string_view body :
       {""sv, "   "sv, "{"sv, "{\"participants\": ["sv, "not json"sv, "{'participants': []}"sv,
        "{\"participants\": [NaN]}"sv, "{\"a\": 1e400}"sv, "{\"participants\": []} trailing"sv,
        "<html>Bad Gateway</html>"sv, "{\"a\":\0\"b\"}"sv}) {
    SCOPED_TRACE(body);
    const Decoded<ParticipantsPage> decoded = decode_participants(body);
    EXPECT_FALSE(decoded.value);
    EXPECT_EQ(decoded.error.rfind("invalid JSON at offset ", 0), 0u) << decoded.error;
  }
}

TEST(DecodeParticipantsPage, NotAnObjectOfTheExpectedShape) {
  for (std::string_view body : {"[]", "42", "\"participants\"", "null", "true"}) {
    SCOPED_TRACE(body);
    const Decoded<ParticipantsPage> decoded = decode_participants(body);
    EXPECT_FALSE(decoded.value);
    EXPECT_EQ(decoded.error, "expected an object");
  }
  for (std::string_view body :
       {R"({"participants": {}})", R"({"participants": "none"})", R"({"participants": 3})"}) {
    SCOPED_TRACE(body);
    const Decoded<ParticipantsPage> decoded = decode_participants(body);
    EXPECT_FALSE(decoded.value);
    EXPECT_EQ(decoded.error, R"(expected "participants" to be an array)");
  }
}

constexpr std::size_t kHostileDepth = 100'000;

TEST(DecodeParticipantsPage, DeepNestingFailsWithoutCrashing) {
  const Decoded<ParticipantsPage> unbalanced = decode_participants(std::string(kHostileDepth, '['));
  EXPECT_FALSE(unbalanced.value);
  EXPECT_FALSE(unbalanced.error.empty());

  std::string objects;
  for (std::size_t depth = 0; depth < kHostileDepth; ++depth) objects += R"({"a":)";
  EXPECT_FALSE(decode_participants(objects).value);
}

TEST(DecodeParticipantsPage, DeepButBalancedNestingIsJustAnUnknownValue) {
  const std::string nested = std::string(kHostileDepth, '[') + std::string(kHostileDepth, ']');
  const ParticipantsPage page = decoded_page(R"({"participants": [{"user_id": "a", "unknown": )" +
                                             nested + "}, " + nested + "]}");
  ASSERT_EQ(page.participants.size(), 1u);
  EXPECT_EQ(page.parse_errors, (ParseErrorCounts{{"user_id", 1}}));
}

TEST(DecodeMeetingsPage, LiveMeetings) {
  std::string body = read_testdata("meetings-live.json");
  const Decoded<MeetingsPage> decoded = decode_meetings_page(body);
  ASSERT_TRUE(decoded.value) << decoded.error;
  const MeetingsPage& page = *decoded.value;
  EXPECT_EQ(page.next_page_token, "nX1gV0Rz0Q3yQ8VW3QgD7bq1Z8jSvV0fJ42");
  ASSERT_EQ(page.meetings.size(), 3u) << "meetings without a usable id are skipped";

  const LiveMeeting& weekly = page.meetings[0];
  EXPECT_EQ(weekly.id, 85746065432u);
  EXPECT_EQ(weekly.uuid, "Bznyg8KZTdCVbQxvS/oZ7w==");
  EXPECT_EQ(weekly.topic, "Weekly sync");
  EXPECT_EQ(weekly.host, "Jill Chill");
  EXPECT_EQ(weekly.start_timestamp_seconds, 1768467600);
  EXPECT_EQ(weekly.participants, 12);

  const LiveMeeting& quoted = page.meetings[1];
  EXPECT_EQ(quoted.id, 98765432101u);
  EXPECT_EQ(quoted.uuid, "//quoted-id==");
  EXPECT_EQ(quoted.start_timestamp_seconds, 1768469400.5);
  EXPECT_EQ(quoted.participants, 7);

  const LiveMeeting& odd = page.meetings[2];
  EXPECT_EQ(odd.id, 123456789u);
  EXPECT_EQ(odd.topic, "");
  EXPECT_EQ(odd.host, "");
  EXPECT_FALSE(odd.start_timestamp_seconds);
  EXPECT_FALSE(odd.participants);
}

TEST(DecodeMeetingsPage, EmptyAndMalformed) {
  for (std::string_view body : {R"({})", R"({"meetings": []})", R"({"meetings": null})"}) {
    SCOPED_TRACE(body);
    const Decoded<MeetingsPage> decoded = decode_meetings(body);
    ASSERT_TRUE(decoded.value) << decoded.error;
    EXPECT_TRUE(decoded.value->meetings.empty());
  }
  EXPECT_EQ(decode_meetings(R"({"meetings": {}})").error, R"(expected "meetings" to be an array)");
  EXPECT_EQ(decode_meetings("[]").error, "expected an object");
  EXPECT_EQ(decode_meetings("{\"meetings\": [").error.rfind("invalid JSON at offset ", 0), 0u);
  EXPECT_FALSE(decode_meetings(std::string(kHostileDepth, '[')).value);
}

TEST(DecodeMeetingsPage, NumericStringParticipantsAndOdds) {
  const Decoded<MeetingsPage> decoded = decode_meetings(R"({"meetings": [
      {"id": 111111111, "participants": "12.0"},
      {"id": 222222222, "participants": "many"},
      {"id": 333333333, "participants": true},
      {"id": 444444444, "participants": 0}]})");
  ASSERT_TRUE(decoded.value) << decoded.error;
  const auto& meetings = decoded.value->meetings;
  ASSERT_EQ(meetings.size(), 4u);
  EXPECT_EQ(meetings[0].participants, 12);
  EXPECT_FALSE(meetings[1].participants);
  EXPECT_FALSE(meetings[2].participants);
  EXPECT_EQ(meetings[3].participants, 0);
}

TEST(DecodeTokenReply, ServerToServerOAuthReply) {
  const Decoded<TokenReply> decoded = decode_token_reply(
      R"({"access_token": "eyJhbGciOi.abc", "token_type": "bearer", "expires_in": 3600,
          "scope": "dashboard_meetings:read:admin"})");
  ASSERT_TRUE(decoded.value) << decoded.error;
  EXPECT_EQ(decoded.value->access_token, "eyJhbGciOi.abc");
  EXPECT_EQ(decoded.value->expires_in_seconds, 3600);
  EXPECT_EQ(decoded.error, "");
}

TEST(DecodeTokenReply, ExpiresInAsNumericString) {
  const Decoded<TokenReply> decoded =
      decode_token_reply(R"({"access_token": "t", "expires_in": "3599.5"})");
  ASSERT_TRUE(decoded.value) << decoded.error;
  EXPECT_EQ(decoded.value->expires_in_seconds, 3599.5);
}

TEST(DecodeTokenReply, UnusableExpiresInIsEmpty) {
  for (std::string_view expires_in : {"0", "-1", "\"0\"", "\"-60\"", "\"soon\"", "\"3600 s\"",
                                      "\"inf\"", "\"nan\"", "null", "true", "[3600]", "{}"}) {
    SCOPED_TRACE(expires_in);
    const std::string body =
        R"({"access_token": "t", "expires_in": )" + std::string(expires_in) + "}";
    const Decoded<TokenReply> decoded = decode_token_reply(body);
    ASSERT_TRUE(decoded.value) << decoded.error;
    EXPECT_EQ(decoded.value->access_token, "t");
    EXPECT_FALSE(decoded.value->expires_in_seconds);
  }
  const Decoded<TokenReply> without = decode_token_reply(R"({"access_token": "t"})");
  ASSERT_TRUE(without.value);
  EXPECT_FALSE(without.value->expires_in_seconds);
}

TEST(DecodeTokenReply, AccessTokenIsRequired) {
  for (std::string_view body :
       {R"({})", R"({"access_token": ""})", R"({"access_token": null})", R"({"access_token": 42})",
        R"({"access_token": ["t"]})", R"({"expires_in": 3600})"}) {
    SCOPED_TRACE(body);
    const Decoded<TokenReply> decoded = decode_token_reply(body);
    EXPECT_FALSE(decoded.value);
    EXPECT_EQ(decoded.error, "missing access_token");
  }
}

TEST(DecodeTokenReply, MalformedBodies) {
  EXPECT_EQ(decode_token_reply("[]").error, "expected an object");
  EXPECT_EQ(decode_token_reply("").error, "invalid JSON at offset 0: The document is empty.");
  const Decoded<TokenReply> truncated = decode_token_reply(R"({"access_token": "s3cr3t)");
  EXPECT_FALSE(truncated.value);
  EXPECT_EQ(truncated.error.rfind("invalid JSON at offset ", 0), 0u) << truncated.error;
  EXPECT_EQ(truncated.error.find("s3cr3t"), std::string::npos);
  EXPECT_FALSE(decode_token_reply(std::string(kHostileDepth, '[')).value);
}

TEST(DecodeTokenReply, ReadsOnlyTheGivenLength) {
  const std::string_view body = R"({"access_token": "t"} and junk after the view)";
  const Decoded<TokenReply> decoded = decode_token_reply(body.substr(0, 21));
  ASSERT_TRUE(decoded.value) << decoded.error;
  EXPECT_EQ(decoded.value->access_token, "t");
}

TEST(DecodeErrorBody, ZoomErrors) {
  const ErrorBody expired =
      decode_error_body(R"({"code": 124, "message": "Invalid access token."})");
  EXPECT_EQ(expired.code, 124);
  EXPECT_EQ(expired.message, "Invalid access token.");

  const ErrorBody rate_limited = decode_error_body(
      R"({"code": 429, "message": "You have reached the maximum per-second rate limit"})");
  EXPECT_EQ(rate_limited.code, 429);

  EXPECT_EQ(decode_error_body(R"({"code": "3001"})").code, 3001);
}

TEST(DecodeErrorBody, NeverFails) {
  for (std::string_view body :
       {"", "<html>502</html>", "[]", "null", "{", R"({"code": 1.5, "message": 7})",
        R"({"code": "abc"})", R"({"code": null, "message": null})", R"({"code": 1e300})"}) {
    SCOPED_TRACE(body);
    const ErrorBody error = decode_error_body(body);
    EXPECT_FALSE(error.code);
    EXPECT_EQ(error.message, "");
  }
  EXPECT_FALSE(decode_error_body(std::string(kHostileDepth, '[')).code);
}

TEST(DecodeTokenErrorBody, ZoomsAndRfc6749sFields) {
  const TokenErrorBody zoom = decode_token_error_body(
      R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})");
  EXPECT_EQ(zoom.error, "invalid_client");
  EXPECT_EQ(zoom.reason, "Invalid client_id or client_secret");
  const TokenErrorBody standard =
      decode_token_error_body(R"({"error":"invalid_grant","error_description":"Bad grant"})");
  EXPECT_EQ(standard.error, "invalid_grant");
  EXPECT_EQ(standard.reason, "Bad grant");
}

TEST(DecodeTokenErrorBody, NeverFails) {
  for (std::string_view body : {"", "Service Unavailable", "[]", "{", R"({"error": 7})"}) {
    SCOPED_TRACE(body);
    const TokenErrorBody error = decode_token_error_body(body);
    EXPECT_EQ(error.error, "");
    EXPECT_EQ(error.reason, "");
  }
}

}  // namespace
}  // namespace zqe::zoom
