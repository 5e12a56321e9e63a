#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "integration/exporter_process.hpp"
#include "support/temp_dir.hpp"

namespace zqe::test {

// The real binary run with --simulate on a free port of 127.0.0.1, as users run it.
class SimulatedExporter {
 public:
  // `config` follows the listen address in the config file; `environment` (NAME=VALUE) is all
  // the child's environment; `arguments` follow --simulate --config FILE.
  explicit SimulatedExporter(const std::string& config, std::vector<std::string> environment = {},
                             const std::vector<std::string>& arguments = {});

  unsigned short port() const { return port_; }
  // Polls /readyz until it answers 200; false after `timeout`.
  bool wait_until_ready(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // SIGTERM, then the exit status as waitpid reports it, and how long the exit took.
  std::pair<int, std::chrono::steady_clock::duration> terminate();
  void signal(int number) const { process_.signal(number); }

 private:
  unsigned short port_;
  TempDir dir_;
  ExporterProcess process_;
};

}  // namespace zqe::test
