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

class ExporterMetrics {
 public:
  ExporterMetrics();

  // `code` is the HTTP status ("200", "429") or a transport error name ("timeout").
  void count_request(std::string_view endpoint, std::string_view code, double seconds);
  void count_parse_error(std::string_view field, double count = 1);
  // A 200 reply whose body was not the JSON expected (malformed, truncated, wrong shape).
  void count_invalid_reply(std::string_view endpoint);
  // How late a timer of the event loop fired: the time the loop was busy with something else.
  void observe_event_loop_lag(double seconds);
  void count_token_refresh(bool success);
  void count_poll(bool success);
  void set_up(bool up);
  void count_rate_limited(std::string_view category, std::string_view type);
  // The quota scheduler's state, read at each scrape.
  void set_scheduler_state(double budget_remaining, std::optional<double> zoom_budget_remaining,
                           double scheduled_meetings, double skipped_refreshes_total);
  void set_poll_duration(double seconds);
  void set_last_poll_success(double unix_seconds);
  // A request basic auth refused: "missing", "wrong" or "busy".
  void count_auth_failure(std::string_view reason);
  // The QoS series of the last publish per level ("participant", "meeting", "account"), and the
  // series cap (0: none).
  void set_series(std::string_view level, double exported);
  void count_dropped_series(std::string_view level, double count);
  void set_series_limit(double limit);

  std::string render() const;

 private:
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
  prometheus::Gauge& scheduled_meetings_;
  prometheus::Counter& skipped_refreshes_;
  prometheus::Gauge& up_;
  prometheus::Gauge& last_poll_success_;
  prometheus::Gauge& poll_duration_;
  prometheus::Family<prometheus::Counter>& auth_failures_;
  prometheus::Family<prometheus::Gauge>& series_;
  prometheus::Family<prometheus::Counter>& dropped_series_;
  prometheus::Gauge& series_limit_;
};

}  // namespace zqe::metrics
