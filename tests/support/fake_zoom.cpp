#include "support/fake_zoom.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <set>
#include <sstream>

namespace zqe::test {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Speaks just enough HTTP/1.1 for the exporter's client, on raw sockets, so that a fault can
// stop anywhere in a reply. Everything but the scripting runs on the io_context's thread.
struct FakeZoom::State : std::enable_shared_from_this<State> {
  explicit State(asio::io_context& context) : io(context), acceptor(context) {}

  asio::io_context& io;
  tcp::acceptor acceptor;
  unsigned short port = 0;
  bool stopped = false;
  std::set<std::shared_ptr<tcp::socket>> connections;

  mutable std::mutex mutex;                              // guards what follows
  std::map<std::string, std::vector<FakeReply>> routes;  // key: path + '\n' + page token
  std::vector<FakeReply> token_replies;
  std::vector<http::Request> requests;
  std::map<std::string, Fault> faults;  // by path
  int tokens_issued = 0;
  int tokens_to_reject = 0;
  std::chrono::milliseconds trickle_interval{50};
  std::size_t huge_body_bytes = 50 * 1024 * 1024;

  struct Decision {
    Fault fault = Fault::none;
    FakeReply reply;
    std::chrono::milliseconds trickle_interval{0};
    std::size_t huge_body_bytes = 0;
  };

  void listen() {
    if (stopped || acceptor.is_open()) return;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    asio::co_spawn(io, accept_loop(shared_from_this()), asio::detached);
  }

  void close_all() {
    error_code ignored;
    acceptor.close(ignored);
    for (const auto& socket : connections) {
      socket->shutdown(tcp::socket::shutdown_both, ignored);
      socket->close(ignored);
    }
    connections.clear();
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> self) {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(self->io);
      error_code ec;
      co_await self->acceptor.async_accept(*socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // closed: stopped or refusing
      self->connections.insert(socket);
      asio::co_spawn(self->io, serve(self, socket), asio::detached);
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<State> self,
                                     std::shared_ptr<tcp::socket> socket);
  Decision handle(http::Request request);
  FakeReply reply_to(const http::Request& request);  // with the mutex held
};

namespace {

// Replies in order; the last one stays.
FakeReply next_reply(std::vector<FakeReply>& replies) {
  FakeReply reply = replies.front();
  if (replies.size() > 1) replies.erase(replies.begin());
  return reply;
}

std::string head_of(unsigned status, const http::Headers& headers, const std::string& framing) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(bhttp::obsolete_reason(bhttp::int_to_status(status))) + "\r\n";
  head += "Content-Type: application/json\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head + framing + "\r\n";
}

std::string content_length(std::size_t bytes) {
  return "Content-Length: " + std::to_string(bytes) + "\r\n";
}

http::Request recorded(const bhttp::request<bhttp::string_body>& message) {
  http::Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = message.body();
  return request;
}

asio::awaitable<error_code> write_all(tcp::socket& socket, std::string_view bytes) {
  error_code ec;
  co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

}  // namespace

FakeReply FakeZoom::State::reply_to(const http::Request& request) {
  if (request.path == "/oauth/token") {
    if (!token_replies.empty()) return next_reply(token_replies);
    ++tokens_issued;
    return {200,
            R"({"access_token":"token-)" + std::to_string(tokens_issued) +
                R"(","token_type":"bearer","expires_in":3600})",
            {}};
  }
  if (tokens_to_reject > 0) {
    --tokens_to_reject;
    return {401, R"({"code":124,"message":"Invalid access token."})", {}};
  }
  auto route = routes.find(request.path + '\n' + request.query_param("next_page_token"));
  if (route == routes.end() && request.path == "/v2/metrics/webinars") {
    return {200, R"({"next_page_token":"","webinars":[]})", {}};
  }
  if (route == routes.end() || route->second.empty()) {
    return {404, R"({"code":3001,"message":"Meeting does not exist."})", {}};
  }
  return next_reply(route->second);
}

FakeZoom::State::Decision FakeZoom::State::handle(http::Request request) {
  std::lock_guard lock(mutex);
  Decision decision;
  const auto fault = faults.find(request.path);
  if (fault != faults.end()) decision.fault = fault->second;
  decision.trickle_interval = trickle_interval;
  decision.huge_body_bytes = huge_body_bytes;
  // A request that meets a fault does not use up a scripted reply.
  if (decision.fault == Fault::none || decision.fault == Fault::trickle ||
      decision.fault == Fault::truncate) {
    decision.reply = reply_to(request);
  }
  requests.push_back(std::move(request));
  return decision;
}

asio::awaitable<void> FakeZoom::State::serve(std::shared_ptr<State> self,
                                             std::shared_ptr<tcp::socket> socket) {
  boost::beast::flat_buffer buffer;
  bool keep_alive = true;
  while (keep_alive) {
    bhttp::request<bhttp::string_body> message;
    error_code ec;
    co_await bhttp::async_read(*socket, buffer, message,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    keep_alive = false;
    Decision decision = self->handle(recorded(message));
    const FakeReply& reply = decision.reply;
    switch (decision.fault) {
      case Fault::none: {
        const std::string text =
            head_of(reply.status, reply.headers, content_length(reply.body.size())) + reply.body;
        ec = co_await write_all(*socket, text);
        keep_alive = !ec && message.keep_alive();
        break;
      }
      case Fault::hang: {
        // Until the client gives up and closes, or stop().
        char byte = 0;
        while (!ec) {
          co_await socket->async_read_some(asio::buffer(&byte, 1),
                                           asio::redirect_error(asio::use_awaitable, ec));
        }
        break;
      }
      case Fault::trickle: {
        const std::string text =
            head_of(reply.status, reply.headers, content_length(reply.body.size())) + reply.body;
        asio::steady_timer timer(self->io);
        for (std::size_t i = 0; i < text.size() && !ec; ++i) {
          const std::string_view byte = std::string_view(text).substr(i, 1);
          ec = co_await write_all(*socket, byte);
          if (ec) break;
          timer.expires_after(decision.trickle_interval);
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (!socket->is_open()) break;
        }
        break;
      }
      case Fault::truncate: {
        const std::string text =
            head_of(reply.status, reply.headers, content_length(reply.body.size())) +
            reply.body.substr(0, reply.body.size() / 2);
        ec = co_await write_all(*socket, text);
        break;
      }
      case Fault::huge_body:
      case Fault::huge_chunked: {
        // Named strings only: GCC 12 may destroy a temporary of a co_await expression twice.
        const bool chunked = decision.fault == Fault::huge_chunked;
        const std::string framing = chunked ? std::string("Transfer-Encoding: chunked\r\n")
                                            : content_length(decision.huge_body_bytes);
        const std::string head = head_of(200, {}, framing);
        ec = co_await write_all(*socket, head);
        const std::string piece(64 * 1024, ' ');
        std::ostringstream size;
        size << std::hex << piece.size();
        const std::string chunk = size.str() + "\r\n" + piece + "\r\n";
        const std::string_view unit = chunked ? std::string_view(chunk) : std::string_view(piece);
        for (std::size_t sent = 0; !ec && sent < decision.huge_body_bytes; sent += piece.size()) {
          ec = co_await write_all(*socket, unit);
        }
        const std::string_view last_chunk = "0\r\n\r\n";
        if (!ec && chunked) co_await write_all(*socket, last_chunk);
        break;
      }
      case Fault::close:
        break;
    }
  }
  error_code ignored;
  socket->shutdown(tcp::socket::shutdown_both, ignored);
  socket->close(ignored);
  self->connections.erase(socket);
}

FakeZoom::FakeZoom(asio::io_context& io) : state_(std::make_shared<State>(io)) {}

FakeZoom::~FakeZoom() {
  state_->stopped = true;
  state_->close_all();
}

void FakeZoom::start() {
  state_->listen();
}

void FakeZoom::stop() {
  state_->stopped = true;
  state_->close_all();
}

unsigned short FakeZoom::port() const {
  return state_->port;
}

std::string FakeZoom::api_base_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/v2";
}

std::string FakeZoom::oauth_token_url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/oauth/token";
}

void FakeZoom::on_get(const std::string& path, std::vector<FakeReply> replies,
                      const std::string& page_token) {
  std::lock_guard lock(state_->mutex);
  state_->routes["/v2" + path + '\n' + page_token] = std::move(replies);
}

void FakeZoom::reject_tokens(int count) {
  std::lock_guard lock(state_->mutex);
  state_->tokens_to_reject = count;
}

void FakeZoom::on_token(std::vector<FakeReply> replies) {
  std::lock_guard lock(state_->mutex);
  state_->token_replies = std::move(replies);
}

void FakeZoom::fail(const std::string& path, Fault fault) {
  std::lock_guard lock(state_->mutex);
  state_->faults["/v2" + path] = fault;
}

void FakeZoom::fail_token(Fault fault) {
  std::lock_guard lock(state_->mutex);
  state_->faults["/oauth/token"] = fault;
}

void FakeZoom::refuse_connections(bool refuse) {
  asio::post(state_->io, [state = state_, refuse] {
    if (refuse) {
      state->close_all();
    } else {
      state->listen();
    }
  });
}

void FakeZoom::heal() {
  {
    std::lock_guard lock(state_->mutex);
    state_->faults.clear();
  }
  refuse_connections(false);
}

void FakeZoom::set_trickle_interval(std::chrono::milliseconds interval) {
  std::lock_guard lock(state_->mutex);
  state_->trickle_interval = interval;
}

void FakeZoom::set_huge_body_bytes(std::size_t bytes) {
  std::lock_guard lock(state_->mutex);
  state_->huge_body_bytes = bytes;
}

std::vector<http::Request> FakeZoom::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

int FakeZoom::count(const std::string& path_prefix) const {
  std::lock_guard lock(state_->mutex);
  int matching = 0;
  for (const auto& request : state_->requests) matching += request.path.starts_with(path_prefix);
  return matching;
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
