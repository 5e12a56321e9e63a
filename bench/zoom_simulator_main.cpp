// First, before any Boost header: Boost 1.74's Asio needs it under C++20 with GCC 12.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "common/log.hpp"
#include "config/config.hpp"
#include "simulator/simulated_zoom.hpp"

// zoom-simulator [--config FILE] [--port PORT]: the simulated Zoom account of --simulate as a
// process of its own, so that a benchmark can measure an exporter without the fake Zoom's CPU
// and memory. It serves the config's `simulator:` section on 127.0.0.1:PORT and prints the
// `zoom:` section an exporter config needs to poll it.
namespace {

namespace asio = boost::asio;
namespace simulator = zqe::simulator;

constexpr int kExitOk = 0;
constexpr int kExitCannotListen = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage = R"(Usage: zoom-simulator [--config FILE] [--port PORT]

Serves the simulated Zoom account (Dashboard API and OAuth token endpoint) of the exporter's
--simulate mode on 127.0.0.1, as a process of its own.

Options:
  --config FILE  YAML config in the exporter's format; only simulator: and log_level are used,
                 the rest is validated and ignored (default: the defaults)
  --port PORT    port on 127.0.0.1 to listen on (default 0: any free port)
  --help         print this help and exit

Once listening, it prints the zoom: section of an exporter config that polls it (URLs and the
simulated credentials) on stdout. SIGTERM and SIGINT stop it; it exits 0 then, 1 when it cannot
listen, 2 on a usage or config error.
)";

// 48 as "48", 1.5 as "1.5".
std::string format_number(double number) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  return error == std::errc{} ? std::string(buffer, end) : std::to_string(number);
}

int usage_error(const std::string& message) {
  std::cerr << "zoom-simulator: " << message << "\nTry 'zoom-simulator --help'.\n";
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  unsigned short port = 0;
  for (int index = 1; index < argc; ++index) {
    const std::string_view arg = argv[index];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (arg != "--config" && arg != "--port")
      return usage_error("unknown argument: " + std::string(arg));
    if (index + 1 >= argc) return usage_error(std::string(arg) + " needs a value");
    const std::string_view value = argv[++index];
    if (arg == "--config") {
      config_path = value;
      continue;
    }
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (error != std::errc{} || end != value.data() + value.size()) {
      return usage_error("--port needs a port number from 0 to 65535");
    }
  }

  zqe::config::Config config;
  zqe::config::LoadOptions load_options;
  load_options.simulate = true;  // no credentials needed: the simulator is the one asked
  try {
    config = config_path.empty() ? zqe::config::default_config(load_options)
                                 : zqe::config::load_config(config_path, load_options);
  } catch (const zqe::config::ConfigError& error) {
    std::cerr << "zoom-simulator: " << error.what() << "\n";
    return kExitUsage;
  }
  zqe::log::set_level(config.log_level);

  asio::io_context io;
  simulator::SimulatedZoom zoom(io, config.simulator);
  try {
    zoom.start(port);
  } catch (const boost::system::system_error& error) {
    zqe::log::error("cannot listen",
                    "port=" + std::to_string(port) + " error=" + zqe::log::quote(error.what()));
    return kExitCannotListen;
  }

  // The exporter's own config keys, ready to paste (or append) into its config.
  std::cout << "zoom:\n"
            << "  api_base_url: " << zoom.api_base_url() << "\n"
            << "  oauth_token_url: " << zoom.oauth_token_url() << "\n"
            << "  account_id: " << simulator::kAccountId << "\n"
            << "  client_id: " << simulator::kClientId << "\n"
            << "  client_secret: " << simulator::kClientSecret << "\n"
            << std::flush;
  const zqe::config::SimulatorConfig& simulated = config.simulator;
  zqe::log::info(
      "simulated Zoom account started",
      "api=" + zoom.api_base_url() + " meetings=" + std::to_string(simulated.meetings) +
          " participants_per_meeting=" + std::to_string(simulated.participants_per_meeting) +
          " webinars=" + std::to_string(simulated.webinars) + " load_profile=" +
          (simulated.load_profile == zqe::config::LoadProfile::workday ? "workday" : "flat") +
          " speed=" + format_number(simulated.speed) +
          " enforce_rate_limits=" + (simulated.enforce_rate_limits ? "true" : "false"));

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&zoom](const boost::system::error_code& error, int signal) {
    if (error) return;
    zqe::log::info("shutting down",
                   std::string("signal=") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    // Closing the listener and every connection leaves the loop without work, so run() returns.
    zoom.stop();
  });
  io.run();

  const simulator::RateLimitStats stats = zoom.stats();
  zqe::log::info("stopped", "heavy_requests=" + std::to_string(stats.heavy.answered) +
                                " resource_intensive_requests=" +
                                std::to_string(stats.resource_intensive.answered));
  return kExitOk;
}
