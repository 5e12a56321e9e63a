#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_tools.hpp"

namespace zqe::test {

struct TlsClientOptions {
  std::string ca_path;  // when set, the server's certificate must chain to it and name 127.0.0.1
  std::string certificate_path;  // a client certificate; empty: none
  std::string key_path;
  std::optional<int> max_version;  // e.g. TLS1_2_VERSION; default: TLS 1.3
};

// A TLS connection to 127.0.0.1:port for tests. Every step waits at most a few seconds, so a
// server that does not answer fails the test instead of hanging it.
class TlsConnection {
 public:
  // Connects and handshakes; throws std::runtime_error when either fails.
  TlsConnection(unsigned short port, const TlsClientOptions& tls);

  void send(std::string_view bytes);
  // One response, its body by Content-Length; nullopt when the server closes or stays silent.
  std::optional<HttpReply> read_reply();
  // Everything up to the server's close_notify; throws when the connection ends without one.
  std::string read_to_close();
  // Whether the server ends the connection (close_notify, or TCP's close or reset) soon.
  bool closed_by_server();
  std::string peer_certificate_pem();

 private:
  // Runs one asynchronous step to completion or the time limit.
  template <typename Step>
  boost::system::error_code run(Step step);

  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  std::string received_;
};

// A blocking HTTPS GET (HTTP/1.0, like http_request) to 127.0.0.1:port. Throws
// std::runtime_error when the connection, the handshake or the read fails, or when the server
// closes without close_notify.
HttpReply https_request(unsigned short port, const std::string& target, const TlsClientOptions& tls,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

// The PEM of the certificate the server at 127.0.0.1:port presents, unverified.
std::string served_certificate(unsigned short port);

// "Basic ..." for the Authorization header.
std::string basic_authorization(const std::string& user, const std::string& password);

}  // namespace zqe::test
