#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.hpp"
#include "metrics/exposition_cache.hpp"

namespace zqe::daemon {

// The exporter's HTTP endpoints: /metrics, /healthz, /readyz and a landing page at /.
// /metrics never waits for Zoom: it serves the QoS text cached at the last poll plus what
// changes between polls (the exporter's own metrics, the age of each meeting's data), rendered
// at most once per `per_scrape_ttl` and shared by the scrapes in between, so that many
// concurrent scrapers cost one render and one deflate.
class ScrapeHandler {
 public:
  ScrapeHandler(const metrics::ExpositionCache& cache, std::function<std::string()> per_scrape_text,
                std::function<bool()> ready, std::chrono::milliseconds per_scrape_ttl);

  http::Response operator()(const http::Request& request) const;

 private:
  http::Response metrics_response(const http::Request& request) const;

  // Only the tails are kept between scrapes: holding the cached pieces would keep a replaced
  // exposition, every meeting's rendered text, alive until the next scrape.
  struct RecentTails {
    std::chrono::steady_clock::time_point rendered{};
    std::uint64_t cache_generation = 0;
    std::string per_scrape_text;
    std::optional<metrics::BodyTail> plain;
    std::optional<metrics::BodyTail> gzip;
  };
  metrics::ScrapeBody body(bool gzip) const;

  const metrics::ExpositionCache& cache_;
  std::function<std::string()> per_scrape_text_;
  std::function<bool()> ready_;
  std::chrono::milliseconds per_scrape_ttl_;
  // Shared by the copies the server keeps of this handler.
  std::shared_ptr<RecentTails> recent_ = std::make_shared<RecentTails>();
};

// Whether an Accept-Encoding header admits gzip ("gzip", "gzip;q=0.5", "*"; not "gzip;q=0").
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace zqe::daemon
