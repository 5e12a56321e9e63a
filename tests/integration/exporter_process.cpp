#include "integration/exporter_process.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/ip/tcp.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "support/test_tools.hpp"

namespace zqe::test {
namespace {

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace

ExporterProcess::ExporterProcess(
    const std::string& config, const std::vector<std::pair<std::string, std::string>>& environment)
    : port_(free_port()) {
  char path[] = "/tmp/zqe-exporter-process-XXXXXX.yaml";
  const int fd = mkstemps(path, 5);
  if (fd < 0) throw std::runtime_error("mkstemps failed");
  close(fd);
  config_path_ = path;
  std::ofstream(config_path_) << "listen: \"127.0.0.1:" << port_ << "\"\n" << config;
  const std::string binary = ZQE_BINARY;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    for (const auto& [name, value] : environment) setenv(name.c_str(), value.c_str(), 1);
    execl(binary.c_str(), binary.c_str(), "--simulate", "--config", config_path_.c_str(), nullptr);
    _exit(127);
  }
}

ExporterProcess::~ExporterProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::remove(config_path_.c_str());
}

bool ExporterProcess::wait_until_ready(std::chrono::milliseconds timeout) const {
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

std::pair<int, std::chrono::steady_clock::duration> ExporterProcess::terminate() {
  const auto started = std::chrono::steady_clock::now();
  kill(pid_, SIGTERM);
  int status = -1;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return {status, std::chrono::steady_clock::now() - started};
}

}  // namespace zqe::test
