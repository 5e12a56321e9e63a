#include "daemon/account.hpp"

#include "common/log.hpp"
#include "common/wipe.hpp"

namespace zqe::daemon {
namespace {

// "zoom.api_base_url" or "zoom.accounts[NAME].api_base_url", for messages.
std::string key_of(const config::AccountConfig& account, std::string_view setting) {
  const std::string prefix = account.name.empty() ? "zoom" : "zoom.accounts[" + account.name + "]";
  return prefix + "." + std::string(setting);
}

PollerOptions poller_options_of(const config::Config& config, const config::AccountConfig& account,
                                std::chrono::milliseconds min_publish_interval) {
  PollerOptions options;
  options.min_publish_interval = min_publish_interval;
  options.interval = config.poll.interval;
  options.workers = config.zoom.max_concurrent_requests;
  options.webinars = config.poll.webinars;
  options.render.account = account.name;
  options.watch = config.watch;
  options.render.participant_info_labels = config.metrics.participant_info_labels;
  options.render.audio_quality = config.metrics.audio_quality;
  options.render.levels = {config.metrics.levels.participant, config.metrics.levels.meeting,
                           config.metrics.levels.account};
  return options;
}

}  // namespace

zoom::ClientOptions client_options_of(const config::Config& config,
                                      const config::AccountConfig& account) {
  if (!zoom::parse_url(account.api_base_url)) {
    throw config::ConfigError(key_of(account, "api_base_url") + ": invalid URL");
  }
  return {account.api_base_url, config.zoom.qos_page_size, config.zoom.meetings_page_size};
}

scheduler::SchedulerOptions scheduler_options_of(const config::Config& config,
                                                 const config::AccountConfig& account) {
  scheduler::SchedulerOptions options;
  options.min_refresh_interval =
      std::chrono::duration_cast<scheduler::Duration>(config.poll.interval);
  options.page_size = config.zoom.qos_page_size;
  options.heavy_per_second = account.limits.heavy_per_second;
  options.resource_intensive_per_minute = account.limits.resource_intensive_per_minute;
  options.daily_budget = static_cast<std::int64_t>(
      static_cast<double>(account.limits.daily_requests) * account.limits.daily_share);
  options.watch_interval = std::chrono::duration_cast<scheduler::Duration>(config.watch.interval);
  return options;
}

zoom::HttpClientOptions http_options_of(const config::Config& config) {
  return {config.zoom.request_timeout, config.zoom.max_response_bytes};
}

void redact_secrets_in_logs(const std::vector<const config::AccountConfig*>& accounts) {
  std::vector<std::string> forms;
  for (const config::AccountConfig* account : accounts) {
    if (account->client_secret.empty()) continue;
    forms.push_back(account->client_secret);
    forms.push_back(zoom::basic_credentials(account->client_id, account->client_secret));
    forms.push_back(zoom::percent_encode(account->client_secret));
  }
  log::set_redacted_values(std::vector<std::string_view>(forms.begin(), forms.end()));
  for (std::string& form : forms) wipe(form);
}

zoom::Credentials credentials_of(const config::AccountConfig& account) {
  auto token_url = zoom::parse_url(account.oauth_token_url);
  if (!token_url) throw config::ConfigError(key_of(account, "oauth_token_url") + ": invalid URL");
  return {account.account_id, account.client_id, account.client_secret, *token_url};
}

Account::Account(boost::asio::io_context& io, zoom::HttpClient& http,
                 metrics::ExporterMetrics& metrics, const config::Config& config,
                 config::AccountConfig account, std::chrono::milliseconds min_publish_interval,
                 zoom::TokenRetryPolicy token_retry, Poller::Publish publish)
    : config_(std::move(account)),
      min_publish_interval_(min_publish_interval),
      metrics_(metrics, config_.name),
      scheduler_(scheduler_options_of(config, config_)),
      gate_(io, scheduler_, metrics_),
      tokens_(io, http, metrics_, credentials_of(config_), token_retry),
      client_(http, tokens_, gate_, metrics_, client_options_of(config, config_)),
      poller_(io, client_, scheduler_, gate_, metrics_,
              poller_options_of(config, config_, min_publish_interval), std::move(publish)) {}

void Account::stop() {
  poller_.stop();
  gate_.stop();
}

void Account::validate(const config::AccountConfig& account) {
  credentials_of(account);
  if (!zoom::parse_url(account.api_base_url)) {
    throw config::ConfigError(key_of(account, "api_base_url") + ": invalid URL");
  }
}

void Account::apply(const config::Config& config, const config::AccountConfig& account) {
  if (account.account_id != config_.account_id || account.client_id != config_.client_id ||
      account.client_secret != config_.client_secret ||
      account.oauth_token_url != config_.oauth_token_url) {
    tokens_.set_credentials(credentials_of(account));
  }
  client_.set_options(client_options_of(config, account));
  poller_.set_options(poller_options_of(config, account, min_publish_interval_));
  scheduler_.set_options(scheduler_options_of(config, account));
  config_ = account;
}

void Account::note_scheduler_state(scheduler::TimePoint now) {
  const auto zoom_remaining = scheduler_.zoom_remaining(now);
  metrics_.set_scheduler_state(
      static_cast<double>(scheduler_.budget_remaining(now)),
      zoom_remaining ? std::optional<double>(static_cast<double>(*zoom_remaining)) : std::nullopt,
      static_cast<double>(scheduler_.scheduled_meetings()),
      static_cast<double>(scheduler_.skipped_refreshes()));
  metrics_.set_watch_state(static_cast<double>(scheduler_.watched_meetings()),
                           static_cast<double>(scheduler_.watched_participants()),
                           std::chrono::duration<double>(scheduler_.watch_period(now)).count());
}

}  // namespace zqe::daemon
