#include "commands/zoom_session.hpp"

#include "common/log.hpp"
#include "common/wipe.hpp"

namespace zqe::commands {
namespace {

// The daemon's settings of the same parts (daemon/exporter.cpp), for one command's requests.
zoom::HttpClientOptions http_options_of(const config::Config& config) {
  return {config.zoom.request_timeout, config.zoom.max_response_bytes};
}

scheduler::SchedulerOptions scheduler_options_of(const config::Config& config) {
  scheduler::SchedulerOptions options;
  options.min_refresh_interval =
      std::chrono::duration_cast<scheduler::Duration>(config.poll.interval);
  options.page_size = config.zoom.qos_page_size;
  options.heavy_per_second = config.limits.heavy_per_second;
  options.resource_intensive_per_minute = config.limits.resource_intensive_per_minute;
  options.daily_budget = static_cast<std::int64_t>(
      static_cast<double>(config.limits.daily_requests) * config.limits.daily_share);
  return options;
}

// As the daemon does: the secret in every form a log line could meet it in is redacted.
void redact_in_logs(const config::ZoomConfig& zoom) {
  std::string basic = zoom::basic_credentials(zoom.client_id, zoom.client_secret);
  std::string percent_encoded = zoom::percent_encode(zoom.client_secret);
  log::set_redacted_values({zoom.client_secret, basic, percent_encoded});
  wipe(basic);
  wipe(percent_encoded);
}

}  // namespace

ZoomSession::ZoomSession(boost::asio::io_context& io, config::Config config, bool simulate)
    : config_(std::move(config)),
      http_(io, http_options_of(config_)),
      scheduler_(scheduler_options_of(config_)),
      gate_(io, scheduler_, metrics_) {
  if (simulate) {
    simulator_ = std::make_unique<simulator::SimulatedZoom>(io, config_.simulator);
    simulator_->start();
    config_.zoom.api_base_url = simulator_->api_base_url();
    config_.zoom.oauth_token_url = simulator_->oauth_token_url();
    config_.zoom.account_id = simulator::kAccountId;
    config_.zoom.client_id = simulator::kClientId;
    config_.zoom.client_secret = simulator::kClientSecret;
  }
  redact_in_logs(config_.zoom);
  const auto token_url = zoom::parse_url(config_.zoom.oauth_token_url);
  if (!token_url) throw config::ConfigError(config_.source + ": zoom.oauth_token_url: invalid URL");
  // One command makes one attempt: no backoff to wait out before the next.
  tokens_ = std::make_unique<zoom::TokenProvider>(
      io, http_, metrics_,
      zoom::Credentials{config_.zoom.account_id, config_.zoom.client_id, config_.zoom.client_secret,
                        *token_url},
      zoom::TokenRetryPolicy{std::chrono::seconds(0), std::chrono::seconds(0)});
  try {
    client_ = std::make_unique<zoom::ZoomClient>(
        http_, *tokens_, gate_, metrics_,
        zoom::ClientOptions{config_.zoom.api_base_url, config_.zoom.qos_page_size,
                            config_.zoom.meetings_page_size});
  } catch (const std::invalid_argument&) {
    throw config::ConfigError(config_.source + ": zoom.api_base_url: invalid URL");
  }
}

ZoomSession::~ZoomSession() = default;

void ZoomSession::stop() {
  gate_.stop();
  http_.cancel_all();
  if (simulator_) simulator_->stop();
}

}  // namespace zqe::commands
