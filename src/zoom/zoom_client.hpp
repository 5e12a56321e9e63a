#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "metrics/account_metrics.hpp"
#include "qos/participant_qos.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "zoom/http_client.hpp"
#include "zoom/meeting.hpp"
#include "zoom/reply_decoder.hpp"
#include "zoom/token_provider.hpp"

namespace zqe::zoom {

struct ApiError {
  enum class Kind {
    transport,      // no reply: see detail
    http_status,    // a reply other than 200
    invalid_reply,  // 200 but not the JSON we expect
    meeting_ended,  // 404 / code 3001: the meeting ended between the list and the QoS call
    no_token,       // no access token could be had
    pagination,     // next_page_token repeated or too many pages
    rate_limited,   // 429: the daily limit, or a per-second one that persisted
    cancelled,      // shutting down
  };
  Kind kind = Kind::transport;
  unsigned status = 0;
  std::optional<long long> zoom_code;
  std::string detail;  // one line for the log; never contains secrets or whole bodies
};

template <typename T>
struct ApiResult {
  std::optional<T> value;
  ApiError error;  // meaningful when value is empty
};

struct Listing {
  std::vector<LiveMeeting> meetings;
  int pages = 0;  // requests the listing took
};

struct MeetingQos {
  std::vector<qos::ParticipantQos> participants;
  ParseErrorCounts parse_errors;
};

struct OneParticipantQos {
  qos::ParticipantQos participant;
  ParseErrorCounts parse_errors;
};

struct ClientOptions {
  std::string api_base_url;
  int qos_page_size = 10;
  int meetings_page_size = 300;
};

// Decides when each request to Zoom may go out, and learns from what Zoom says of its limits.
class RequestGate {
 public:
  virtual ~RequestGate() = default;
  // Waits until a request of `category` may go out and counts it; false: shutting down.
  virtual boost::asio::awaitable<bool> admit(scheduler::Category category) = 0;
  // Every reply (or transport failure) of an admitted request.
  virtual void on_reply(scheduler::Category category, const HttpOutcome& outcome) = 0;
};

// Zoom's Dashboard API: every page of a listing, an access token on every call, one token
// refresh and retry when Zoom answers 401 (code 124), and a few retries of a request Zoom
// refused with a per-second 429 (the gate waits out its Retry-After).
class ZoomClient {
 public:
  // Throws std::invalid_argument when options.api_base_url is not a valid URL.
  ZoomClient(HttpClient& http, TokenProvider& tokens, RequestGate& gate,
             metrics::AccountMetrics& metrics, ClientOptions options);

  void set_options(ClientOptions options);

  // Every page of /metrics/meetings?type=live, or /metrics/webinars.
  boost::asio::awaitable<ApiResult<Listing>> live_meetings(MeetingType type);
  boost::asio::awaitable<ApiResult<MeetingQos>> participants_qos(const LiveMeeting& meeting);
  // One participant, by the per-meeting user_id of a participants page: one request, no paging.
  boost::asio::awaitable<ApiResult<OneParticipantQos>> participant_qos(
      const LiveMeeting& meeting, const std::string& participant_id);

 private:
  struct Reply {
    std::string body;  // of a 200
    std::optional<ApiError> error;
  };
  // GET base_url + path_and_query with a token; counts and times it under `endpoint`.
  boost::asio::awaitable<Reply> get(std::string_view endpoint, scheduler::Category category,
                                    std::string path_and_query);

  // One page's contribution: its next_page_token, or why the body is unusable.
  struct PageResult {
    std::string next_page_token;
    std::string error;
  };
  using AddPage = PageResult(std::string& body);
  // Reads every page of `path`, handing each 200 body to `add_page`; stops at a next_page_token
  // seen before. When Zoom says a next_page_token expired (code 300), starts over from the first
  // page once, after calling `restart` to drop the pages read so far.
  boost::asio::awaitable<std::optional<ApiError>> get_all_pages(std::string_view endpoint,
                                                                scheduler::Category category,
                                                                std::string path, int page_size,
                                                                std::function<AddPage> add_page,
                                                                std::function<void()> restart);

  HttpClient& http_;
  TokenProvider& tokens_;
  RequestGate& gate_;
  metrics::AccountMetrics& metrics_;
  ClientOptions options_;
  Url base_url_;
};

// "HTTP 404 (code 3001: Meeting does not exist)" and the like.
std::string describe(const ApiError& error);

}  // namespace zqe::zoom
