#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "config/config.hpp"
#include "daemon/poller.hpp"
#include "daemon/scheduler_gate.hpp"
#include "metrics/account_metrics.hpp"
#include "metrics/exporter_metrics.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "zoom/http_client.hpp"
#include "zoom/token_provider.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::daemon {

// The settings of an account's Zoom stack, shared by the daemon and the commands.
// The credentials of `account` as the token provider takes them; throws config::ConfigError for
// an invalid token URL.
zoom::Credentials credentials_of(const config::AccountConfig& account);
// Throws config::ConfigError for an invalid API URL.
zoom::ClientOptions client_options_of(const config::Config& config,
                                      const config::AccountConfig& account);
scheduler::SchedulerOptions scheduler_options_of(const config::Config& config,
                                                 const config::AccountConfig& account);
zoom::HttpClientOptions http_options_of(const config::Config& config);
// Every account's secret in the forms a log line could meet it in: as it is, in the
// Authorization header's base64 and percent-encoded as in a form or URL. Replaces the forms
// registered before.
void redact_secrets_in_logs(const std::vector<const config::AccountConfig*>& accounts);

// Everything that polls one Zoom account: its token, client, quota scheduler, gate and poller,
// and its own metrics. Zoom counts rate limits and the daily quota per account, so each account
// is scheduled on its own; the HTTP client, the metrics registry and the exposition are shared.
class Account {
 public:
  // Throws config::ConfigError for an invalid URL.
  Account(boost::asio::io_context& io, zoom::HttpClient& http, metrics::ExporterMetrics& metrics,
          const config::Config& config, config::AccountConfig account,
          std::chrono::milliseconds min_publish_interval, zoom::TokenRetryPolicy token_retry,
          Poller::Publish publish);
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  void start(std::function<void()> on_stopped) { poller_.start(std::move(on_stopped)); }
  void stop();
  // The shared settings of `config` and this account's `account` (of the same name); new
  // credentials are tried at once. Call only with what validate() accepted.
  void apply(const config::Config& config, const config::AccountConfig& account);
  // Throws config::ConfigError when `account` cannot be applied.
  static void validate(const config::AccountConfig& account);
  // The quota scheduler's state into the metrics, at each scrape.
  void note_scheduler_state(scheduler::TimePoint now);

  const config::AccountConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  Poller& poller() { return poller_; }
  const Poller& poller() const { return poller_; }

 private:
  config::AccountConfig config_;
  std::chrono::milliseconds min_publish_interval_;
  metrics::AccountMetrics metrics_;
  scheduler::RefreshScheduler scheduler_;
  SchedulerGate gate_;
  zoom::TokenProvider tokens_;
  zoom::ZoomClient client_;
  Poller poller_;
};

}  // namespace zqe::daemon
