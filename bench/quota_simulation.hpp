#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "scheduler/refresh_scheduler.hpp"

// A day of polling a simulated Zoom account, played in virtual time: the exporter's
// RefreshScheduler against a naive poll-everything-every-interval loop, each driving its own
// SimulatedApi with Zoom's rate limits, so that both the requests (and 429s) and the age of the
// data on /metrics can be compared with the best any schedule could do on the same budget.
namespace zqe::bench {

using scheduler::Duration;
using scheduler::TimePoint;

enum class Strategy { scheduler, naive };

struct SimulationConfig {
  TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23};
  Duration duration = std::chrono::hours(24);
  Duration poll_interval = std::chrono::seconds(60);
  // How often the age of the exported data is sampled, as a scrape of /metrics would see it.
  Duration sample_interval = std::chrono::seconds(60);
  int workers = 4;            // QoS fetches in flight at once, in both strategies
  bool poll_webinars = true;  // list and refresh live webinars too, as poll.webinars does

  // Zoom's limits, which the simulated Zoom enforces and the scheduler is told.
  double heavy_per_second = 40;
  double resource_intensive_per_minute = 20;
  std::int64_t daily_limit = 60'000;
  double daily_share = 0.5;  // of daily_limit, for this exporter

  // Time a request takes from sending it to having read its reply.
  Duration latency_base = std::chrono::milliseconds(150);
  Duration latency_per_kib = std::chrono::microseconds(500);

  config::SimulatorConfig simulator = default_simulator();

  std::int64_t daily_budget() const;  // daily_limit * daily_share, what the scheduler may spend
  static config::SimulatorConfig default_simulator();
};

struct LabelCounts {
  std::uint64_t answered = 0;  // Zoom admitted it (whatever the status): counted in the quota
  std::uint64_t refused_qps = 0;
  std::uint64_t refused_daily = 0;
};

struct AgeSummary {  // seconds
  double p50 = 0;
  double p95 = 0;
  double max = 0;
  std::size_t samples = 0;
};

struct StrategyResult {
  Strategy strategy = Strategy::scheduler;
  LabelCounts heavy;
  LabelCounts resource_intensive;
  // Requests Zoom admitted per UTC day (days since the epoch), both labels.
  std::map<std::int64_t, std::int64_t> daily_used;
  // Resource-intensive requests admitted per UTC day: what the lists took from the budget.
  std::map<std::int64_t, std::int64_t> list_requests;
  std::int64_t max_daily_used = 0;
  std::uint64_t token_requests = 0;
  std::uint64_t fetches_completed = 0;  // every page of a meeting's QoS fetched
  std::uint64_t fetches_failed = 0;     // a page refused or failed: the old data stays
  std::uint64_t meetings_ended = 0;     // 404/3001 on a fetch: dropped from /metrics
  std::uint64_t meetings_listed = 0;    // distinct meetings and webinars ever listed
  std::uint64_t meetings_fetched = 0;   // of those, how many had their QoS fetched at least once
  // What the simulated Zoom itself counted, to check this model's own counts against.
  std::uint64_t simulator_answered = 0;
  std::uint64_t simulator_refused = 0;
  AgeSummary age;
  // Age samples of meetings listed but not fetched yet, whose age counts from their listing.
  std::uint64_t never_fetched_samples = 0;
  AgeSummary fetched_age;  // the age over the samples of meetings with QoS on /metrics only
  double wall_seconds = 0;
};

struct SimulationResult {
  StrategyResult scheduler;
  StrategyResult naive;
  AgeSummary bound;  // the best age any schedule could reach with the scheduler's budget
  std::int64_t daily_limit = 0;
  std::int64_t daily_budget = 0;
  double bound_wall_seconds = 0;
  double wall_seconds = 0;  // the two strategies run on two threads: less than the sum

  bool no_rate_limited() const;
  bool within_daily_budget() const;
  bool age_near_bound() const;  // scheduler's age p95 <= kAgeTargetFactor * bound p95
  bool targets_met() const {
    return no_rate_limited() && within_daily_budget() && age_near_bound();
  }
};

inline constexpr double kAgeTargetFactor = 1.25;

// Plays `config.duration` of virtual time from `config.start` with one strategy.
StrategyResult simulate_strategy(const SimulationConfig& config, Strategy strategy);

// Both strategies (each on its own thread), and the bound sampled at the same instants.
SimulationResult run_quota_simulation(const SimulationConfig& config);

// Per sample instant: the age bound, max(poll interval, live pages / sustainable rate), with the
// sustainable rate from the scheduler's daily budget less what its lists took that day.
AgeSummary age_bound(const SimulationConfig& config,
                     const std::map<std::int64_t, std::int64_t>& list_requests_per_day);

// The comparison as one markdown table, then the targets one per line.
std::string format_report(const SimulationConfig& config, const SimulationResult& result);

}  // namespace zqe::bench
