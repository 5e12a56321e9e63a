#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers under C++20 with GCC 12.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace zqe::zoom {

struct ResolvedHost {
  // asio::error::timed_out when the deadline came first, operation_aborted after cancel_all().
  boost::system::error_code error;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

// A blocking lookup: getaddrinfo, or a stand-in in tests. It runs on a thread of its own and
// may take as long as it likes.
using HostLookup = std::function<ResolvedHost(const std::string& host, const std::string& port)>;
ResolvedHost system_host_lookup(const std::string& host, const std::string& port);

struct HostResolverOptions {
  // Distinct (host, port) lookups running at once; past it a lookup fails at once. Each holds a
  // thread until getaddrinfo returns, and the exporter talks to two hosts.
  std::size_t max_lookups_in_flight = 8;
  HostLookup lookup = system_host_lookup;
};

// Resolves host names within a deadline. getaddrinfo cannot be interrupted, and a DNS server that
// does not answer holds it for resolv.conf's timeout × attempts × servers, 30 s and more. Asio's
// resolver runs every lookup of an io_context on one private thread, so such a lookup would
// outlast the request timeout, hold up every later lookup, and hold up the io_context's
// destruction, which joins that thread. Here each lookup runs on a detached thread of its own,
// callers wait no longer than their deadline, callers of the same host and port share one
// lookup, and a result that comes back after everybody stopped waiting is dropped.
// resolve() and cancel_all() are called on the io_context's thread.
class HostResolver {
 public:
  explicit HostResolver(boost::asio::io_context& io, HostResolverOptions options = {});
  ~HostResolver();
  HostResolver(const HostResolver&) = delete;
  HostResolver& operator=(const HostResolver&) = delete;

  boost::asio::awaitable<ResolvedHost> resolve(std::string host, std::string port,
                                               std::chrono::steady_clock::time_point deadline);
  // Every resolve() waiting now returns operation_aborted; their lookups run on.
  void cancel_all();
  // Lookups whose thread has not returned yet, waited for or not.
  std::size_t lookups_in_flight() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace zqe::zoom
