#include "zoom/reply_decoder.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

#include "qos/value_parser.hpp"

namespace zqe::zoom {
namespace {

using JsonValue = rapidjson::Value;
using qos::ParseStatus;
using qos::Quantity;

// Iterative parsing keeps the call stack flat however deeply a hostile body nests.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

// Empty when the document is a JSON object. Never quotes the body: it may hold tokens or names.
std::string root_object_error(const rapidjson::Document& document) {
  if (document.HasParseError()) {
    return "invalid JSON at offset " + std::to_string(document.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(document.GetParseError());
  }
  if (!document.IsObject()) return "expected an object";
  return {};
}

template <typename T>
Decoded<T> failure(std::string error) {
  return {std::nullopt, std::move(error)};
}

std::string_view view_of(const JsonValue& string) {
  return {string.GetString(), string.GetStringLength()};
}

// `object` must be an object.
const JsonValue* find_member(const JsonValue& object, std::string_view name) {
  const JsonValue key(rapidjson::StringRef(name.data(), name.size()));
  const auto member = object.FindMember(key);
  return member == object.MemberEnd() ? nullptr : &member->value;
}

std::string string_or_empty(const JsonValue& object, std::string_view name) {
  const JsonValue* value = find_member(object, name);
  if (value == nullptr || !value->IsString()) return {};
  return std::string(view_of(*value));
}

template <typename Number>
std::optional<Number> number_from_entire_text(std::string_view text) {
  Number number{};
  const char* text_end = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), text_end, number);
  if (error != std::errc{} || end != text_end) return std::nullopt;
  return number;
}

// A JSON number or a numeric string, as Zoom sometimes quotes numbers.
std::optional<double> non_negative_number(const JsonValue* value) {
  if (value == nullptr) return std::nullopt;
  std::optional<double> number;
  if (value->IsNumber()) {
    number = value->GetDouble();
  } else if (value->IsString()) {
    number = number_from_entire_text<double>(view_of(*value));
  }
  if (!number || !std::isfinite(*number) || std::signbit(*number)) return std::nullopt;
  return number;
}

std::optional<double> timestamp_or_empty(const JsonValue* value) {
  if (value == nullptr || !value->IsString()) return std::nullopt;
  const qos::ParsedValue parsed = qos::parse_timestamp(view_of(*value));
  if (parsed.status != ParseStatus::value) return std::nullopt;
  return parsed.value;
}

void count_error(ParseErrorCounts& errors, std::string_view key) {
  auto counter = errors.find(key);
  if (counter == errors.end()) counter = errors.emplace(std::string(key), 0).first;
  ++counter->second;
}

// Zoom's JSON ways of saying "no data", besides the empty and "-" strings.
bool means_no_value(const JsonValue& value) {
  return value.IsNull() || (value.IsObject() && value.ObjectEmpty());
}

// Reads the QoS values of one object (a stream or cpu_usage) and counts its parse errors under
// "<object key>.<field>".
class QosObjectReader {
 public:
  QosObjectReader(const JsonValue& object, std::string_view object_key, ParseErrorCounts& errors)
      : object_(object), object_key_(object_key), errors_(errors) {}

  std::optional<double> quantity(std::string_view field, Quantity quantity) const {
    const qos::ParsedValue parsed = parse(find_member(object_, field), quantity);
    if (parsed.status == ParseStatus::invalid) count_error_of(field);
    if (parsed.status != ParseStatus::value) return std::nullopt;
    return parsed.value;
  }

  qos::ParsedResolution resolution(std::string_view field) const {
    const JsonValue* value = find_member(object_, field);
    qos::ParsedResolution parsed;
    if (value == nullptr || means_no_value(*value)) return parsed;
    if (value->IsString()) {
      parsed = qos::parse_resolution(view_of(*value));
    } else {
      parsed.status = ParseStatus::invalid;
    }
    if (parsed.status == ParseStatus::invalid) count_error_of(field);
    return parsed;
  }

 private:
  static qos::ParsedValue parse(const JsonValue* value, Quantity quantity) {
    if (value == nullptr || means_no_value(*value)) return {};
    if (value->IsString()) return qos::parse_quantity(view_of(*value), quantity);
    if (value->IsNumber()) return qos::quantity_from_number(value->GetDouble(), quantity);
    return {ParseStatus::invalid, 0};
  }

  void count_error_of(std::string_view field) const {
    std::string key;
    key.reserve(object_key_.size() + 1 + field.size());
    key.append(object_key_).append(".").append(field);
    count_error(errors_, key);
  }

  const JsonValue& object_;
  std::string_view object_key_;
  ParseErrorCounts& errors_;
};

// Null, missing or not an object: an idle stream, every value absent.
const JsonValue* object_member(const JsonValue& object, std::string_view name) {
  const JsonValue* member = find_member(object, name);
  return member != nullptr && member->IsObject() ? member : nullptr;
}

qos::StreamQos decode_stream(const JsonValue& snapshot, const qos::StreamKind& kind,
                             ParseErrorCounts& errors) {
  qos::StreamQos stream;
  const JsonValue* object = object_member(snapshot, kind.json_key);
  if (object == nullptr) return stream;

  const QosObjectReader reader(*object, kind.json_key, errors);
  stream.bitrate_bytes_per_second = reader.quantity("bitrate", Quantity::bitrate);
  stream.latency_seconds = reader.quantity("latency", Quantity::duration);
  stream.jitter_seconds = reader.quantity("jitter", Quantity::duration);
  stream.avg_loss_ratio = reader.quantity("avg_loss", Quantity::percentage);
  stream.max_loss_ratio = reader.quantity("max_loss", Quantity::percentage);
  if (kind.media == qos::Media::audio) return stream;

  stream.frames_per_second = reader.quantity("frame_rate", Quantity::frame_rate);
  const qos::ParsedResolution resolution = reader.resolution("resolution");
  if (resolution.status == ParseStatus::value) {
    stream.resolution_width_pixels = resolution.width;
    stream.resolution_height_pixels = resolution.height;
  }
  return stream;
}

qos::CpuUsage decode_cpu_usage(const JsonValue& snapshot, ParseErrorCounts& errors) {
  constexpr std::string_view kKey = "cpu_usage";
  qos::CpuUsage cpu;
  const JsonValue* object = object_member(snapshot, kKey);
  if (object == nullptr) return cpu;

  const QosObjectReader reader(*object, kKey, errors);
  cpu.zoom_min_ratio = reader.quantity("zoom_min_cpu_usage", Quantity::percentage);
  cpu.zoom_avg_ratio = reader.quantity("zoom_avg_cpu_usage", Quantity::percentage);
  cpu.zoom_max_ratio = reader.quantity("zoom_max_cpu_usage", Quantity::percentage);
  cpu.system_max_ratio = reader.quantity("system_max_cpu_usage", Quantity::percentage);
  return cpu;
}

qos::ParsedValue snapshot_time(const JsonValue& snapshot) {
  const JsonValue* value = find_member(snapshot, "date_time");
  if (value == nullptr || means_no_value(*value)) return {};
  if (!value->IsString()) return {ParseStatus::invalid, 0};
  return qos::parse_timestamp(view_of(*value));
}

// An undated snapshot ranks below any dated one; among equals the later element wins.
bool is_at_least_as_new(std::optional<double> candidate_time, std::optional<double> best_time) {
  if (!candidate_time) return !best_time;
  return !best_time || *candidate_time >= *best_time;
}

// The live API sends an array of snapshots whose order Zoom doesn't document, the 2021 spec a
// single object. Null if there is none.
const JsonValue* latest_snapshot(const JsonValue& user_qos, ParseErrorCounts& errors) {
  if (user_qos.IsObject()) return &user_qos;
  if (!user_qos.IsArray()) {
    count_error(errors, "user_qos");
    return nullptr;
  }
  const JsonValue* latest = nullptr;
  std::optional<double> latest_time;
  for (const JsonValue& snapshot : user_qos.GetArray()) {
    if (!snapshot.IsObject()) {
      count_error(errors, "user_qos");
      continue;
    }
    const qos::ParsedValue parsed_time = snapshot_time(snapshot);
    std::optional<double> time;
    if (parsed_time.status == ParseStatus::value) time = parsed_time.value;
    if (latest == nullptr || is_at_least_as_new(time, latest_time)) {
      latest = &snapshot;
      latest_time = time;
    }
  }
  return latest;
}

void decode_snapshot(const JsonValue& snapshot, qos::ParticipantQos& participant,
                     ParseErrorCounts& errors) {
  const qos::ParsedValue time = snapshot_time(snapshot);
  if (time.status == ParseStatus::value) participant.snapshot_timestamp_seconds = time.value;
  if (time.status == ParseStatus::invalid) count_error(errors, "date_time");

  for (std::size_t index = 0; index < qos::kStreamKinds.size(); ++index) {
    participant.streams[index] = decode_stream(snapshot, qos::kStreamKinds[index], errors);
  }
  participant.cpu = decode_cpu_usage(snapshot, errors);
}

// `user_id` is documented as a string; a number is taken as its decimal text.
std::optional<std::string> participant_id(const JsonValue& participant) {
  const JsonValue* user_id = find_member(participant, "user_id");
  if (user_id == nullptr) return std::nullopt;
  if (user_id->IsString() && user_id->GetStringLength() > 0) return std::string(view_of(*user_id));
  if (user_id->IsUint64()) return std::to_string(user_id->GetUint64());
  if (user_id->IsInt64()) return std::to_string(user_id->GetInt64());
  return std::nullopt;
}

qos::ParticipantIdentity decode_identity(const JsonValue& participant) {
  return {
      .user_name = string_or_empty(participant, "user_name"),
      .device = string_or_empty(participant, "device"),
      .version = string_or_empty(participant, "version"),
      .location = string_or_empty(participant, "location"),
      .ip_address = string_or_empty(participant, "ip_address"),
      .mac_addr = string_or_empty(participant, "mac_addr"),
      .harddisk_id = string_or_empty(participant, "harddisk_id"),
      .pc_name = string_or_empty(participant, "pc_name"),
      .domain = string_or_empty(participant, "domain"),
  };
}

// Without an id the participant's series could not be told apart: skip and count it.
void decode_participant(const JsonValue& participant, ParticipantsPage& page) {
  std::optional<std::string> id;
  if (participant.IsObject()) id = participant_id(participant);
  if (!id) {
    count_error(page.parse_errors, "user_id");
    return;
  }

  qos::ParticipantQos& decoded = page.participants.emplace_back();
  decoded.participant_id = std::move(*id);
  decoded.identity = decode_identity(participant);
  const JsonValue* user_qos = find_member(participant, "user_qos");
  if (user_qos == nullptr || user_qos->IsNull()) return;
  if (const JsonValue* snapshot = latest_snapshot(*user_qos, page.parse_errors)) {
    decode_snapshot(*snapshot, decoded, page.parse_errors);
  }
}

std::optional<std::uint64_t> meeting_id(const JsonValue& meeting) {
  const JsonValue* value = find_member(meeting, "id");
  std::optional<std::uint64_t> id;
  if (value == nullptr) return id;
  if (value->IsUint64()) {
    id = value->GetUint64();
  } else if (value->IsString()) {
    id = number_from_entire_text<std::uint64_t>(view_of(*value));
  }
  // Zero is no meeting id: only a broken reply sends it.
  if (!id || *id == 0) return std::nullopt;
  return id;
}

std::optional<LiveMeeting> decode_meeting(const JsonValue& meeting) {
  if (!meeting.IsObject()) return std::nullopt;
  const std::optional<std::uint64_t> id = meeting_id(meeting);
  if (!id) return std::nullopt;
  return LiveMeeting{
      .id = *id,
      .uuid = string_or_empty(meeting, "uuid"),
      .topic = string_or_empty(meeting, "topic"),
      .host = string_or_empty(meeting, "host"),
      .start_timestamp_seconds = timestamp_or_empty(find_member(meeting, "start_time")),
      .participants = non_negative_number(find_member(meeting, "participants")),
      .host_email = string_or_empty(meeting, "email"),
  };
}

// Missing or null is an empty page (nullptr); anything else but an array is a malformed reply.
const JsonValue* list_member(const JsonValue& page, std::string_view name, std::string& error) {
  const JsonValue* list = find_member(page, name);
  if (list != nullptr && list->IsArray()) return list;
  if (list != nullptr && !list->IsNull())
    error = "expected \"" + std::string(name) + "\" to be an array";
  return nullptr;
}

}  // namespace

Decoded<MeetingsPage> decode_meetings_page(std::string& body, MeetingType type) {
  rapidjson::Document document;
  document.ParseInsitu<kParseFlags>(body.data());
  std::string error = root_object_error(document);
  if (!error.empty()) return failure<MeetingsPage>(std::move(error));

  MeetingsPage page;
  page.next_page_token = string_or_empty(document, "next_page_token");
  const JsonValue* meetings =
      list_member(document, type == MeetingType::meeting ? "meetings" : "webinars", error);
  if (!error.empty()) return failure<MeetingsPage>(std::move(error));
  if (meetings != nullptr) {
    page.meetings.reserve(meetings->Size());
    for (const JsonValue& meeting : meetings->GetArray()) {
      if (auto decoded = decode_meeting(meeting)) {
        decoded->type = type;
        page.meetings.push_back(std::move(*decoded));
      }
    }
  }
  return {std::move(page), {}};
}

Decoded<ParticipantsPage> decode_participants_page(std::string& body) {
  rapidjson::Document document;
  document.ParseInsitu<kParseFlags>(body.data());
  std::string error = root_object_error(document);
  if (!error.empty()) return failure<ParticipantsPage>(std::move(error));

  ParticipantsPage page;
  page.next_page_token = string_or_empty(document, "next_page_token");
  const JsonValue* participants = list_member(document, "participants", error);
  if (!error.empty()) return failure<ParticipantsPage>(std::move(error));
  if (participants != nullptr) {
    page.participants.reserve(participants->Size());
    for (const JsonValue& participant : participants->GetArray()) {
      decode_participant(participant, page);
    }
  }
  return {std::move(page), {}};
}

Decoded<ParticipantReply> decode_participant_reply(std::string& body) {
  rapidjson::Document document;
  document.ParseInsitu<kParseFlags>(body.data());
  std::string error = root_object_error(document);
  if (!error.empty()) return failure<ParticipantReply>(std::move(error));

  // The same decoding as a page's entries, so both endpoints give identical participants.
  ParticipantsPage page;
  decode_participant(document, page);
  if (page.participants.empty()) return failure<ParticipantReply>("missing user_id");
  return {ParticipantReply{std::move(page.participants.front()), std::move(page.parse_errors)}, {}};
}

Decoded<TokenReply> decode_token_reply(std::string_view body) {
  rapidjson::Document document;
  document.Parse<kParseFlags>(body.data(), body.size());
  std::string error = root_object_error(document);
  if (!error.empty()) return failure<TokenReply>(std::move(error));

  const JsonValue* token = find_member(document, "access_token");
  if (token == nullptr || !token->IsString() || token->GetStringLength() == 0) {
    return failure<TokenReply>("missing access_token");
  }
  TokenReply reply{.access_token = std::string(view_of(*token)), .expires_in_seconds = {}};
  const std::optional<double> expires_in = non_negative_number(find_member(document, "expires_in"));
  if (expires_in && *expires_in > 0) reply.expires_in_seconds = expires_in;
  return {std::move(reply), {}};
}

ErrorBody decode_error_body(std::string_view body) {
  rapidjson::Document document;
  document.Parse<kParseFlags>(body.data(), body.size());
  ErrorBody error_body;
  if (document.HasParseError() || !document.IsObject()) return error_body;

  if (const JsonValue* code = find_member(document, "code")) {
    if (code->IsInt64()) {
      error_body.code = code->GetInt64();
    } else if (code->IsString()) {
      error_body.code = number_from_entire_text<long long>(view_of(*code));
    }
  }
  error_body.message = string_or_empty(document, "message");
  return error_body;
}

TokenErrorBody decode_token_error_body(std::string_view body) {
  rapidjson::Document document;
  document.Parse<kParseFlags>(body.data(), body.size());
  TokenErrorBody error_body;
  if (document.HasParseError() || !document.IsObject()) return error_body;
  error_body.error = string_or_empty(document, "error");
  error_body.reason = string_or_empty(document, "reason");
  if (error_body.reason.empty()) error_body.reason = string_or_empty(document, "error_description");
  return error_body;
}

}  // namespace zqe::zoom
