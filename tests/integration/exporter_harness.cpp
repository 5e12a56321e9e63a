#include "integration/exporter_harness.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <sstream>
#include <stdexcept>

namespace zqe::test {
using namespace std::chrono_literals;

ExporterHarness::ExporterHarness() : zoom_(io_) {
  zoom_.start();
  config_.listen_host = "127.0.0.1";
  config_.listen_port = 0;
  config_.zoom.account_id = "account";
  config_.zoom.client_id = "client";
  config_.zoom.client_secret = "secret";
  config_.zoom.api_base_url = zoom_.api_base_url();
  config_.zoom.oauth_token_url = zoom_.oauth_token_url();
  config_.zoom.request_timeout = 5s;
  config_.poll.interval = 1h;
  // Rate limits and pacing have their own tests; here they must not slow polls down.
  config_.limits.heavy_per_second = 1000;
  config_.limits.resource_intensive_per_minute = 10000;
  config_.log_level = log::Level::warn;
}

ExporterHarness::ExporterHarness(const std::vector<std::string>& account_names)
    : ExporterHarness() {
  config_.named_accounts = true;
  config_.zoom.account_id.clear();
  config_.zoom.client_id.clear();
  config_.zoom.client_secret.clear();
  config_.listed_accounts = account_names.size();
  for (std::size_t index = 0; index < account_names.size(); ++index) {
    if (index > 0) {
      more_zooms_.push_back(std::make_unique<FakeZoom>(io_));
      more_zooms_.back()->start();
    }
    FakeZoom& fake = zoom(index);
    config::AccountConfig& account = config_.accounts.emplace_back();
    account.name = account_names[index];
    account.account_id = "account-" + account.name;
    account.client_id = "client-" + account.name;
    account.client_secret = "secret-" + account.name;
    account.api_base_url = fake.api_base_url();
    account.oauth_token_url = fake.oauth_token_url();
    account.limits = config_.limits;
  }
}

// Stops the way the daemon does on SIGTERM, so every test also checks that the event loop
// runs dry by itself.
ExporterHarness::~ExporterHarness() {
  boost::asio::post(io_, [this] {
    if (exporter_) exporter_->stop();
    zoom_.stop();
    for (const auto& zoom : more_zooms_) zoom->stop();
  });
  if (thread_.joinable()) thread_.join();
}

void ExporterHarness::start(const std::string& config_path) {
  daemon::ExporterOptions options;
  options.config_path = config_path;
  options.handle_signals = false;
  options.per_scrape_ttl = std::chrono::milliseconds(0);  // every scrape sees the latest counters
  options.token_retry = {{}, {}};  // each poll the test asks for asks for a token again
  exporter_ = std::make_unique<daemon::Exporter>(io_, config_, options);
  exporter_->start();
  port_ = exporter_->local_endpoint().port();
  thread_ = std::thread([this] { io_.run(); });
  wait_until_idle(1);
}

void ExporterHarness::poll() {
  const auto lists_before = on_io_thread([this] { return exporter_->lists_completed(); });
  boost::asio::post(io_, [this] { exporter_->poll_now(); });
  wait_until_idle(lists_before + 1);
}

void ExporterHarness::poll_while(const std::function<void()>& meanwhile) {
  const auto lists_before = on_io_thread([this] { return exporter_->lists_completed(); });
  boost::asio::post(io_, [this] { exporter_->poll_now(); });
  meanwhile();
  wait_until_idle(lists_before + 1);
}

void ExporterHarness::request_poll() {
  boost::asio::post(io_, [this] { exporter_->poll_now(); });
}

void ExporterHarness::reload() {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    exporter_->reload();
    done.set_value();
  });
  done.get_future().wait();
}

HttpReply ExporterHarness::get(const std::string& target,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  return http_request(port_, "GET", target, headers);
}

void ExporterHarness::wait_until_idle(std::uint64_t lists) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (
      !on_io_thread([&] { return exporter_->lists_completed() >= lists && exporter_->idle(); })) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("poll timed out");
    std::this_thread::sleep_for(5ms);
  }
}

std::string sample_value(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return line.substr(series.size() + 1);
    }
  }
  return "absent";
}

}  // namespace zqe::test
