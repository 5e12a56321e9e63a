#include "support/tls_client.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>

#include "common/base64.hpp"

namespace zqe::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;

constexpr auto kPatience = 5s;

ssl::context client_context(const TlsClientOptions& tls) {
  ssl::context context(ssl::context::tls_client);
  if (!tls.ca_path.empty()) {
    context.load_verify_file(tls.ca_path);
    context.set_verify_mode(ssl::verify_peer);
  }
  if (!tls.certificate_path.empty()) {
    context.use_certificate_chain_file(tls.certificate_path);
    context.use_private_key_file(tls.key_path, ssl::context::pem);
  }
  if (tls.max_version) SSL_CTX_set_max_proto_version(context.native_handle(), *tls.max_version);
  return context;
}

}  // namespace

template <typename Step>
boost::system::error_code TlsConnection::run(Step step) {
  boost::system::error_code result = asio::error::timed_out;
  bool done = false;
  step([&](boost::system::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  io_.restart();
  io_.run_for(kPatience);
  if (!done) {
    boost::system::error_code ignored;
    stream_.lowest_layer().close(ignored);
    io_.restart();
    io_.run();  // lets the cancelled step finish
  }
  return done ? result : asio::error::timed_out;
}

TlsConnection::TlsConnection(unsigned short port, const TlsClientOptions& tls)
    : context_(client_context(tls)), stream_(io_, context_) {
  if (!tls.ca_path.empty()) stream_.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  boost::system::error_code ec = run([&](auto handler) {
    stream_.lowest_layer().async_connect({asio::ip::make_address("127.0.0.1"), port}, handler);
  });
  if (ec) throw std::runtime_error("connect: " + ec.message());
  ec = run([&](auto handler) { stream_.async_handshake(ssl::stream_base::client, handler); });
  if (ec) throw std::runtime_error("handshake: " + ec.message());
}

void TlsConnection::send(std::string_view bytes) {
  const boost::system::error_code ec =
      run([&](auto handler) { asio::async_write(stream_, asio::buffer(bytes), handler); });
  if (ec) throw std::runtime_error("write: " + ec.message());
}

std::optional<HttpReply> TlsConnection::read_reply() {
  const auto read_more = [&] {
    char chunk[16 * 1024];
    std::size_t size = 0;
    const boost::system::error_code ec = run([&](auto handler) {
      stream_.async_read_some(asio::buffer(chunk), [&size, handler](auto ec, std::size_t read) {
        size = read;
        handler(ec);
      });
    });
    received_.append(chunk, size);
    return !ec;
  };
  std::size_t head_end;
  while ((head_end = received_.find("\r\n\r\n")) == std::string::npos) {
    if (!read_more()) return std::nullopt;
  }
  const HttpReply head = parse_http_reply(received_.substr(0, head_end + 4));
  const std::size_t length = std::stoul(head.header("Content-Length"));
  while (received_.size() < head_end + 4 + length) {
    if (!read_more()) return std::nullopt;
  }
  HttpReply reply = parse_http_reply(received_.substr(0, head_end + 4 + length));
  received_.erase(0, head_end + 4 + length);
  return reply;
}

std::string TlsConnection::read_to_close() {
  std::string text = std::move(received_);
  const boost::system::error_code ec =
      run([&](auto handler) { asio::async_read(stream_, asio::dynamic_buffer(text), handler); });
  if (ec != asio::error::eof) throw std::runtime_error("read: " + ec.message());
  return text;
}

bool TlsConnection::closed_by_server() {
  for (;;) {
    std::string ignored;
    const boost::system::error_code ec = run(
        [&](auto handler) { asio::async_read(stream_, asio::dynamic_buffer(ignored), handler); });
    if (ec == asio::error::timed_out) return false;
    if (ec) return true;
  }
}

std::string TlsConnection::peer_certificate_pem() {
  X509* certificate = SSL_get0_peer_certificate(stream_.native_handle());
  if (certificate == nullptr) throw std::runtime_error("no server certificate");
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), certificate);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

HttpReply https_request(unsigned short port, const std::string& target, const TlsClientOptions& tls,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  TlsConnection connection(port, tls);
  connection.send(http_request_text("GET", target, headers));
  return parse_http_reply(connection.read_to_close());
}

std::string served_certificate(unsigned short port) {
  return TlsConnection(port, {}).peer_certificate_pem();
}

std::string basic_authorization(const std::string& user, const std::string& password) {
  return "Basic " + base64_encode(user + ":" + password, Base64Alphabet::standard);
}

}  // namespace zqe::test
