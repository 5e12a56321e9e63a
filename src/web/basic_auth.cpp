#include "web/basic_auth.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <unordered_map>

#include "http/basic_credentials.hpp"
#include "web/verified_credentials.hpp"

namespace zqe::web {
namespace {

struct Users {
  UserHashes hashes;
  std::string unknown_user_hash;  // of the highest cost among `hashes`
};

std::shared_ptr<const Users> make_users(const UserHashes& hashes) {
  auto users = std::make_shared<Users>();
  users->hashes = hashes;
  int highest_cost = 0;
  for (const auto& [name, hash] : hashes) {
    highest_cost = std::max(highest_cost, bcrypt_cost(hash).value_or(0));
  }
  if (highest_cost > 0) users->unknown_user_hash = unmatchable_bcrypt_hash(highest_cost);
  return users;
}

}  // namespace

// What the workers' completions need; they hold it weakly, so a BasicAuth that is gone when a
// verdict arrives simply never hears it.
struct BasicAuth::State {
  struct Waiting {
    std::function<void(AuthResult)> done;
    VerifiedCredentials::Digest digest;
    bool known_user;
    std::shared_ptr<const Users> users;  // those the check started with
  };

  explicit State(std::size_t cache_capacity) : verified(cache_capacity) {}

  void complete(std::uint64_t id, bool matches) {
    auto node = waiting.extract(id);
    if (node.empty()) return;  // dropped by stop()
    Waiting& check = node.mapped();
    const bool allowed = matches && check.known_user;
    if (allowed && check.users == users) verified.insert(check.digest);
    check.done(allowed ? AuthResult::allowed : AuthResult::wrong_credentials);
  }

  std::shared_ptr<const Users> users = std::make_shared<const Users>();
  VerifiedCredentials verified;
  std::unordered_map<std::uint64_t, Waiting> waiting;
  std::uint64_t next_id = 0;
  bool stopped = false;
};

BasicAuth::BasicAuth(boost::asio::io_context& io, BasicAuthOptions options)
    : executor_(io.get_executor()),
      options_(std::move(options)),
      workers_(std::max<std::size_t>(options_.threads, 1)),
      state_(std::make_shared<State>(options_.cache_capacity)) {}

BasicAuth::~BasicAuth() {
  stop();
  workers_.join();
}

void BasicAuth::set_users(const UserHashes& users) {
  if (users == state_->users->hashes) return;
  state_->users = make_users(users);
  state_->verified.clear();
}

bool BasicAuth::required() const {
  return !state_->users->hashes.empty();
}

void BasicAuth::check(std::string_view authorization, std::function<void(AuthResult)> done) {
  State& state = *state_;
  std::optional<http::BasicCredentials> credentials =
      http::parse_basic_authorization(authorization);
  if (!credentials) return done(AuthResult::no_credentials);
  const VerifiedCredentials::Digest digest =
      state.verified.digest(credentials->user, credentials->password);
  if (state.verified.contains(digest)) return done(AuthResult::allowed);
  if (state.stopped || state.waiting.size() >= options_.max_pending) {
    return done(AuthResult::busy);
  }

  const auto found = state.users->hashes.find(credentials->user);
  const bool known_user = found != state.users->hashes.end();
  std::string hash = known_user ? found->second : state.users->unknown_user_hash;
  const std::uint64_t id = state.next_id++;
  state.waiting.emplace(id, State::Waiting{std::move(done), digest, known_user, state.users});
  boost::asio::post(
      workers_,
      [check = options_.check, executor = executor_, weak_state = std::weak_ptr<State>(state_), id,
       password = std::move(credentials->password), hash = std::move(hash)]() mutable {
        const bool matches = check(password, hash);
        OPENSSL_cleanse(password.data(), password.size());
        boost::asio::post(executor, [weak_state, id, matches] {
          if (const std::shared_ptr<State> state = weak_state.lock()) state->complete(id, matches);
        });
      });
}

void BasicAuth::stop() {
  state_->stopped = true;
  state_->waiting.clear();
  workers_.stop();
}

}  // namespace zqe::web
