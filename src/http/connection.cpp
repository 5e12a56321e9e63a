#include "http/connection.hpp"

#include <algorithm>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/log.hpp"

namespace zqe::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr const char* kServerName = "zoom-qos-exporter";
constexpr unsigned kHttp11 = 11;
// Bytes asked for per read outside Beast's parser: waiting for a keep-alive request, draining.
constexpr std::size_t kReadChunk = 4096;
// Input a connection buffers beyond max_header_bytes: read-ahead and pipelined requests. It also
// bounds what Beast buffers without a limit of its own, chunk-size lines and trailers.
constexpr std::size_t kReadAhead = 16 * 1024;
// Closing a socket that still has unread input makes the kernel send RST, and an RST can destroy
// the last response before the peer has read it (the 413/431 case: the rest of the request is
// still arriving). So after the last response we stop sending and discard input until the peer
// closes, for at most ServerLimits::linger_timeout: enough for a real network, short enough that
// turned-away connections do not pile up.

// Beast 1.74 speaks boost::string_view, which does not convert to std::string implicitly.
std::string to_string(beast::string_view text) {
  return std::string(text.data(), text.size());
}

// The peer closed its end: over TLS without close_notify, which many clients skip.
bool is_end_of_input(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

bool is_malformed_request(const beast::error_code& ec) {
  static const auto& http_errors = bhttp::make_error_code(bhttp::error::bad_method).category();
  return ec.category() == http_errors && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

Request to_request(bhttp::request<bhttp::string_body>& message) {
  Request request;
  // HEAD is GET without the body; the handler answers it as GET and the server drops the body.
  request.method =
      message.method() == bhttp::verb::head ? "GET" : to_string(message.method_string());
  request.target = to_string(message.target());
  const std::size_t question_mark = request.target.find('?');
  request.path = request.target.substr(0, question_mark);
  if (question_mark != std::string::npos) request.query = request.target.substr(question_mark + 1);
  for (const auto& field : message) {
    request.headers.emplace_back(to_string(field.name_string()), to_string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

// Status line and header fields. The body is sent separately, straight from the shared chunks.
std::string serialize_head(const Response& response, const Headers& security_headers,
                           unsigned version, bool keep_alive) {
  bhttp::response<bhttp::empty_body> head;
  head.version(version);
  head.result(response.status);
  head.set(bhttp::field::server, kServerName);
  head.set(bhttp::field::content_type, response.content_type);
  // Set by hand: prepare_payload() would compute it from the (empty) body type.
  head.set(bhttp::field::content_length, std::to_string(response.body_size()));
  for (const auto& [name, value] : response.headers) head.insert(name, value);
  for (const auto& [name, value] : security_headers) head.insert(name, value);
  head.keep_alive(keep_alive);
  std::ostringstream text;
  text << head.base();
  return text.str();
}

}  // namespace

// One accepted socket, plain (Stream = beast::tcp_stream) or TLS (TlsStream). Every step runs
// under a deadline of the tcp_stream at the bottom, and every completion handler holds a
// shared_ptr to the connection, so it lives exactly as long as work is pending. Requests are read
// one at a time and the next is read only after the response is written, which answers
// pipelined requests in order.
template <typename Stream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  template <typename... StreamArguments>
  Connection(std::shared_ptr<ServerCore> core, std::shared_ptr<const SecuritySettings> security,
             StreamArguments&&... stream_arguments)
      : core_(std::move(core)),
        security_(std::move(security)),
        stream_(std::forward<StreamArguments>(stream_arguments)...),
        buffer_(header_limit() + kReadAhead) {
    beast::error_code unknown_peer;
    peer_ = lowest().socket().remote_endpoint(unknown_peer);
    core_->open_connections.insert(this);
  }
  ~Connection() override { core_->open_connections.erase(this); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The first request (and over TLS the handshake before it) gets request_timeout from the
  // moment of accept, so a client that connects and sends nothing is cut off as early as one
  // that sends slowly.
  void serve() {
    lowest().expires_after(core_->limits.request_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    } else {
      read_request();
    }
  }

  void turn_away() {
    Response response = Response::text(503, "too many connections\n");
    response.headers.emplace_back("Retry-After", "1");
    send(std::move(response), kHttp11, /*keep_alive=*/false, /*head_only=*/false);
  }

  void close() override { lowest().close(); }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void on_handshake(beast::error_code ec) {
    if (core_->stopped) return;
    if (ec) return end(ec, "tls handshake");
    if (security_->accept_peer && !security_->accept_peer(stream_.native_handle())) {
      return log_drop("tls handshake", "client certificate not allowed");
    }
    read_request();
  }

  void await_next_request() {
    if (buffer_.size() > 0) return start_request();  // pipelined: already here
    lowest().expires_after(core_->limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t size) {
          if (ec) return self->end(ec, "wait for request");
          self->buffer_.commit(size);
          self->start_request();
        });
  }

  std::uint32_t header_limit() const {
    return static_cast<std::uint32_t>(std::min<std::size_t>(
        core_->limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max()));
  }

  void start_request() {
    lowest().expires_after(core_->limits.request_timeout);
    read_request();
  }

  // Under the deadline already set: from the accept for the first request, else start_request's.
  void read_request() {
    parser_.emplace();
    parser_->header_limit(header_limit());
    parser_->body_limit(core_->limits.max_body_bytes);
    header_bytes_ = 0;
    read_header();
  }

  // Beast 1.74 applies header_limit only to the header bytes it has not parsed yet: parsed fields
  // leave the buffer and stop counting, so a client could send small fields without end. So the
  // header is parsed here, read by read, counting every byte of it; Beast reads the body.
  void read_header() {
    if (buffer_.size() > 0) {
      beast::error_code ec;
      const std::size_t parsed = parser_->put(buffer_.data(), ec);
      buffer_.consume(parsed);
      header_bytes_ += parsed;
      if (ec && ec != bhttp::error::need_more) return on_request(ec);
      if (parser_->is_header_done()) {
        return bhttp::async_read(stream_, buffer_, *parser_,
                                 [self = this->shared_from_this()](
                                     beast::error_code ec, std::size_t) { self->on_request(ec); });
      }
      if (header_bytes_ + buffer_.size() >= header_limit()) {
        return on_request(bhttp::error::header_limit);
      }
    }
    // Less than header_limit() bytes are in the buffer now, which leaves kReadAhead of room.
    const std::size_t room = std::min(kReadAhead, buffer_.max_size() - buffer_.size());
    stream_.async_read_some(buffer_.prepare(room), [self = this->shared_from_this()](
                                                       beast::error_code ec, std::size_t size) {
      self->on_header_read(ec, size);
    });
  }

  void on_header_read(beast::error_code ec, std::size_t size) {
    if (core_->stopped) return;
    if (is_end_of_input(ec) && parser_->got_some()) {
      parser_->put_eof(ec);  // partial_message: the peer left in the middle of a request
    }
    if (ec) return on_request(ec);
    buffer_.commit(size);
    read_header();
  }

  void on_request(beast::error_code ec) {
    // A request can complete from buffered bytes after stop() closed the socket; the handler
    // must not run then.
    if (core_->stopped) return;
    if (ec == bhttp::error::header_limit) return send_final(431, "request header too large\n");
    if (ec == bhttp::error::body_limit) return send_final(413, "request body too large\n");
    // The input buffer is full: only an endless chunk-size line or trailer gets here, since the
    // header limit is reached first.
    if (ec == bhttp::error::buffer_overflow) return send_final(413, "request too large\n");
    if (is_malformed_request(ec)) return send_final(400, "malformed request\n");
    if (ec) return end(ec, "read request");

    bhttp::request<bhttp::string_body> message = parser_->release();
    const Request request = to_request(message);
    ++requests_;
    awaiting_ = AwaitedResponse{
        .version = message.version(),
        .keep_alive = message.keep_alive() && requests_ < core_->limits.max_requests_per_connection,
        .head_only = message.method() == bhttp::verb::head};
    run_handler(request);
  }

  void run_handler(const Request& request) {
    const std::size_t number = requests_;
    try {
      core_->handler(request, [self = this->shared_from_this(), number](Response response) {
        self->on_response(number, std::move(response));
      });
      return;
    } catch (const std::exception& e) {
      on_response(number, handler_failure(request, e.what()));
    } catch (...) {
      on_response(number, handler_failure(request, "unknown exception"));
    }
  }

  // `number` tells the response to this request from a late or repeated one to an earlier.
  void on_response(std::size_t number, Response response) {
    if (core_->stopped || !awaiting_ || number != requests_) return;
    const AwaitedResponse awaited = *awaiting_;
    awaiting_.reset();
    // Beast throws on a status it cannot write, and that would escape io_context::run().
    if (response.status < 100 || response.status > 999) {
      log::error("http handler failed",
                 "error=" + log::quote("invalid status " + std::to_string(response.status)));
      response = Response::text(500, "internal server error\n");
    }
    send(std::move(response), awaited.version, awaited.keep_alive, awaited.head_only);
  }

  // For requests the server refuses: the stream is out of sync, so nothing after it can be read.
  void send_final(unsigned status, std::string body) {
    send(Response::text(status, std::move(body)), kHttp11, /*keep_alive=*/false,
         /*head_only=*/false);
  }

  // One gathered write of the head and the body pieces as they are: no copy of the body, which
  // may be a large cached exposition written to many sockets at once. response_ keeps the pieces
  // alive until the write completes. (Over TLS, Beast's ssl_stream packs small pieces into
  // records of up to 16 KiB.)
  void send(Response response, unsigned version, bool keep_alive, bool head_only) {
    keep_alive_ = keep_alive;
    response_ = std::move(response);
    response_head_ = serialize_head(response_, security_->response_headers, version, keep_alive);

    std::vector<asio::const_buffer> buffers;
    const std::size_t shared_pieces = response_.shared_body ? response_.shared_body->size() : 0;
    buffers.reserve(1 + shared_pieces + response_.body.size());
    buffers.push_back(asio::buffer(response_head_));
    if (!head_only) {
      for (std::size_t index = 0; index < shared_pieces; ++index) {
        const std::string_view piece = (*response_.shared_body)[index];
        buffers.push_back(asio::buffer(piece.data(), piece.size()));
      }
      for (const auto& chunk : response_.body) buffers.push_back(asio::buffer(*chunk));
    }
    lowest().expires_after(core_->limits.write_timeout);
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->end(ec, "write response");
                        self->response_ = {};
                        if (self->keep_alive_) return self->await_next_request();
                        self->close_gracefully();
                      });
  }

  // Over TLS, close_notify is exchanged first; then, for both kinds, the TCP close below. The
  // whole close is bounded by linger_timeout.
  void close_gracefully() {
    // Pipelined requests left over are dropped, and the buffer has room for the drain's reads.
    buffer_.clear();
    lowest().expires_after(core_->limits.linger_timeout);
    if constexpr (kTls) {
      // Whatever the peer does with its close_notify (answer it, skip it, reset), the TCP close
      // follows.
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close_tcp(); });
    } else {
      close_tcp();
    }
  }

  void close_tcp() {
    beast::error_code already_gone;
    lowest().socket().shutdown(tcp::socket::shutdown_send, already_gone);
    discard_input();
  }

  // Whatever ends the drain (the peer's close, an error, the linger limit) ends the connection.
  // It reads below TLS: after close_notify only the TCP close is still of interest.
  void discard_input() {
    lowest().async_read_some(buffer_.prepare(kReadChunk),
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               if (!ec) self->discard_input();
                             });
  }

  // The one exit for a failed step: nothing new is scheduled, so the last shared_ptr goes away
  // with this completion and the socket closes. Peers leaving and stop() are routine; timeouts,
  // resets and failed handshakes are worth a debug line.
  void end(beast::error_code ec, std::string_view step) {
    if (core_->stopped || ec == asio::error::operation_aborted || is_end_of_input(ec) ||
        ec == bhttp::error::end_of_stream) {
      return;
    }
    log_drop(step, ec.message());
  }

  void log_drop(std::string_view step, std::string_view error) const {
    std::ostringstream peer;
    peer << peer_;
    log::debug("http connection dropped", "peer=" + log::quote(peer.str()) + " step=" +
                                              log::quote(step) + " error=" + log::quote(error));
  }

  struct AwaitedResponse {
    unsigned version;
    bool keep_alive;
    bool head_only;
  };

  std::shared_ptr<ServerCore> core_;
  std::shared_ptr<const SecuritySettings> security_;  // as at accept: also keeps the TLS context
  Stream stream_;
  tcp::endpoint peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<AwaitedResponse> awaiting_;  // set while the handler has the request
  Response response_;
  std::string response_head_;
  bool keep_alive_ = false;
  std::size_t requests_ = 0;      // read on this connection, for max_requests_per_connection
  std::size_t header_bytes_ = 0;  // of the request being read, parsed so far
};

void serve(std::shared_ptr<ServerCore> core, tcp::socket socket) {
  std::shared_ptr<const SecuritySettings> security = core->security;
  if (security->tls) {
    asio::ssl::context& tls = *security->tls;
    std::make_shared<Connection<TlsStream>>(std::move(core), std::move(security), std::move(socket),
                                            tls)
        ->serve();
  } else {
    std::make_shared<Connection<beast::tcp_stream>>(std::move(core), std::move(security),
                                                    std::move(socket))
        ->serve();
  }
}

void turn_away(std::shared_ptr<ServerCore> core, tcp::socket socket) {
  if (core->security->tls) return;  // the socket closes here
  std::shared_ptr<const SecuritySettings> security = core->security;
  std::make_shared<Connection<beast::tcp_stream>>(std::move(core), std::move(security),
                                                  std::move(socket))
      ->turn_away();
}

void close_all(ServerCore& core) {
  // Closing only cancels: completions run later, so no connection is destroyed during the loop.
  for (ConnectionBase* connection : core.open_connections) connection->close();
  core.open_connections.clear();
}

}  // namespace zqe::http::detail
