#include "bench/quota_simulation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace zqe::bench {
namespace {

using namespace std::chrono_literals;

// Three hours of the workday's plateau (100% of the peak from 09:00 to 17:00 UTC) on a small
// account, with a daily quota so small that the scheduler must pace: refreshing every meeting
// every minute would cost about 300 requests a minute. Zoom's enforced limit is just above the
// exporter's share, so any request past the share would come back as a daily 429.
SimulationConfig busy_afternoon() {
  SimulationConfig config;
  config.start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 14h;
  config.duration = 3h;
  config.daily_limit = 2'000;
  config.daily_share = 0.95;
  config.simulator.meetings = 200;
  config.simulator.webinars = 1;
  return config;
}

std::uint64_t rate_limited(const StrategyResult& result) {
  return result.heavy.refused_qps + result.heavy.refused_daily +
         result.resource_intensive.refused_qps + result.resource_intensive.refused_daily;
}

TEST(QuotaSimulation, SchedulerStaysWithinZoomsLimitsAndItsShare) {
  const SimulationConfig config = busy_afternoon();
  ASSERT_EQ(config.daily_budget(), 1'900);
  const StrategyResult result = simulate_strategy(config, Strategy::scheduler);

  EXPECT_EQ(rate_limited(result), 0u);
  EXPECT_EQ(result.simulator_refused, 0u);
  ASSERT_EQ(result.daily_used.size(), 1u);
  EXPECT_LE(result.max_daily_used, config.daily_budget());
  // The model counts what the simulated Zoom counts.
  EXPECT_EQ(result.simulator_answered, result.heavy.answered + result.resource_intensive.answered);

  // Pacing spreads the budget over the 10 hours left until the reset: these 3 hours get about
  // 3/10 of it. Far less would mean the scheduler idles; far more, that it spends first-come.
  const double paced_share = 3.0 / 10.0 * static_cast<double>(config.daily_budget());
  EXPECT_GT(static_cast<double>(result.max_daily_used), 0.7 * paced_share);
  EXPECT_LT(static_cast<double>(result.max_daily_used), 1.3 * paced_share);
  EXPECT_GT(result.fetches_completed, 0u);
  EXPECT_GT(result.resource_intensive.answered, 0u);
  EXPECT_GT(result.age.samples, 0u);
}

// The same account polled naively runs into the daily limit within minutes: proof that the
// simulation sees 429s when they happen, so the scheduler's zero above means something.
TEST(QuotaSimulation, NaivePollingHitsTheDailyLimit) {
  SimulationConfig config = busy_afternoon();
  config.duration = 5min;
  config.daily_limit = 500;  // about two minutes of naive polling of this account
  const StrategyResult result = simulate_strategy(config, Strategy::naive);

  EXPECT_GT(result.heavy.refused_daily, 0u);
  EXPECT_EQ(result.max_daily_used, config.daily_limit);
  EXPECT_EQ(result.simulator_answered, result.heavy.answered + result.resource_intensive.answered);
  EXPECT_EQ(result.simulator_refused, rate_limited(result));
}

TEST(QuotaSimulation, ReportHasOneRowPerMeasure) {
  SimulationConfig config = busy_afternoon();
  config.duration = 5min;
  config.simulator.meetings = 20;
  const SimulationResult result = run_quota_simulation(config);
  const std::string report = format_report(config, result);
  for (const char* row :
       {"| scheduler | naive | bound |", "| Heavy requests", "| Resource-intensive requests",
        "| 429 (QPS)", "| 429 (daily)", "| daily quota used", "| age p50", "| age p95", "| age max",
        "Wall time:"}) {
    EXPECT_NE(report.find(row), std::string::npos) << row << "\n" << report;
  }
  EXPECT_GT(result.bound.samples, 0u);
  EXPECT_GE(result.bound.p50, 60.0);  // never below the poll interval
}

}  // namespace
}  // namespace zqe::bench
