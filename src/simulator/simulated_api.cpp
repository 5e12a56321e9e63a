#include "simulator/simulated_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/base64.hpp"
#include "http/basic_credentials.hpp"
#include "simulator/deterministic_random.hpp"
#include "simulator/simulated_zoom.hpp"
#include "simulator/zoom_json.hpp"

namespace zqe::simulator {
namespace {

using std::chrono::seconds;

constexpr std::string_view kTokenPath = "/oauth/token";
constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";
constexpr auto kAccessTokenLifetime = seconds(3600);
constexpr auto kPageTokenLifetime = std::chrono::minutes(15);
constexpr std::size_t kDefaultMeetingsPageSize = 30;
constexpr std::size_t kMaxMeetingsPageSize = 300;
constexpr std::size_t kDefaultQosPageSize = 1;
constexpr std::uint64_t kSecretSalt = 0x5a6f6f6d51655321ULL;

http::Response json_response(unsigned status, std::string body) {
  return http::Response::text(status, std::move(body), std::string(kJsonContentType));
}

template <typename WriteFields>
http::Response json_object(unsigned status, WriteFields write_fields) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  write_fields(writer);
  writer.EndObject();
  return json_response(status, std::string(buffer.GetString(), buffer.GetSize()));
}

void write_string_field(JsonWriter& writer, const char* key, std::string_view value) {
  writer.Key(key);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

http::Response zoom_error(unsigned status, int code, std::string_view message) {
  return json_object(status, [&](JsonWriter& writer) {
    writer.Key("code");
    writer.Int(code);
    write_string_field(writer, "message", message);
  });
}

http::Response oauth_error(std::string_view reason, std::string_view error) {
  return json_object(400, [&](JsonWriter& writer) {
    write_string_field(writer, "reason", reason);
    write_string_field(writer, "error", error);
  });
}

http::Response invalid_access_token() {
  return zoom_error(401, 124, "Invalid access token.");
}
http::Response invalid_page_token() {
  return zoom_error(400, 300, "The next page token is invalid or expired.");
}
http::Response not_found() {
  return zoom_error(404, 404, "Not found");
}

http::Response method_not_allowed(std::string_view allowed) {
  http::Response response = zoom_error(405, 405, "Method not allowed");
  response.headers.emplace_back("Allow", allowed);
  return response;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return segments;
}

// Zoom's front end collapses "//" in a decoded path, so a uuid that starts with '/' or contains
// "//" reaches the API intact only when the client percent-encoded it twice.
bool needs_double_encoding(std::string_view uuid) {
  return uuid.starts_with('/') || uuid.find("//") != std::string_view::npos;
}

std::size_t page_size_of(const http::Request& request, std::size_t default_size,
                         std::size_t max_size) {
  const std::string text = request.query_param("page_size");
  std::size_t size = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (error != std::errc{} || end != text.data() + text.size() || size == 0) return default_size;
  return std::min(size, max_size);
}

bool is_live_listing(const http::Request& request) {
  const std::string type = request.query_param("type");
  return type.empty() || type == "live";
}

http::Response only_live_meetings() {
  return zoom_error(400, 300, "The simulated account has only live meetings: use type=live.");
}

// The two listings differ in scope from every participant listing, whose scope is a meeting id.
std::uint64_t list_scope(MeetingKind kind) {
  return kind == MeetingKind::webinar ? 1 : 0;
}

http::Response too_many_requests(const RateLimitRefusal& refusal, TimePoint now) {
  const bool daily = refusal.kind == RateLimitRefusal::Kind::daily;
  std::string message;
  std::string retry_after;
  if (daily) {
    message = "You have exceeded the daily rate limit (" + std::to_string(refusal.limit) +
              ") of Dashboard API requests permitted for this particular account. Your daily "
              "rate limit will reset at 00:00 UTC.";
    // Zoom sends a timestamp here, not the seconds that HTTP defines.
    retry_after = format_timestamp(refusal.retry_at);
  } else {
    message = refusal.label == RateLimitLabel::heavy
                  ? "You have reached the maximum per-second rate limit for this API. Try again "
                    "later."
                  : "You have reached the maximum per-minute rate limit for this API. Try again "
                    "later.";
    retry_after = std::to_string(
        std::max<std::int64_t>(1, std::chrono::ceil<seconds>(refusal.retry_at - now).count()));
  }
  http::Response response = zoom_error(429, 429, message);
  response.headers = {{"X-RateLimit-Category", std::string(category_name(refusal.label))},
                      // Zoom calls the per-minute limit QPS too.
                      {"X-RateLimit-Type", daily ? "Daily-limit" : "QPS"},
                      {"X-RateLimit-Limit", std::to_string(refusal.limit)},
                      {"X-RateLimit-Remaining", "0"},
                      {"Retry-After", retry_after}};
  return response;
}

std::size_t page_count(std::size_t total, std::size_t page_size) {
  return (total + page_size - 1) / page_size;
}

void append_le64(std::string& bytes, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t read_le64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::int64_t unix_seconds(TimePoint time) {
  return std::chrono::duration_cast<seconds>(time.time_since_epoch()).count();
}

// The value of a field of an application/x-www-form-urlencoded body, which has the syntax of a
// query string; Zoom also takes the fields in the query string itself.
std::string form_field(const http::Request& request, std::string_view name) {
  std::string value = request.query_param(name);
  if (!value.empty()) return value;
  http::Request form;
  form.query = request.body;
  return form.query_param(name);
}

bool has_valid_client_credentials(const http::Request& request) {
  const std::optional<http::BasicCredentials> credentials =
      http::parse_basic_authorization(request.header("Authorization"));
  return credentials && credentials->user == kClientId && credentials->password == kClientSecret;
}

}  // namespace

struct SimulatedApi::Route {
  enum class Endpoint { list, participants_qos, participant_qos };
  Endpoint endpoint;
  MeetingKind kind;
  std::string_view meeting_segment;      // {meetingId} or {webinarId}, still percent-encoded
  std::string_view participant_segment;  // {participantId}
};

// /v2/metrics/{meetings|webinars}, .../{id}/participants/qos, .../{id}/participants/{pid}/qos.
std::optional<SimulatedApi::Route> SimulatedApi::parse_route(std::string_view path) {
  // split_path drops a trailing slash, which Zoom does not.
  if (path.ends_with('/')) return std::nullopt;
  const std::vector<std::string_view> segments = split_path(path);
  if (segments.size() < 4 || !segments[0].empty() || segments[1] != "v2" ||
      segments[2] != "metrics" || (segments[3] != "meetings" && segments[3] != "webinars")) {
    return std::nullopt;
  }
  const MeetingKind kind = segments[3] == "webinars" ? MeetingKind::webinar : MeetingKind::meeting;
  if (segments.size() == 4) return Route{Route::Endpoint::list, kind, {}, {}};
  if (segments.size() < 7 || segments[4].empty() || segments[5] != "participants") {
    return std::nullopt;
  }
  if (segments.size() == 7 && segments[6] == "qos") {
    return Route{Route::Endpoint::participants_qos, kind, segments[4], {}};
  }
  if (segments.size() == 8 && !segments[6].empty() && segments[7] == "qos") {
    return Route{Route::Endpoint::participant_qos, kind, segments[4], segments[6]};
  }
  return std::nullopt;
}

SimulatedApi::SimulatedApi(const config::SimulatorConfig& config, Clock clock)
    : SimulatedApi(config, std::move(clock), RateLimits::of_plan(config.plan)) {}

SimulatedApi::SimulatedApi(const config::SimulatorConfig& config, Clock clock, RateLimits limits)
    : qos_page_size_cap_(static_cast<std::size_t>(std::max(1, config.page_size_cap))),
      clock_(std::move(clock)),
      time_scale_(clock_(), config.speed),
      account_(config, time_scale_.origin()),
      rate_limiter_(limits, config.enforce_rate_limits),
      secret_(hash_of(config.seed, kSecretSalt)) {}

RateLimitStats SimulatedApi::stats() const {
  return rate_limiter_.stats(clock_());
}

// `now` is real time throughout; the account's time is account_.now().
http::Response SimulatedApi::handle(const http::Request& request) {
  const TimePoint now = clock_();
  account_.advance_to(time_scale_.simulated(now));
  // The server hands HEAD over as GET.
  const bool is_get = request.method == "GET";
  if (request.path == kTokenPath) {
    if (request.method != "POST") return method_not_allowed("POST");
    return issue_access_token(request, now);
  }
  const std::optional<Route> route = parse_route(request.path);
  if (!route) return not_found();
  if (!is_get) return method_not_allowed("GET, HEAD");
  // A request without a valid token is nobody's, so it counts against no account's limits.
  if (!is_authorized(request, now)) return invalid_access_token();
  const RateLimitLabel label = route->endpoint == Route::Endpoint::list
                                   ? RateLimitLabel::resource_intensive
                                   : RateLimitLabel::heavy;
  if (const std::optional<RateLimitRefusal> refusal = rate_limiter_.admit(label, now)) {
    return too_many_requests(*refusal, now);
  }
  http::Response response = answer_dashboard(request, *route, now);
  // Without enforcement the account has no limits to report.
  if (rate_limiter_.enforced()) {
    response.headers.emplace_back("X-RateLimit-Category", category_name(label));
    response.headers.emplace_back("X-RateLimit-Limit", std::to_string(rate_limiter_.daily_limit()));
    response.headers.emplace_back("X-RateLimit-Remaining",
                                  std::to_string(rate_limiter_.daily_remaining()));
  }
  return response;
}

http::Response SimulatedApi::answer_dashboard(const http::Request& request, const Route& route,
                                              TimePoint now) const {
  if (!is_live_listing(request)) return only_live_meetings();
  if (route.endpoint == Route::Endpoint::list) return list_meetings(request, route.kind, now);

  const bool encoded_twice = route.meeting_segment.find("%25") != std::string_view::npos;
  std::string reference = http::percent_decode(route.meeting_segment);
  if (encoded_twice) reference = http::percent_decode(reference);
  const std::optional<std::size_t> meeting = account_.find_meeting(reference, route.kind);
  if (!meeting || (!encoded_twice && needs_double_encoding(reference))) {
    const std::string_view noun = route.kind == MeetingKind::webinar ? "Webinar" : "Meeting";
    return zoom_error(404, 3001, std::string(noun) + " does not exist: " + reference + ".");
  }
  if (route.endpoint == Route::Endpoint::participants_qos) {
    return list_participants_qos(request, route.kind, *meeting, now);
  }
  return get_participant_qos(route.kind, *meeting, route.participant_segment);
}

http::Response SimulatedApi::issue_access_token(const http::Request& request, TimePoint now) {
  if (!has_valid_client_credentials(request)) {
    return oauth_error("Invalid client_id or client_secret", "invalid_client");
  }
  if (form_field(request, "grant_type") != "account_credentials") {
    return oauth_error("unsupported grant type", "unsupported_grant_type");
  }
  if (form_field(request, "account_id") != kAccountId) {
    return oauth_error("Invalid account_id", "invalid_request");
  }
  // Like Zoom, a new token replaces the one before, so clients that refresh concurrently fail.
  RandomStream random(hash_of(secret_, ++access_tokens_issued_));
  std::string token_bytes;
  for (int i = 0; i < 4; ++i) append_le64(token_bytes, random.next());
  access_token_ = base64_encode(token_bytes, Base64Alphabet::url);
  access_token_expiry_ = now + kAccessTokenLifetime;
  return json_object(200, [&](JsonWriter& writer) {
    write_string_field(writer, "access_token", access_token_);
    write_string_field(writer, "token_type", "bearer");
    writer.Key("expires_in");
    writer.Int64(kAccessTokenLifetime.count());
    write_string_field(writer, "scope", "dashboard_meetings:read:admin");
  });
}

bool SimulatedApi::is_authorized(const http::Request& request, TimePoint now) const {
  const std::string_view authorization = request.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  return !access_token_.empty() && now < access_token_expiry_ &&
         authorization.size() > kScheme.size() &&
         http::iequals(authorization.substr(0, kScheme.size()), kScheme) &&
         authorization.substr(kScheme.size()) == access_token_;
}

http::Response SimulatedApi::list_meetings(const http::Request& request, MeetingKind kind,
                                           TimePoint now) const {
  const std::size_t page_size =
      page_size_of(request, kDefaultMeetingsPageSize, kMaxMeetingsPageSize);
  std::size_t first = 0;
  if (const std::string token = request.query_param("next_page_token"); !token.empty()) {
    const std::optional<std::size_t> position = redeem_page_token(token, list_scope(kind), now);
    if (!position) return invalid_page_token();
    first = account_.first_index_from(*position, kind);
  }
  const std::size_t total = account_.meeting_count(kind);
  const std::size_t end = std::min(total, first + page_size);
  const std::string next_token =
      end < total ? issue_page_token(list_scope(kind), account_.list_position(end, kind), now)
                  : std::string();
  return json_object(200, [&](JsonWriter& writer) {
    write_string_field(writer, "from", format_date(account_.now()));
    write_string_field(writer, "to", format_date(account_.now()));
    writer.Key("page_count");
    writer.Uint64(page_count(total, page_size));
    writer.Key("page_size");
    writer.Uint64(page_size);
    writer.Key("total_records");
    writer.Uint64(total);
    write_string_field(writer, "next_page_token", next_token);
    writer.Key(kind == MeetingKind::webinar ? "webinars" : "meetings");
    writer.StartArray();
    for (std::size_t index = first; index < end; ++index) {
      if (kind == MeetingKind::webinar) {
        write_webinar(writer, account_.meeting(index, kind));
      } else {
        write_meeting(writer, account_.meeting(index, kind));
      }
    }
    writer.EndArray();
  });
}

http::Response SimulatedApi::list_participants_qos(const http::Request& request, MeetingKind kind,
                                                   std::size_t meeting_index, TimePoint now) const {
  const std::uint64_t meeting_id = account_.meeting_id(meeting_index, kind);
  const std::size_t page_size = page_size_of(request, kDefaultQosPageSize, qos_page_size_cap_);
  std::size_t first_seat = 0;
  if (const std::string token = request.query_param("next_page_token"); !token.empty()) {
    const std::optional<std::size_t> offset = redeem_page_token(token, meeting_id, now);
    if (!offset) return invalid_page_token();
    first_seat = *offset;
  }
  const ParticipantsPage page = account_.participants(meeting_index, first_seat, page_size, kind);
  const std::string next_token =
      page.next_seat ? issue_page_token(meeting_id, *page.next_seat, now) : std::string();
  return json_object(200, [&](JsonWriter& writer) {
    writer.Key("page_count");
    writer.Uint64(page_count(page.total, page_size));
    writer.Key("page_size");
    writer.Uint64(page_size);
    writer.Key("total_records");
    writer.Uint64(page.total);
    write_string_field(writer, "next_page_token", next_token);
    writer.Key("participants");
    writer.StartArray();
    for (const ParticipantQos& participant : page.participants) {
      write_participant(writer, participant);
    }
    writer.EndArray();
  });
}

http::Response SimulatedApi::get_participant_qos(MeetingKind kind, std::size_t meeting_index,
                                                 std::string_view participant_segment) const {
  const std::string user_id = http::percent_decode(participant_segment);
  const std::optional<ParticipantQos> participant =
      account_.participant(meeting_index, user_id, kind);
  // Zoom's code for a participant who is not (or no longer) in the meeting is unconfirmed; 3001
  // is what it answers for the meeting that is not there.
  if (!participant) return zoom_error(404, 3001, "Participant does not exist: " + user_id + ".");
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write_participant(writer, *participant);
  return json_response(200, std::string(buffer.GetString(), buffer.GetSize()));
}

// Layout: scope, offset, expiry (Unix seconds), then a keyed hash of the three; base64url.
std::string SimulatedApi::issue_page_token(std::uint64_t scope, std::size_t offset,
                                           TimePoint now) const {
  const auto expiry = static_cast<std::uint64_t>(unix_seconds(now + kPageTokenLifetime));
  std::string bytes;
  append_le64(bytes, scope);
  append_le64(bytes, offset);
  append_le64(bytes, expiry);
  append_le64(bytes, hash_of(secret_, scope, offset, expiry));
  return base64_encode(bytes, Base64Alphabet::url);
}

std::optional<std::size_t> SimulatedApi::redeem_page_token(std::string_view token,
                                                           std::uint64_t scope,
                                                           TimePoint now) const {
  const std::optional<std::string> bytes = base64_decode(token, Base64Alphabet::url);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  const std::string_view fields(*bytes);
  const std::uint64_t token_scope = read_le64(fields.substr(0, 8));
  const std::uint64_t offset = read_le64(fields.substr(8, 8));
  const std::uint64_t expiry = read_le64(fields.substr(16, 8));
  const std::uint64_t signature = read_le64(fields.substr(24, 8));
  if (signature != hash_of(secret_, token_scope, offset, expiry) || token_scope != scope ||
      static_cast<std::int64_t>(expiry) <= unix_seconds(now)) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(offset);
}

}  // namespace zqe::simulator
