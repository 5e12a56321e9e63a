// The server's TLS side and its asynchronous handlers; the HTTP limits themselves are tested in
// server_test.cpp, and here only that they hold over TLS too.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/server.hpp"
#include "http/server_test_times.hpp"
#include "support/run_io.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

namespace zqe::http {
namespace {

namespace asio = boost::asio;
using namespace test_times;

std::shared_ptr<const SecuritySettings> tls_with(const test::Credential& credential) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->use_certificate_chain(asio::buffer(credential.certificate_pem));
  context->use_private_key(asio::buffer(credential.key_pem), asio::ssl::context::pem);
  auto security = std::make_shared<SecuritySettings>();
  security->tls = std::move(context);
  return security;
}

// Plain TCP: sends `bytes` and reports whether the server closes the connection before
// `patience` is up, and whatever it sent meanwhile.
struct PlainExchange {
  bool closed = false;
  std::string received;
};
PlainExchange exchange_plain(unsigned short port, const std::string& bytes,
                             std::chrono::milliseconds patience = kPatience) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  if (!bytes.empty()) asio::write(socket, asio::buffer(bytes));
  PlainExchange result;
  asio::async_read(socket, asio::dynamic_buffer(result.received),
                   [&](boost::system::error_code ec, std::size_t) { result.closed = bool(ec); });
  io.run_for(patience);
  return result;
}

class TlsServerTest : public ::testing::Test {
 protected:
  TlsServerTest()
      : pki_(dir_.path()),
        first_(pki_.issue("first", test::kLocalhostSans, /*client=*/false)),
        second_(pki_.issue("second", test::kLocalhostSans, /*client=*/false)) {
    verified_.ca_path = pki_.ca_path();
  }

  ~TlsServerTest() override {
    if (thread_.joinable()) {
      asio::post(io_, [this] {
        server_.reset();
        later_.reset();
      });
      thread_.join();
    }
  }

  void start(std::shared_ptr<const SecuritySettings> security, ServerLimits limits = {}) {
    server_ = std::make_unique<Server>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        [this](const Request& request, const Responder& respond) { handle(request, respond); },
        limits, std::move(security));
    server_->start();
    port_ = server_->local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }

  void start_tls(ServerLimits limits = {}) { start(tls_with(first_), limits); }
  test::TlsConnection connect() const { return test::TlsConnection(port_, verified_); }

  template <typename Work>
  void on_server_thread(Work work) {
    test::run_on_io_thread(io_, std::move(work));
  }

  // "/later" is answered 200 ms after it came, twice (the second answer must be ignored); every
  // other path at once with its own name.
  void handle(const Request& request, const Responder& respond) {
    if (request.path != "/later") return respond(Response::text(200, request.path));
    later_ = std::make_unique<asio::steady_timer>(io_, 200ms);
    later_->async_wait([respond](boost::system::error_code ec) {
      if (ec) return;
      respond(Response::text(200, "later"));
      respond(Response::text(500, "answered twice"));
    });
  }

  test::TempDir dir_;
  test::TestPki pki_;
  test::Credential first_;
  test::Credential second_;
  test::TlsClientOptions verified_;
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<asio::steady_timer> later_;
  unsigned short port_ = 0;
  std::thread thread_;
};

TEST_F(TlsServerTest, ServesHttpsAndClosesWithCloseNotify) {
  start_tls();
  // https_request insists on close_notify before the end of the stream.
  const test::HttpReply reply = test::https_request(port_, "/metrics", verified_);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "/metrics");
}

TEST_F(TlsServerTest, PlainHttpToTheTlsPortIsClosedAndOthersAreServedOn) {
  start_tls();
  test::TlsConnection waiting = connect();  // already in the middle of its session
  const PlainExchange plain = exchange_plain(port_, get("/metrics"));
  EXPECT_TRUE(plain.closed);
  EXPECT_EQ(plain.received.find("HTTP/1."), std::string::npos);
  waiting.send(get("/still-here"));
  const auto reply = waiting.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "/still-here");
  EXPECT_EQ(test::https_request(port_, "/after", verified_).status, 200);
}

TEST_F(TlsServerTest, AClientThatNeverHandshakesIsCutOffAtTheRequestTimeout) {
  ServerLimits limits;
  limits.request_timeout = kShortTimeout;
  start_tls(limits);
  const auto started = std::chrono::steady_clock::now();
  const PlainExchange silent = exchange_plain(port_, "");
  EXPECT_TRUE(silent.closed);
  EXPECT_GE(std::chrono::steady_clock::now() - started, kShortTimeout - kTimerSlack);
  EXPECT_EQ(test::https_request(port_, "/after", verified_).status, 200);
}

TEST_F(TlsServerTest, AClientStuckInTheHandshakeIsCutOffToo) {
  ServerLimits limits;
  limits.request_timeout = kShortTimeout;
  start_tls(limits);
  // The first bytes of a TLS record header, and then nothing.
  const PlainExchange stuck = exchange_plain(port_, std::string("\x16\x03\x01", 3));
  EXPECT_TRUE(stuck.closed);
}

TEST_F(TlsServerTest, HeaderLimitHoldsOverTls) {
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  start_tls(limits);
  test::TlsConnection connection = connect();
  connection.send(get("/", "X-Padding: " + std::string(2000, 'x') + "\r\n"));
  const auto reply = connection.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 431);
  EXPECT_TRUE(connection.closed_by_server());
}

TEST_F(TlsServerTest, KeepAliveAndTheRequestCapHoldOverTls) {
  ServerLimits limits;
  limits.max_requests_per_connection = 2;
  start_tls(limits);
  test::TlsConnection connection = connect();
  for (const std::string target : {"/one", "/two"}) {
    connection.send(get(target));
    const auto reply = connection.read_reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->body, target);
    EXPECT_EQ(reply->header("Connection"), target == "/two" ? "close" : "");
  }
  EXPECT_EQ(connection.read_to_close(), "");  // close_notify follows
}

TEST_F(TlsServerTest, MaxConnectionsHoldOverTlsWithoutHandshakingTheRefused) {
  ServerLimits limits;
  limits.max_connections = 1;
  start_tls(limits);
  test::TlsConnection first = connect();
  first.send(get("/first"));
  ASSERT_TRUE(first.read_reply());
  EXPECT_THROW(test::TlsConnection(port_, verified_), std::runtime_error);
  first.send(get("/again"));
  EXPECT_TRUE(first.read_reply());
}

TEST_F(TlsServerTest, NewSecurityAppliesToNewConnectionsAndOpenOnesKeepTheirs) {
  start_tls();
  test::TlsConnection old_session = connect();
  EXPECT_EQ(old_session.peer_certificate_pem(), first_.certificate_pem);

  on_server_thread([&] { server_->set_security(tls_with(second_)); });
  EXPECT_EQ(test::served_certificate(port_), second_.certificate_pem);
  old_session.send(get("/old"));
  ASSERT_TRUE(old_session.read_reply());

  on_server_thread([&] { server_->set_security(nullptr); });  // TLS off
  EXPECT_EQ(test::http_request(port_, "GET", "/plain").body, "/plain");
  old_session.send(get("/old-again"));
  const auto reply = old_session.read_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "/old-again");

  on_server_thread([&] { server_->set_security(tls_with(first_)); });  // and on again
  EXPECT_EQ(test::https_request(port_, "/tls", verified_).body, "/tls");
}

TEST_F(TlsServerTest, APeerRefusedAfterTheHandshakeIsDisconnected) {
  auto security = std::make_shared<SecuritySettings>(*tls_with(first_));
  int asked = 0;
  security->accept_peer = [&asked](SSL* ssl) {
    ++asked;
    return SSL_get0_peer_certificate(ssl) != nullptr;  // none is sent: refused
  };
  start(security);
  EXPECT_THROW(test::https_request(port_, "/", verified_), std::runtime_error);
  on_server_thread([] {});
  EXPECT_EQ(asked, 1);
}

TEST_F(TlsServerTest, ResponseHeadersGoOnEveryResponse) {
  auto security = std::make_shared<SecuritySettings>(*tls_with(first_));
  security->response_headers = {{"X-Frame-Options", "deny"}};
  ServerLimits limits;
  limits.max_header_bytes = 1024;
  start(security, limits);
  EXPECT_EQ(test::https_request(port_, "/", verified_).header("X-Frame-Options"), "deny");
  test::TlsConnection connection = connect();
  connection.send(get("/", "X-Padding: " + std::string(2000, 'x') + "\r\n"));
  const auto refused = connection.read_reply();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 431);
  EXPECT_EQ(refused->header("X-Frame-Options"), "deny");
}

TEST_F(TlsServerTest, AnAsyncHandlerAnswersLaterWhileOthersAreServed) {
  start(nullptr);
  auto slow =
      std::async(std::launch::async, [this] { return test::http_request(port_, "GET", "/later"); });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(test::http_request(port_, "GET", "/fast").body, "/fast");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 200ms);
  const test::HttpReply later = slow.get();
  EXPECT_EQ(later.status, 200);  // the second answer was ignored
  EXPECT_EQ(later.body, "later");
}

TEST_F(TlsServerTest, AnAnswerAfterStopIsIgnored) {
  start(nullptr);
  asio::io_context client_io;
  asio::ip::tcp::socket socket(client_io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(socket, asio::buffer(get("/later")));
  std::this_thread::sleep_for(50ms);
  on_server_thread([&] { server_->stop(); });
  std::this_thread::sleep_for(300ms);  // the timer fires, or was cancelled with the server
  std::string received;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(received), ec);
  EXPECT_EQ(received, "");
}

}  // namespace
}  // namespace zqe::http
