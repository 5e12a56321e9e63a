// Feeds arbitrary bytes to each of Zoom's reply decoders as a reply body and checks what the
// decoders promise: no exception, a failure always says why, and every value they hand on is
// one the exporter can render (finite, not negative where the field cannot be, ids present).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "zoom/reply_decoder.hpp"

namespace {

using namespace zqe;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "reply_decoder_fuzzer: %s\n", what);
  std::abort();
}

void check_non_negative(const std::optional<double>& value, const char* what) {
  if (value && !(std::isfinite(*value) && !std::signbit(*value))) violated(what);
}

template <typename T>
void check_failure_says_why(const zoom::Decoded<T>& decoded) {
  if (!decoded.value && decoded.error.empty()) violated("a failed decode has no error message");
}

void check_streams(const qos::ParticipantQos& participant) {
  for (const qos::StreamQos& stream : participant.streams) {
    for (const auto* value :
         {&stream.bitrate_bytes_per_second, &stream.latency_seconds, &stream.jitter_seconds,
          &stream.avg_loss_ratio, &stream.max_loss_ratio, &stream.frames_per_second,
          &stream.resolution_width_pixels, &stream.resolution_height_pixels}) {
      check_non_negative(*value, "a stream value is negative or not finite");
    }
    if (stream.resolution_width_pixels.has_value() != stream.resolution_height_pixels.has_value()) {
      violated("a resolution has only one of width and height");
    }
  }
  const qos::CpuUsage& cpu = participant.cpu;
  for (const auto* value :
       {&cpu.zoom_min_ratio, &cpu.zoom_avg_ratio, &cpu.zoom_max_ratio, &cpu.system_max_ratio}) {
    check_non_negative(*value, "a CPU value is negative or not finite");
  }
}

void decode_participants(std::string body) {
  const auto decoded = zoom::decode_participants_page(body);
  check_failure_says_why(decoded);
  if (!decoded.value) return;
  for (const qos::ParticipantQos& participant : decoded.value->participants) {
    if (participant.participant_id.empty()) violated("a participant has no id");
    const std::optional<double>& timestamp = participant.snapshot_timestamp_seconds;
    if (timestamp && !std::isfinite(*timestamp)) violated("a snapshot time is not finite");
    check_streams(participant);
  }
  for (const auto& [field, count] : decoded.value->parse_errors) {
    if (field.empty() || count == 0) violated("a parse error count is empty or zero");
  }
}

void decode_meetings(std::string body, zoom::MeetingType type) {
  const auto decoded = zoom::decode_meetings_page(body, type);
  check_failure_says_why(decoded);
  if (!decoded.value) return;
  for (const zoom::LiveMeeting& meeting : decoded.value->meetings) {
    if (meeting.id == 0) violated("a meeting has id 0");
    if (meeting.type != type) violated("a meeting has the other page's type");
    check_non_negative(meeting.participants, "a participant count is negative or not finite");
    const std::optional<double>& start = meeting.start_timestamp_seconds;
    if (start && !std::isfinite(*start)) violated("a start time is not finite");
  }
}

void decode_token(std::string_view body) {
  const auto decoded = zoom::decode_token_reply(body);
  check_failure_says_why(decoded);
  if (!decoded.value) return;
  if (decoded.value->access_token.empty()) violated("a token reply has an empty token");
  const std::optional<double>& expires_in = decoded.value->expires_in_seconds;
  if (expires_in && !(std::isfinite(*expires_in) && *expires_in > 0)) {
    violated("a token lifetime is not a positive number");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    // The page decoders parse in place, so each gets its own copy.
    decode_participants(std::string(body));
    decode_meetings(std::string(body), zoom::MeetingType::meeting);
    decode_meetings(std::string(body), zoom::MeetingType::webinar);
    decode_token(body);
    zoom::decode_error_body(body);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "reply_decoder_fuzzer: exception escaped a decoder: %s\n", error.what());
    std::abort();
  }
  return 0;
}
