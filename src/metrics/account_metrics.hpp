#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/labels.h>

#include <optional>
#include <string>
#include <string_view>

#include "metrics/exporter_metrics.hpp"

namespace zqe::metrics {

// The exporter's own series about one Zoom account (its requests, tokens, polls, rate limits
// and quota), kept in the shared registry of ExporterMetrics. With a name, every series carries
// an `account` label first; the single account of an unnamed config has none, so its series are
// what they were before several accounts existed.
class AccountMetrics {
 public:
  AccountMetrics(ExporterMetrics& metrics, std::string account);
  AccountMetrics(const AccountMetrics&) = delete;
  AccountMetrics& operator=(const AccountMetrics&) = delete;

  // `code` is the HTTP status ("200", "429") or a transport error name ("timeout").
  void count_request(std::string_view endpoint, std::string_view code, double seconds);
  void count_parse_error(std::string_view field, double count = 1);
  // A 200 reply whose body was not the JSON expected (malformed, truncated, wrong shape).
  void count_invalid_reply(std::string_view endpoint);
  void count_token_refresh(bool success);
  void count_poll(bool success);
  void set_up(bool up);
  void count_rate_limited(std::string_view category, std::string_view type);
  // The quota scheduler's state, read at each scrape.
  void set_scheduler_state(double budget_remaining, std::optional<double> zoom_budget_remaining,
                           double scheduled_meetings, double skipped_refreshes_total);
  // The watch list as the scheduler sees it, read at each scrape.
  void set_watch_state(double watched_meetings, double watched_participants, double period_seconds);
  void set_poll_duration(double seconds);
  void set_last_poll_success(double unix_seconds);

  const std::string& account() const { return account_; }

 private:
  // `labels` with the account's label added when it has a name.
  prometheus::Labels with_account(prometheus::Labels labels) const;

  ExporterMetrics& metrics_;
  std::string account_;
  prometheus::Gauge& scheduled_meetings_;
  prometheus::Counter& skipped_refreshes_;
  prometheus::Gauge& watched_meetings_;
  prometheus::Gauge& watched_participants_;
  prometheus::Gauge& watch_period_;
  prometheus::Gauge& up_;
  prometheus::Gauge& last_poll_success_;
  prometheus::Gauge& poll_duration_;
};

}  // namespace zqe::metrics
