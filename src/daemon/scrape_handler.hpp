#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/types.hpp"
#include "metrics/exposition_cache.hpp"

namespace zqe::daemon {

// The exporter's HTTP endpoints: /metrics, /healthz, /readyz and a landing page at /.
// /metrics never waits for Zoom: it serves the QoS text cached at the last poll plus the
// exporter's own metrics rendered now.
class ScrapeHandler {
 public:
  // `per_scrape_text` renders what changes between polls: the exporter's own metrics and the
  // age of each meeting's data.
  ScrapeHandler(const metrics::ExpositionCache& cache, std::function<std::string()> per_scrape_text,
                std::function<bool()> ready);

  http::Response operator()(const http::Request& request) const;

 private:
  http::Response metrics_response(const http::Request& request) const;

  const metrics::ExpositionCache& cache_;
  std::function<std::string()> per_scrape_text_;
  std::function<bool()> ready_;
};

// Whether an Accept-Encoding header admits gzip ("gzip", "gzip;q=0.5", "*"; not "gzip;q=0").
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace zqe::daemon
