#pragma once

// First, before any Boost header: Boost 1.74's Asio needs it under C++20 with GCC 12.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "simulator/rate_limiter.hpp"
#include "simulator/simulated_account.hpp"

// An in-process fake of Zoom's API (OAuth token endpoint included) on 127.0.0.1, driven by the
// real client in --simulate mode and by tests: meetings start and end, participants join and
// leave, QoS values drift and are sometimes empty.
namespace zqe::simulator {

// The credentials the simulated account accepts; --simulate puts them into the config.
inline constexpr const char* kAccountId = "simulated-account";
inline constexpr const char* kClientId = "simulated-client";
inline constexpr const char* kClientSecret = "simulated-secret";

class SimulatedZoom {
 public:
  // The account's state follows `clock`, read on each request: a test or a long simulation can
  // move time on as fast as it likes. `clock` tells real time: the account's own time runs
  // config.speed times as fast from construction on, the rate limits keep real time (see
  // simulated_api.hpp).
  SimulatedZoom(
      boost::asio::io_context& io, const config::SimulatorConfig& config,
      Clock clock = [] { return std::chrono::system_clock::now(); });
  ~SimulatedZoom();
  SimulatedZoom(const SimulatedZoom&) = delete;
  SimulatedZoom& operator=(const SimulatedZoom&) = delete;

  // Listens on 127.0.0.1 on `port`, or on an ephemeral port when 0. Throws
  // boost::system::system_error when it cannot listen (e.g. the port is taken).
  void start(unsigned short port = 0);
  void stop();

  std::string api_base_url() const;     // "http://127.0.0.1:PORT/v2"
  std::string oauth_token_url() const;  // "http://127.0.0.1:PORT/oauth/token"

  // What the requests served so far cost against the account's rate limits; any thread.
  RateLimitStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zqe::simulator
