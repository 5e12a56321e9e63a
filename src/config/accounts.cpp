#include "config/config.hpp"

namespace zqe::config {

std::uint64_t account_name_hash(std::string_view name) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64-bit offset basis
  for (const char byte : name) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 1099511628211ULL;  // FNV-1a 64-bit prime
  }
  return hash;
}

std::uint64_t shard_of(std::string_view name, std::uint64_t count) {
  return account_name_hash(name) % count;
}

std::vector<AccountConfig> accounts_of(const Config& config) {
  if (config.named_accounts) return config.accounts;
  AccountConfig account;
  account.account_id = config.zoom.account_id;
  account.client_id = config.zoom.client_id;
  account.client_secret = config.zoom.client_secret;
  account.api_base_url = config.zoom.api_base_url;
  account.oauth_token_url = config.zoom.oauth_token_url;
  account.limits = config.limits;
  return {account};
}

}  // namespace zqe::config
