#include "metrics/exporter_metrics.hpp"

#include <prometheus/text_serializer.h>

#include "common/version.hpp"

namespace zqe::metrics {
namespace {

std::string name(std::string_view suffix) {
  return std::string(kNamespace) + "_" + std::string(suffix);
}

// From a scheduling hiccup to a stall that would time out a scrape.
const prometheus::Histogram::BucketBoundaries kLoopLagBuckets = {0.001, 0.005, 0.025, 0.1,
                                                                 0.5,   1,     5};

}  // namespace

ExporterMetrics::ExporterMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name(name("exporter_api_requests_total"))
                    .Help("Requests sent to Zoom by endpoint and HTTP status or transport error.")
                    .Register(*registry_)),
      request_duration_(prometheus::BuildHistogram()
                            .Name(name("exporter_api_request_duration_seconds"))
                            .Help("Duration of requests to Zoom, connect to last byte.")
                            .Register(*registry_)),
      parse_errors_(prometheus::BuildCounter()
                        .Name(name("exporter_parse_errors_total"))
                        .Help("QoS values Zoom sent that could not be parsed, by field.")
                        .Register(*registry_)),
      invalid_replies_(prometheus::BuildCounter()
                           .Name(name("exporter_invalid_replies_total"))
                           .Help("Replies with status 200 whose body was not the JSON expected, "
                                 "by endpoint; what they belonged to kept its last data.")
                           .Register(*registry_)),
      event_loop_lag_(prometheus::BuildHistogram()
                          .Name(name("exporter_event_loop_lag_seconds"))
                          .Help("How late the event loop ran a timer due every 0.5 s: time it "
                                "spent on other work, during which scrapes waited.")
                          .Register(*registry_)
                          .Add({}, kLoopLagBuckets)),
      token_refreshes_(prometheus::BuildCounter()
                           .Name(name("exporter_token_refreshes_total"))
                           .Help("OAuth access token requests by result.")
                           .Register(*registry_)),
      polls_(prometheus::BuildCounter()
                 .Name(name("exporter_polls_total"))
                 .Help("Poll cycles by result (failure: the meeting list could not be read).")
                 .Register(*registry_)),
      rate_limited_(prometheus::BuildCounter()
                        .Name(name("exporter_rate_limited_total"))
                        .Help("Requests Zoom refused with 429, by rate-limit category and type "
                              "(qps: per-second or per-minute, daily: the daily quota).")
                        .Register(*registry_)),
      budget_remaining_(prometheus::BuildGauge()
                            .Name(name("exporter_api_budget_remaining"))
                            .Help("Requests left today until 00:00 UTC: source=exporter is this "
                                  "exporter's share as it accounts it, source=zoom the account's "
                                  "whole quota as Zoom last reported (X-RateLimit-Remaining).")
                            .Register(*registry_)),
      scheduled_meetings_(prometheus::BuildGauge()
                              .Name(name("exporter_scheduled_meetings"))
                              .Help("Live meetings and webinars the quota scheduler refreshes.")
                              .Register(*registry_)),
      skipped_refreshes_(prometheus::BuildCounter()
                             .Name(name("exporter_skipped_refreshes_total"))
                             .Help("Poll intervals a meeting went without a QoS refresh because "
                                   "the quota did not allow one.")
                             .Register(*registry_)),
      watched_(prometheus::BuildGauge()
                   .Name(name("exporter_watched"))
                   .Help("Live meetings and participants on the watch list (watch.*), by kind: "
                         "meetings refreshed whole, participants on their own.")
                   .Register(*registry_)),
      watch_period_(prometheus::BuildGauge()
                        .Name(name("exporter_watch_period_seconds"))
                        .Help("How often the watch list is refreshed now: watch.interval, or "
                              "longer when the list costs more than half the QoS budget.")
                        .Register(*registry_)),
      up_(prometheus::BuildGauge()
              .Name(name("up"))
              .Help("1 when the last poll reached Zoom and read the live meeting list, else 0.")
              .Register(*registry_)),
      last_poll_success_(prometheus::BuildGauge()
                             .Name(name("exporter_last_poll_success_timestamp_seconds"))
                             .Help("Unix time the last successful poll finished.")
                             .Register(*registry_)),
      poll_duration_(prometheus::BuildGauge()
                         .Name(name("exporter_poll_duration_seconds"))
                         .Help("Duration of the last poll cycle.")
                         .Register(*registry_)),
      auth_failures_(prometheus::BuildCounter()
                         .Name(name("exporter_http_auth_failures_total"))
                         .Help("Requests refused by basic auth, by reason (missing: no or a "
                               "malformed Authorization header, wrong: an unknown user or a wrong "
                               "password, busy: too many logins being checked, answered 503).")
                         .Register(*registry_)),
      series_(prometheus::BuildGauge()
                  .Name(name("exporter_series"))
                  .Help("QoS series exported, by level (participant, meeting, account).")
                  .Register(*registry_)),
      dropped_series_(prometheus::BuildCounter()
                          .Name(name("exporter_series_dropped_total"))
                          .Help("QoS series left out because of metrics.max_series, by level; "
                                "each refresh of a meeting that does not fit counts its series.")
                          .Register(*registry_)),
      series_limit_(prometheus::BuildGauge()
                        .Name(name("exporter_series_limit"))
                        .Help("The cap on QoS series (metrics.max_series); 0: none.")
                        .Register(*registry_)
                        .Add({})) {
  prometheus::BuildGauge()
      .Name(name("exporter_build_info"))
      .Help("Version and git revision of the exporter; always 1.")
      .Register(*registry_)
      .Add({{"version", kVersion}, {"revision", kRevision}})
      .Set(1);
  for (const char* reason : {"missing", "wrong", "busy"}) auth_failures_.Add({{"reason", reason}});
  for (const char* level : {"participant", "meeting", "account"}) {
    series_.Add({{"level", level}});
    dropped_series_.Add({{"level", level}});
  }
}

void ExporterMetrics::observe_event_loop_lag(double seconds) {
  event_loop_lag_.Observe(seconds);
}

void ExporterMetrics::count_auth_failure(std::string_view reason) {
  auth_failures_.Add({{"reason", std::string(reason)}}).Increment();
}

void ExporterMetrics::set_series(std::string_view level, double exported) {
  series_.Add({{"level", std::string(level)}}).Set(exported);
}

void ExporterMetrics::count_dropped_series(std::string_view level, double count) {
  dropped_series_.Add({{"level", std::string(level)}}).Increment(count);
}

void ExporterMetrics::set_series_limit(double limit) {
  series_limit_.Set(limit);
}

std::string ExporterMetrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace zqe::metrics
