#include "support/fake_zoom.hpp"

namespace zqe::test {

FakeZoom::FakeZoom(boost::asio::io_context& io)
    : server_(io, {boost::asio::ip::make_address("127.0.0.1"), 0},
              [this](const http::Request& request) { return handle(request); }) {}

void FakeZoom::start() {
  server_.start();
}

std::string FakeZoom::api_base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_.local_endpoint().port()) + "/v2";
}

std::string FakeZoom::oauth_token_url() const {
  return "http://127.0.0.1:" + std::to_string(server_.local_endpoint().port()) + "/oauth/token";
}

void FakeZoom::on_get(const std::string& path, std::vector<FakeReply> replies,
                      const std::string& page_token) {
  std::lock_guard lock(mutex_);
  routes_["/v2" + path + '\n' + page_token] = std::move(replies);
}

void FakeZoom::reject_tokens(int count) {
  std::lock_guard lock(mutex_);
  tokens_to_reject_ = count;
}

void FakeZoom::on_token(std::vector<FakeReply> replies) {
  std::lock_guard lock(mutex_);
  token_replies_ = std::move(replies);
}

std::vector<http::Request> FakeZoom::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int FakeZoom::count(const std::string& path_prefix) const {
  std::lock_guard lock(mutex_);
  int matching = 0;
  for (const auto& request : requests_) matching += request.path.starts_with(path_prefix);
  return matching;
}

namespace {

http::Response reply_of(const FakeReply& reply) {
  auto response = http::Response::text(reply.status, reply.body, "application/json");
  response.headers = reply.headers;
  return response;
}

// Replies in order; the last one stays.
FakeReply next_reply(std::vector<FakeReply>& replies) {
  FakeReply reply = replies.front();
  if (replies.size() > 1) replies.erase(replies.begin());
  return reply;
}

}  // namespace

http::Response FakeZoom::handle(const http::Request& request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  if (request.path == "/oauth/token") {
    if (!token_replies_.empty()) return reply_of(next_reply(token_replies_));
    ++tokens_issued_;
    return reply_of({200,
                     R"({"access_token":"token-)" + std::to_string(tokens_issued_) +
                         R"(","token_type":"bearer","expires_in":3600})",
                     {}});
  }
  if (tokens_to_reject_ > 0) {
    --tokens_to_reject_;
    return reply_of({401, R"({"code":124,"message":"Invalid access token."})", {}});
  }
  auto route = routes_.find(request.path + '\n' + request.query_param("next_page_token"));
  if (route == routes_.end() && request.path == "/v2/metrics/webinars") {
    return reply_of({200, R"({"next_page_token":"","webinars":[]})", {}});
  }
  if (route == routes_.end() || route->second.empty()) {
    return reply_of({404, R"({"code":3001,"message":"Meeting does not exist."})", {}});
  }
  return reply_of(next_reply(route->second));
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

std::string meetings_page(const std::vector<std::string>& meetings,
                          const std::string& next_page_token) {
  return R"({"page_count":1,"page_size":300,"total_records":)" + std::to_string(meetings.size()) +
         R"(,"next_page_token":")" + next_page_token + R"(","meetings":[)" + join(meetings) + "]}";
}

std::string meeting(unsigned long long id, const std::string& uuid, const std::string& topic,
                    int participants) {
  return R"({"uuid":")" + uuid + R"(","id":)" + std::to_string(id) + R"(,"topic":")" + topic +
         R"(","host":"Host Name","email":"host@example.com","user_type":"Business",)"
         R"("start_time":"2026-11-22T10:00:00Z","duration":"00:12:00","participants":)" +
         std::to_string(participants) + R"(,"has_pstn":false,"has_video":true})";
}

std::string participants_page(const std::vector<std::string>& participants,
                              const std::string& next_page_token) {
  return R"({"page_count":"integer [int64]","page_size":10,"total_records":)" +
         std::to_string(participants.size()) + R"(,"next_page_token":")" + next_page_token +
         R"(","participants":[)" + join(participants) + "]}";
}

std::string participant(const std::string& user_id, const std::string& user_name,
                        const std::string& latency) {
  return R"J({"user_id":")J" + user_id + R"J(","user_name":")J" + user_name +
         R"J(","device":"Mac","version":"6.2.0","location":"Berlin (DE)","ip_address":"192.0.2.7",)J"
         R"J("user_qos":[{"date_time":"2026-11-22T10:05:00Z",)J"
         R"J("audio_input":{"bitrate":"23 kbps","latency":")J" +
         latency +
         R"J(","jitter":"6 ms","avg_loss":"0.3%","max_loss":"1.9%"},)J"
         R"J("audio_output":{},"video_input":{"bitrate":"","latency":"-"},)J"
         R"J("cpu_usage":{"zoom_min_cpu_usage":"8%","zoom_avg_cpu_usage":"12%",)J"
         R"J("zoom_max_cpu_usage":"18%","system_max_cpu_usage":"40%"}}]})J";
}

}  // namespace zqe::test
