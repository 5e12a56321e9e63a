// Sends arbitrary bytes as everything one client says to the real http::Server on 127.0.0.1,
// serving the exporter's endpoints (ScrapeHandler) and an /echo of the request body. The input
// goes out in three writes (cut at a third and at two thirds of its length), then the client
// half-closes and reads until the server closes. The server promises that no input makes an
// exception escape io_context::run(), that it answers or closes once the client has stopped
// sending, that nothing of a connection outlives it, and that it goes on serving: every
// kHealthCheckInterval inputs a plain GET must still get its 200.
//
// One server and io_context serve every input, and client and server share its one thread, so
// an input costs a loopback connection and a few handler runs.
#include <utility>  // Boost 1.74's Asio needs it before itself under C++20 with GCC 12

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.hpp"
#include "daemon/scrape_handler.hpp"
#include "http/server.hpp"
#include "metrics/exposition_cache.hpp"
#include "metrics/qos_renderer.hpp"

namespace {

using namespace zqe;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Far beyond a loopback exchange even under sanitizers on a busy machine, and below the server's
// own request timeout (10 s), so a server that waits for input after the client's half-close is
// reported here, not hidden by the timeout that ends the wait.
constexpr auto kDeadline = 5s;
constexpr std::size_t kHealthCheckInterval = 256;

[[noreturn]] void violated(std::string_view what) {
  std::fprintf(stderr, "http_request_fuzzer: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// One meeting with one participant, so /metrics serves cached pieces, plain and gzip.
void publish_one_meeting(metrics::ExpositionCache& cache) {
  metrics::MeetingSnapshot snapshot;
  snapshot.meeting.id = 81234567890;
  snapshot.meeting.topic = "Fuzzing";
  snapshot.meeting.participants = 1;
  qos::ParticipantQos& participant = snapshot.participants.emplace_back();
  participant.participant_id = "16778240";
  participant.streams[0].latency_seconds = 0.126;
  participant.cpu.zoom_avg_ratio = 0.3;
  const metrics::QosRenderer renderer(metrics::RenderOptions{});
  cache.update({{renderer.render(snapshot), true}},
               metrics::render_meeting_families({{&snapshot.meeting, {}}}, {"topic"}));
}

// The max_requests_per_connection path is reachable with small inputs; the other limits stay the
// defaults the exporter runs with.
http::ServerLimits fuzzing_limits() {
  http::ServerLimits limits;
  limits.max_requests_per_connection = 8;
  return limits;
}

class Harness {
 public:
  Harness()
      : server_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0), handler(),
                fuzzing_limits()) {
    log::set_level(log::Level::error);
    publish_one_meeting(cache_);
    server_.start();
  }

  void run(std::string_view input) {
    if (inputs_++ % kHealthCheckInterval == 0) check_health();
    const std::string response = exchange(input);
    if (!response.empty() && !response.starts_with("HTTP/")) {
      violated("the server sent something else than an HTTP response");
    }
  }

 private:
  http::Handler handler() {
    daemon::ScrapeHandler endpoints(
        cache_, [] { return std::string("zoom_up 1\n"); }, [] { return true; }, 1s);
    return [endpoints](const http::Request& request) {
      if (request.path == "/echo") return http::Response::text(200, request.body);
      return endpoints(request);
    };
  }

  void check_health() {
    const std::string response = exchange("GET /healthz HTTP/1.1\r\nHost: fuzz\r\n\r\n");
    if (!response.starts_with("HTTP/1.1 200 OK\r\n") || !response.ends_with("\r\n\r\nok\n")) {
      violated("the server no longer answers a plain GET /healthz with 200");
    }
  }

  // Everything the server sent back on one connection that sent `input`.
  std::string exchange(std::string_view input) {
    tcp::socket socket(io_);
    // Not the blocking connect(): libFuzzer's timer signal can interrupt it, and Asio then
    // throws instead of waiting for the connection to complete.
    bool connected = false;
    boost::system::error_code connect_error;
    socket.async_connect(server_.local_endpoint(), [&](boost::system::error_code ec) {
      connected = true;
      connect_error = ec;
    });
    run_until(connected, "the connection to the server did not complete");
    if (connect_error) violated("cannot connect to the server: " + connect_error.message());

    // Read from the start, concurrently with the writes, so that neither side can block the
    // other on a full socket buffer.
    std::string response;
    bool closed_by_server = false;
    std::array<char, 16 * 1024> buffer{};
    std::function<void()> read_more = [&] {
      socket.async_read_some(asio::buffer(buffer),
                             [&](boost::system::error_code ec, std::size_t n) {
                               response.append(buffer.data(), n);
                               if (ec) {
                                 closed_by_server = true;
                               } else {
                                 read_more();
                               }
                             });
    };
    read_more();

    const std::size_t cuts[] = {0, input.size() / 3, 2 * input.size() / 3, input.size()};
    for (std::size_t piece = 0; piece + 1 < std::size(cuts) && !closed_by_server; ++piece) {
      const std::string_view bytes = input.substr(cuts[piece], cuts[piece + 1] - cuts[piece]);
      if (bytes.empty()) continue;
      bool written = false;
      boost::system::error_code write_error;
      asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()),
                        [&](boost::system::error_code ec, std::size_t) {
                          written = true;
                          write_error = ec;
                        });
      run_until(written, "a write to the server did not complete");
      // A server that has answered and closed may refuse the rest: that is its right.
      if (write_error) break;
      // Lets the server read this piece on its own before the next one arrives.
      poll();
    }
    boost::system::error_code already_closed;
    socket.shutdown(tcp::socket::shutdown_send, already_closed);
    run_until(closed_by_server, "the server neither answered nor closed after the half-close");
    socket.close(already_closed);
    run_until([this] { return server_.connection_count() == 0; },
              "a connection outlived its client");
    return response;
  }

  void poll() {
    try {
      io_.poll();
    } catch (const std::exception& error) {
      exception_escaped(error);
    }
  }

  void run_until(const bool& done, std::string_view failure) {
    run_until([&done] { return done; }, failure);
  }

  template <typename Condition>
  void run_until(Condition done, std::string_view failure) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) violated(failure);
      try {
        io_.run_one_for(10ms);
      } catch (const std::exception& error) {
        exception_escaped(error);
      }
    }
  }

  [[noreturn]] static void exception_escaped(const std::exception& error) {
    violated(std::string("an exception escaped io_context::run(): ") + error.what());
  }

  asio::io_context io_;
  metrics::ExpositionCache cache_;
  http::Server server_;
  std::size_t inputs_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  harness.run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
