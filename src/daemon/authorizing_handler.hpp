#pragma once

#include <functional>

#include "http/types.hpp"
#include "metrics/exporter_metrics.hpp"
#include "web/basic_auth.hpp"

namespace zqe::daemon {

// Puts the exporter's endpoints behind HTTP basic auth when the web config has users: every
// path, except /healthz and /readyz while `open_health_endpoints` says so (Kubernetes probes
// carry no credentials). Refusals are 401 with a Basic challenge, or 503 with Retry-After when
// too many verifications are pending, and are counted in zoom_exporter_http_auth_failures_total.
class AuthorizingHandler {
 public:
  AuthorizingHandler(web::BasicAuth& auth, http::Handler endpoints,
                     std::function<bool()> open_health_endpoints,
                     metrics::ExporterMetrics& metrics);

  void operator()(const http::Request& request, const http::Responder& respond) const;

 private:
  bool is_open(const http::Request& request) const;

  web::BasicAuth& auth_;
  http::Handler endpoints_;
  std::function<bool()> open_health_endpoints_;
  metrics::ExporterMetrics& metrics_;
};

}  // namespace zqe::daemon
