#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qos/participant_qos.hpp"
#include "zoom/meeting.hpp"

// Decodes Zoom's JSON replies (RapidJSON) into plain structs. Pure: no I/O, no Asio. Unknown
// fields are ignored; fields of the wrong type are treated as absent (identity, pagination)
// or counted as parse errors (QoS values). Only a body that is not JSON or not an object of the
// expected shape fails the whole page.
namespace zqe::zoom {

// Parse errors per QoS field, keyed like "audio_input.latency" or "cpu_usage.zoom_avg_cpu_usage";
// also "date_time", "user_id" (participant skipped) and "user_qos" (not a snapshot).
using ParseErrorCounts = std::map<std::string, std::uint64_t, std::less<>>;

template <typename T>
struct Decoded {
  std::optional<T> value;
  std::string error;  // why decoding failed, when value is empty; never contains the body
};

struct MeetingsPage {
  std::vector<LiveMeeting> meetings;
  std::string next_page_token;  // empty on the last page
};

struct ParticipantsPage {
  std::vector<qos::ParticipantQos> participants;
  std::string next_page_token;  // empty on the last page
  ParseErrorCounts parse_errors;
};

// The reply of GET .../participants/{participantId}/qos: one participant object, no list.
struct ParticipantReply {
  qos::ParticipantQos participant;
  ParseErrorCounts parse_errors;
};

struct TokenReply {
  std::string access_token;
  std::optional<double> expires_in_seconds;  // absent or not a positive number: nullopt
};

// `{"code": N, "message": "..."}` as Zoom sends with errors.
struct ErrorBody {
  std::optional<long long> code;
  std::string message;
};

// `{"error": "invalid_client", "reason": "..."}` as Zoom's token endpoint sends with errors
// (`error_description` in place of `reason`, as RFC 6749 has it, is read too).
struct TokenErrorBody {
  std::string error;
  std::string reason;
};

// The body may be modified (in-situ parsing).
// A page of the live meeting list, or with MeetingType::webinar of the live webinar list (its
// array is "webinars"); every meeting decoded gets that type.
Decoded<MeetingsPage> decode_meetings_page(std::string& body,
                                           MeetingType type = MeetingType::meeting);
Decoded<ParticipantsPage> decode_participants_page(std::string& body);
// Decoded like one entry of a participants page; fails without a usable user_id.
Decoded<ParticipantReply> decode_participant_reply(std::string& body);
Decoded<TokenReply> decode_token_reply(std::string_view body);
// Never fails: an unparsable body gives an empty ErrorBody.
ErrorBody decode_error_body(std::string_view body);
// Never fails: an unparsable body gives an empty TokenErrorBody.
TokenErrorBody decode_token_error_body(std::string_view body);

}  // namespace zqe::zoom
