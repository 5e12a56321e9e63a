#include "zoom/http_client.hpp"

#include <openssl/ssl.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <map>

#include "common/version.hpp"

namespace zqe::zoom {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

std::string_view transport_error_name(TransportError error) {
  switch (error) {
    case TransportError::none:
      return "none";
    case TransportError::resolve:
      return "resolve_error";
    case TransportError::connect:
      return "connect_error";
    case TransportError::tls:
      return "tls_error";
    case TransportError::timeout:
      return "timeout";
    case TransportError::too_large:
      return "body_too_large";
    case TransportError::protocol:
      return "protocol_error";
    case TransportError::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string_view HttpOutcome::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (http::iequals(key, name)) return value;
  }
  return {};
}

struct HttpClient::Impl {
  asio::io_context& io;
  HttpClientOptions options;
  ssl::context tls_context{ssl::context::tls_client};
  std::uint64_t next_request_id = 0;
  // Closes the socket of each request in flight; entries live as long as their request.
  std::map<std::uint64_t, std::function<void()>> cancellers;
  std::uint64_t cancel_generation = 0;

  explicit Impl(asio::io_context& context, HttpClientOptions client_options)
      : io(context), options(client_options) {
    tls_context.set_default_verify_paths();
    tls_context.set_verify_mode(ssl::verify_peer);
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1);
  }
};

namespace {

// Unregisters a request's canceller when the request's coroutine frame goes away.
class CancelRegistration {
 public:
  CancelRegistration(std::map<std::uint64_t, std::function<void()>>& cancellers, std::uint64_t id,
                     std::function<void()> cancel)
      : cancellers_(cancellers), id_(id) {
    cancellers_.emplace(id, std::move(cancel));
  }
  ~CancelRegistration() { cancellers_.erase(id_); }
  CancelRegistration(const CancelRegistration&) = delete;
  CancelRegistration& operator=(const CancelRegistration&) = delete;

 private:
  std::map<std::uint64_t, std::function<void()>>& cancellers_;
  std::uint64_t id_;
};

void fail(HttpOutcome& outcome, TransportError error, const error_code& ec) {
  outcome.error = error;
  outcome.error_detail = ec.message();
}

TransportError classify_read_error(const error_code& ec) {
  if (ec == beast::error::timeout) return TransportError::timeout;
  if (ec == bhttp::error::body_limit) return TransportError::too_large;
  return TransportError::protocol;
}

bhttp::request<bhttp::string_body> make_request(const Url& url, OutgoingRequest& request) {
  bhttp::request<bhttp::string_body> message{bhttp::string_to_verb(request.method), request.target,
                                             11};
  const bool default_port = (url.tls && url.port == "443") || (!url.tls && url.port == "80");
  // An IPv6 literal is bracketed in the Host header, as in the URL.
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  message.set(bhttp::field::host, default_port ? host : host + ":" + url.port);
  message.set(bhttp::field::user_agent, std::string("zoom-qos-exporter/") + kVersion);
  message.set(bhttp::field::accept, "application/json");
  message.set(bhttp::field::connection, "close");
  for (auto& [name, value] : request.headers) message.set(name, value);
  message.body() = std::move(request.body);
  message.prepare_payload();
  return message;
}

// Writes the request and reads the reply on a connected (and, for https, handshaken) stream.
template <typename Stream>
asio::awaitable<void> exchange(Stream& stream, bhttp::request<bhttp::string_body>& message,
                               Clock::time_point deadline, std::size_t max_body_bytes,
                               HttpOutcome& outcome) {
  error_code ec;
  beast::get_lowest_layer(stream).expires_at(deadline);
  co_await bhttp::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    fail(outcome, ec == beast::error::timeout ? TransportError::timeout : TransportError::protocol,
         ec);
    co_return;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body_bytes);
  parser.header_limit(64 * 1024);
  beast::get_lowest_layer(stream).expires_at(deadline);
  // The header alone first: Boost 1.74's eager parser (async_read) drops the body_limit error
  // of a Content-Length over the limit when body bytes come in the same read as the header,
  // then reserves the whole announced length.
  co_await bhttp::async_read_header(stream, buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  // Servers often close TLS without close_notify after a Connection: close reply.
  if (ec == ssl::error::stream_truncated && parser.is_done()) ec = {};
  if (ec) {
    fail(outcome, classify_read_error(ec), ec);
    co_return;
  }
  auto reply = parser.release();
  outcome.status = reply.result_int();
  for (const auto& field : reply) {
    outcome.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  outcome.body = std::move(reply.body());
}

}  // namespace

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : impl_(std::make_unique<Impl>(io, options)) {}

HttpClient::~HttpClient() = default;

void HttpClient::set_options(HttpClientOptions options) {
  impl_->options = options;
}

void HttpClient::cancel_all() {
  ++impl_->cancel_generation;
  // Cancelling may complete requests, whose registrations erase themselves: copy first.
  auto cancellers = impl_->cancellers;
  for (auto& [id, cancel] : cancellers) cancel();
}

asio::awaitable<HttpOutcome> HttpClient::send(const Url& url, OutgoingRequest request) {
  Impl& impl = *impl_;
  const auto deadline = Clock::now() + impl.options.timeout;
  const auto generation = impl.cancel_generation;
  HttpOutcome outcome;
  auto message = make_request(url, request);

  tcp::resolver resolver(impl.io);
  beast::ssl_stream<beast::tcp_stream> tls_stream(impl.io, impl.tls_context);
  beast::tcp_stream& tcp = beast::get_lowest_layer(tls_stream);
  CancelRegistration registration(impl.cancellers, impl.next_request_id++, [&] {
    resolver.cancel();
    tcp.close();
  });
  auto cancelled = [&] { return impl.cancel_generation != generation; };
  auto finish = [&]() -> HttpOutcome {
    if (cancelled()) {
      outcome.error = TransportError::cancelled;
      outcome.error_detail = "cancelled";
    }
    return std::move(outcome);
  };

  // The resolver has no timeout of its own.
  asio::steady_timer resolve_timer(impl.io, deadline);
  resolve_timer.async_wait([&resolver](const error_code& ec) {
    if (!ec) resolver.cancel();
  });
  error_code ec;
  auto endpoints = co_await resolver.async_resolve(url.host, url.port,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  resolve_timer.cancel();
  if (ec) {
    fail(outcome, Clock::now() >= deadline ? TransportError::timeout : TransportError::resolve, ec);
    co_return finish();
  }
  if (cancelled()) co_return finish();

  tcp.expires_at(deadline);
  co_await tcp.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    fail(outcome, ec == beast::error::timeout ? TransportError::timeout : TransportError::connect,
         ec);
    co_return finish();
  }

  if (!url.tls) {
    co_await exchange(tcp, message, deadline, impl.options.max_body_bytes, outcome);
    tcp.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return finish();
  }

  if (!SSL_set_tlsext_host_name(tls_stream.native_handle(), url.host.c_str())) {
    outcome.error = TransportError::tls;
    outcome.error_detail = "cannot set TLS server name";
    co_return finish();
  }
  tls_stream.set_verify_callback(ssl::host_name_verification(url.host));
  tcp.expires_at(deadline);
  co_await tls_stream.async_handshake(ssl::stream_base::client,
                                      asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    fail(outcome, ec == beast::error::timeout ? TransportError::timeout : TransportError::tls, ec);
    co_return finish();
  }
  co_await exchange(tls_stream, message, deadline, impl.options.max_body_bytes, outcome);
  tcp.close();
  co_return finish();
}

}  // namespace zqe::zoom
