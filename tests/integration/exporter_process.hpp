#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace zqe::test {

struct ExporterRun {
  std::vector<std::string> arguments{};    // after the binary's name
  std::vector<std::string> environment{};  // NAME=VALUE; nothing is inherited from the test
  std::string working_directory{};         // empty: the test's
  bool as_nobody = false;                  // drop to uid and gid 65534 first (when run as root)
  bool unlimited_core = false;             // RLIMIT_CORE unlimited, so a crash may dump core
};

// The real zoom-qos-exporter binary in a child process, its stdout and stderr kept in files so
// that a test can read everything it wrote, however it ended.
class ExporterProcess {
 public:
  explicit ExporterProcess(const ExporterRun& run);
  ~ExporterProcess();  // kills it if still running
  ExporterProcess(const ExporterProcess&) = delete;
  ExporterProcess& operator=(const ExporterProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int number) const;
  // Waits for the exit and returns the wait status; kills it after `limit`.
  int wait(std::chrono::milliseconds limit = std::chrono::seconds(20));
  std::string out() const;  // stdout so far
  std::string err() const;  // stderr so far

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace zqe::test
