#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "web/bcrypt.hpp"

namespace zqe::web {

using UserHashes = std::map<std::string, std::string>;  // user name → bcrypt hash

enum class AuthResult {
  allowed,
  no_credentials,     // no Authorization header, or not a well-formed Basic one
  wrong_credentials,  // an unknown user or a wrong password
  busy,               // too many verifications pending; try again shortly
};

// Whether a password matches a hash: bcrypt_matches, or in tests one that counts or stalls.
using PasswordCheck = std::function<bool(std::string_view password, const std::string& hash)>;

struct BasicAuthOptions {
  std::size_t threads = 2;  // bcrypt workers
  // Verifications queued or running at once; beyond it a check is answered busy at once, so a
  // flood of guesses costs a bounded queue, not an unbounded one. 32 at cost 10 on 2 workers is
  // about a second of work.
  std::size_t max_pending = 32;
  std::size_t cache_capacity = 1024;  // verified (user, password) pairs remembered
  PasswordCheck check = bcrypt_matches;
};

// HTTP basic auth against bcrypt hashes, as Prometheus's exporter-toolkit does it, without
// stalling the event loop: bcrypt runs on a few worker threads and the verdict comes back on the
// io_context's thread. Pairs that passed are cached, so a scraper pays bcrypt once. An unknown
// user is checked against an unmatchable hash of the users' highest cost, so that both kinds of
// failure cost the same bcrypt run. Everything but the workers runs on the io_context's thread.
class BasicAuth {
 public:
  explicit BasicAuth(boost::asio::io_context& io, BasicAuthOptions options = {});
  ~BasicAuth();
  BasicAuth(const BasicAuth&) = delete;
  BasicAuth& operator=(const BasicAuth&) = delete;

  // Replaces the users; no users: nothing is required. New users clear the cache, the same ones
  // keep it. Checks in flight finish against the users they started with, uncached.
  void set_users(const UserHashes& users);
  bool required() const;

  // Checks an Authorization header value. `done` runs on the io_context's thread: within this
  // call for a cache hit, a malformed header or when busy, else once a worker has run bcrypt.
  void check(std::string_view authorization, std::function<void(AuthResult)> done);

  // Drops the checks waiting for a worker, and every pending `done` with them.
  void stop();

 private:
  struct State;

  boost::asio::io_context::executor_type executor_;
  BasicAuthOptions options_;
  boost::asio::thread_pool workers_;
  std::shared_ptr<State> state_;
};

}  // namespace zqe::web
