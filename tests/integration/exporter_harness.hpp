#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "daemon/exporter.hpp"
#include "support/fake_zoom.hpp"
#include "support/test_tools.hpp"

namespace zqe::test {

// The real Exporter against a FakeZoom, both on one io_context run by a background thread.
// Polls happen when the test asks (the interval is an hour). Given account names, the config
// lists them under zoom.accounts, each with a FakeZoom of its own.
class ExporterHarness {
 public:
  ExporterHarness();
  explicit ExporterHarness(const std::vector<std::string>& account_names);
  ~ExporterHarness();

  FakeZoom& zoom() { return zoom_; }
  // The FakeZoom of the account at `index` of the names given (0: zoom()).
  FakeZoom& zoom(std::size_t index) { return index == 0 ? zoom_ : *more_zooms_.at(index - 1); }
  config::Config& config() { return config_; }

  // Starts the exporter (which polls once at start) and waits for that poll.
  void start(const std::string& config_path = "");
  // Triggers one poll and waits for it to finish.
  void poll();
  // Triggers one poll without waiting (when Zoom's limits keep it from finishing).
  void request_poll();
  // Triggers one poll, runs `meanwhile` on the calling thread while it runs, then waits for it.
  void poll_while(const std::function<void()>& meanwhile);
  void reload();

  HttpReply get(const std::string& target,
                const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpReply request(const std::string& method, const std::string& target) {
    return http_request(port_, method, target);
  }
  std::string metrics() { return get("/metrics").body; }
  unsigned short port() const { return port_; }

 private:
  // Waits until the exporter has finished `lists` lists and has nothing due.
  void wait_until_idle(std::uint64_t lists);
  // Runs `read` on the io_context's thread, where the exporter lives, and returns its result.
  template <typename Read>
  auto on_io_thread(Read read) {
    std::promise<decltype(read())> result;
    boost::asio::post(io_, [&] { result.set_value(read()); });
    return result.get_future().get();
  }

  boost::asio::io_context io_;
  FakeZoom zoom_;
  std::vector<std::unique_ptr<FakeZoom>> more_zooms_;
  config::Config config_;
  std::unique_ptr<daemon::Exporter> exporter_;
  unsigned short port_ = 0;
  std::thread thread_;
};

// The value of the first sample line that starts with `series` (name and labels exactly as
// rendered), or "absent".
std::string sample_value(const std::string& exposition, const std::string& series);

}  // namespace zqe::test
