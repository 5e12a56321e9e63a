#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.hpp"
#include "qos/audio_quality.hpp"

namespace zqe::config {

using Duration = std::chrono::milliseconds;

struct ZoomConfig {
  std::string account_id;
  std::string client_id;
  std::string client_secret;  // never logged, printed or exported
  std::string api_base_url = "https://api.zoom.us/v2";
  std::string oauth_token_url = "https://zoom.us/oauth/token";
  Duration request_timeout = std::chrono::seconds(30);
  std::size_t max_response_bytes = 64 * 1024 * 1024;
  int qos_page_size = 10;           // participants per QoS page (Zoom's spec caps it at 10)
  int meetings_page_size = 300;     // meetings per list page (Zoom's maximum)
  int max_concurrent_requests = 4;  // per account
};

struct PollConfig {
  // The shortest refresh period of a meeting's QoS, and the period of the live meeting list when
  // the quota allows; on accounts too large for the quota the scheduler refreshes less often.
  Duration interval = std::chrono::seconds(60);
  bool webinars = true;  // also poll live webinars
};

// Zoom's rate limits for the account's plan (see NOTES on rate limits). Zoom counts them per
// account, shared by every app of the account.
enum class Plan { pro, business };

struct LimitsConfig {
  Plan plan = Plan::business;
  double heavy_per_second = 40;               // participants QoS calls
  double resource_intensive_per_minute = 20;  // meeting and webinar lists
  std::int64_t daily_requests = 60'000;       // Heavy and Resource-intensive together
  double daily_share = 0.5;                   // of daily_requests this exporter may use, (0, 1]
};

// One Zoom account the exporter polls: an entry of zoom.accounts, or the single account of
// zoom.account_id/client_id/client_secret with the top-level limits.
struct AccountConfig {
  std::string name;  // the value of the `account` label; empty for the single account: no label
  std::string account_id;
  std::string client_id;
  std::string client_secret;  // never logged, printed or exported
  std::string api_base_url = "https://api.zoom.us/v2";
  std::string oauth_token_url = "https://zoom.us/oauth/token";
  LimitsConfig limits;  // the top-level limits unless the account sets its own
};

// zoom.shard "INDEX/COUNT": this exporter polls the accounts whose shard_of(name, count) is
// INDEX, so COUNT replicas divide zoom.accounts among them without talking to each other.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};

// FNV-1a 64-bit of the name's bytes: stable across builds, platforms and releases, unlike
// std::hash, so every replica and every restart agrees on who polls an account.
std::uint64_t account_name_hash(std::string_view name);
std::uint64_t shard_of(std::string_view name, std::uint64_t count);

// The plan's numbers: pro 10/s, 10/min, 30,000 a day; business 40/s, 20/min, 60,000 a day.
LimitsConfig plan_limits(Plan plan);

// Which levels of QoS series are exported: zoom_participant_*, zoom_meeting_*, zoom_account_*.
struct MetricLevels {
  bool participant = true;
  bool meeting = true;
  bool account = true;
};

struct MetricsConfig {
  MetricLevels levels;
  // Identity fields that become labels of zoom_participant_info, in this order.
  std::vector<std::string> participant_info_labels = {"user_name", "device", "version", "location"};
  // Fields that become labels of zoom_meeting_info, in this order.
  std::vector<std::string> meeting_info_labels = {"uuid", "topic", "host", "type"};
  // The most QoS series exported; past it, participant series go first (see series_cap.hpp).
  // 0: no cap.
  std::size_t max_series = 1'000'000;
  // The MOS boundaries of zoom_participant_audio_quality's classes.
  qos::QualityThresholds audio_quality;
};

// Meetings and participants refreshed more often than the rest, within the quota's budget (see
// the scheduler's kWatchShare). Meetings are refreshed whole (a page holds 10 participants, so
// that is the cheapest way); watched participants of other meetings one by one with the
// single-participant call.
struct WatchConfig {
  Duration interval = std::chrono::seconds(15);
  std::vector<std::string> meetings;      // numeric ids or UUIDs
  std::vector<std::string> participants;  // participant ids (Zoom's per-meeting user_id)
  // User names of participants, and host emails or names of meetings (case-insensitive).
  std::vector<std::string> users;

  bool empty() const { return meetings.empty() && participants.empty() && users.empty(); }
};

enum class LoadProfile {
  flat,     // `meetings` live meetings around the clock
  workday,  // `meetings` at the peak of a working day (UTC), a few at night
};

struct SimulatorConfig {
  int meetings = 20;                 // live meetings at any time, or at the peak
  int participants_per_meeting = 8;  // mean; each meeting varies around it
  int webinars = 2;                  // live webinars at any time, or at the peak
  std::uint64_t seed = 1;
  int page_size_cap = 10;  // QoS page size the simulated Zoom allows at most
  LoadProfile load_profile = LoadProfile::flat;
  bool enforce_rate_limits = true;  // answer 429 past the plan's limits, as Zoom does
  Plan plan = Plan::business;       // whose limits the simulated Zoom enforces
  // How many times faster than real time the account's clock runs from the simulator's start:
  // meetings, participants and QoS snapshots follow it; rate limits stay in real time. [1, 3600]
  double speed = 1;
};

// Where the web server's TLS, basic auth and response headers are set: a file in the format of
// Prometheus's exporter-toolkit (--web.config.file), read by the web module.
struct WebConfig {
  std::string config_file;  // resolved against the config file's directory; empty: plain HTTP
  bool open_health_endpoints = true;  // /healthz and /readyz answer without basic auth
};

struct Config {
  std::string source;  // file name the config came from, for messages
  // Problems that do not stop the exporter, e.g. a secret file others may read; in the form of
  // ConfigError's messages, and never with a secret in them.
  std::vector<std::string> warnings;
  std::string listen_host = "0.0.0.0";
  std::uint16_t listen_port = 9799;
  log::Level log_level = log::Level::info;
  ZoomConfig zoom;
  // Whether zoom.accounts is set; then `accounts` holds the accounts this shard polls (maybe
  // none), and zoom.account_id/client_id/client_secret stay empty. Otherwise the one account is
  // zoom.* with `limits`, without an `account` label, as before zoom.accounts existed.
  bool named_accounts = false;
  std::vector<AccountConfig> accounts;
  std::size_t listed_accounts = 0;  // in zoom.accounts, before the shard
  std::optional<Shard> shard;
  PollConfig poll;
  WatchConfig watch;
  LimitsConfig limits;  // of the single account, and the default of each of zoom.accounts
  MetricsConfig metrics;
  SimulatorConfig simulator;
  WebConfig web;
};

// The accounts to poll: `accounts` with zoom.accounts, else the single account of zoom.* with
// `limits` and an empty name.
std::vector<AccountConfig> accounts_of(const Config& config);

// Identity fields of a participant that may be labels of zoom_participant_info.
inline constexpr std::string_view kParticipantInfoLabelChoices[] = {
    "user_name", "device",      "version", "location", "ip_address",
    "mac_addr",  "harddisk_id", "pc_name", "domain"};

// Fields of a meeting that may be labels of zoom_meeting_info.
inline constexpr std::string_view kMeetingInfoLabelChoices[] = {"uuid", "topic", "host", "type"};

// Where the client secret may come from besides zoom.client_secret(_file), and the names of the
// systemd credentials (LoadCredential=ID:PATH) each credential is read from when nothing else
// sets it.
inline constexpr std::string_view kSecretVariable = "ZOOM_CLIENT_SECRET";
inline constexpr std::string_view kSecretFileVariable = "ZOOM_CLIENT_SECRET_FILE";
inline constexpr std::string_view kSecretCredential = "zoom-client-secret";
inline constexpr std::string_view kAccountIdCredential = "zoom-account-id";
inline constexpr std::string_view kClientIdCredential = "zoom-client-id";

// Thrown for every invalid config; what() is the whole message, e.g.
//   "config.yaml:7:3: zoom.client_idd: unknown key"
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads an environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

struct LoadOptions {
  // --simulate: credentials and URLs are filled in by the simulator, so they are not required.
  bool simulate = false;
  EnvLookup env = process_environment();
};

// Parses YAML text; `source` names it in messages.
Config parse_config(std::string_view yaml_text, const std::string& source,
                    const LoadOptions& options);
// Reads and parses a file; a missing or unreadable file is a ConfigError too.
Config load_config(const std::string& path, const LoadOptions& options);
// The defaults plus the environment overrides, for running without a file (--simulate).
Config default_config(const LoadOptions& options);

// "60s", "5m", "1h30m", "500ms", "1d". Returns nullopt on anything else.
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace zqe::config
