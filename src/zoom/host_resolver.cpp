#include "zoom/host_resolver.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

namespace zqe::zoom {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// getaddrinfo's codes as Asio reports them, so messages read the same as Asio's resolver's.
error_code lookup_error(int code) {
  switch (code) {
    case EAI_AGAIN:
      return asio::error::host_not_found_try_again;
    case EAI_FAIL:
      return asio::error::no_recovery;
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
      return asio::error::host_not_found;
    case EAI_SERVICE:
      return asio::error::service_not_found;
    case EAI_MEMORY:
      return asio::error::no_memory;
    case EAI_SYSTEM:
      return {errno, boost::system::system_category()};
    default:
      return asio::error::no_recovery;
  }
}

tcp::endpoint to_endpoint(const addrinfo& info) {
  if (info.ai_family == AF_INET) {
    sockaddr_in address{};
    std::memcpy(&address, info.ai_addr, sizeof address);
    return {asio::ip::address_v4(ntohl(address.sin_addr.s_addr)), ntohs(address.sin_port)};
  }
  sockaddr_in6 address{};
  std::memcpy(&address, info.ai_addr, sizeof address);
  asio::ip::address_v6::bytes_type bytes;
  std::copy(std::begin(address.sin6_addr.s6_addr), std::end(address.sin6_addr.s6_addr),
            bytes.begin());
  return {asio::ip::address_v6(bytes, address.sin6_scope_id), ntohs(address.sin6_port)};
}

// Lets lookup threads post their results only while the io_context is alive. An io_context shuts
// its services down newest first, so this one, created after the scheduler, closes the way
// before the scheduler stops taking work.
struct Lifeline {
  std::mutex mutex;
  asio::io_context* io = nullptr;
};

class LifelineService : public asio::execution_context::service {
 public:
  using key_type = LifelineService;
  static inline asio::execution_context::id id;

  explicit LifelineService(asio::io_context& io)
      : service(io), lifeline(std::make_shared<Lifeline>()) {
    lifeline->io = &io;
  }

  const std::shared_ptr<Lifeline> lifeline;

 private:
  void shutdown() override {
    const std::lock_guard lock(lifeline->mutex);
    lifeline->io = nullptr;
  }
};

// One lookup of a (host, port), shared by the resolve() calls that wait for it. Touched on the
// io_context's thread only; its thread just holds it.
struct Lookup {
  bool done = false;
  ResolvedHost result;
  std::vector<asio::steady_timer*> waiters;
};

// Takes a waiting resolve()'s timer off its lookup when the wait ends, however it ends.
class WaiterRegistration {
 public:
  WaiterRegistration(Lookup& lookup, asio::steady_timer& timer) : lookup_(lookup), timer_(timer) {
    lookup_.waiters.push_back(&timer_);
  }
  ~WaiterRegistration() { std::erase(lookup_.waiters, &timer_); }
  WaiterRegistration(const WaiterRegistration&) = delete;
  WaiterRegistration& operator=(const WaiterRegistration&) = delete;

 private:
  Lookup& lookup_;
  asio::steady_timer& timer_;
};

}  // namespace

ResolvedHost system_host_lookup(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;  // as Asio's resolver asks by default
  addrinfo* found = nullptr;
  const int code = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (code != 0) return {lookup_error(code), {}};
  ResolvedHost result;
  for (const addrinfo* info = found; info != nullptr; info = info->ai_next) {
    if (info->ai_family == AF_INET || info->ai_family == AF_INET6) {
      result.endpoints.push_back(to_endpoint(*info));
    }
  }
  ::freeaddrinfo(found);
  if (result.endpoints.empty()) result.error = asio::error::host_not_found;
  return result;
}

struct HostResolver::Impl {
  Impl(asio::io_context& context, HostResolverOptions resolver_options)
      : io(context),
        options(std::move(resolver_options)),
        lifeline(asio::use_service<LifelineService>(context).lifeline) {}

  asio::io_context& io;
  HostResolverOptions options;
  std::shared_ptr<Lifeline> lifeline;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Lookup>> running;
};

namespace {

// On the io_context's thread, with a lookup's result.
void finish_lookup(const std::weak_ptr<HostResolver::Impl>& resolver,
                   const std::pair<std::string, std::string>& key,
                   const std::shared_ptr<Lookup>& lookup, ResolvedHost result) {
  lookup->done = true;
  lookup->result = std::move(result);
  for (asio::steady_timer* waiter : lookup->waiters) waiter->cancel();
  if (const auto impl = resolver.lock()) {
    const auto entry = impl->running.find(key);
    if (entry != impl->running.end() && entry->second == lookup) impl->running.erase(entry);
  }
}

}  // namespace

HostResolver::HostResolver(asio::io_context& io, HostResolverOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HostResolver::~HostResolver() = default;

asio::awaitable<ResolvedHost> HostResolver::resolve(
    std::string host, std::string port, std::chrono::steady_clock::time_point deadline) {
  Impl& impl = *impl_;
  auto key = std::make_pair(std::move(host), std::move(port));
  std::shared_ptr<Lookup> lookup;
  if (const auto running = impl.running.find(key); running != impl.running.end()) {
    lookup = running->second;
  } else {
    if (impl.running.size() >= impl.options.max_lookups_in_flight) {
      co_return ResolvedHost{make_error_code(boost::system::errc::resource_unavailable_try_again),
                             {}};
    }
    lookup = std::make_shared<Lookup>();
    try {
      std::thread([lookup_host = impl.options.lookup, lifeline = impl.lifeline,
                   resolver = std::weak_ptr<Impl>(impl_), key, lookup] {
        ResolvedHost result;
        try {
          result = lookup_host(key.first, key.second);
        } catch (const std::exception&) {
          result.error = asio::error::no_memory;  // all a lookup throws is std::bad_alloc
        }
        const std::lock_guard lock(lifeline->mutex);
        if (lifeline->io == nullptr) return;
        asio::post(*lifeline->io, [resolver, key, lookup, result = std::move(result)]() mutable {
          finish_lookup(resolver, key, lookup, std::move(result));
        });
      }).detach();
    } catch (const std::system_error&) {  // no thread to be had
      co_return ResolvedHost{make_error_code(boost::system::errc::resource_unavailable_try_again),
                             {}};
    }
    impl.running.emplace(key, lookup);
  }

  // Results arrive by post, so a lookup found in `running` is never done yet; one started here
  // cannot be either.
  asio::steady_timer timer(impl.io, deadline);
  error_code ec;
  {
    const WaiterRegistration waiting(*lookup, timer);
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (lookup->done) co_return lookup->result;
  co_return ResolvedHost{
      ec ? error_code(asio::error::operation_aborted) : error_code(asio::error::timed_out), {}};
}

void HostResolver::cancel_all() {
  for (const auto& [key, lookup] : impl_->running) {
    for (asio::steady_timer* waiter : lookup->waiters) waiter->cancel();
  }
}

std::size_t HostResolver::lookups_in_flight() const {
  return impl_->running.size();
}

}  // namespace zqe::zoom
