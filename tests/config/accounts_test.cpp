#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace zqe::config {
namespace {

constexpr std::string_view kTwoAccounts = R"(
zoom:
  api_base_url: https://eu.example.com/v2
  accounts:
    - name: east
      account_id: "${EAST_ID}"
      client_id: east-client
      client_secret: east-secret
      limits:
        plan: pro
    - name: west
      account_id: west-id
      client_id: west-client
      client_secret: west-secret
      oauth_token_url: https://token.example.com/oauth/token
      limits:
        heavy_per_second: 5
limits:
  daily_share: 0.25
)";

std::vector<std::string> names(const Config& config) {
  std::vector<std::string> names;
  for (const AccountConfig& account : config.accounts) names.push_back(account.name);
  return names;
}

TEST(Accounts, EachHasItsCredentialsUrlsAndLimits) {
  const Config config = parse_config(kTwoAccounts, "test.yaml", options_with({{"EAST_ID", "e1"}}));
  ASSERT_TRUE(config.named_accounts);
  ASSERT_EQ(config.accounts.size(), 2u);
  const AccountConfig& east = config.accounts[0];
  EXPECT_EQ(east.name, "east");
  EXPECT_EQ(east.account_id, "e1");
  EXPECT_EQ(east.client_id, "east-client");
  EXPECT_EQ(east.client_secret, "east-secret");
  // The top-level URLs are every account's default.
  EXPECT_EQ(east.api_base_url, "https://eu.example.com/v2");
  EXPECT_EQ(east.oauth_token_url, "https://zoom.us/oauth/token");
  // The plan's numbers, the top-level daily_share: the section came after the accounts.
  EXPECT_EQ(east.limits.plan, Plan::pro);
  EXPECT_EQ(east.limits.heavy_per_second, 10);
  EXPECT_EQ(east.limits.daily_requests, 30'000);
  EXPECT_EQ(east.limits.daily_share, 0.25);
  const AccountConfig& west = config.accounts[1];
  EXPECT_EQ(west.oauth_token_url, "https://token.example.com/oauth/token");
  EXPECT_EQ(west.limits.plan, Plan::business);
  EXPECT_EQ(west.limits.heavy_per_second, 5);
  EXPECT_EQ(west.limits.daily_requests, 60'000);
  EXPECT_EQ(west.limits.daily_share, 0.25);
  EXPECT_EQ(config.listed_accounts, 2u);
  EXPECT_TRUE(config.zoom.client_secret.empty());
  EXPECT_EQ(accounts_of(config).size(), 2u);
}

TEST(Accounts, TheSingleAccountFormIsOneAccountWithoutAName) {
  const Config config = parse_config(
      "zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\nlimits:\n  plan: pro\n",
      "test.yaml", options_with());
  EXPECT_FALSE(config.named_accounts);
  const std::vector<AccountConfig> accounts = accounts_of(config);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].name, "");
  EXPECT_EQ(accounts[0].account_id, "a");
  EXPECT_EQ(accounts[0].client_secret, "s");
  EXPECT_EQ(accounts[0].limits.plan, Plan::pro);
}

TEST(Accounts, TheZoomVariablesBelongToTheSingleAccountForm) {
  const Config config =
      parse_config(kTwoAccounts, "test.yaml",
                   options_with({{"EAST_ID", "e1"}, {"ZOOM_CLIENT_SECRET", "env-secret"}}));
  EXPECT_EQ(config.accounts[0].client_secret, "east-secret");
  EXPECT_EQ(config.accounts[1].client_secret, "west-secret");
}

TEST(Accounts, SecretFileIsRelativeToTheConfigFile) {
  const test::TempDir dir;
  dir.write("east-secret", "from a file\n");
  const std::string path =
      dir.write("config.yaml",
                "zoom:\n  accounts:\n    - name: east\n      account_id: a\n      client_id: c\n"
                "      client_secret_file: east-secret\n");
  const Config config = load_config(path, options_with());
  EXPECT_EQ(config.accounts.at(0).client_secret, "from a file");
}

TEST(Accounts, SecretAndSecretFileTogetherAreAnError) {
  EXPECT_EQ(parse_error("zoom:\n  accounts:\n    - name: east\n      client_secret: s\n"
                        "      client_secret_file: f\n"),
            "test.yaml:5:27: zoom.accounts[0].client_secret_file: cannot be used together with "
            "zoom.accounts[0].client_secret");
}

TEST(Accounts, SimulateNeedsNoCredentials) {
  const Config config = parse_config("zoom:\n  accounts:\n    - name: east\n    - name: west\n",
                                     "test.yaml", simulate_options());
  EXPECT_EQ(names(config), (std::vector<std::string>{"east", "west"}));
}

// Pinned: changing the hash would move accounts between the replicas of a running deployment.
TEST(Shard, HashIsFnv1a64OfTheName) {
  EXPECT_EQ(account_name_hash(""), 14695981039346656037ULL);
  EXPECT_EQ(account_name_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(account_name_hash("initech"), 6801944161098443841ULL);
  EXPECT_EQ(shard_of("initech", 3), 0u);
  EXPECT_EQ(shard_of("a", 3), 1u);
  EXPECT_EQ(shard_of("acme", 3), 2u);
  EXPECT_EQ(shard_of("anything", 1), 0u);
}

constexpr std::string_view kFourAccounts =
    "zoom:\n  shard: \"${POD_INDEX}/3\"\n  accounts:\n"
    "    - name: initech\n    - name: a\n    - name: acme\n    - name: north\n";

TEST(Shard, KeepsTheAccountsWhoseHashFallsInIt) {
  const auto shard = [](const std::string& index) {
    return parse_config(kFourAccounts, "test.yaml",
                        {.simulate = true, .env = fake_env({{"POD_INDEX", index}})});
  };
  const Config first = shard("0");
  EXPECT_EQ(names(first), (std::vector<std::string>{"initech", "north"}));
  EXPECT_EQ(first.listed_accounts, 4u);
  ASSERT_TRUE(first.shard);
  EXPECT_EQ(first.shard->index, 0u);
  EXPECT_EQ(first.shard->count, 3u);
  EXPECT_EQ(names(shard("1")), (std::vector<std::string>{"a"}));
  EXPECT_EQ(names(shard("2")), (std::vector<std::string>{"acme"}));
}

TEST(Shard, MayHoldNoAccount) {
  const Config config = parse_config("zoom:\n  shard: 1/3\n  accounts:\n    - name: initech\n",
                                     "test.yaml", simulate_options());
  EXPECT_TRUE(config.named_accounts);
  EXPECT_TRUE(config.accounts.empty());
  EXPECT_TRUE(accounts_of(config).empty());
}

// Only the shard's own accounts are resolved, so a replica needs only its own secrets.
TEST(Shard, SecretsOfOtherShardsAreNotRead) {
  const Config config = parse_config(
      "zoom:\n  shard: 0/3\n  accounts:\n"
      "    - name: initech\n      account_id: i\n      client_id: c\n      client_secret: s\n"
      "    - name: acme\n      client_secret_file: /nonexistent/acme\n",
      "test.yaml", options_with());
  EXPECT_EQ(names(config), (std::vector<std::string>{"initech"}));
}

}  // namespace
}  // namespace zqe::config
