#include "http/server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

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

#include "http/server_test_times.hpp"

namespace zqe::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

using namespace test_times;

// How soon a normal request must be answered after (or during) an attack: generous, since it is
// measured on a loaded CI machine and in sanitized builds, but far below any timeout in play.
constexpr std::chrono::milliseconds kPrompt = 1s;

constexpr std::size_t kLargeChunkSize = 2 * 1024 * 1024;
constexpr std::size_t kLargeChunkCount = 8;

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

  // Half-closes: the server sees end of stream but can still answer.
  void shutdown_send() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Closes with RST instead of FIN, as a client that crashes or gives up mid-response.
  void reset() {
    boost::system::error_code ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
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

// A bare blocking socket: for floods of thousands of connections, where a TestClient's own
// io_context (and its file descriptors) per connection would be too much.
class RawConnection {
 public:
  explicit RawConnection(const tcp::endpoint& server) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(server.address().to_v4().to_uint());
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send(std::string_view bytes) {
    (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  // Whether the server has ended the connection by now (end of stream or reset); waits at most
  // `patience`, discarding whatever data arrives first.
  bool closed_by_server(std::chrono::milliseconds patience) {
    const auto deadline = Clock::now() + patience;
    for (;;) {
      const auto remaining =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(std::max<long>(remaining.count(), 0))) <= 0) {
        return false;
      }
      char chunk[4096];
      if (::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT) <= 0) return true;
    }
  }

 private:
  int fd_;
};

// Raises the soft limit on open files towards `wanted` as far as the hard limit allows; returns
// the soft limit now in force.
rlim_t raise_open_file_limit(rlim_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

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

  // A normal request on a new connection gets its 200, promptly.
  void expect_server_still_works() {
    const auto started = Clock::now();
    TestClient client(endpoint());
    client.send(get("/after"));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "GET /after");
    EXPECT_LT(Clock::now() - started, kPrompt);
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

// --- Hostile clients. Each test ends with a normal request that must get its 200 promptly. ---

TEST_F(ServerTest, HeaderLimitCountsEveryFieldAcrossReads) {
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  start(limits);
  std::string fields;
  while (fields.size() < 900) fields += "X-Field: " + std::to_string(fields.size()) + "\r\n";
  const std::string fits = get("/fits", fields);
  ASSERT_LT(fits.size(), limits.max_header_bytes);
  TestClient client(endpoint());
  for (std::size_t at = 0; at < fits.size(); at += 100) {  // in pieces, each parsed on arrival
    client.send(fits.substr(at, 100));
    std::this_thread::sleep_for(2ms);
  }
  const auto fitting = client.read_response();
  ASSERT_TRUE(fitting);
  EXPECT_EQ(fitting->status, 200u);
  EXPECT_EQ(fitting->body, "GET /fits");

  fields += std::string(200, 'X') + ": one field too many\r\n";
  const std::string too_large = get("/too-large", fields);
  for (std::size_t at = 0; at < too_large.size(); at += 100) {
    client.send(too_large.substr(at, 100));
    std::this_thread::sleep_for(2ms);
  }
  const auto refused = client.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 431u);
  EXPECT_TRUE(client.closed_by_server());
  expect_server_still_works();
}

TEST_F(ServerTest, SlowlorisClientsDoNotDelayOtherClients) {
  ServerLimits limits;
  limits.request_timeout = 1s;
  start(limits);
  constexpr std::size_t kSlowClients = 50;
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (std::size_t i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(endpoint()));
  }
  ASSERT_TRUE(connection_count_becomes(kSlowClients));
  // Each sends its headers one byte at a time, round after round; a normal client comes and goes
  // in between and is answered as if they were not there.
  const std::string trickle = get("/slow", "X-Slow: " + std::string(4096, 's') + "\r\n");
  for (std::size_t round = 0; round < 30; ++round) {
    for (auto& connection : slow) connection->send(trickle.substr(round, 1));
    if (round % 10 == 0) expect_server_still_works();
    std::this_thread::sleep_for(10ms);
  }
  // Then request_timeout cuts every one of them off, though they never close.
  EXPECT_TRUE(connection_count_becomes(0));
  for (auto& connection : slow) EXPECT_TRUE(connection->closed_by_server(kPatience));
  EXPECT_EQ(on_server_thread([this] { return handled_.size(); }), 3u);
  expect_server_still_works();
}

TEST_F(ServerTest, MegabyteHeaderLinesGet431) {
  start();  // the default limits: 16 KiB of header
  const std::string megabyte(1024 * 1024, 'x');
  std::string many_small_fields;
  while (many_small_fields.size() < megabyte.size()) many_small_fields += "X-Small: field\r\n";
  for (const std::string& request : {
           get("/big", "X-Filler: " + megabyte + "\r\n"),  // one huge field
           get("/big", "X-Filler: " + megabyte),           // ... that never ends
           get("/" + megabyte),                            // a huge target
           get("/big", many_small_fields),                 // many small fields
           megabyte,                                       // a request line without end
       }) {
    TestClient client(endpoint());
    client.send(request);  // returns once the server has read or drained it all
    const auto response = client.read_response();
    ASSERT_TRUE(response) << request.substr(0, 40);
    EXPECT_EQ(response->status, 431u) << request.substr(0, 40);
    EXPECT_EQ(response->header("connection"), "close");
    EXPECT_TRUE(client.closed_by_server());
  }
  EXPECT_TRUE(on_server_thread([this] { return handled_.empty(); }));
  expect_server_still_works();
}

TEST_F(ServerTest, ThousandsOfIdleConnectionsStayBoundedAndTimeOut) {
  ServerLimits limits;
  limits.max_connections = 200;
  limits.max_refused_in_flight = 16;
  // Long enough that none of the first connections times out while the rest connect.
  limits.request_timeout = 1500ms;
  limits.linger_timeout = 200ms;
  start(limits);
  // Each connection takes two descriptors in this process, the client's and the server's (for the
  // first max_connections); scale down where the hard limit does not allow 2,000.
  const rlim_t open_files = raise_open_file_limit(4096);
  const std::size_t sockets =
      std::min<std::size_t>(2000, open_files > 600 ? (open_files - 600) : 0);
  ASSERT_GT(sockets, limits.max_connections + limits.max_refused_in_flight);

  std::vector<std::unique_ptr<RawConnection>> idle;
  idle.reserve(sockets);
  std::size_t most_open = 0;
  for (std::size_t i = 0; i < sockets; ++i) {
    idle.push_back(std::make_unique<RawConnection>(endpoint()));
    if (i % 100 == 0) most_open = std::max(most_open, connection_count());
  }
  // Every connection past max_connections is refused: with a 503 while max_refused_in_flight
  // allows, otherwise closed at once. The server never holds more than the two limits' sum.
  const std::uint64_t expected_refusals = sockets - limits.max_connections;
  const auto deadline = Clock::now() + kPatience;
  while (on_server_thread([this] { return server_->refused_connection_count(); }) <
             expected_refusals &&
         Clock::now() < deadline) {
    most_open = std::max(most_open, connection_count());
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(on_server_thread([this] { return server_->refused_connection_count(); }),
            expected_refusals);
  EXPECT_LE(most_open, limits.max_connections + limits.max_refused_in_flight);
  EXPECT_TRUE(idle.back()->closed_by_server(kPatience));

  // The served ones send nothing and are cut off at request_timeout, while the clients still hold
  // their sockets open; the server is then free for normal clients again.
  EXPECT_TRUE(connection_count_becomes(0));
  EXPECT_TRUE(idle.front()->closed_by_server(kPatience));
  expect_server_still_works();
}

TEST_F(ServerTest, PipelinedFloodEndsAtMaxRequestsPerConnection) {
  ServerLimits limits;
  limits.max_requests_per_connection = 10;
  limits.linger_timeout = 200ms;  // the unread flood below keeps its socket open
  start(limits);
  {
    TestClient client(endpoint());
    std::string flood;
    for (int i = 0; i < 1000; ++i) flood += get("/flood/" + std::to_string(i));
    client.send(flood);
    for (int i = 0; i < 10; ++i) {
      const auto response = client.read_response();
      ASSERT_TRUE(response) << i;
      EXPECT_EQ(response->body, "GET /flood/" + std::to_string(i));
      EXPECT_EQ(response->header("connection"), i == 9 ? "close" : "");
    }
    EXPECT_TRUE(client.closed_by_server());  // the 990 requests left are dropped
  }
  EXPECT_EQ(on_server_thread([this] { return handled_.size(); }), 10u);

  // A flood that never reads its answers costs no more: ten answers, then the close.
  {
    TestClient client(endpoint());
    std::string flood;
    while (flood.size() < 1024 * 1024) flood += get("/unread");
    client.send(flood);
    EXPECT_TRUE(connection_count_becomes(0));
  }
  EXPECT_EQ(on_server_thread([this] { return handled_.size(); }), 20u);

  // The same limit ends a keep-alive connection used one request at a time.
  TestClient sequential(endpoint());
  for (int i = 0; i < 10; ++i) {
    sequential.send(get("/one-by-one"));
    const auto response = sequential.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("connection"), i == 9 ? "close" : "");
  }
  EXPECT_TRUE(sequential.closed_by_server());
  expect_server_still_works();
}

TEST_F(ServerTest, BodyThatNeverArrivesIsCutOffAtRequestTimeout) {
  ServerLimits limits;
  limits.request_timeout = kShortTimeout;
  start(limits);
  TestClient client(endpoint());
  const auto started = Clock::now();
  client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\nonly this");
  EXPECT_TRUE(client.closed_by_server());
  const auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, kShortTimeout - kTimerSlack);
  EXPECT_LT(elapsed, 3 * kShortTimeout);
  EXPECT_TRUE(on_server_thread([this] { return handled_.empty(); }));
  expect_server_still_works();
}

TEST_F(ServerTest, HugeDeclaredBodyGets413BeforeAnyOfItIsRead) {
  ServerLimits limits;
  limits.request_timeout = 1min;  // the answer must not wait for a body that never comes
  start(limits);
  TestClient client(endpoint());
  const auto started = Clock::now();
  client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000000000000\r\n\r\n");
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413u);
  EXPECT_LT(Clock::now() - started, kPrompt);
  EXPECT_TRUE(client.closed_by_server());
  expect_server_still_works();
}

TEST_F(ServerTest, GetWithBodyReachesTheHandler) {
  start();
  TestClient client(endpoint());
  client.send("GET /metrics HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello" +
              get("/next"));
  const auto with_body = client.read_response();
  ASSERT_TRUE(with_body);
  EXPECT_EQ(with_body->body, "GET /metrics hello");
  const auto next = client.read_response();  // the body did not bleed into the next request
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /next");
  expect_server_still_works();
}

TEST_F(ServerTest, EndlessChunkLineOrTrailerGets413) {
  start();  // within the default body limit: Beast bounds neither, the connection's buffer does
  const std::string megabyte(1024 * 1024, 'e');
  const std::string chunked =
      "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& request : {
           chunked + "5;ext=" + megabyte,  // a chunk-size line that never ends
           chunked + "5\r\nhello\r\n0\r\nX-Trailer: " + megabyte,  // a trailer that never ends
       }) {
    TestClient client(endpoint());
    client.send(request);
    const auto response = client.read_response();
    ASSERT_TRUE(response) << request.substr(chunked.size(), 20);
    EXPECT_EQ(response->status, 413u) << request.substr(chunked.size(), 20);
    EXPECT_TRUE(client.closed_by_server());
  }
  EXPECT_TRUE(on_server_thread([this] { return handled_.empty(); }));
  expect_server_still_works();
}

TEST_F(ServerTest, BadMethodsAndTargetsAreRefusedOrPassedOnVerbatim) {
  start();
  // Not HTTP: 400, and the connection ends.
  for (const std::string& request : {
           std::string("G@T / HTTP/1.1\r\nHost: test\r\n\r\n"),
           std::string(" / HTTP/1.1\r\nHost: test\r\n\r\n"),
           std::string("GET  HTTP/1.1\r\nHost: test\r\n\r\n"),
           std::string("GET /a\x01z HTTP/1.1\r\nHost: test\r\n\r\n"),
           std::string("GET /a b HTTP/1.1\r\nHost: test\r\n\r\n"),
           std::string("GET / HTTP/1.1 extra\r\nHost: test\r\n\r\n"),
           std::string("GET / FTP/1.1\r\nHost: test\r\n\r\n"),
           std::string("GET /\0 HTTP/1.1\r\nHost: test\r\n\r\n", 31),
       }) {
    TestClient client(endpoint());
    client.send(request);
    const auto response = client.read_response();
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->status, 400u) << request;
    EXPECT_TRUE(client.closed_by_server()) << request;
  }
  EXPECT_TRUE(on_server_thread([this] { return handled_.empty(); }));

  // Well-formed but odd: the handler sees them as sent and decides (the /metrics handler answers
  // 404 or 405); the server neither decodes nor resolves a path.
  const std::vector<std::string> odd = {"FOO /x",
                                        "get /x",
                                        "DELETE /../../etc/passwd",
                                        "OPTIONS *",
                                        "GET http://evil.example/x",
                                        "GET /%00%2e%2e",
                                        "GET /\xff\xfe"};
  TestClient client(endpoint());
  for (const std::string& line : odd) {
    client.send(line + " HTTP/1.1\r\nHost: test\r\n\r\n");
    const auto response = client.read_response();
    ASSERT_TRUE(response) << line;
    EXPECT_EQ(response->status, 200u) << line;
    EXPECT_EQ(response->body, line) << line;
  }
  expect_server_still_works();
}

TEST_F(ServerTest, HalfClosedClientsGetTheirAnswersAndAreReleased) {
  ServerLimits limits;
  limits.request_timeout = 1min;  // none of this may wait for a timeout
  limits.idle_timeout = 1min;
  start(limits);
  const auto started = Clock::now();
  {
    // Requests, then end of stream: every request is answered, then the connection ends.
    TestClient client(endpoint());
    client.send(get("/one") + get("/two"));
    client.shutdown_send();
    for (const std::string expected : {"GET /one", "GET /two"}) {
      const auto response = client.read_response();
      ASSERT_TRUE(response);
      EXPECT_EQ(response->body, expected);
    }
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    // End of stream before any request, or in the middle of one: closed at once.
    TestClient silent(endpoint());
    silent.shutdown_send();
    EXPECT_TRUE(silent.closed_by_server());
    TestClient partial(endpoint());
    partial.send("GET /partial HTTP/1.1\r\nHo");
    partial.shutdown_send();
    EXPECT_TRUE(partial.closed_by_server());
    TestClient partial_body(endpoint());
    partial_body.send(post("/upload", "0123456789").substr(0, 60));  // 3 bytes of body
    partial_body.shutdown_send();
    EXPECT_TRUE(partial_body.closed_by_server());
  }
  {
    // A client that resets in the middle of a large response.
    TestClient client(endpoint(), /*receive_buffer=*/4096);
    client.send(get("/large"));
    ASSERT_TRUE(connection_count_becomes(1));
    client.reset();
  }
  EXPECT_TRUE(connection_count_becomes(0));
  EXPECT_LT(Clock::now() - started, 5 * kPrompt);
  EXPECT_EQ(on_server_thread([this] { return handled_; }),
            (std::vector<std::string>{"GET /one", "GET /two", "GET /large"}));
  expect_server_still_works();
}

}  // namespace
}  // namespace zqe::http
