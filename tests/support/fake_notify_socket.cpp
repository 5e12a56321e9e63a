#include "support/fake_notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace zqe::test {

FakeNotifySocket::FakeNotifySocket() {
  static std::atomic<int> sockets{0};
  path_ = "/tmp/zqe-notify-" + std::to_string(getpid()) + "-" + std::to_string(sockets++) + ".sock";
  unlink(path_.c_str());
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  path_.copy(address.sun_path, sizeof(address.sun_path) - 1);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("cannot bind " + path_);
  }
}

FakeNotifySocket::~FakeNotifySocket() {
  close(fd_);
  unlink(path_.c_str());
}

std::vector<std::string> FakeNotifySocket::received() {
  std::vector<std::string> messages;
  char buffer[4096];
  for (;;) {
    const ssize_t size = recv(fd_, buffer, sizeof(buffer), 0);
    if (size < 0) break;
    messages.emplace_back(buffer, static_cast<std::size_t>(size));
  }
  return messages;
}

std::vector<std::string> FakeNotifySocket::wait_for(const std::string& prefix,
                                                    std::chrono::milliseconds timeout) {
  std::vector<std::string> messages;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd readable{fd_, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (poll(&readable, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0))) <= 0) break;
    const ssize_t size = recv(fd_, buffer, sizeof(buffer), 0);
    if (size < 0) continue;
    messages.emplace_back(buffer, static_cast<std::size_t>(size));
    if (messages.back().starts_with(prefix)) break;
  }
  return messages;
}

}  // namespace zqe::test
