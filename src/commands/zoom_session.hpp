#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "daemon/scheduler_gate.hpp"
#include "metrics/account_metrics.hpp"
#include "metrics/exporter_metrics.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "simulator/simulated_zoom.hpp"
#include "zoom/http_client.hpp"
#include "zoom/token_provider.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::commands {

// The daemon's Zoom stack for one command and one account: the same HttpClient, TokenProvider
// and ZoomClient (hence the same decoding, paging and 401 retry), and every request through a
// SchedulerGate over a RefreshScheduler built from the account's limits, so the per-second
// pacing, 429 Retry-After handling and the daily share apply to a command as to the daemon.
// With `simulate`, starts the in-process simulated Zoom account on 127.0.0.1 and points the
// client at it, as the daemon's --simulate does (the same seed per account).
class ZoomSession {
 public:
  // `account`: the name of one of zoom.accounts (--account), required when it has several; empty
  // for the single-account form. Throws config::ConfigError for an unknown or missing account
  // or an unusable URL, and boost::system::system_error when the simulator cannot listen.
  ZoomSession(boost::asio::io_context& io, config::Config config, const std::string& account,
              bool simulate);
  ~ZoomSession();
  ZoomSession(const ZoomSession&) = delete;
  ZoomSession& operator=(const ZoomSession&) = delete;

  zoom::ZoomClient& client() { return *client_; }
  const config::Config& config() const { return config_; }
  // Aborts what is in flight and closes the simulator, so that io_context::run() returns.
  void stop();

 private:
  config::Config config_;
  config::AccountConfig account_;
  std::unique_ptr<simulator::SimulatedZoom> simulator_;
  metrics::ExporterMetrics registry_;  // counted as in the daemon, never served
  metrics::AccountMetrics metrics_;
  zoom::HttpClient http_;
  std::unique_ptr<scheduler::RefreshScheduler> scheduler_;
  std::unique_ptr<daemon::SchedulerGate> gate_;
  std::unique_ptr<zoom::TokenProvider> tokens_;
  std::unique_ptr<zoom::ZoomClient> client_;
};

}  // namespace zqe::commands
