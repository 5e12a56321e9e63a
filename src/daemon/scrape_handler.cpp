#include "daemon/scrape_handler.hpp"

#include <charconv>

namespace zqe::daemon {
namespace {

constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

constexpr std::string_view kLandingPage = R"(<!DOCTYPE html>
<html><head><title>Zoom QoS Exporter</title></head>
<body><h1>Zoom QoS Exporter</h1>
<p>Call quality of live Zoom meetings as Prometheus metrics.</p>
<ul><li><a href="/metrics">/metrics</a></li><li><a href="/healthz">/healthz</a></li>
<li><a href="/readyz">/readyz</a></li></ul></body></html>
)";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "q=0", "q=0.0", "q=0.000" reject the coding; anything else (or no q) accepts it.
bool quality_is_zero(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') ||
        parameter[1] != '=') {
      continue;
    }
    double quality = 1;
    std::string_view value = parameter.substr(2);
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), quality);
    return error == std::errc() && quality == 0;
  }
  return false;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    const auto semicolon = element.find(';');
    const std::string_view coding = trim(element.substr(0, semicolon));
    if (http::iequals(coding, "gzip") || coding == "*") {
      return semicolon == std::string_view::npos || !quality_is_zero(element.substr(semicolon + 1));
    }
  }
  return false;
}

ScrapeHandler::ScrapeHandler(const metrics::ExpositionCache& cache,
                             std::function<std::string()> per_scrape_text,
                             std::function<bool()> ready, std::chrono::milliseconds per_scrape_ttl)
    : cache_(cache),
      per_scrape_text_(std::move(per_scrape_text)),
      ready_(std::move(ready)),
      per_scrape_ttl_(per_scrape_ttl) {}

http::Response ScrapeHandler::operator()(const http::Request& request) const {
  const bool known_path = request.path == "/metrics" || request.path == "/healthz" ||
                          request.path == "/readyz" || request.path == "/";
  if (!known_path) return http::Response::text(404, "404 page not found\n");
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = http::Response::text(405, "405 method not allowed\n");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (request.path == "/metrics") return metrics_response(request);
  if (request.path == "/healthz") return http::Response::text(200, "ok\n");
  if (request.path == "/readyz") {
    return ready_() ? http::Response::text(200, "ready\n")
                    : http::Response::text(503, "not ready: no successful poll yet\n");
  }
  return http::Response::text(200, std::string(kLandingPage), "text/html; charset=utf-8");
}

metrics::ScrapeBody ScrapeHandler::body(bool gzip) const {
  RecentTails& recent = *recent_;
  const auto now = std::chrono::steady_clock::now();
  if (now - recent.rendered >= per_scrape_ttl_ || recent.cache_generation != cache_.generation()) {
    recent = RecentTails{now, cache_.generation(), per_scrape_text_(), {}, {}};
  }
  auto& tail = gzip ? recent.gzip : recent.plain;
  if (!tail) {
    tail =
        gzip ? cache_.gzip_tail(recent.per_scrape_text) : cache_.plain_tail(recent.per_scrape_text);
  }
  return {gzip ? cache_.gzip_pieces() : cache_.plain_pieces(), *tail};
}

http::Response ScrapeHandler::metrics_response(const http::Request& request) const {
  http::Response response;
  response.content_type = kExpositionContentType;
  response.headers.emplace_back("Vary", "Accept-Encoding");
  const bool gzip = accepts_gzip(request.header("Accept-Encoding"));
  if (gzip) response.headers.emplace_back("Content-Encoding", "gzip");
  metrics::ScrapeBody cached = body(gzip);
  response.shared_body = std::move(cached.pieces);
  response.body = std::move(cached.tail);
  return response;
}

}  // namespace zqe::daemon
