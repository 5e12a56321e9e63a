#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "bench/quota_simulation.hpp"

// quota-simulation [--hours H] [--meetings N]: plays H hours (24 by default) of a workday
// account with N meetings at peak (2000) against the scheduler and the naive poller, prints the
// comparison, and exits 1 when the scheduler misses a target.
namespace {

constexpr std::string_view kUsage =
    "usage: quota-simulation [--hours H] [--meetings N]\n"
    "  --hours H     virtual hours to play from 2026-11-23T00:00:00Z (default 24)\n"
    "  --meetings N  live meetings at the workday's peak (default 2000)\n";

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  zqe::bench::SimulationConfig config;
  for (int index = 1; index < argc; ++index) {
    const std::string_view flag = argv[index];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    const bool has_value = index + 1 < argc;
    const std::string_view value = has_value ? argv[index + 1] : std::string_view{};
    if (flag == "--hours") {
      double hours = 0;
      if (!has_value || !parse_number(value, hours) || hours <= 0 || hours > 24 * 7) {
        std::fprintf(stderr, "--hours needs a number of hours in (0, 168]\n%s", kUsage.data());
        return 2;
      }
      config.duration = std::chrono::duration_cast<zqe::bench::Duration>(
          std::chrono::duration<double, std::ratio<3600>>(hours));
    } else if (flag == "--meetings") {
      int meetings = 0;
      if (!has_value || !parse_number(value, meetings) || meetings < 1) {
        std::fprintf(stderr, "--meetings needs a positive whole number\n%s", kUsage.data());
        return 2;
      }
      config.simulator.meetings = meetings;
    } else {
      std::fprintf(stderr, "unknown argument: %s\n%s", argv[index], kUsage.data());
      return 2;
    }
    ++index;
  }
  const zqe::bench::SimulationResult result = zqe::bench::run_quota_simulation(config);
  std::fputs(zqe::bench::format_report(config, result).c_str(), stdout);
  return result.targets_met() ? 0 : 1;
}
