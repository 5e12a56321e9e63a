#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "daemon/account.hpp"
#include "daemon/loop_lag_monitor.hpp"
#include "daemon/scrape_handler.hpp"
#include "daemon/systemd_notifier.hpp"
#include "http/server.hpp"
#include "metrics/exporter_metrics.hpp"
#include "metrics/exposition_cache.hpp"
#include "metrics/series_cap.hpp"
#include "simulator/simulated_zoom.hpp"
#include "web/basic_auth.hpp"
#include "web/web_security.hpp"
#include "zoom/http_client.hpp"

namespace zqe::daemon {

struct ExporterOptions {
  std::string config_path;  // reread on SIGHUP; empty: nothing to reload
  // --web.config.file: wins over web.config_file of the config, on every reload too.
  std::string web_config_path;
  // Run a simulated Zoom account in-process per account (seeds offset by the account's index, so
  // the accounts differ) and poll them.
  bool simulate = false;
  bool handle_signals = true;
  // How stale the exporter's own metrics and the data ages may be on a scrape, and the least
  // time between two publishes of the QoS series (tests: 0).
  std::chrono::milliseconds per_scrape_ttl{1000};
  zoom::TokenRetryPolicy token_retry{};  // tests: zero, so that a forced poll asks again at once
};

// The web config file in force: `flag` (--web.config.file) when given, else the config's
// web.config_file; empty for plain HTTP without auth.
std::string web_config_path_of(const config::Config& config, const std::string& flag);

// The daemon: wires an Account (Zoom client, scheduler, poller) per Zoom account, the metric
// cache and the HTTP server onto one io_context, and handles SIGTERM/SIGINT (stop) and SIGHUP
// (reload) inside the event loop. The QoS series of every account are published together, under
// one series cap.
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
  // Lists and refreshes every meeting of every account now, within the rate limits (tests).
  void poll_now();
  // The fewest lists any account has completed (0 without accounts).
  std::uint64_t lists_completed() const;
  bool idle() const;   // of every account
  bool ready() const;  // every account is ready (Poller::ready)

  boost::asio::ip::tcp::endpoint local_endpoint() const { return server_->local_endpoint(); }

 private:
  void apply_simulator_endpoints(config::Config& config) const;
  void redact_in_logs() const;
  void apply(const config::Config& config);
  // The web config the config names (plain HTTP without auth when none); throws ConfigError.
  web::WebSecurity load_web(const config::Config& config) const;
  void apply_web(const web::WebSecurity& web);
  // What the series cap left out of a meeting at the last publish.
  struct DroppedSeries {
    std::shared_ptr<const metrics::RenderedMeeting> rendered;  // kept: its address stays unique
    bool meeting_level = false;  // the whole meeting, not only its participants
  };
  // A meeting of the account at this index of accounts_.
  using AccountMeeting = std::pair<std::size_t, scheduler::MeetingKey>;
  struct ExportedFetch {
    std::size_t account = 0;  // index into accounts_
    std::uint64_t meeting_id = 0;
    std::chrono::system_clock::time_point fetched;
    std::string participant_id = {};  // a watched participant's own fetch; empty: the meeting's
  };

  void publish();
  void count_dropped(const AccountMeeting& key, const DroppedSeries& now,
                     const metrics::MeetingSeries& series);
  void note_series_cap(const metrics::SeriesSelection& selection);
  std::string per_scrape_text();
  void wait_for_signal();

  boost::asio::io_context& io_;
  config::Config config_;
  ExporterOptions options_;
  // With --simulate, one per account of the config at start, in its order.
  std::vector<std::unique_ptr<simulator::SimulatedZoom>> simulators_;
  std::vector<std::string> simulated_names_;  // the account name of each of simulators_
  metrics::ExporterMetrics metrics_;
  metrics::ExpositionCache cache_;
  web::BasicAuth auth_;  // outlives server_, whose handler uses it
  zoom::HttpClient http_client_;
  std::vector<std::unique_ptr<Account>> accounts_;  // in the order of the config
  std::size_t running_accounts_ = 0;                // whose poll loops have not ended
  std::unique_ptr<http::Server> server_;
  bool tls_ = false;  // whether the server's new connections use TLS
  boost::asio::signal_set signals_;
  boost::asio::steady_timer shutdown_deadline_;
  boost::asio::steady_timer trim_timer_;  // returns freed heap pages after publishes
  LoopLagMonitor loop_lag_;
  SystemdNotifier systemd_;
  bool trim_pending_ = false;
  std::map<AccountMeeting, DroppedSeries> dropped_;
  bool series_capped_ = false;
  // The meetings with QoS data in the last publish and their watched participants, for
  // zoom_meeting_qos_age_seconds and zoom_participant_qos_age_seconds.
  std::vector<ExportedFetch> exported_fetches_;
  static constexpr std::chrono::seconds kTrimInterval{5};
  bool stopping_ = false;
};

}  // namespace zqe::daemon
