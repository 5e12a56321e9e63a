#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// The exporter's own metrics, kept in a prometheus-cpp registry: few series, updated as events
// happen, rendered on every scrape (unlike the QoS families, rendered once per poll).
namespace zqe::metrics {

inline constexpr std::string_view kNamespace = "zoom";

// Values of the `endpoint` label of the API request metrics.
namespace endpoint {
inline constexpr std::string_view oauth_token = "oauth_token";
inline constexpr std::string_view list_meetings = "list_meetings";
inline constexpr std::string_view list_webinars = "list_webinars";
inline constexpr std::string_view participants_qos = "participants_qos";
inline constexpr std::string_view webinar_participants_qos = "webinar_participants_qos";
inline constexpr std::string_view participant_qos = "participant_qos";
inline constexpr std::string_view webinar_participant_qos = "webinar_participant_qos";
}  // namespace endpoint

class AccountMetrics;

// The process-wide metrics (build info, event loop lag, basic auth, the series cap) and the
// registry in which every account's AccountMetrics keeps its series.
class ExporterMetrics {
 public:
  ExporterMetrics();

  // How late a timer of the event loop fired: the time the loop was busy with something else.
  void observe_event_loop_lag(double seconds);
  // A request basic auth refused: "missing", "wrong" or "busy".
  void count_auth_failure(std::string_view reason);
  // The QoS series of the last publish per level ("participant", "meeting", "account"), and the
  // series cap (0: none).
  void set_series(std::string_view level, double exported);
  void count_dropped_series(std::string_view level, double count);
  void set_series_limit(double limit);

  std::string render() const;

 private:
  friend class AccountMetrics;

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Family<prometheus::Counter>& parse_errors_;
  prometheus::Family<prometheus::Counter>& invalid_replies_;
  prometheus::Histogram& event_loop_lag_;
  prometheus::Family<prometheus::Counter>& token_refreshes_;
  prometheus::Family<prometheus::Counter>& polls_;
  prometheus::Family<prometheus::Counter>& rate_limited_;
  prometheus::Family<prometheus::Gauge>& budget_remaining_;
  prometheus::Family<prometheus::Gauge>& scheduled_meetings_;
  prometheus::Family<prometheus::Counter>& skipped_refreshes_;
  prometheus::Family<prometheus::Gauge>& watched_;
  prometheus::Family<prometheus::Gauge>& watch_period_;
  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Gauge>& last_poll_success_;
  prometheus::Family<prometheus::Gauge>& poll_duration_;
  prometheus::Family<prometheus::Counter>& auth_failures_;
  prometheus::Family<prometheus::Gauge>& series_;
  prometheus::Family<prometheus::Counter>& dropped_series_;
  prometheus::Gauge& series_limit_;
};

}  // namespace zqe::metrics
