#include "daemon/exporter.hpp"

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <string_view>

#include "common/log.hpp"
#include "daemon/authorizing_handler.hpp"
#include "metrics/exposition_text.hpp"

namespace zqe::daemon {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Requests in flight are aborted on stop; this bounds the wait for anything that lingers.
constexpr auto kShutdownDeadline = 5s;
constexpr auto kLoopLagPeriod = 500ms;

config::LoadOptions simulate_options(bool simulate) {
  config::LoadOptions options;
  options.simulate = simulate;
  return options;
}

void log_warnings(const config::Config& config) {
  for (const std::string& warning : config.warnings) {
    log::warn("config warning", "warning=" + log::quote(warning));
  }
}

std::vector<std::string> names_of(const std::vector<config::AccountConfig>& accounts) {
  std::vector<std::string> names;
  for (const config::AccountConfig& account : accounts) names.push_back(account.name);
  return names;
}

// "a,b,c", quoted for the log when it needs to be.
std::string quoted_names(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ",") + name;
  return log::quote(text);
}

std::string account_names(const std::vector<config::AccountConfig>& accounts) {
  return quoted_names(names_of(accounts));
}

std::string true_or_false(bool value) {
  return value ? "true" : "false";
}

// "exported_participant=... exported_meeting=... exported_account=..." for `prefix` "exported".
std::string describe_series(std::string_view prefix, const metrics::SeriesCounts& counts) {
  const std::string key = " " + std::string(prefix) + "_";
  return key + "participant=" + std::to_string(counts.participant) + key +
         "meeting=" + std::to_string(counts.meeting) + key +
         "account=" + std::to_string(counts.account);
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
      signals_(io),
      shutdown_deadline_(io),
      trim_timer_(io),
      loop_lag_(io, kLoopLagPeriod,
                [this](double seconds) { metrics_.observe_event_loop_lag(seconds); }),
      systemd_(io) {
  if (!options_.simulate) return;
  for (const config::AccountConfig& account : config::accounts_of(config_)) {
    config::SimulatorConfig simulated = config_.simulator;
    simulated.seed += simulators_.size();
    simulators_.push_back(std::make_unique<simulator::SimulatedZoom>(io, simulated));
    simulated_names_.push_back(account.name);
  }
}

Exporter::~Exporter() = default;

void Exporter::apply_simulator_endpoints(config::Config& config) const {
  const auto point_at = [](const simulator::SimulatedZoom& simulated, auto& account) {
    account.api_base_url = simulated.api_base_url();
    account.oauth_token_url = simulated.oauth_token_url();
    account.account_id = simulator::kAccountId;
    account.client_id = simulator::kClientId;
    account.client_secret = simulator::kClientSecret;
  };
  if (simulators_.empty()) return;
  if (!config.named_accounts) {
    point_at(*simulators_.front(), config.zoom);
    return;
  }
  // By name: an account added by a reload has no simulator, and is not polled until a restart.
  for (config::AccountConfig& account : config.accounts) {
    const auto found = std::find(simulated_names_.begin(), simulated_names_.end(), account.name);
    if (found != simulated_names_.end()) {
      point_at(*simulators_[static_cast<std::size_t>(found - simulated_names_.begin())], account);
    }
  }
}

void Exporter::redact_in_logs() const {
  std::vector<const config::AccountConfig*> accounts;
  for (const auto& account : accounts_) accounts.push_back(&account->config());
  redact_secrets_in_logs(accounts);
}

void Exporter::start() {
  for (const auto& simulated : simulators_) {
    simulated->start();
    log::info("simulated Zoom account started", "api=" + simulated->api_base_url());
  }
  apply_simulator_endpoints(config_);
  log::set_level(config_.log_level);
  log_warnings(config_);
  const std::vector<config::AccountConfig> accounts = config::accounts_of(config_);
  for (const config::AccountConfig& account : accounts) {
    accounts_.push_back(std::make_unique<Account>(io_, http_client_, metrics_, config_, account,
                                                  options_.per_scrape_ttl, options_.token_retry,
                                                  [this](const MeetingMap&) { publish(); }));
  }
  redact_in_logs();
  if (config_.named_accounts) {
    const std::string shard = config_.shard ? " shard=" + std::to_string(config_.shard->index) +
                                                  "/" + std::to_string(config_.shard->count)
                                            : std::string();
    const std::string fields = "accounts=" + account_names(accounts) + shard +
                               " listed=" + std::to_string(config_.listed_accounts);
    if (accounts.empty()) {
      log::info("no account falls in this shard; exporting no QoS", fields);
    } else {
      log::info("polling several accounts", fields);
    }
  }

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
              cache_, [this] { return per_scrape_text(); }, [this] { return ready(); },
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
  running_accounts_ = accounts_.size();
  for (const auto& account : accounts_) {
    account->start([this] {
      // The poll loops were the last long-lived tasks: nothing needs the deadline any more.
      if (--running_accounts_ == 0 && stopping_) shutdown_deadline_.cancel();
    });
  }
  if (options_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);
    wait_for_signal();
  }
}

void Exporter::poll_now() {
  for (const auto& account : accounts_) account->poller().poll_now();
}

std::uint64_t Exporter::lists_completed() const {
  std::optional<std::uint64_t> fewest;
  for (const auto& account : accounts_) {
    const std::uint64_t lists = account->poller().lists_completed();
    if (!fewest || lists < *fewest) fewest = lists;
  }
  return fewest.value_or(0);
}

bool Exporter::idle() const {
  return std::all_of(accounts_.begin(), accounts_.end(),
                     [](const auto& account) { return account->poller().idle(); });
}

bool Exporter::ready() const {
  return std::all_of(accounts_.begin(), accounts_.end(),
                     [](const auto& account) { return account->poller().ready(); });
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
  for (const auto& account : accounts_) account->stop();
  http_client_.cancel_all();
  auth_.stop();
  if (server_) server_->stop();
  for (const auto& simulated : simulators_) simulated->stop();
  trim_timer_.cancel();
  loop_lag_.stop();
  if (running_accounts_ == 0) return;  // no poll loop to wait for
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
  const std::vector<config::AccountConfig> next_accounts = config::accounts_of(next);
  for (const config::AccountConfig& account : next_accounts) Account::validate(account);
  if (next.listen_host != config_.listen_host || next.listen_port != config_.listen_port) {
    log::warn("listen address changes take effect after a restart");
  }
  std::vector<std::string> running;
  for (const auto& account : accounts_) running.push_back(account->name());
  if (names_of(next_accounts) != running) {
    // Accounts come and go with their pollers, schedulers and series; the ones that stay are
    // updated now.
    log::warn("a change of the accounts polled takes effect after a restart",
              "running=" + quoted_names(running) + " configured=" + account_names(next_accounts));
  }
  log::set_level(next.log_level);
  http_client_.set_options(http_options_of(next));
  for (const auto& account : accounts_) {
    const auto same_name = std::find_if(
        next_accounts.begin(), next_accounts.end(),
        [&](const config::AccountConfig& candidate) { return candidate.name == account->name(); });
    if (same_name != next_accounts.end()) account->apply(next, *same_name);
  }
  redact_in_logs();
  metrics_.set_series_limit(static_cast<double>(next.metrics.max_series));
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
  const config::MetricsConfig& settings = config_.metrics;
  std::vector<metrics::AccountTotals> accounts;
  std::vector<metrics::MeetingSeries> series;
  accounts.reserve(accounts_.size());
  for (const auto& account : accounts_) {
    const MeetingMap& meetings = account->poller().meetings();
    metrics::AccountTotals& totals = accounts.emplace_back();
    totals.account = account->name();
    totals.live_meetings = meetings.size();
    series.reserve(series.size() + meetings.size());
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
        totals.totals.merge(rendered->totals);
      }
    }
  }
  std::string account_families =
      metrics::render_account_families(accounts, settings.levels.account);
  // One cap over every account: it bounds what a scrape costs, whoever the series belong to.
  const metrics::SeriesSelection selection = metrics::select_series(
      settings.max_series, metrics::exposition::count_series(account_families), series);

  std::vector<metrics::ExportedMeeting> exported;
  std::vector<metrics::ListedMeeting> listed;
  std::map<AccountMeeting, DroppedSeries> dropped;
  exported.reserve(series.size());
  listed.reserve(series.size());
  exported_fetches_.clear();
  std::size_t index = 0;
  for (std::size_t account = 0; account < accounts_.size(); ++account) {
    for (const auto& [key, state] : accounts_[account]->poller().meetings()) {
      const bool meeting_kept = selection.meeting_kept[index];
      const bool participants_kept = selection.participants_kept[index];
      if (!participants_kept && (series[index].participant > 0 || !meeting_kept)) {
        const AccountMeeting where{account, key};
        dropped[where] = {state.rendered, !meeting_kept};
        count_dropped(where, dropped[where], series[index]);
      }
      ++index;
      if (!meeting_kept) continue;
      exported.push_back({state.rendered, participants_kept});
      listed.push_back({&state.meeting, accounts_[account]->name()});
      if (state.fetched && settings.levels.meeting) {
        exported_fetches_.push_back({account, key.id, *state.fetched});
      }
      if (participants_kept && settings.levels.participant) {
        for (const auto& [participant_id, fetched] : state.watched) {
          exported_fetches_.push_back({account, key.id, fetched, participant_id});
        }
      }
    }
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
void Exporter::count_dropped(const AccountMeeting& key, const DroppedSeries& now,
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
                  describe_series("exported", selection.exported) +
                  describe_series("dropped", selection.dropped));
  } else if (!dropping && series_capped_) {
    log::info("all series fit under the series cap again",
              "max_series=" + std::to_string(config_.metrics.max_series));
  }
  series_capped_ = dropping;
}

std::string Exporter::per_scrape_text() {
  const auto now = scheduler::Clock::now();
  for (const auto& account : accounts_) account->note_scheduler_state(now);
  std::vector<metrics::MeetingQosAge> ages;
  std::vector<metrics::ParticipantQosAge> participant_ages;
  ages.reserve(exported_fetches_.size());
  for (const auto& [account, meeting_id, fetched, participant_id] : exported_fetches_) {
    const double seconds = std::chrono::duration<double>(now - fetched).count();
    if (participant_id.empty()) {
      ages.push_back({accounts_[account]->name(), meeting_id, seconds});
    } else {
      participant_ages.push_back({accounts_[account]->name(), meeting_id, participant_id, seconds});
    }
  }
  return metrics_.render() + metrics::render_qos_ages(ages) +
         metrics::render_participant_qos_ages(participant_ages);
}

}  // namespace zqe::daemon
