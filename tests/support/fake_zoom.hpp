#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/server.hpp"

namespace zqe::test {

struct FakeReply {
  unsigned status = 200;
  std::string body;
  http::Headers headers;
};

// A scriptable Zoom on 127.0.0.1 for tests: replies are set per path and next_page_token, the
// last scripted reply of a route repeats, and every request is recorded. Unscripted paths get
// 404 / code 3001, except the webinar list, which is empty. Thread-safe, so the
// test thread can script it while the io_context runs elsewhere.
class FakeZoom {
 public:
  explicit FakeZoom(boost::asio::io_context& io);

  void start();
  void stop() { server_.stop(); }
  std::string api_base_url() const;     // http://127.0.0.1:PORT/v2
  std::string oauth_token_url() const;  // http://127.0.0.1:PORT/oauth/token

  // Replies to GET `path` (under /v2, e.g. "/metrics/meetings") whose next_page_token is
  // `page_token` ("" for the first page), in order; the last one repeats.
  void on_get(const std::string& path, std::vector<FakeReply> replies,
              const std::string& page_token = "");
  // Answers the next `count` API calls with 401 / code 124, as Zoom does for a revoked token.
  void reject_tokens(int count);
  // Token endpoint replies, in order; the last repeats. Default: a new token each time.
  void on_token(std::vector<FakeReply> replies);

  std::vector<http::Request> requests() const;
  int count(const std::string& path_prefix) const;  // requests whose path starts with it

 private:
  http::Response handle(const http::Request& request);

  mutable std::mutex mutex_;
  std::map<std::string, std::vector<FakeReply>> routes_;  // key: path + '\n' + page token
  std::vector<FakeReply> token_replies_;
  std::vector<http::Request> requests_;
  int tokens_issued_ = 0;
  int tokens_to_reject_ = 0;
  http::Server server_;
};

// JSON of a live meeting list page and a participants QoS page.
std::string meetings_page(const std::vector<std::string>& meetings,
                          const std::string& next_page_token = "");
std::string meeting(unsigned long long id, const std::string& uuid, const std::string& topic,
                    int participants);
std::string participants_page(const std::vector<std::string>& participants,
                              const std::string& next_page_token = "");
// A participant with one snapshot; `latency` as Zoom writes it, e.g. "126 ms".
std::string participant(const std::string& user_id, const std::string& user_name,
                        const std::string& latency = "126 ms");

}  // namespace zqe::test
