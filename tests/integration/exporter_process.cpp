#include "integration/exporter_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace zqe::test {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string temp_file(const char* what) {
  std::string path = std::string("/tmp/zqe-exporter-") + what + "-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  return path;
}

// In the child: only async-signal-safe calls until exec.
[[noreturn]] void exec_exporter(const ExporterRun& run, const std::vector<char*>& argv,
                                const std::vector<char*>& envp, int out, int err) {
  dup2(out, STDOUT_FILENO);
  dup2(err, STDERR_FILENO);
  // Nothing else of the test's: an inherited copy of the fake Zoom's listening socket would
  // keep its port open while the fake refuses connections.
  close_range(STDERR_FILENO + 1, ~0U, 0);
  if (!run.working_directory.empty() && chdir(run.working_directory.c_str()) != 0) _exit(126);
  if (run.unlimited_core) {
    const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &unlimited) != 0) _exit(126);
  }
  if (run.as_nobody && geteuid() == 0) {
    const gid_t nobody = 65534;
    if (setgroups(0, nullptr) != 0 || setgid(nobody) != 0 || setuid(nobody) != 0) _exit(126);
  }
  execve(argv[0], argv.data(), envp.data());
  _exit(127);
}

}  // namespace

ExporterProcess::ExporterProcess(const ExporterRun& run)
    : out_path_(temp_file("out")), err_path_(temp_file("err")) {
  std::vector<std::string> arguments = {ZQE_BINARY};
  arguments.insert(arguments.end(), run.arguments.begin(), run.arguments.end());
  std::vector<std::string> environment = run.environment;
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& variable : environment) envp.push_back(variable.data());
  envp.push_back(nullptr);
  const int out = open(out_path_.c_str(), O_WRONLY | O_TRUNC);
  const int err = open(err_path_.c_str(), O_WRONLY | O_TRUNC);
  if (out < 0 || err < 0) throw std::runtime_error("cannot open the output files");
  pid_ = fork();
  if (pid_ == 0) exec_exporter(run, argv, envp, out, err);
  close(out);
  close(err);
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

ExporterProcess::~ExporterProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

void ExporterProcess::signal(int number) const {
  if (pid_ > 0) kill(pid_, number);
}

int ExporterProcess::wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0) throw std::logic_error("the exporter was waited for already");
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
}

std::string ExporterProcess::out() const {
  return read_all(out_path_);
}

std::string ExporterProcess::err() const {
  return read_all(err_path_);
}

}  // namespace zqe::test
