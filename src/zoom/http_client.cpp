#include "zoom/http_client.hpp"

#include <openssl/ssl.h>
#include <string.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

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

namespace {

// One connection to a server: plain TCP, or TLS over TCP.
class Connection {
 public:
  explicit Connection(asio::io_context& io) : plain_(std::in_place, io) {}
  Connection(asio::io_context& io, ssl::context& tls_context)
      : tls_(std::in_place, io, tls_context) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  beast::tcp_stream& tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  beast::tcp_stream* plain() { return plain_ ? &*plain_ : nullptr; }
  beast::ssl_stream<beast::tcp_stream>* tls() { return tls_ ? &*tls_ : nullptr; }

  // Without a TLS close_notify: the server is not waiting for one, and it would take a write.
  void close() {
    error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
  }

 private:
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
};

struct PoolKey {
  bool tls = false;
  std::string host;
  std::string port;

  auto operator<=>(const PoolKey&) const = default;
};

class IdlePool;

// A service of the io_context that closes the idle connections of every pool when the
// io_context is destroyed before the client: sockets and timers must not outlive their
// io_context. Created when the first connection is pooled, after the socket and timer services,
// so that it is shut down before them (newest first).
class IdlePoolRegistry : public asio::execution_context::service {
 public:
  using key_type = IdlePoolRegistry;
  static inline asio::execution_context::id id;

  explicit IdlePoolRegistry(asio::execution_context& context) : service(context) {}

  std::set<IdlePool*> pools;

 private:
  void shutdown() override;
};

// Idle keep-alive connections by (scheme, host, port). Each has its own timer that closes it
// after the idle timeout: nothing wakes up while nothing is pooled. Held by a shared_ptr so that
// the timers' handlers, which may run after the pool is gone, can tell by a weak_ptr.
class IdlePool : public std::enable_shared_from_this<IdlePool> {
 public:
  IdlePool(asio::io_context& io, ConnectionPoolOptions options) : io_(io), options_(options) {}
  ~IdlePool() {
    if (registry_ != nullptr) registry_->pools.erase(this);
  }
  IdlePool(const IdlePool&) = delete;
  IdlePool& operator=(const IdlePool&) = delete;

  // The most recently used idle connection for `key`, or null.
  std::unique_ptr<Connection> take(const PoolKey& key) {
    const auto found = idle_.find(key);
    if (found == idle_.end()) return nullptr;
    std::unique_ptr<Connection> connection = std::move(found->second.back().connection);
    found->second.pop_back();  // its timer's wait ends with operation_aborted
    if (found->second.empty()) idle_.erase(found);
    return connection;
  }

  void put(const PoolKey& key, std::unique_ptr<Connection> connection) {
    if (options_.max_idle_per_host == 0) {
      connection->close();
      return;
    }
    connection->tcp().expires_never();
    auto& list = idle_[key];
    if (list.size() >= options_.max_idle_per_host) {
      list.front().connection->close();
      list.pop_front();
    }
    const std::uint64_t id = next_id_++;
    Idle& entry = list.emplace_back(io_, std::move(connection), id);
    entry.timer.expires_after(options_.idle_timeout);
    // The key is copied: the handler may run after the entry is gone. A handler already queued
    // when its connection was taken finds no entry with its id.
    entry.timer.async_wait([pool = weak_from_this(), key, id](const error_code& ec) {
      if (ec) return;
      if (const auto self = pool.lock()) self->expire(key, id);
    });
    if (registry_ == nullptr) {
      registry_ = &asio::use_service<IdlePoolRegistry>(io_);
      registry_->pools.insert(this);
    }
  }

  void close_all() {
    for (auto& [key, list] : idle_) {
      for (Idle& entry : list) entry.connection->close();
    }
    idle_.clear();
  }

  void io_context_shutting_down() {
    registry_ = nullptr;
    close_all();
  }

 private:
  struct Idle {
    Idle(asio::io_context& io, std::unique_ptr<Connection> idle_connection, std::uint64_t idle_id)
        : connection(std::move(idle_connection)), timer(io), id(idle_id) {}
    std::unique_ptr<Connection> connection;
    asio::steady_timer timer;
    std::uint64_t id;
  };

  void expire(const PoolKey& key, std::uint64_t id) {
    const auto found = idle_.find(key);
    if (found == idle_.end()) return;
    auto& list = found->second;
    const auto entry =
        std::find_if(list.begin(), list.end(), [id](const Idle& idle) { return idle.id == id; });
    if (entry == list.end()) return;
    entry->connection->close();
    list.erase(entry);
    if (list.empty()) idle_.erase(found);
  }

  asio::io_context& io_;
  ConnectionPoolOptions options_;
  std::map<PoolKey, std::list<Idle>> idle_;
  std::uint64_t next_id_ = 0;
  IdlePoolRegistry* registry_ = nullptr;
};

void IdlePoolRegistry::shutdown() {
  // Closing erases nothing from `pools`, but take it whole so that nothing points back here.
  const std::set<IdlePool*> shutting_down = std::exchange(pools, {});
  for (IdlePool* pool : shutting_down) pool->io_context_shutting_down();
}

}  // namespace

struct HttpClient::Impl {
  asio::io_context& io;
  HttpClientOptions options;
  // Created by the first https request: a client that only speaks http (to the simulator) then
  // never makes OpenSSL load its providers and the system's CA certificates.
  std::optional<ssl::context> tls_context;
  std::shared_ptr<IdlePool> pool;
  std::uint64_t next_request_id = 0;
  // Closes the socket of each request in flight; entries live as long as their request.
  std::map<std::uint64_t, std::function<void()>> cancellers;
  std::uint64_t cancel_generation = 0;
  HostResolver resolver;

  Impl(asio::io_context& context, HttpClientOptions client_options,
       ConnectionPoolOptions pool_options, HostResolverOptions resolver_options)
      : io(context),
        options(client_options),
        pool(std::make_shared<IdlePool>(context, pool_options)),
        resolver(context, std::move(resolver_options)) {}

  // Null, with the outcome set, when OpenSSL cannot make the context.
  ssl::context* tls(HttpOutcome& outcome) {
    if (tls_context) return &*tls_context;
    try {
      ssl::context& context = tls_context.emplace(ssl::context::tls_client);
      context.set_default_verify_paths();
      context.set_verify_mode(ssl::verify_peer);
      context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1);
      return &context;
    } catch (const boost::system::system_error& error) {
      tls_context.reset();
      outcome.error = TransportError::tls;
      outcome.error_detail = std::string("cannot set up TLS: ") + error.what();
      return nullptr;
    }
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

// Header values carry credentials (Basic for a token, Bearer for the API), so every copy is
// wiped before its memory is freed. The bytes are the request's own, never const objects.
void wipe(std::string_view text) {
  explicit_bzero(const_cast<char*>(text.data()), text.size());
}

// Wipes the header values of a request's message when the request is done.
class HeaderWipe {
 public:
  explicit HeaderWipe(const bhttp::fields& fields) : fields_(fields) {}
  ~HeaderWipe() {
    for (const auto& field : fields_) wipe({field.value().data(), field.value().size()});
  }
  HeaderWipe(const HeaderWipe&) = delete;
  HeaderWipe& operator=(const HeaderWipe&) = delete;

 private:
  const bhttp::fields& fields_;
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
  // No Connection header: HTTP/1.1 connections are persistent by default.
  for (auto& [name, value] : request.headers) {
    message.set(name, value);
    wipe(value);
  }
  message.body() = std::move(request.body);
  message.prepare_payload();
  return message;
}

struct ExchangeResult {
  bool reply_started = false;  // a byte of the reply arrived
  bool reusable = false;       // the reply is complete and leaves the connection open
};

// Writes the request and reads the reply on a connected (and, for https, handshaken) stream.
template <typename Stream>
asio::awaitable<ExchangeResult> exchange(Stream& stream,
                                         bhttp::request<bhttp::string_body>& message,
                                         Clock::time_point deadline, std::size_t max_body_bytes,
                                         HttpOutcome& outcome) {
  ExchangeResult result;
  error_code ec;
  beast::get_lowest_layer(stream).expires_at(deadline);
  co_await bhttp::async_write(stream, message, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    fail(outcome, ec == beast::error::timeout ? TransportError::timeout : TransportError::protocol,
         ec);
    co_return result;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_body_bytes);
  parser.header_limit(64 * 1024);
  // The reply to HEAD announces a body it does not have.
  if (message.method() == bhttp::verb::head) parser.skip(true);
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
  result.reply_started = parser.got_some() || buffer.size() > 0;
  // Servers often close TLS without close_notify after a Connection: close reply.
  bool truncated = false;
  if (ec == ssl::error::stream_truncated && parser.is_done()) {
    ec = {};
    truncated = true;
  }
  if (ec) {
    fail(outcome, classify_read_error(ec), ec);
    co_return result;
  }
  // Bytes after the reply would be taken for the start of the next one.
  result.reusable = !truncated && parser.keep_alive() && buffer.size() == 0;
  auto reply = parser.release();
  outcome.status = reply.result_int();
  for (const auto& field : reply) {
    outcome.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  outcome.body = std::move(reply.body());
  co_return result;
}

}  // namespace

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options, ConnectionPoolOptions pool,
                       HostResolverOptions resolver)
    : impl_(std::make_unique<Impl>(io, options, pool, std::move(resolver))) {}

HttpClient::~HttpClient() = default;

void HttpClient::set_options(HttpClientOptions options) {
  impl_->options = options;
}

void HttpClient::cancel_all() {
  ++impl_->cancel_generation;
  // Cancelling may complete requests, whose registrations erase themselves: copy first.
  auto cancellers = impl_->cancellers;
  for (auto& [id, cancel] : cancellers) cancel();
  impl_->resolver.cancel_all();
  impl_->pool->close_all();
}

asio::awaitable<HttpOutcome> HttpClient::send(const Url& url, OutgoingRequest request) {
  Impl& impl = *impl_;
  const auto deadline = Clock::now() + impl.options.timeout;
  const std::size_t max_body_bytes = impl.options.max_body_bytes;
  const auto generation = impl.cancel_generation;
  HttpOutcome outcome;
  auto message = make_request(url, request);
  const HeaderWipe header_wipe(message);
  const PoolKey key{url.tls, url.host, url.port};

  std::unique_ptr<Connection> connection = impl.pool->take(key);
  bool reused = connection != nullptr;
  CancelRegistration registration(impl.cancellers, impl.next_request_id++, [&] {
    if (connection) connection->tcp().close();
  });
  auto cancelled = [&] { return impl.cancel_generation != generation; };
  auto finish = [&]() -> HttpOutcome {
    if (cancelled()) {
      outcome.error = TransportError::cancelled;
      outcome.error_detail = "cancelled";
    }
    return std::move(outcome);
  };

  for (;;) {
    if (!connection) {
      ssl::context* tls_context = nullptr;
      if (url.tls) {
        tls_context = impl.tls(outcome);
        if (tls_context == nullptr) co_return finish();
      }
      const ResolvedHost resolved = co_await impl.resolver.resolve(url.host, url.port, deadline);
      if (resolved.error) {
        fail(outcome,
             resolved.error == asio::error::timed_out ? TransportError::timeout
                                                      : TransportError::resolve,
             resolved.error);
        co_return finish();
      }
      if (cancelled()) co_return finish();

      connection = tls_context != nullptr ? std::make_unique<Connection>(impl.io, *tls_context)
                                          : std::make_unique<Connection>(impl.io);
      beast::tcp_stream& tcp = connection->tcp();
      tcp.expires_at(deadline);
      error_code ec;
      co_await tcp.async_connect(resolved.endpoints, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        fail(outcome,
             ec == beast::error::timeout ? TransportError::timeout : TransportError::connect, ec);
        co_return finish();
      }

      if (auto* tls_stream = connection->tls()) {
        if (!SSL_set_tlsext_host_name(tls_stream->native_handle(), url.host.c_str())) {
          outcome.error = TransportError::tls;
          outcome.error_detail = "cannot set TLS server name";
          co_return finish();
        }
        tls_stream->set_verify_callback(ssl::host_name_verification(url.host));
        tcp.expires_at(deadline);
        co_await tls_stream->async_handshake(ssl::stream_base::client,
                                             asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          fail(outcome, ec == beast::error::timeout ? TransportError::timeout : TransportError::tls,
               ec);
          co_return finish();
        }
      }
    }

    ExchangeResult exchanged;
    if (auto* tls_stream = connection->tls()) {
      exchanged = co_await exchange(*tls_stream, message, deadline, max_body_bytes, outcome);
    } else {
      exchanged =
          co_await exchange(*connection->plain(), message, deadline, max_body_bytes, outcome);
    }
    // The server may close an idle connection at any time, and we learn it only by using the
    // connection. Nothing of the reply came, so the request is sent again on a new connection,
    // once. Not after a timeout: the deadline has passed.
    const bool retry = reused && outcome.error != TransportError::none &&
                       outcome.error != TransportError::timeout && !exchanged.reply_started &&
                       !cancelled();
    if (!retry) {
      if (exchanged.reusable && outcome.error == TransportError::none && !cancelled()) {
        impl.pool->put(key, std::move(connection));
      } else {
        connection->close();
      }
      co_return finish();
    }
    connection->close();
    connection.reset();
    reused = false;
    outcome = HttpOutcome{};
  }
}

}  // namespace zqe::zoom
