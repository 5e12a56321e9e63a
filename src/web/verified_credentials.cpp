#include "web/verified_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace zqe::web {
namespace {

// Length-prefixed, so that no two (user, password) pairs give the same message.
std::string message_of(std::string_view user, std::string_view password) {
  const auto length = static_cast<std::uint64_t>(user.size());
  std::string message(sizeof length, '\0');
  for (std::size_t byte = 0; byte < sizeof length; ++byte) {
    message[byte] = static_cast<char>((length >> (8 * byte)) & 0xff);
  }
  message += user;
  message += password;
  return message;
}

}  // namespace

VerifiedCredentials::VerifiedCredentials(std::size_t capacity) : capacity_(capacity) {
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1) {
    throw std::runtime_error("no randomness for the credentials cache");
  }
}

VerifiedCredentials::Digest VerifiedCredentials::digest(std::string_view user,
                                                        std::string_view password) const {
  std::string message = message_of(user, password);
  Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
       &length);
  OPENSSL_cleanse(message.data(), message.size());
  return digest;
}

bool VerifiedCredentials::contains(const Digest& digest) const {
  return digests_.contains(digest);
}

void VerifiedCredentials::insert(const Digest& digest) {
  if (capacity_ == 0 || !digests_.insert(digest).second) return;
  oldest_first_.push_back(digest);
  if (oldest_first_.size() > capacity_) {
    digests_.erase(oldest_first_.front());
    oldest_first_.pop_front();
  }
}

void VerifiedCredentials::clear() {
  digests_.clear();
  oldest_first_.clear();
}

}  // namespace zqe::web
