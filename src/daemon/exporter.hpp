#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "daemon/loop_lag_monitor.hpp"
#include "daemon/poller.hpp"
#include "daemon/scheduler_gate.hpp"
#include "daemon/scrape_handler.hpp"
#include "daemon/systemd_notifier.hpp"
#include "http/server.hpp"
#include "metrics/exporter_metrics.hpp"
#include "metrics/exposition_cache.hpp"
#include "metrics/series_cap.hpp"
#include "scheduler/refresh_scheduler.hpp"
#include "simulator/simulated_zoom.hpp"
#include "web/basic_auth.hpp"
#include "web/web_security.hpp"
#include "zoom/http_client.hpp"
#include "zoom/token_provider.hpp"
#include "zoom/zoom_client.hpp"

namespace zqe::daemon {

struct ExporterOptions {
  std::string config_path;  // reread on SIGHUP; empty: nothing to reload
  // --web.config.file: wins over web.config_file of the config, on every reload too.
  std::string web_config_path;
  bool simulate = false;  // run the simulated Zoom account in-process and poll it
  bool handle_signals = true;
  // How stale the exporter's own metrics and the data ages may be on a scrape, and the least
  // time between two publishes of the QoS series (tests: 0).
  std::chrono::milliseconds per_scrape_ttl{1000};
  zoom::TokenRetryPolicy token_retry{};  // tests: zero, so that a forced poll asks again at once
};

// The web config file in force: `flag` (--web.config.file) when given, else the config's
// web.config_file; empty for plain HTTP without auth.
std::string web_config_path_of(const config::Config& config, const std::string& flag);

// The daemon: wires the Zoom client, the poller, the metric cache and the HTTP server onto one
// io_context, and handles SIGTERM/SIGINT (stop) and SIGHUP (reload) inside the event loop.
class Exporter {
 public:
  // Throws config::ConfigError for a config that cannot be run (e.g. a bad URL).
  Exporter(boost::asio::io_context& io, config::Config config, ExporterOptions options);
  ~Exporter();

  // Starts the simulator (with --simulate), binds the listener and polls at once. Throws
  // boost::system::system_error when the listen address cannot be bound.
  void start();
  // Stops polling, aborts requests in flight and closes the listener; io_context.run() then
  // returns once the last handler has finished.
  void stop();
  // Rereads the config file and the web config file (with its certificates); keeps everything
  // running as it is when either is invalid.
  void reload();
  // Lists and refreshes every meeting now, within the rate limits (tests).
  void poll_now() { poller_->poll_now(); }
  std::uint64_t lists_completed() const { return poller_->lists_completed(); }
  bool idle() const { return poller_->idle(); }

  boost::asio::ip::tcp::endpoint local_endpoint() const { return server_->local_endpoint(); }

 private:
  void apply_simulator_endpoints(config::Config& config) const;
  void apply(const config::Config& config);
  // The web config the config names (plain HTTP without auth when none); throws ConfigError.
  web::WebSecurity load_web(const config::Config& config) const;
  void apply_web(const web::WebSecurity& web);
  // What the series cap left out of a meeting at the last publish.
  struct DroppedSeries {
    std::shared_ptr<const metrics::RenderedMeeting> rendered;  // kept: its address stays unique
    bool meeting_level = false;  // the whole meeting, not only its participants
  };
  struct ExportedFetch {
    std::uint64_t meeting_id = 0;
    std::chrono::system_clock::time_point fetched;
  };

  void publish();
  void count_dropped(const scheduler::MeetingKey& key, const DroppedSeries& now,
                     const metrics::MeetingSeries& series);
  void note_series_cap(const metrics::SeriesSelection& selection);
  std::string per_scrape_text();
  void wait_for_signal();

  boost::asio::io_context& io_;
  config::Config config_;
  ExporterOptions options_;
  std::unique_ptr<simulator::SimulatedZoom> simulator_;
  metrics::ExporterMetrics metrics_;
  metrics::ExpositionCache cache_;
  web::BasicAuth auth_;  // outlives server_, whose handler uses it
  zoom::HttpClient http_client_;
  scheduler::RefreshScheduler scheduler_;
  SchedulerGate gate_;
  std::unique_ptr<zoom::TokenProvider> tokens_;
  std::unique_ptr<zoom::ZoomClient> client_;
  std::unique_ptr<Poller> poller_;
  std::unique_ptr<http::Server> server_;
  bool tls_ = false;  // whether the server's new connections use TLS
  boost::asio::signal_set signals_;
  boost::asio::steady_timer shutdown_deadline_;
  boost::asio::steady_timer trim_timer_;  // returns freed heap pages after publishes
  LoopLagMonitor loop_lag_;
  SystemdNotifier systemd_;
  bool trim_pending_ = false;
  std::map<scheduler::MeetingKey, DroppedSeries> dropped_;
  bool series_capped_ = false;
  // The meetings with QoS data in the last publish, for zoom_meeting_qos_age_seconds.
  std::vector<ExportedFetch> exported_fetches_;
  static constexpr std::chrono::seconds kTrimInterval{5};
  bool stopping_ = false;
};

}  // namespace zqe::daemon
