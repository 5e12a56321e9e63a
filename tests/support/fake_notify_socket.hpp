#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace zqe::test {

// A datagram socket standing in for systemd's notification socket: a process given its path()
// as $NOTIFY_SOCKET sends its sd_notify messages here.
class FakeNotifySocket {
 public:
  FakeNotifySocket();
  ~FakeNotifySocket();
  FakeNotifySocket(const FakeNotifySocket&) = delete;
  FakeNotifySocket& operator=(const FakeNotifySocket&) = delete;

  const std::string& path() const { return path_; }
  // The messages that arrived since the last call, without waiting.
  std::vector<std::string> received();
  // Waits up to `timeout` for a message that starts with `prefix`; returns the messages that
  // arrived meanwhile, up to and including it (the last one, when it came).
  std::vector<std::string> wait_for(const std::string& prefix, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace zqe::test
