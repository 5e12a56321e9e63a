#include "zoom/zoom_client.hpp"

#include "scheduler/retry_after.hpp"

#include <chrono>
#include <functional>
#include <set>
#include <stdexcept>

namespace zqe::zoom {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// A listing longer than this is a server bug or a hostile reply, not an account.
constexpr int kMaxPages = 100'000;
// Per-second 429s in a row before a request is given up.
constexpr int kRateLimitRetries = 3;
// Zoom's code for an invalid or expired next_page_token (also for webinars it cannot show).
constexpr long long kExpiredPageTokenCode = 300;

std::string page_query(std::string_view base, int page_size, const std::string& token) {
  std::string query = std::string(base) + "?type=live&page_size=" + std::to_string(page_size);
  if (!token.empty()) query += "&next_page_token=" + percent_encode(token);
  return query;
}

// Follows next_page_token until it is empty; stops with an error on a token seen before.
class Pagination {
 public:
  std::optional<ApiError> advance(const std::string& next_token) {
    token_ = next_token;
    if (token_.empty()) return std::nullopt;
    if (!seen_.insert(token_).second || ++pages_ >= kMaxPages) {
      return ApiError{ApiError::Kind::pagination, 200, std::nullopt,
                      "next_page_token repeats; listing abandoned"};
    }
    return std::nullopt;
  }
  const std::string& token() const { return token_; }
  bool done() const { return token_.empty(); }

 private:
  std::string token_;
  std::set<std::string> seen_;
  int pages_ = 0;
};

}  // namespace

std::string describe(const ApiError& error) {
  std::string text = error.detail;
  if (error.kind == ApiError::Kind::http_status || error.kind == ApiError::Kind::meeting_ended) {
    text = "HTTP " + std::to_string(error.status);
    if (error.zoom_code) text += " (code " + std::to_string(*error.zoom_code) + ")";
    if (!error.detail.empty()) text += ": " + error.detail;
  }
  return text;
}

ZoomClient::ZoomClient(HttpClient& http, TokenProvider& tokens, RequestGate& gate,
                       metrics::AccountMetrics& metrics, ClientOptions options)
    : http_(http), tokens_(tokens), gate_(gate), metrics_(metrics) {
  set_options(std::move(options));
}

void ZoomClient::set_options(ClientOptions options) {
  auto url = parse_url(options.api_base_url);
  if (!url) throw std::invalid_argument("invalid Zoom API base URL");
  base_url_ = *url;
  options_ = std::move(options);
}

asio::awaitable<ZoomClient::Reply> ZoomClient::get(std::string_view endpoint,
                                                   scheduler::Category category,
                                                   std::string path_and_query) {
  bool token_refreshed = false;
  int rate_limit_retries = 0;
  while (true) {
    TokenResult token = co_await tokens_.token();
    if (token.access_token.empty()) {
      co_return Reply{{}, ApiError{ApiError::Kind::no_token, 0, std::nullopt, token.error}};
    }
    const bool admitted = co_await gate_.admit(category);
    if (!admitted) {
      co_return Reply{{}, ApiError{ApiError::Kind::cancelled, 0, std::nullopt, "shutting down"}};
    }
    OutgoingRequest request;
    request.target = base_url_.path + path_and_query;
    request.headers = {{"Authorization", "Bearer " + token.access_token}};

    const auto started = Clock::now();
    HttpOutcome outcome = co_await http_.send(base_url_, std::move(request));
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    gate_.on_reply(category, outcome);
    if (outcome.error != TransportError::none) {
      metrics_.count_request(endpoint, transport_error_name(outcome.error), seconds);
      co_return Reply{
          {},
          ApiError{ApiError::Kind::transport, 0, std::nullopt,
                   std::string(transport_error_name(outcome.error)) + ": " + outcome.error_detail}};
    }
    metrics_.count_request(endpoint, std::to_string(outcome.status), seconds);
    if (outcome.status == 200) co_return Reply{std::move(outcome.body), std::nullopt};

    const ErrorBody body = decode_error_body(outcome.body);
    ApiError error{ApiError::Kind::http_status, outcome.status, body.code, body.message};
    if (outcome.status == 429) {
      const auto type =
          scheduler::rate_limit_type(outcome.header("X-RateLimit-Type"), body.message);
      // The gate has paused this category until Retry-After: asking again waits it out.
      if (type == scheduler::LimitType::qps && ++rate_limit_retries <= kRateLimitRetries) continue;
      error.kind = ApiError::Kind::rate_limited;
      co_return Reply{{}, error};
    }
    if (outcome.status == 404 || body.code == 3001) error.kind = ApiError::Kind::meeting_ended;
    const bool token_rejected = outcome.status == 401 || body.code == 124;
    if (!token_rejected || token_refreshed) co_return Reply{{}, error};
    // The token may have been revoked or replaced: one new token, one retry.
    tokens_.invalidate(token.access_token);
    token_refreshed = true;
  }
}

asio::awaitable<std::optional<ApiError>> ZoomClient::get_all_pages(std::string_view endpoint,
                                                                   scheduler::Category category,
                                                                   std::string path, int page_size,
                                                                   std::function<AddPage> add_page,
                                                                   std::function<void()> restart) {
  Pagination pages;
  bool restarted = false;
  for (;;) {
    Reply reply = co_await get(endpoint, category, page_query(path, page_size, pages.token()));
    // Page tokens expire after 15 minutes: when the pacing held the next page that long, the
    // listing is read again from the start, once.
    if (reply.error && reply.error->zoom_code == kExpiredPageTokenCode && !pages.done() &&
        !restarted) {
      restarted = true;
      pages = Pagination();
      restart();
      continue;
    }
    if (reply.error) co_return reply.error;
    PageResult page = add_page(reply.body);
    if (!page.error.empty()) {
      metrics_.count_invalid_reply(endpoint);
      co_return ApiError{ApiError::Kind::invalid_reply, 200, std::nullopt, page.error};
    }
    if (auto error = pages.advance(page.next_page_token)) co_return error;
    if (pages.done()) break;
  }
  co_return std::nullopt;
}

asio::awaitable<ApiResult<Listing>> ZoomClient::live_meetings(MeetingType type) {
  const bool webinars = type == MeetingType::webinar;
  Listing listing;
  auto error = co_await get_all_pages(
      webinars ? metrics::endpoint::list_webinars : metrics::endpoint::list_meetings,
      scheduler::Category::resource_intensive, webinars ? "/metrics/webinars" : "/metrics/meetings",
      options_.meetings_page_size,
      [&](std::string& body) -> PageResult {
        ++listing.pages;
        auto page = decode_meetings_page(body, type);
        if (!page.value) return {{}, (webinars ? "webinar list: " : "meeting list: ") + page.error};
        for (auto& meeting : page.value->meetings) listing.meetings.push_back(std::move(meeting));
        return {std::move(page.value->next_page_token), {}};
      },
      [&] { listing.meetings.clear(); });
  if (error) co_return ApiResult<Listing>{std::nullopt, *error};
  co_return ApiResult<Listing>{std::move(listing), {}};
}

asio::awaitable<ApiResult<MeetingQos>> ZoomClient::participants_qos(const LiveMeeting& meeting) {
  const bool webinar = meeting.type == MeetingType::webinar;
  MeetingQos result;
  auto error = co_await get_all_pages(
      webinar ? metrics::endpoint::webinar_participants_qos : metrics::endpoint::participants_qos,
      scheduler::Category::heavy,
      std::string(webinar ? "/metrics/webinars/" : "/metrics/meetings/") +
          meeting_path_segment(meeting.uuid, meeting.id) + "/participants/qos",
      options_.qos_page_size,
      [&](std::string& body) -> PageResult {
        auto page = decode_participants_page(body);
        if (!page.value) return {{}, "participants QoS: " + page.error};
        for (auto& participant : page.value->participants) {
          result.participants.push_back(std::move(participant));
        }
        for (const auto& [field, count] : page.value->parse_errors) {
          result.parse_errors[field] += count;
        }
        return {std::move(page.value->next_page_token), {}};
      },
      [&] { result = MeetingQos(); });
  if (error) co_return ApiResult<MeetingQos>{std::nullopt, *error};
  co_return ApiResult<MeetingQos>{std::move(result), {}};
}

asio::awaitable<ApiResult<OneParticipantQos>> ZoomClient::participant_qos(
    const LiveMeeting& meeting, const std::string& participant_id) {
  const bool webinar = meeting.type == MeetingType::webinar;
  const std::string_view endpoint =
      webinar ? metrics::endpoint::webinar_participant_qos : metrics::endpoint::participant_qos;
  Reply reply = co_await get(endpoint, scheduler::Category::heavy,
                             std::string(webinar ? "/metrics/webinars/" : "/metrics/meetings/") +
                                 meeting_path_segment(meeting.uuid, meeting.id) + "/participants/" +
                                 percent_encode(participant_id) + "/qos?type=live");
  if (reply.error) co_return ApiResult<OneParticipantQos>{std::nullopt, *reply.error};
  auto decoded = decode_participant_reply(reply.body);
  if (!decoded.value) {
    metrics_.count_invalid_reply(endpoint);
    co_return ApiResult<OneParticipantQos>{
        std::nullopt, ApiError{ApiError::Kind::invalid_reply, 200, std::nullopt,
                               "participant QoS: " + decoded.error}};
  }
  co_return ApiResult<OneParticipantQos>{OneParticipantQos{std::move(decoded.value->participant),
                                                           std::move(decoded.value->parse_errors)},
                                         {}};
}

}  // namespace zqe::zoom
