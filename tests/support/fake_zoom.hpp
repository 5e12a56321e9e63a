#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/types.hpp"

namespace zqe::test {

struct FakeReply {
  unsigned status = 200;
  std::string body;
  http::Headers headers;
};

// How the fake misbehaves on a path, as Zoom or the network between might.
enum class Fault {
  none,
  hang,          // reads the request and never answers
  trickle,       // sends the reply one byte at a time (FakeZoom::trickle_interval apart)
  truncate,      // announces the whole body, sends half of it and closes
  huge_body,     // announces a FakeZoom::huge_body_bytes body and streams it
  huge_chunked,  // streams a FakeZoom::huge_body_bytes chunked body, no length announced
  close,         // closes the connection without a byte of reply
};

// A scriptable Zoom on 127.0.0.1 for tests: replies are set per path and next_page_token, the
// last scripted reply of a route repeats, and every request is recorded. Unscripted paths get
// 404 / code 3001, except the webinar list, which is empty. Faults (a server that hangs,
// trickles, truncates, sends a huge body, or refuses connections) can be set per path and healed.
// Thread-safe, so the test thread can script it while the io_context runs elsewhere.
class FakeZoom {
 public:
  explicit FakeZoom(boost::asio::io_context& io);
  ~FakeZoom();
  FakeZoom(const FakeZoom&) = delete;
  FakeZoom& operator=(const FakeZoom&) = delete;

  void start();
  // Closes the listener and every connection; on the io_context's thread.
  void stop();
  std::string api_base_url() const;     // http://127.0.0.1:PORT/v2
  std::string oauth_token_url() const;  // http://127.0.0.1:PORT/oauth/token
  unsigned short port() const;

  // Replies to GET `path` (under /v2, e.g. "/metrics/meetings") whose next_page_token is
  // `page_token` ("" for the first page), in order; the last one repeats.
  void on_get(const std::string& path, std::vector<FakeReply> replies,
              const std::string& page_token = "");
  // Answers the next `count` API calls with 401 / code 124, as Zoom does for a revoked token.
  void reject_tokens(int count);
  // Token endpoint replies, in order; the last repeats. Default: a new token each time.
  void on_token(std::vector<FakeReply> replies);

  // Every request to `path` (under /v2, any page) meets `fault` until heal().
  void fail(const std::string& path, Fault fault);
  void fail_token(Fault fault);
  // Closes the listener and every open connection, so that connecting is refused (true), or
  // listens again on the same port (false). Takes effect on the io_context's thread, in the
  // order of anything else posted to it.
  void refuse_connections(bool refuse);
  // Clears every fault and listens again.
  void heal();
  void set_trickle_interval(std::chrono::milliseconds interval);
  void set_huge_body_bytes(std::size_t bytes);

  std::vector<http::Request> requests() const;
  int count(const std::string& path_prefix) const;  // requests whose path starts with it

  struct State;

 private:
  std::shared_ptr<State> state_;
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
