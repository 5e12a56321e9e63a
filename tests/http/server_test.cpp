#include "http/server.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace zqe::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Upper bound for anything the server should do promptly; reached only when a test fails.
constexpr std::chrono::milliseconds kPatience = 5s;
// The short limit used by the timeout tests, and the slack allowed around it.
constexpr std::chrono::milliseconds kShortTimeout = 300ms;
constexpr std::chrono::milliseconds kTimerSlack = 50ms;

constexpr std::size_t kLargeChunkSize = 2 * 1024 * 1024;
constexpr std::size_t kLargeChunkCount = 8;

std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

struct ParsedResponse {
  std::string version;
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string{} : found->second;
  }
};

ParsedResponse parse_head(std::string_view head) {
  ParsedResponse response;
  std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  response.version = status_line.substr(0, status_line.find(' '));
  response.status = static_cast<unsigned>(std::stoul(std::string(status_line.substr(9, 3))));
  while (line_end + 2 < head.size()) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, line_end - start);
    const std::size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
    response.headers.emplace(std::move(name), std::string(value));
  }
  return response;
}

// A blocking client on a plain socket. Reads wait in poll() first, so a server that does not
// answer fails the test instead of hanging it.
class TestClient {
 public:
  explicit TestClient(const tcp::endpoint& server, std::optional<int> receive_buffer = {})
      : socket_(io_) {
    socket_.open(server.protocol());
    if (receive_buffer) socket_.set_option(asio::socket_base::receive_buffer_size(*receive_buffer));
    socket_.connect(server);
  }

  // Errors are ignored: some tests keep writing to a server that has hung up.
  void send(std::string_view bytes) {
    boost::system::error_code ignored;
    asio::write(socket_, asio::buffer(bytes), ignored);
  }

  // One response; the answer to a HEAD request has a Content-Length but no body.
  std::optional<ParsedResponse> read_response(bool answers_head = false) {
    const auto deadline = Clock::now() + kPatience;
    std::size_t head_end;
    while ((head_end = received_.find("\r\n\r\n")) == std::string::npos) {
      if (receive_more(deadline) != Arrival::data) return std::nullopt;
    }
    ParsedResponse response = parse_head(std::string_view(received_).substr(0, head_end + 2));
    received_.erase(0, head_end + 4);
    const std::size_t length = answers_head ? 0 : std::stoul(response.header("content-length"));
    while (received_.size() < length) {
      if (receive_more(deadline) != Arrival::data) return std::nullopt;
    }
    response.body = received_.substr(0, length);
    received_.erase(0, length);
    return response;
  }

  // Whether the server ends the connection (end of stream or reset) within `patience`. Anything
  // arriving before that is discarded.
  bool closed_by_server(std::chrono::milliseconds patience = kPatience) {
    const auto deadline = Clock::now() + patience;
    for (;;) {
      switch (receive_more(deadline)) {
        case Arrival::data:
          received_.clear();
          break;
        case Arrival::closed:
          return true;
        case Arrival::nothing:
          return false;
      }
    }
  }

 private:
  enum class Arrival { data, closed, nothing };

  Arrival receive_more(Clock::time_point deadline) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd readable{socket_.native_handle(), POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(std::max<long>(remaining.count(), 0))) <= 0) {
      return Arrival::nothing;
    }
    char chunk[64 * 1024];
    boost::system::error_code ec;
    const std::size_t size = socket_.read_some(asio::buffer(chunk), ec);
    if (ec) return Arrival::closed;
    received_.append(chunk, size);
    return Arrival::data;
  }

  asio::io_context io_;
  tcp::socket socket_;
  std::string received_;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    for (std::size_t i = 0; i < kLargeChunkCount; ++i) {
      large_body_.push_back(
          std::make_shared<const std::string>(kLargeChunkSize, static_cast<char>('a' + i)));
    }
  }

  ~ServerTest() override {
    if (io_thread_.joinable()) {
      asio::post(io_, [this] { server_.reset(); });
      io_thread_.join();
    }
  }

  void start(ServerLimits limits = {}) {
    server_ = std::make_unique<Server>(
        io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        [this](const Request& request) { return handle(request); }, limits);
    server_->start();
    io_thread_ = std::thread([this] {
      io_.run();
      run_returned_.set_value();
    });
  }

  tcp::endpoint endpoint() const { return server_->local_endpoint(); }

  // The server belongs to the io_context's thread; tests look at it from there.
  template <class Function>
  auto on_server_thread(Function function) {
    std::packaged_task<std::invoke_result_t<Function>()> task(std::move(function));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  std::size_t connection_count() {
    return on_server_thread([this] { return server_->connection_count(); });
  }

  // Connections open and close on the server's schedule, a little after the client's.
  bool connection_count_becomes(std::size_t expected) {
    const auto deadline = Clock::now() + kPatience;
    while (connection_count() != expected) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  bool run_returns() {
    const bool returned =
        run_returned_.get_future().wait_for(kPatience) == std::future_status::ready;
    if (returned) io_thread_.join();
    return returned;
  }

  void expect_server_still_works() {
    TestClient client(endpoint());
    client.send(get("/after"));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "GET /after");
  }

  Response handle(const Request& request) {
    handled_.push_back(request.method + " " + request.target);
    if (request.path == "/throw") throw std::runtime_error("handler failure wanted by the test");
    if (request.path == "/stop") {
      server_->stop();
      return Response::text(200, "stopping\n");
    }
    if (request.path == "/bad-status") return Response::text(1000, "no such status\n");
    if (request.path == "/chunks") {
      Response response;
      response.body = {std::make_shared<const std::string>("hello "),
                       std::make_shared<const std::string>("chunked "),
                       std::make_shared<const std::string>("world")};
      response.headers.emplace_back("X-Extra", "yes");
      return response;
    }
    if (request.path == "/large") {
      Response response;
      response.body = large_body_;
      return response;
    }
    std::string echo = request.method + " " + request.target;
    if (!request.body.empty()) echo += " " + request.body;
    return Response::text(200, echo);
  }

  std::string large_body() const {
    Response response;
    response.body = large_body_;
    return response.body_string();
  }

  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::vector<std::string> handled_;  // touched by the handler only, on the io thread
  std::vector<std::shared_ptr<const std::string>> large_body_;
  std::promise<void> run_returned_;
  std::thread io_thread_;
};

TEST_F(ServerTest, GetJoinsBodyChunksAndSendsStandardHeaders) {
  start();
  TestClient client(endpoint());
  client.send(get("/chunks"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, "HTTP/1.1");
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->body, "hello chunked world");
  EXPECT_EQ(response->header("content-length"), "19");
  EXPECT_EQ(response->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response->header("server"), "zoom-qos-exporter");
  EXPECT_EQ(response->header("x-extra"), "yes");
}

TEST_F(ServerTest, HeadSendsTheHeadersOfGetWithoutBody) {
  start();
  TestClient client(endpoint());
  client.send("HEAD /chunks HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto head = client.read_response(/*answers_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200u);
  EXPECT_EQ(head->header("content-length"), "19");
  EXPECT_EQ(head->header("content-type"), "text/plain; charset=utf-8");

  // Had any body bytes followed the head, they would garble this response.
  client.send(get("/chunks"));
  const auto full = client.read_response();
  ASSERT_TRUE(full);
  EXPECT_EQ(full->body, "hello chunked world");
  EXPECT_EQ(on_server_thread([this] { return handled_; }),
            (std::vector<std::string>{"GET /chunks", "GET /chunks"}));
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  TestClient client(endpoint());
  for (const std::string target : {"/one", "/two", "/three"}) {
    client.send(get(target));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "GET " + target);
    EXPECT_EQ(response->header("connection"), "");
  }
  EXPECT_EQ(connection_count(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  TestClient client(endpoint());
  client.send(get("/first") + post("/second", "payload") + get("/third"));
  for (const std::string expected : {"GET /first", "POST /second payload", "GET /third"}) {
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, expected);
  }
}

TEST_F(ServerTest, PostBodyReachesTheHandler) {
  start();
  TestClient client(endpoint());
  client.send(post("/echo?x=1", "hello world"));
  const auto sized = client.read_response();
  ASSERT_TRUE(sized);
  EXPECT_EQ(sized->body, "POST /echo?x=1 hello world");

  client.send(
      "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "6\r\nhello \r\n7\r\nchunked\r\n0\r\n\r\n");
  const auto chunked = client.read_response();
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->body, "POST /echo hello chunked");
}

TEST_F(ServerTest, ConnectionCloseIsRespected) {
  start();
  TestClient client(endpoint());
  client.send(get("/bye", "Connection: close\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /bye");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  start();
  TestClient closing(endpoint());
  closing.send("GET /old HTTP/1.0\r\n\r\n");
  const auto response = closing.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, "HTTP/1.0");
  EXPECT_EQ(response->body, "GET /old");
  EXPECT_TRUE(closing.closed_by_server());

  TestClient keeping(endpoint());
  for (int i = 0; i < 2; ++i) {
    keeping.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const auto kept = keeping.read_response();
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->header("connection"), "keep-alive");
  }
}

TEST_F(ServerTest, OversizedHeaderGets431AndClose) {
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  start(limits);
  TestClient client(endpoint());
  client.send(get("/big", "X-Filler: " + std::string(8 * 1024, 'x') + "\r\n"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431u);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.closed_by_server());
  expect_server_still_works();
}

TEST_F(ServerTest, OversizedBodyGets413AndClose) {
  ServerLimits limits;
  limits.max_body_bytes = 1024;
  start(limits);

  TestClient sized(endpoint());
  sized.send(post("/upload", std::string(64 * 1024, 'b')));
  const auto sized_response = sized.read_response();
  ASSERT_TRUE(sized_response);
  EXPECT_EQ(sized_response->status, 413u);
  EXPECT_TRUE(sized.closed_by_server());

  TestClient chunked(endpoint());
  chunked.send("POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
               std::string(0x800, 'b') + "\r\n0\r\n\r\n");
  const auto chunked_response = chunked.read_response();
  ASSERT_TRUE(chunked_response);
  EXPECT_EQ(chunked_response->status, 413u);
  EXPECT_TRUE(chunked.closed_by_server());

  expect_server_still_works();
}

TEST_F(ServerTest, MalformedRequestGets400AndClose) {
  start();
  for (const std::string garbage :
       {"\x16\x03\x01\x02\x00 not http at all\r\n\r\n", "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: twelve\r\n\r\n"}) {
    TestClient client(endpoint());
    client.send(garbage);
    const auto response = client.read_response();
    ASSERT_TRUE(response) << garbage;
    EXPECT_EQ(response->status, 400u) << garbage;
    EXPECT_TRUE(client.closed_by_server()) << garbage;
  }
  expect_server_still_works();
}

TEST_F(ServerTest, SlowHeadersAreCutOffAtRequestTimeout) {
  ServerLimits limits;
  limits.request_timeout = kShortTimeout;
  start(limits);
  TestClient client(endpoint());
  const std::string trickle = get("/slow", "X-Slow: " + std::string(200, 's') + "\r\n");
  const auto started = Clock::now();
  bool closed = false;
  for (std::size_t i = 0; i < trickle.size() && !closed; ++i) {
    client.send(trickle.substr(i, 1));
    closed = client.closed_by_server(10ms);
  }
  const auto elapsed = Clock::now() - started;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, kShortTimeout - kTimerSlack);
  EXPECT_LT(elapsed, 3 * kShortTimeout);
  expect_server_still_works();
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerLimits limits;
  limits.idle_timeout = kShortTimeout;
  start(limits);
  TestClient client(endpoint());
  // A pause shorter than the idle timeout keeps the connection.
  for (int i = 0; i < 2; ++i) {
    client.send(get("/ping"));
    ASSERT_TRUE(client.read_response());
    std::this_thread::sleep_for(kShortTimeout / 3);
  }
  const auto idle_since = Clock::now() - kShortTimeout / 3;
  EXPECT_TRUE(client.closed_by_server());
  const auto idle = Clock::now() - idle_since;
  EXPECT_GE(idle, kShortTimeout - kTimerSlack);
  EXPECT_LT(idle, 3 * kShortTimeout);
  expect_server_still_works();
}

TEST_F(ServerTest, StalledReaderIsCutOffAtWriteTimeout) {
  ServerLimits limits;
  limits.write_timeout = kShortTimeout;
  start(limits);
  // 16 MB into a socket whose reader never reads: more than the kernel buffers hold.
  TestClient client(endpoint(), /*receive_buffer=*/4096);
  client.send(get("/large"));
  ASSERT_TRUE(connection_count_becomes(1));
  const auto started = Clock::now();
  EXPECT_TRUE(connection_count_becomes(0));
  const auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, kShortTimeout - kTimerSlack);
  EXPECT_LT(elapsed, 3 * kShortTimeout);
  expect_server_still_works();
}

TEST_F(ServerTest, LargeSharedBodyReachesSeveralClientsIntact) {
  start();
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<TestClient>(endpoint()));
    clients.back()->send(get("/large"));
  }
  const std::string expected = large_body();
  for (auto& client : clients) {
    const auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("content-length"), std::to_string(expected.size()));
    EXPECT_TRUE(response->body == expected);
  }
}

TEST_F(ServerTest, ExtraConnectionsAreTurnedAwayUntilOthersClose) {
  ServerLimits limits;
  limits.max_connections = 2;
  start(limits);
  auto first = std::make_unique<TestClient>(endpoint());
  TestClient second(endpoint());
  for (TestClient* client : {first.get(), &second}) {
    client->send(get("/in"));
    ASSERT_TRUE(client->read_response());
  }

  {
    TestClient extra(endpoint());
    extra.send(get("/extra"));
    const auto refused = extra.read_response();
    ASSERT_TRUE(refused);  // the 503 is written on accept, before any request could be read
    EXPECT_EQ(refused->status, 503u);
    EXPECT_EQ(refused->header("connection"), "close");
    EXPECT_TRUE(extra.closed_by_server());
  }

  for (TestClient* client : {first.get(), &second}) {
    client->send(get("/still"));
    const auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "GET /still");
  }

  first.reset();
  ASSERT_TRUE(connection_count_becomes(1));
  expect_server_still_works();
}

TEST_F(ServerTest, HandlerFailureGives500AndTheConnectionGoesOn) {
  start();
  TestClient client(endpoint());
  client.send(get("/throw"));
  const auto failed = client.read_response();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500u);

  client.send(get("/bad-status"));
  const auto invalid = client.read_response();
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 500u);

  client.send(get("/next"));
  const auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200u);
  EXPECT_EQ(next->body, "GET /next");
}

TEST_F(ServerTest, StopEndsRunWhileConnectionsAreOpen) {
  start();
  TestClient idle(endpoint());
  idle.send(get("/idle"));
  ASSERT_TRUE(idle.read_response());
  TestClient halfway(endpoint());
  halfway.send("GET /halfway HTTP/1.1\r\nHost: te");
  ASSERT_TRUE(connection_count_becomes(2));

  asio::post(io_, [this] {
    server_->stop();
    server_->stop();
  });
  ASSERT_TRUE(run_returns());
  EXPECT_EQ(server_->connection_count(), 0u);
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(halfway.closed_by_server());
}

TEST_F(ServerTest, StopFromSignalHandlerOnTheIoContext) {
  asio::signal_set signals(io_, SIGUSR1);
  signals.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) server_->stop();
  });
  start();
  TestClient client(endpoint());
  client.send(get("/before"));
  ASSERT_TRUE(client.read_response());

  std::raise(SIGUSR1);
  ASSERT_TRUE(run_returns());
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, StopFromInsideTheHandler) {
  start();
  TestClient client(endpoint());
  client.send(get("/stop"));
  ASSERT_TRUE(run_returns());
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, DestroyingTheServerClosesConnectionsSafely) {
  start();
  TestClient idle(endpoint());
  idle.send(get("/idle"));
  ASSERT_TRUE(idle.read_response());
  TestClient halfway(endpoint());
  halfway.send(post("/halfway", "x").substr(0, 30));
  TestClient refused_later(endpoint());

  on_server_thread([this] { server_.reset(); });
  // Completions that arrive now find their connections and the shared state still alive.
  halfway.send("more bytes for a server that is gone");
  ASSERT_TRUE(run_returns());
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(halfway.closed_by_server());
  EXPECT_TRUE(refused_later.closed_by_server());
}

}  // namespace
}  // namespace zqe::http
