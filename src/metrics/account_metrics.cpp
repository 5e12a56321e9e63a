#include "metrics/account_metrics.hpp"

#include <algorithm>
#include <utility>

namespace zqe::metrics {
namespace {

const prometheus::Histogram::BucketBoundaries kRequestBuckets = {0.05, 0.1, 0.25, 0.5, 1,
                                                                 2.5,  5,   10,   30};

}  // namespace

AccountMetrics::AccountMetrics(ExporterMetrics& metrics, std::string account)
    : metrics_(metrics),
      account_(std::move(account)),
      scheduled_meetings_(metrics.scheduled_meetings_.Add(with_account({}))),
      skipped_refreshes_(metrics.skipped_refreshes_.Add(with_account({}))),
      watched_meetings_(metrics.watched_.Add(with_account({{"kind", "meeting"}}))),
      watched_participants_(metrics.watched_.Add(with_account({{"kind", "participant"}}))),
      watch_period_(metrics.watch_period_.Add(with_account({}))),
      up_(metrics.up_.Add(with_account({}))),
      last_poll_success_(metrics.last_poll_success_.Add(with_account({}))),
      poll_duration_(metrics.poll_duration_.Add(with_account({}))) {
  // Both results from the start, so that a rate() over them works from the first failure.
  for (const char* result : {"success", "failure"}) {
    metrics.token_refreshes_.Add(with_account({{"result", result}}));
    metrics.polls_.Add(with_account({{"result", result}}));
  }
}

prometheus::Labels AccountMetrics::with_account(prometheus::Labels labels) const {
  if (!account_.empty()) labels.emplace("account", account_);
  return labels;
}

void AccountMetrics::count_request(std::string_view endpoint, std::string_view code,
                                   double seconds) {
  metrics_.requests_
      .Add(with_account({{"endpoint", std::string(endpoint)}, {"code", std::string(code)}}))
      .Increment();
  metrics_.request_duration_
      .Add(with_account({{"endpoint", std::string(endpoint)}}), kRequestBuckets)
      .Observe(seconds);
}

void AccountMetrics::count_parse_error(std::string_view field, double count) {
  metrics_.parse_errors_.Add(with_account({{"field", std::string(field)}})).Increment(count);
}

void AccountMetrics::count_invalid_reply(std::string_view endpoint) {
  metrics_.invalid_replies_.Add(with_account({{"endpoint", std::string(endpoint)}})).Increment();
}

void AccountMetrics::count_token_refresh(bool success) {
  metrics_.token_refreshes_.Add(with_account({{"result", success ? "success" : "failure"}}))
      .Increment();
}

void AccountMetrics::count_poll(bool success) {
  metrics_.polls_.Add(with_account({{"result", success ? "success" : "failure"}})).Increment();
}

void AccountMetrics::set_up(bool up) {
  up_.Set(up ? 1 : 0);
}

void AccountMetrics::count_rate_limited(std::string_view category, std::string_view type) {
  metrics_.rate_limited_
      .Add(with_account({{"category", std::string(category)}, {"type", std::string(type)}}))
      .Increment();
}

void AccountMetrics::set_scheduler_state(double budget_remaining,
                                         std::optional<double> zoom_budget_remaining,
                                         double scheduled_meetings,
                                         double skipped_refreshes_total) {
  auto& budget = metrics_.budget_remaining_;
  budget.Add(with_account({{"category", "daily"}, {"source", "exporter"}})).Set(budget_remaining);
  auto& zoom = budget.Add(with_account({{"category", "daily"}, {"source", "zoom"}}));
  if (zoom_budget_remaining) {
    zoom.Set(*zoom_budget_remaining);
  } else {
    budget.Remove(&zoom);  // Zoom has not said yet today
  }
  scheduled_meetings_.Set(scheduled_meetings);
  skipped_refreshes_.Increment(std::max(0.0, skipped_refreshes_total - skipped_refreshes_.Value()));
}

void AccountMetrics::set_watch_state(double watched_meetings, double watched_participants,
                                     double period_seconds) {
  watched_meetings_.Set(watched_meetings);
  watched_participants_.Set(watched_participants);
  watch_period_.Set(period_seconds);
}

void AccountMetrics::set_poll_duration(double seconds) {
  poll_duration_.Set(seconds);
}

void AccountMetrics::set_last_poll_success(double unix_seconds) {
  last_poll_success_.Set(unix_seconds);
}

}  // namespace zqe::metrics
