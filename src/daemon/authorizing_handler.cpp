#include "daemon/authorizing_handler.hpp"

#include <utility>

namespace zqe::daemon {
namespace {

// RFC 7617 requires the realm; exporter-toolkit sends a bare "Basic", which clients treat alike.
constexpr const char* kChallenge = "Basic realm=\"zoom-qos-exporter\"";

http::Response unauthorized() {
  http::Response response = http::Response::text(401, "Unauthorized\n");
  response.headers.emplace_back("WWW-Authenticate", kChallenge);
  return response;
}

http::Response busy() {
  http::Response response =
      http::Response::text(503, "Service Unavailable: too many logins being checked\n");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace

AuthorizingHandler::AuthorizingHandler(web::BasicAuth& auth, http::Handler endpoints,
                                       std::function<bool()> open_health_endpoints,
                                       metrics::ExporterMetrics& metrics)
    : auth_(auth),
      endpoints_(std::move(endpoints)),
      open_health_endpoints_(std::move(open_health_endpoints)),
      metrics_(metrics) {}

bool AuthorizingHandler::is_open(const http::Request& request) const {
  return !auth_.required() ||
         ((request.path == "/healthz" || request.path == "/readyz") && open_health_endpoints_());
}

void AuthorizingHandler::operator()(const http::Request& request,
                                    const http::Responder& respond) const {
  if (is_open(request)) return respond(http::answer(endpoints_, request));
  // The verdict may come after this call returns, when the request is gone: it keeps a copy.
  auth_.check(request.header("Authorization"), [endpoints = endpoints_, &metrics = metrics_,
                                                request, respond](web::AuthResult result) {
    switch (result) {
      case web::AuthResult::allowed:
        return respond(http::answer(endpoints, request));
      case web::AuthResult::no_credentials:
        metrics.count_auth_failure("missing");
        return respond(unauthorized());
      case web::AuthResult::wrong_credentials:
        metrics.count_auth_failure("wrong");
        return respond(unauthorized());
      case web::AuthResult::busy:
        metrics.count_auth_failure("busy");
        return respond(busy());
    }
  });
}

}  // namespace zqe::daemon
