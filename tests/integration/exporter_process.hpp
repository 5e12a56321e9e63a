#pragma once

#include <sys/types.h>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace zqe::test {

// The real binary (ZQE_BINARY) run with --simulate on a free port of 127.0.0.1, as users run it.
class ExporterProcess {
 public:
  // `config` is appended to the listen address; `environment` is added to the child's.
  explicit ExporterProcess(
      const std::string& config,
      const std::vector<std::pair<std::string, std::string>>& environment = {});
  ~ExporterProcess();  // SIGKILLs the process if it still runs
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  unsigned short port() const { return port_; }
  // Polls /readyz until it answers 200; false after `timeout`.
  bool wait_until_ready(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // SIGTERM, then the exit status as waitpid reports it, and how long the exit took.
  std::pair<int, std::chrono::steady_clock::duration> terminate();

 private:
  unsigned short port_ = 0;
  std::string config_path_;
  pid_t pid_ = -1;
};

}  // namespace zqe::test
