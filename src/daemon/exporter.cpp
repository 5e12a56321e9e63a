#include "daemon/exporter.hpp"

#include <malloc.h>

#include <csignal>

#include "common/log.hpp"
#include "common/wipe.hpp"
#include "daemon/authorizing_handler.hpp"

namespace zqe::daemon {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Requests in flight are aborted on stop; this bounds the wait for anything that lingers.
constexpr auto kShutdownDeadline = 5s;
constexpr auto kLoopLagPeriod = 500ms;

zoom::Credentials credentials_of(const config::ZoomConfig& zoom) {
  auto token_url = zoom::parse_url(zoom.oauth_token_url);
  if (!token_url) throw config::ConfigError("zoom.oauth_token_url: invalid URL");
  return {zoom.account_id, zoom.client_id, zoom.client_secret, *token_url};
}

zoom::ClientOptions client_options_of(const config::Config& config) {
  return {config.zoom.api_base_url, config.zoom.qos_page_size, config.zoom.meetings_page_size};
}

zoom::HttpClientOptions http_options_of(const config::Config& config) {
  return {config.zoom.request_timeout, config.zoom.max_response_bytes};
}

config::LoadOptions simulate_options(bool simulate) {
  config::LoadOptions options;
  options.simulate = simulate;
  return options;
}

// The secret in the forms a log line could meet it in: as it is, in the Authorization header's
// base64 and percent-encoded as in a form or URL. Replaces the forms of the secret before.
void redact_in_logs(const config::ZoomConfig& zoom) {
  std::string basic = zoom::basic_credentials(zoom.client_id, zoom.client_secret);
  std::string percent_encoded = zoom::percent_encode(zoom.client_secret);
  log::set_redacted_values({zoom.client_secret, basic, percent_encoded});
  wipe(basic);
  wipe(percent_encoded);
}

void log_warnings(const config::Config& config) {
  for (const std::string& warning : config.warnings) {
    log::warn("config warning", "warning=" + log::quote(warning));
  }
}

PollerOptions poller_options_of(const config::Config& config,
                                std::chrono::milliseconds min_publish_interval) {
  PollerOptions options;
  options.min_publish_interval = min_publish_interval;
  options.interval = config.poll.interval;
  options.workers = config.zoom.max_concurrent_requests;
  options.webinars = config.poll.webinars;
  options.render.participant_info_labels = config.metrics.participant_info_labels;
  options.render.audio_quality = config.metrics.audio_quality;
  return options;
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

std::string true_or_false(bool value) {
  return value ? "true" : "false";
}

}  // namespace

std::string web_config_path_of(const config::Config& config, const std::string& flag) {
  return flag.empty() ? config.web.config_file : flag;
}

Exporter::Exporter(asio::io_context& io, config::Config config, ExporterOptions options)
    : io_(io),
      config_(std::move(config)),
      options_(std::move(options)),
      auth_(io),
      http_client_(io, http_options_of(config_)),
      scheduler_(scheduler_options_of(config_)),
      gate_(io, scheduler_, metrics_),
      signals_(io),
      shutdown_deadline_(io),
      trim_timer_(io),
      loop_lag_(io, kLoopLagPeriod,
                [this](double seconds) { metrics_.observe_event_loop_lag(seconds); }),
      systemd_(io) {
  if (options_.simulate) {
    simulator_ = std::make_unique<simulator::SimulatedZoom>(io, config_.simulator);
  }
}

Exporter::~Exporter() = default;

void Exporter::apply_simulator_endpoints(config::Config& config) const {
  if (!simulator_) return;
  config.zoom.api_base_url = simulator_->api_base_url();
  config.zoom.oauth_token_url = simulator_->oauth_token_url();
  config.zoom.account_id = simulator::kAccountId;
  config.zoom.client_id = simulator::kClientId;
  config.zoom.client_secret = simulator::kClientSecret;
}

void Exporter::start() {
  if (simulator_) {
    simulator_->start();
    apply_simulator_endpoints(config_);
    log::info("simulated Zoom account started", "api=" + config_.zoom.api_base_url);
  }
  log::set_level(config_.log_level);
  redact_in_logs(config_.zoom);
  log_warnings(config_);
  tokens_ = std::make_unique<zoom::TokenProvider>(
      io_, http_client_, metrics_, credentials_of(config_.zoom), options_.token_retry);
  try {
    client_ = std::make_unique<zoom::ZoomClient>(http_client_, *tokens_, gate_, metrics_,
                                                 client_options_of(config_));
  } catch (const std::invalid_argument&) {
    throw config::ConfigError("zoom.api_base_url: invalid URL");
  }
  poller_ = std::make_unique<Poller>(io_, *client_, scheduler_, gate_, metrics_,
                                     poller_options_of(config_, options_.per_scrape_ttl),
                                     [this](const MeetingMap& meetings) { publish(meetings); });

  const web::WebSecurity web = load_web(config_);
  auth_.set_users(web.users);
  tls_ = web.tls();
  // A host name such as "localhost" is resolved once at start; the first address is used.
  asio::ip::tcp::resolver resolver(io_);
  const asio::ip::tcp::endpoint endpoint =
      resolver.resolve(config_.listen_host, std::to_string(config_.listen_port))->endpoint();
  server_ = std::make_unique<http::Server>(
      io_, endpoint,
      AuthorizingHandler(
          auth_,
          ScrapeHandler(
              cache_, [this] { return per_scrape_text(); }, [this] { return poller_->ready(); },
              options_.per_scrape_ttl),
          [this] { return config_.web.open_health_endpoints; }, metrics_),
      http::ServerLimits{}, web.server);
  server_->start();
  const std::string listening =
      "address=" + log::quote(server_->local_endpoint().address().to_string()) +
      " port=" + std::to_string(server_->local_endpoint().port()) + " tls=" + true_or_false(tls_) +
      " basic_auth=" + true_or_false(auth_.required());
  log::info("listening", listening);
  systemd_.ready("listening " + listening);

  loop_lag_.start();
  poller_->start([this] {
    // The poll loop was the last long-lived task: nothing needs the deadline any more.
    if (stopping_) shutdown_deadline_.cancel();
  });
  if (options_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);
    wait_for_signal();
  }
}

void Exporter::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;  // cancelled on stop
    if (signal == SIGHUP) {
      reload();
      wait_for_signal();
      return;
    }
    log::info("shutting down", std::string("signal=") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    stop();
  });
}

void Exporter::stop() {
  if (stopping_) return;
  stopping_ = true;
  systemd_.stopping();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  if (poller_) poller_->stop();
  gate_.stop();
  http_client_.cancel_all();
  auth_.stop();
  if (server_) server_->stop();
  if (simulator_) simulator_->stop();
  trim_timer_.cancel();
  loop_lag_.stop();
  shutdown_deadline_.expires_after(kShutdownDeadline);
  shutdown_deadline_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    log::warn("shutdown deadline reached; stopping the event loop");
    io_.stop();
  });
}

void Exporter::reload() {
  if (options_.config_path.empty()) {
    log::info("SIGHUP ignored: no config file to reload");
    return;
  }
  try {
    config::Config next =
        config::load_config(options_.config_path, simulate_options(options_.simulate));
    const web::WebSecurity web = load_web(next);
    apply_simulator_endpoints(next);
    apply(next);
    apply_web(web);
    log_warnings(next);
    log::info("config reloaded", "file=" + log::quote(options_.config_path));
  } catch (const config::ConfigError& error) {
    log::error("config reload failed; keeping the running config",
               "error=" + log::quote(error.what()));
  }
}

void Exporter::apply(const config::Config& next) {
  // Validate everything before changing anything, so a bad config changes nothing.
  auto credentials = credentials_of(next.zoom);
  if (!zoom::parse_url(next.zoom.api_base_url)) {
    throw config::ConfigError(next.source + ": zoom.api_base_url: invalid URL");
  }
  if (next.listen_host != config_.listen_host || next.listen_port != config_.listen_port) {
    log::warn("listen address changes take effect after a restart");
  }
  log::set_level(next.log_level);
  http_client_.set_options(http_options_of(next));
  const auto& zoom = next.zoom;
  const auto& old = config_.zoom;
  if (zoom.account_id != old.account_id || zoom.client_id != old.client_id ||
      zoom.client_secret != old.client_secret || zoom.oauth_token_url != old.oauth_token_url) {
    redact_in_logs(zoom);
    tokens_->set_credentials(std::move(credentials));
  }
  client_->set_options(client_options_of(next));
  poller_->set_options(poller_options_of(next, options_.per_scrape_ttl));
  scheduler_.set_options(scheduler_options_of(next));
  const std::string listen_host = config_.listen_host;
  const auto listen_port = config_.listen_port;
  config_ = next;
  config_.listen_host = listen_host;
  config_.listen_port = listen_port;
}

web::WebSecurity Exporter::load_web(const config::Config& config) const {
  const std::string path = web_config_path_of(config, options_.web_config_path);
  if (path.empty()) return {};
  web::WebSecurity web = web::load_web_config(path);
  log::info("web config loaded", "file=" + log::quote(path) + " tls=" + true_or_false(web.tls()) +
                                     " client_auth_type=" + web.client_auth_type +
                                     " basic_auth_users=" + std::to_string(web.users.size()));
  return web;
}

// Keep-alive connections keep the TLS session they have; the users apply to every request from
// now on, so a removed user is locked out at once.
void Exporter::apply_web(const web::WebSecurity& web) {
  if (web.tls() != tls_) {
    log::warn(web.tls() ? "TLS switched on: scrapers must use https"
                        : "TLS switched off: scrapers must use http");
  }
  tls_ = web.tls();
  server_->set_security(web.server);
  auth_.set_users(web.users);
}

void Exporter::publish(const MeetingMap& meetings) {
  std::vector<std::shared_ptr<const metrics::RenderedMeeting>> rendered;
  std::vector<const zoom::LiveMeeting*> listed;
  rendered.reserve(meetings.size());
  listed.reserve(meetings.size());
  for (const auto& [key, state] : meetings) {
    rendered.push_back(state.rendered);
    listed.push_back(&state.meeting);
  }
  cache_.update(std::move(rendered), metrics::render_meeting_families(listed));
  // Each publish frees the renderings its refreshes replaced, in holes all over the heap that
  // glibc keeps mapped: resident memory would settle at twice the exported text. Handing them
  // back takes milliseconds on a large heap, so it is done at most every kTrimInterval.
  if (trim_pending_) return;
  trim_pending_ = true;
  trim_timer_.expires_after(kTrimInterval);
  trim_timer_.async_wait([this](const boost::system::error_code& error) {
    trim_pending_ = false;
    if (!error) malloc_trim(0);
  });
}

std::string Exporter::per_scrape_text() {
  const auto now = scheduler::Clock::now();
  const auto zoom_remaining = scheduler_.zoom_remaining(now);
  metrics_.set_scheduler_state(
      static_cast<double>(scheduler_.budget_remaining(now)),
      zoom_remaining ? std::optional<double>(static_cast<double>(*zoom_remaining)) : std::nullopt,
      static_cast<double>(scheduler_.scheduled_meetings()),
      static_cast<double>(scheduler_.skipped_refreshes()));
  std::vector<metrics::MeetingQosAge> ages;
  for (const auto& [key, state] : poller_->meetings()) {
    if (!state.fetched) continue;
    ages.push_back({key.id, std::chrono::duration<double>(now - *state.fetched).count()});
  }
  return metrics_.render() + metrics::render_qos_ages(ages);
}

}  // namespace zqe::daemon
