#include "web/bcrypt.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace zqe::web {
namespace {

constexpr std::string_view kBcryptDigits =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kHashLength = 60;     // "$2b$10$" and 53 digits
constexpr std::size_t kSettingLength = 29;  // up to the end of the salt
constexpr int kLowestCost = 4;
constexpr int kHighestCost = 31;

// crypt_gensalt_rn with the system's randomness: "$2b$NN$" and 22 digits of salt.
std::string new_setting(int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    throw std::runtime_error("cannot make a bcrypt salt of cost " + std::to_string(cost));
  }
  return setting;
}

// crypt_data is 32 KiB: too large for worker stacks, and wiped after use since it held the
// password's key schedule.
struct WipedCryptData {
  WipedCryptData() : data(std::make_unique<crypt_data>()) {}
  ~WipedCryptData() { OPENSSL_cleanse(data.get(), sizeof *data); }
  WipedCryptData(const WipedCryptData&) = delete;
  WipedCryptData& operator=(const WipedCryptData&) = delete;
  std::unique_ptr<crypt_data> data;
};

}  // namespace

std::optional<int> bcrypt_cost(std::string_view hash) {
  if (hash.size() != kHashLength || !hash.starts_with("$2") || hash[3] != '$' || hash[6] != '$') {
    return std::nullopt;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return std::nullopt;
  if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9') return std::nullopt;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < kLowestCost || cost > kHighestCost) return std::nullopt;
  if (hash.substr(7).find_first_not_of(kBcryptDigits) != std::string_view::npos) {
    return std::nullopt;
  }
  return cost;
}

bool bcrypt_matches(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  std::string phrase(password);
  WipedCryptData work;
  const char* computed = crypt_rn(phrase.c_str(), hash.c_str(), work.data.get(), sizeof *work.data);
  OPENSSL_cleanse(phrase.data(), phrase.size());
  // Lengths are public (every bcrypt hash has 60 characters); the contents are compared in
  // constant time.
  return computed != nullptr && std::strlen(computed) == hash.size() &&
         CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
}

std::string bcrypt_hash(std::string_view password, int cost) {
  if (password.find('\0') != std::string_view::npos) {
    throw std::runtime_error("a bcrypt password cannot hold a NUL byte");
  }
  const std::string setting = new_setting(cost);
  const std::string phrase(password);
  WipedCryptData work;
  const char* hash = crypt_rn(phrase.c_str(), setting.c_str(), work.data.get(), sizeof *work.data);
  if (hash == nullptr) throw std::runtime_error("bcrypt failed");
  return hash;
}

std::string unmatchable_bcrypt_hash(int cost) {
  // The digest part is never computed: all-zero digits stand for it, and libxcrypt reads only
  // the setting in front of them. A password matches it with a chance of 2^-184.
  std::string hash = new_setting(cost);
  hash.resize(kSettingLength);
  hash.append(kHashLength - kSettingLength, '.');
  return hash;
}

}  // namespace zqe::web
