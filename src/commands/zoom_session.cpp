#include "commands/zoom_session.hpp"

#include "daemon/account.hpp"

namespace zqe::commands {
namespace {

std::string names_of(const std::vector<config::AccountConfig>& accounts) {
  std::string names;
  for (const config::AccountConfig& account : accounts) {
    names += (names.empty() ? "" : ", ") + account.name;
  }
  return names.empty() ? "none in this shard" : names;
}

// The account `name` names, and its index among the accounts (the simulator's seed offset).
std::pair<config::AccountConfig, std::size_t> choose_account(const config::Config& config,
                                                             const std::string& name) {
  std::vector<config::AccountConfig> accounts = config::accounts_of(config);
  if (!config.named_accounts) {
    if (!name.empty()) {
      throw config::ConfigError("--account " + name + ": " + config.source +
                                " has no zoom.accounts, only one account");
    }
    return {std::move(accounts.front()), 0};
  }
  if (name.empty()) {
    if (accounts.size() == 1) return {std::move(accounts.front()), 0};
    throw config::ConfigError(config.source + " lists several zoom.accounts: choose one with " +
                              "--account NAME (" + names_of(accounts) + ")");
  }
  for (std::size_t index = 0; index < accounts.size(); ++index) {
    if (accounts[index].name == name) return {std::move(accounts[index]), index};
  }
  throw config::ConfigError("--account " + name + ": no such entry in zoom.accounts of " +
                            config.source + " (" + names_of(accounts) + ")");
}

}  // namespace

ZoomSession::ZoomSession(boost::asio::io_context& io, config::Config config,
                         const std::string& account, bool simulate)
    : config_(std::move(config)),
      metrics_(registry_, account),
      http_(io, daemon::http_options_of(config_)) {
  auto [chosen, index] = choose_account(config_, account);
  account_ = std::move(chosen);
  if (simulate) {
    config::SimulatorConfig simulated = config_.simulator;
    simulated.seed += index;  // as the daemon seeds each account's simulator
    simulator_ = std::make_unique<simulator::SimulatedZoom>(io, simulated);
    simulator_->start();
    account_.api_base_url = simulator_->api_base_url();
    account_.oauth_token_url = simulator_->oauth_token_url();
    account_.account_id = simulator::kAccountId;
    account_.client_id = simulator::kClientId;
    account_.client_secret = simulator::kClientSecret;
  }
  daemon::redact_secrets_in_logs({&account_});
  scheduler_ = std::make_unique<scheduler::RefreshScheduler>(
      daemon::scheduler_options_of(config_, account_));
  gate_ = std::make_unique<daemon::SchedulerGate>(io, *scheduler_, metrics_);
  // One command makes one attempt: no backoff to wait out before the next.
  tokens_ = std::make_unique<zoom::TokenProvider>(
      io, http_, metrics_, daemon::credentials_of(account_),
      zoom::TokenRetryPolicy{std::chrono::seconds(0), std::chrono::seconds(0)});
  client_ = std::make_unique<zoom::ZoomClient>(http_, *tokens_, *gate_, metrics_,
                                               daemon::client_options_of(config_, account_));
}

ZoomSession::~ZoomSession() = default;

void ZoomSession::stop() {
  gate_->stop();
  http_.cancel_all();
  if (simulator_) simulator_->stop();
}

}  // namespace zqe::commands
