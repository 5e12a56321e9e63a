#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <set>
#include <string_view>

namespace zqe::web {

// Remembers which (user, password) pairs passed bcrypt, so that a scraper's repeated requests
// cost one bcrypt run, not one each. It holds keyed SHA-256 digests (HMAC with a key drawn at
// construction), never a password, and at most `capacity` of them: the oldest goes first.
class VerifiedCredentials {
 public:
  using Digest = std::array<unsigned char, 32>;

  explicit VerifiedCredentials(std::size_t capacity);

  Digest digest(std::string_view user, std::string_view password) const;
  bool contains(const Digest& digest) const;
  void insert(const Digest& digest);
  void clear();
  std::size_t size() const { return digests_.size(); }

 private:
  std::array<unsigned char, 32> key_{};
  std::size_t capacity_;
  std::set<Digest> digests_;
  std::deque<Digest> oldest_first_;
};

}  // namespace zqe::web
