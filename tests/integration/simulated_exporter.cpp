#include "integration/simulated_exporter.hpp"

#include <csignal>
#include <thread>

#include "support/test_tools.hpp"

namespace zqe::test {

namespace {

std::vector<std::string> joined(std::vector<std::string> first,
                                const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

}  // namespace

SimulatedExporter::SimulatedExporter(const std::string& config,
                                     std::vector<std::string> environment,
                                     const std::vector<std::string>& arguments)
    : port_(free_port()),
      process_({.arguments = joined(
                    {"--simulate", "--config",
                     dir_.write("config.yaml",
                                "listen: \"127.0.0.1:" + std::to_string(port_) + "\"\n" + config)},
                    arguments),
                .environment = std::move(environment)}) {}

bool SimulatedExporter::wait_until_ready(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (http_request(port_, "GET", "/readyz").status == 200) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::pair<int, std::chrono::steady_clock::duration> SimulatedExporter::terminate() {
  const auto started = std::chrono::steady_clock::now();
  process_.signal(SIGTERM);
  const int status = process_.wait();
  return {status, std::chrono::steady_clock::now() - started};
}

}  // namespace zqe::test
