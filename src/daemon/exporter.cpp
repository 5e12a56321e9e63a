#include "daemon/exporter.hpp"

#include <malloc.h>

#include <csignal>

#include "common/log.hpp"
#include "common/wipe.hpp"
#include "daemon/authorizing_handler.hpp"
#include "metrics/exposition_text.hpp"

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
  options.render.meeting_info_labels = config.metrics.meeting_info_labels;
  options.render.audio_quality = config.metrics.audio_quality;
  options.render.levels = {config.metrics.levels.participant, config.metrics.levels.meeting,
                           config.metrics.levels.account};
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

std::string describe_series(const metrics::SeriesCounts& counts) {
  return "participant=" + std::to_string(counts.participant) +
         " meeting=" + std::to_string(counts.meeting) +
         " account=" + std::to_string(counts.account);
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
                                     [this](const MeetingMap&) { publish(); });

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
  metrics_.set_series_limit(static_cast<double>(config_.metrics.max_series));
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
  metrics_.set_series_limit(static_cast<double>(next.metrics.max_series));
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

void Exporter::publish() {
  const MeetingMap& meetings = poller_->meetings();
  const config::MetricsConfig& settings = config_.metrics;
  metrics::AccountTotals account{{}, meetings.size(), {}};
  std::vector<metrics::MeetingSeries> series;
  series.reserve(meetings.size());
  for (const auto& [key, state] : meetings) {
    const metrics::RenderedMeeting* rendered = state.rendered.get();
    metrics::MeetingSeries& counts = series.emplace_back();
    if (settings.levels.meeting) {
      counts.meeting = metrics::meeting_family_series(state.meeting) + (state.fetched ? 1 : 0);
    }
    if (rendered != nullptr) {
      counts.meeting += rendered->meeting_series;
      counts.participant = rendered->participant_series;
      // Meetings the cap leaves out still count: the account's totals are what stays exact.
      account.totals.merge(rendered->totals);
    }
  }
  std::string account_families =
      metrics::render_account_families({account}, settings.levels.account);
  const metrics::SeriesSelection selection = metrics::select_series(
      settings.max_series, metrics::exposition::count_series(account_families), series);

  std::vector<metrics::ExportedMeeting> exported;
  std::vector<metrics::ListedMeeting> listed;
  std::map<scheduler::MeetingKey, DroppedSeries> dropped;
  exported.reserve(meetings.size());
  listed.reserve(meetings.size());
  exported_fetches_.clear();
  std::size_t index = 0;
  for (const auto& [key, state] : meetings) {
    const bool meeting_kept = selection.meeting_kept[index];
    const bool participants_kept = selection.participants_kept[index];
    if (!participants_kept && (series[index].participant > 0 || !meeting_kept)) {
      dropped[key] = {state.rendered, !meeting_kept};
      count_dropped(key, dropped[key], series[index]);
    }
    ++index;
    if (!meeting_kept) continue;
    exported.push_back({state.rendered, participants_kept});
    listed.push_back({&state.meeting, account.account});
    if (state.fetched && settings.levels.meeting)
      exported_fetches_.push_back({key.id, *state.fetched});
  }
  dropped_ = std::move(dropped);

  std::string tail;
  if (settings.levels.meeting) {
    tail = metrics::render_meeting_families(listed, settings.meeting_info_labels);
  }
  tail += account_families;
  cache_.update(std::move(exported), std::move(tail));
  metrics_.set_series("participant", static_cast<double>(selection.exported.participant));
  metrics_.set_series("meeting", static_cast<double>(selection.exported.meeting));
  metrics_.set_series("account", static_cast<double>(selection.exported.account));
  note_series_cap(selection);

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

// A meeting's series count once as dropped for each refresh that does not fit, not at every
// publish: the previous publish's drops are remembered with the rendering they dropped.
void Exporter::count_dropped(const scheduler::MeetingKey& key, const DroppedSeries& now,
                             const metrics::MeetingSeries& series) {
  const auto before = dropped_.find(key);
  const bool same_rendering = before != dropped_.end() && before->second.rendered == now.rendered;
  if (!same_rendering)
    metrics_.count_dropped_series("participant", static_cast<double>(series.participant));
  if (now.meeting_level && !(same_rendering && before->second.meeting_level)) {
    metrics_.count_dropped_series("meeting", static_cast<double>(series.meeting));
  }
}

// One warning when the cap starts dropping series, one line when everything fits again.
void Exporter::note_series_cap(const metrics::SeriesSelection& selection) {
  const bool dropping = selection.dropped.participant + selection.dropped.meeting > 0;
  if (dropping && !series_capped_) {
    log::warn("series cap reached: dropping participant series first, then meetings",
              "max_series=" + std::to_string(config_.metrics.max_series) +
                  " exported: " + describe_series(selection.exported) +
                  " dropped: " + describe_series(selection.dropped));
  } else if (!dropping && series_capped_) {
    log::info("all series fit under the series cap again",
              "max_series=" + std::to_string(config_.metrics.max_series));
  }
  series_capped_ = dropping;
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
  ages.reserve(exported_fetches_.size());
  for (const auto& [meeting_id, fetched] : exported_fetches_) {
    ages.push_back({{}, meeting_id, std::chrono::duration<double>(now - fetched).count()});
  }
  return metrics_.render() + metrics::render_qos_ages(ages);
}

}  // namespace zqe::daemon
