#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "common/wipe.hpp"
#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace zqe::config {
namespace {

using namespace std::chrono_literals;

// Durations beyond a year are surely typos, and the cap keeps deadline arithmetic in nanosecond
// clocks far from overflow.
constexpr Duration kLongestDuration = std::chrono::days(365);

constexpr std::string_view kDurationExamples = "(use e.g. 60s, 5m, 1h30m)";

struct DurationUnit {
  std::string_view suffix;
  Duration length;
};
// Longest first: the order parse_duration requires and format_duration writes.
constexpr DurationUnit kDurationUnits[] = {
    {"d", std::chrono::days(1)}, {"h", 1h}, {"m", 1min}, {"s", 1s}, {"ms", 1ms}};

// Writes a duration the way parse_duration reads it, e.g. 90s as "1m30s".
std::string format_duration(Duration duration) {
  if (duration == Duration::zero()) return "0s";
  std::string text;
  for (const DurationUnit& unit : kDurationUnits) {
    if (duration >= unit.length) {
      text += std::to_string(duration / unit.length);
      text += unit.suffix;
      duration %= unit.length;
    }
  }
  return text;
}

constexpr Choice<Plan> kPlanChoices[] = {{"pro", Plan::pro}, {"business", Plan::business}};
constexpr Choice<LoadProfile> kLoadProfileChoices[] = {{"flat", LoadProfile::flat},
                                                       {"workday", LoadProfile::workday}};

// Far more than a credential needs (see kMaxConfigFileBytes).
constexpr std::size_t kMaxCredentialFileBytes = 64 * 1024;

// "0644", as chmod takes it.
std::string octal_mode(std::uint32_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Who besides the owner may use a file of this mode, or "" when nobody may. Reading matters most,
// but a secret others may write can be swapped for theirs.
std::string_view open_to(std::uint32_t mode) {
  if (mode & S_IROTH) return "readable by others";
  if (mode & S_IRGRP) return "readable by its group";
  if (mode & (S_IRWXG | S_IRWXO)) return "open to its group or others";
  return {};
}

// Whether a value has text outside ${NAME} references, i.e. holds (part of) a secret itself.
bool has_literal_text(std::string_view text) {
  while (!text.empty()) {
    if (!text.starts_with("${")) return true;
    const std::size_t close = text.find('}');
    if (close == std::string_view::npos) return true;
    text.remove_prefix(close + 1);
  }
  return false;
}

bool is_host_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool is_ipv6_literal(std::string_view text) {
  return text.find(':') != std::string_view::npos &&
         std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
}

struct HostAndPort {
  std::string host;                   // brackets of an IPv6 literal removed; may be empty
  std::optional<std::uint16_t> port;  // absent when the text has none
  std::string_view problem;           // empty when the text is well-formed
};

// Splits "host", "host:port", "[v6]" or "[v6]:port", as in a listen address or a URL authority.
HostAndPort split_host_port(std::string_view text) {
  constexpr std::string_view kInvalidHost =
      "has an invalid host (use a name, an IPv4 address or an IPv6 address in brackets)";
  HostAndPort result;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || !is_ipv6_literal(text.substr(1, close - 1))) {
      return {.host = {}, .port = {}, .problem = kInvalidHost};
    }
    result.host = text.substr(1, close - 1);
    const std::string_view after_host = text.substr(close + 1);
    if (!after_host.empty() && !after_host.starts_with(':')) {
      return {.host = {}, .port = {}, .problem = kInvalidHost};
    }
    port_text = after_host.empty() ? after_host : after_host.substr(1);
  } else {
    const auto colon = text.rfind(':');
    const std::string_view host = text.substr(0, colon);
    if (!host.empty() && !is_host_name(host)) {
      return {.host = {}, .port = {}, .problem = kInvalidHost};
    }
    result.host = host;
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (port_text.empty()) return result;
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return {.host = {}, .port = {}, .problem = "has an invalid port (must be from 1 to 65535)"};
  }
  result.port = static_cast<std::uint16_t>(port);
  return result;
}

// "systemd credential zoom-client-secret", the KEY of messages about a credential.
std::string credential_key(std::string_view credential) {
  return "systemd credential " + std::string(credential);
}

bool is_variable_name(std::string_view name) {
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// A string setting as written in the file, kept with its position for later checks.
struct ValueInFile {
  std::string text;
  YAML::Mark mark;
};

// Settings whose final value depends on the environment and on each other, so they are
// resolved only after the whole file is read.
struct CredentialsInFile {
  std::optional<ValueInFile> account_id;
  std::optional<ValueInFile> client_id;
  std::optional<ValueInFile> client_secret;
  std::optional<ValueInFile> client_secret_file;
};

// A limits section as written: only what it sets, so the rest can come from a default.
struct LimitsInFile {
  std::optional<Plan> plan;
  std::optional<double> heavy_per_second;
  std::optional<double> resource_intensive_per_minute;
  std::optional<std::int64_t> daily_requests;
  std::optional<double> daily_share;
};

// The plan supplies the numbers a section does not set, wherever `plan` stands in it; without a
// plan they come from `base`, as does daily_share, which is the deployment's choice, not the
// plan's.
LimitsConfig limits_from(const LimitsInFile& in_file, const LimitsConfig& base) {
  LimitsConfig limits = base;
  if (in_file.plan) {
    limits = plan_limits(*in_file.plan);
    limits.daily_share = base.daily_share;
  }
  if (in_file.heavy_per_second) limits.heavy_per_second = *in_file.heavy_per_second;
  if (in_file.resource_intensive_per_minute) {
    limits.resource_intensive_per_minute = *in_file.resource_intensive_per_minute;
  }
  if (in_file.daily_requests) limits.daily_requests = *in_file.daily_requests;
  if (in_file.daily_share) limits.daily_share = *in_file.daily_share;
  return limits;
}

// An entry of zoom.accounts, resolved once the whole file is read: its limits default to the
// top-level section, which may come after it.
struct AccountInFile {
  std::string key;  // "zoom.accounts[2]"
  YAML::Mark mark;
  std::optional<ValueInFile> name;
  CredentialsInFile credentials;
  std::optional<std::string> api_base_url;
  std::optional<std::string> oauth_token_url;
  LimitsInFile limits;
};

// "0/3": digits, a slash, digits.
std::optional<std::uint64_t> read_shard_number(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return {};
  return number;
}

class SettingsReader : YamlReader {
 public:
  // `file_mode`: the permission bits of the config file, when it is one.
  SettingsReader(const std::string& source, const LoadOptions& options,
                 std::optional<std::uint32_t> file_mode)
      : YamlReader(source), source_(source), options_(options), file_mode_(file_mode) {
    config_.source = source;
  }

  Config read(const YAML::Node& root) {
    read_document(root, {
                            {"listen", [this](const Value& value) { read_listen(value); }},
                            {"log_level", [this](const Value& value) { read_log_level(value); }},
                            {"zoom", [this](const Value& value) { read_zoom(value); }},
                            {"poll", [this](const Value& value) { read_poll(value); }},
                            {"watch", [this](const Value& value) { read_watch(value); }},
                            {"limits", [this](const Value& value) { read_limits(value); }},
                            {"metrics", [this](const Value& value) { read_metrics(value); }},
                            {"simulator", [this](const Value& value) { read_simulator(value); }},
                            {"web", [this](const Value& value) { read_web(value); }},
                        });
    resolve_credentials();
    return config_;
  }

 private:
  Duration read_duration(const Value& value, Duration shortest) const {
    const std::string text = read_string(value, "a duration");
    const std::optional<Duration> duration = parse_duration(text);
    if (!duration) {
      fail(value, "invalid duration " + in_quotes(text) + " " + std::string(kDurationExamples));
    }
    if (*duration < shortest || *duration > kLongestDuration) {
      fail(value, "must be a duration from " + format_duration(shortest) + " to " +
                      format_duration(kLongestDuration));
    }
    return *duration;
  }

  // URLs are not echoed in messages: they could carry user info.
  std::string read_url(const Value& value) const {
    const std::string url = read_string(value);
    if (std::any_of(url.begin(), url.end(),
                    [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
      fail(value, "URL must not contain spaces or control characters");
    }
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
      rest.remove_prefix(std::string_view("https://").size());
    } else if (rest.starts_with("http://")) {
      rest.remove_prefix(std::string_view("http://").size());
    } else {
      fail(value, "must be an http:// or https:// URL");
    }
    // Request paths are appended to these URLs, which a query or fragment would break.
    if (rest.find_first_of("?#") != std::string_view::npos) {
      fail(value, "URL must not have a query or fragment");
    }
    const HostAndPort authority = split_host_port(rest.substr(0, rest.find('/')));
    if (!authority.problem.empty()) fail(value, "URL " + std::string(authority.problem));
    if (authority.host.empty()) fail(value, "URL has no host");
    return url;
  }

  ValueInFile read_value_in_file(const Value& value) const {
    return ValueInFile{.text = read_string(value), .mark = value.mark};
  }

  void read_listen(const Value& value) {
    const std::string address = read_string(value);
    const HostAndPort parts = split_host_port(address);
    if (!parts.problem.empty()) fail(value, in_quotes(address) + " " + std::string(parts.problem));
    if (!parts.port) {
      fail(value, in_quotes(address) +
                      " has no port (use host:port, e.g. 0.0.0.0:9799, [::]:9799 or :9799)");
    }
    config_.listen_host = parts.host.empty() ? "0.0.0.0" : parts.host;
    config_.listen_port = *parts.port;
  }

  void read_log_level(const Value& value) {
    const std::string name = read_string(value);
    const std::optional<log::Level> level = log::parse_level(name);
    if (!level) {
      fail(value, "unknown level " + in_quotes(name) + " (use debug, info, warn or error)");
    }
    config_.log_level = *level;
  }

  void read_zoom(const Value& section) {
    ZoomConfig& zoom = config_.zoom;
    read_map(
        section,
        {
            {"account_id",
             [this](const Value& value) { credentials_.account_id = read_value_in_file(value); }},
            {"client_id",
             [this](const Value& value) { credentials_.client_id = read_value_in_file(value); }},
            {"client_secret",
             [this](const Value& value) {
               credentials_.client_secret = read_value_in_file(value);
             }},
            {"client_secret_file",
             [this](const Value& value) {
               credentials_.client_secret_file = read_value_in_file(value);
             }},
            {"api_base_url", [&](const Value& value) { zoom.api_base_url = read_url(value); }},
            {"oauth_token_url",
             [&](const Value& value) { zoom.oauth_token_url = read_url(value); }},
            {"request_timeout",
             [&](const Value& value) { zoom.request_timeout = read_duration(value, 1ms); }},
            {"max_response_bytes",
             [&](const Value& value) {
               zoom.max_response_bytes =
                   read_integer<std::size_t>(value, 1024, std::numeric_limits<std::size_t>::max());
             }},
            {"qos_page_size",
             [&](const Value& value) { zoom.qos_page_size = read_integer(value, 1, 300); }},
            {"meetings_page_size",
             [&](const Value& value) { zoom.meetings_page_size = read_integer(value, 1, 300); }},
            {"max_concurrent_requests",
             [&](const Value& value) {
               zoom.max_concurrent_requests = read_integer(value, 1, 64);
             }},
            {"accounts", [this](const Value& value) { read_accounts(value); }},
            {"shard", [this](const Value& value) { shard_ = read_value_in_file(value); }},
        });
  }

  void read_accounts(const Value& list) {
    accounts_in_file_.emplace();
    accounts_mark_ = list.mark;
    read_list(list, [this](const Value& item) {
      AccountInFile& account = accounts_in_file_->emplace_back();
      account.key = list_key(item.key, accounts_in_file_->size() - 1);
      account.mark = item.mark;
      const Value entry{.node = item.node, .key = account.key, .mark = item.mark};
      CredentialsInFile& credentials = account.credentials;
      read_map(
          entry,
          {
              {"name", [&](const Value& value) { account.name = read_value_in_file(value); }},
              {"account_id",
               [&](const Value& value) { credentials.account_id = read_value_in_file(value); }},
              {"client_id",
               [&](const Value& value) { credentials.client_id = read_value_in_file(value); }},
              {"client_secret",
               [&](const Value& value) { credentials.client_secret = read_value_in_file(value); }},
              {"client_secret_file",
               [&](const Value& value) {
                 credentials.client_secret_file = read_value_in_file(value);
               }},
              {"api_base_url", [&](const Value& value) { account.api_base_url = read_url(value); }},
              {"oauth_token_url",
               [&](const Value& value) { account.oauth_token_url = read_url(value); }},
              {"limits", [&](const Value& value) { account.limits = read_limits_in_file(value); }},
          });
    });
  }

  static std::string list_key(const std::string& key, std::size_t index) {
    return key + "[" + std::to_string(index) + "]";
  }

  void read_watch(const Value& section) {
    WatchConfig& watch = config_.watch;
    read_map(
        section,
        {
            {"interval", [&](const Value& value) { watch.interval = read_duration(value, 1s); }},
            {"meetings", [&](const Value& value) { watch.meetings = read_watch_list(value); }},
            {"participants",
             [&](const Value& value) { watch.participants = read_watch_list(value); }},
            {"users", [&](const Value& value) { watch.users = read_watch_list(value); }},
        });
  }

  std::vector<std::string> read_watch_list(const Value& list) const {
    std::vector<std::string> entries;
    read_list(list, [&](const Value& item) {
      std::string entry = read_string(item, "a string");
      if (entry.empty()) fail(item, "must not be empty");
      if (std::find(entries.begin(), entries.end(), entry) != entries.end()) {
        fail(item, "duplicate entry " + in_quotes(entry));
      }
      entries.push_back(std::move(entry));
    });
    return entries;
  }

  void read_poll(const Value& section) {
    read_map(
        section,
        {
            {"interval",
             [this](const Value& value) { config_.poll.interval = read_duration(value, 1s); }},
            {"webinars", [this](const Value& value) { config_.poll.webinars = read_bool(value); }},
        });
  }

  LimitsInFile read_limits_in_file(const Value& section) const {
    LimitsInFile limits;
    read_map(
        section,
        {
            {"plan",
             [&](const Value& value) { limits.plan = read_choice(value, "plan", kPlanChoices); }},
            {"heavy_per_second",
             [&](const Value& value) {
               limits.heavy_per_second = read_positive_number(value, 1000);
             }},
            {"resource_intensive_per_minute",
             [&](const Value& value) {
               limits.resource_intensive_per_minute = read_positive_number(value, 10000);
             }},
            {"daily_requests",
             [&](const Value& value) {
               limits.daily_requests = read_integer<std::int64_t>(value, 1, 100'000'000);
             }},
            {"daily_share",
             [&](const Value& value) { limits.daily_share = read_positive_number(value, 1); }},
        });
    return limits;
  }

  void read_limits(const Value& section) {
    config_.limits = limits_from(read_limits_in_file(section), LimitsConfig{});
  }

  void read_metrics(const Value& section) {
    read_map(section,
             {
                 {"levels", [this](const Value& value) { read_levels(value); }},
                 {"participant_info_labels",
                  [this](const Value& value) {
                    config_.metrics.participant_info_labels =
                        read_label_list(value, kParticipantInfoLabelChoices);
                  }},
                 {"meeting_info_labels",
                  [this](const Value& value) {
                    config_.metrics.meeting_info_labels =
                        read_label_list(value, kMeetingInfoLabelChoices);
                  }},
                 {"max_series",
                  [this](const Value& value) {
                    config_.metrics.max_series = read_integer<std::size_t>(value, 0, 1'000'000'000);
                  }},
                 {"audio_quality", [this](const Value& value) { read_audio_quality(value); }},
             });
  }

  void read_levels(const Value& section) {
    MetricLevels& levels = config_.metrics.levels;
    read_map(
        section,
        {
            {"participant", [&](const Value& value) { levels.participant = read_bool(value); }},
            {"meeting", [&](const Value& value) { levels.meeting = read_bool(value); }},
            {"account", [&](const Value& value) { levels.account = read_bool(value); }},
        });
  }

  void read_audio_quality(const Value& section) {
    qos::QualityThresholds& thresholds = config_.metrics.audio_quality;
    std::optional<Value> last_set;  // the setting blamed when the two disagree
    read_map(section, {
                          {"good_mos",
                           [&](const Value& value) {
                             thresholds.good_mos = read_number(value, 1, 4.5);
                             if (!last_set) last_set = value;
                           }},
                          {"poor_mos",
                           [&](const Value& value) {
                             thresholds.poor_mos = read_number(value, 1, 4.5);
                             last_set = value;
                           }},
                      });
    if (last_set && thresholds.poor_mos > thresholds.good_mos) {
      fail(*last_set, "poor_mos (" + format_number(thresholds.poor_mos) +
                          ") must not be above good_mos (" + format_number(thresholds.good_mos) +
                          ")");
    }
  }

  template <std::size_t N>
  std::vector<std::string> read_label_list(const Value& list,
                                           const std::string_view (&choices)[N]) const {
    std::vector<std::string> labels;
    read_list(list, [&](const Value& item) {
      std::string label = read_string(item, "a label name");
      if (std::find(std::begin(choices), std::end(choices), label) == std::end(choices)) {
        fail(item,
             "unknown label " + in_quotes(label) + " (choose from " + join(choices, ", ") + ")");
      }
      if (std::find(labels.begin(), labels.end(), label) != labels.end()) {
        fail(item, "duplicate label " + in_quotes(label));
      }
      labels.push_back(std::move(label));
    });
    return labels;
  }

  void read_simulator(const Value& section) {
    SimulatorConfig& simulator = config_.simulator;
    read_map(
        section,
        {
            {"meetings",
             [&](const Value& value) { simulator.meetings = read_integer(value, 0, 100000); }},
            {"participants_per_meeting",
             [&](const Value& value) {
               simulator.participants_per_meeting = read_integer(value, 0, 10000);
             }},
            {"seed",
             [&](const Value& value) {
               simulator.seed =
                   read_integer<std::uint64_t>(value, 0, std::numeric_limits<std::uint64_t>::max());
             }},
            {"page_size_cap",
             [&](const Value& value) { simulator.page_size_cap = read_integer(value, 1, 300); }},
            {"webinars",
             [&](const Value& value) { simulator.webinars = read_integer(value, 0, 100000); }},
            {"load_profile",
             [&](const Value& value) {
               simulator.load_profile = read_choice(value, "load profile", kLoadProfileChoices);
             }},
            {"enforce_rate_limits",
             [&](const Value& value) { simulator.enforce_rate_limits = read_bool(value); }},
            {"plan",
             [&](const Value& value) {
               simulator.plan = read_choice(value, "plan", kPlanChoices);
             }},
            {"speed", [&](const Value& value) { simulator.speed = read_number(value, 1, 3600); }},
        });
  }

  void read_web(const Value& section) {
    WebConfig& web = config_.web;
    read_map(section,
             {
                 {"config_file",
                  [&](const Value& value) {
                    const std::string path = read_string(value);
                    if (path.empty())
                      fail(value, "must not be empty (leave it out for plain HTTP)");
                    web.config_file = relative_to_file(source_, path);
                  }},
                 {"open_health_endpoints",
                  [&](const Value& value) { web.open_health_endpoints = read_bool(value); }},
             });
  }

  // An empty variable does not count, so a blank `ZOOM_CLIENT_ID=` in a compose file keeps the
  // file's value.
  std::optional<std::string> environment_override(std::string_view name) const {
    std::optional<std::string> value = options_.env(std::string(name));
    if (value && value->empty()) return std::nullopt;
    return value;
  }

  // Expands ${NAME} from the environment. Messages never quote the value: it may be a secret.
  std::string expand_variables(const ValueInFile& value, std::string_view key) const {
    const std::string& text = value.text;
    std::string expanded;
    std::size_t position = 0;
    while (position < text.size()) {
      if (text.compare(position, 2, "${") != 0) {
        expanded += text[position++];
        continue;
      }
      const std::size_t close = text.find('}', position + 2);
      const std::string name = close == std::string::npos
                                   ? std::string()
                                   : text.substr(position + 2, close - position - 2);
      if (!is_variable_name(name)) {
        fail(value.mark, key,
             "malformed ${...} reference (use ${NAME} with letters, digits and underscores)");
      }
      const std::optional<std::string> variable = options_.env(name);
      if (!variable) fail(value.mark, key, "environment variable " + name + " is not set");
      expanded += *variable;
      position = close + 1;
    }
    return expanded;
  }

  // The file of a systemd credential (LoadCredential=), when $CREDENTIALS_DIRECTORY holds it.
  // A credential that is not there is no source; one that is there but unreadable is an error.
  std::optional<std::string> credential_path(std::string_view name) const {
    const std::optional<std::string> directory = environment_override("CREDENTIALS_DIRECTORY");
    if (!directory) return std::nullopt;
    std::string path = (std::filesystem::path(*directory) / name).string();
    if (access(path.c_str(), F_OK) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      return std::nullopt;
    }
    return path;
  }

  // Reads a file that holds a credential; `mark` and `key` name where the path came from. Warns
  // when others may use it and it holds the secret. The content never appears in messages.
  std::string read_credential_file(const std::string& path, const YAML::Mark& mark,
                                   std::string_view key, bool holds_the_secret) {
    FileContent content = read_whole_file(path, kMaxCredentialFileBytes);
    if (content.error != 0) {
      fail(mark, key, "cannot read " + in_quotes(path) + ": " + error_text(content.error));
    }
    const auto last_kept = content.text.find_last_not_of(" \t\r\n\f\v");
    content.text.erase(last_kept == std::string::npos ? 0 : last_kept + 1);
    if (content.text.empty()) fail(mark, key, in_quotes(path) + " is empty");
    const std::string_view open = open_to(content.mode);
    if (holds_the_secret && !open.empty()) {
      warn(mark, key,
           "secret file " + in_quotes(path) + " is " + std::string(open) + " (mode " +
               octal_mode(content.mode) + "); chmod 600 it");
    }
    return std::move(content.text);
  }

  // The environment wins over the file, and a file value it replaces is not expanded; systemd's
  // credential counts only when neither has a value.
  std::string resolve_credential(const std::optional<ValueInFile>& in_file, std::string_view key,
                                 std::string_view environment_name, std::string_view credential) {
    if (std::optional<std::string> value = environment_override(environment_name)) return *value;
    if (in_file) return expand_variables(*in_file, key);
    if (const std::optional<std::string> path = credential_path(credential)) {
      return read_credential_file(*path, YAML::Mark::null_mark(), credential_key(credential),
                                  false);
    }
    return {};
  }

  // In this order: ZOOM_CLIENT_SECRET, ZOOM_CLIENT_SECRET_FILE, zoom.client_secret_file or
  // zoom.client_secret, the systemd credential. A source that is set but fails is an error,
  // never a reason to fall back to the next one.
  std::string resolve_secret() {
    const std::optional<std::string> value = environment_override(kSecretVariable);
    const std::optional<std::string> file = environment_override(kSecretFileVariable);
    if (value && file) {
      fail(YAML::Mark::null_mark(), kSecretFileVariable,
           "cannot be used together with " + std::string(kSecretVariable));
    }
    if (value) return *value;
    if (file) {
      return read_credential_file(*file, YAML::Mark::null_mark(), kSecretFileVariable, true);
    }
    if (const auto& path_in_file = credentials_.client_secret_file) {
      // Relative paths start at the config file's directory, as in Prometheus, so the daemon's
      // working directory does not matter.
      const std::string path = (std::filesystem::path(source_).parent_path() /
                                expand_variables(*path_in_file, "zoom.client_secret_file"))
                                   .string();
      return read_credential_file(path, path_in_file->mark, "zoom.client_secret_file", true);
    }
    if (credentials_.client_secret) {
      return expand_variables(*credentials_.client_secret, "zoom.client_secret");
    }
    if (const std::optional<std::string> path = credential_path(kSecretCredential)) {
      return read_credential_file(*path, YAML::Mark::null_mark(), credential_key(kSecretCredential),
                                  true);
    }
    return {};
  }

  // A secret written into the config file is as safe as the file's permissions. `prefix`: "zoom"
  // or "zoom.accounts[N]", whose client_secret it is.
  void warn_about_a_secret_in_the_config_file(const CredentialsInFile& credentials,
                                              const std::string& prefix) {
    const std::optional<ValueInFile>& secret = credentials.client_secret;
    if (!file_mode_ || !(*file_mode_ & S_IROTH) || !secret || !has_literal_text(secret->text)) {
      return;
    }
    warn(secret->mark, prefix + ".client_secret",
         "config file " + in_quotes(source_) +
             " holds the secret and is readable by others (mode " + octal_mode(*file_mode_) +
             "); chmod o-r it, or move the secret to " + prefix + ".client_secret_file");
  }

  Shard read_shard(const ValueInFile& value) const {
    constexpr std::string_view kKey = "zoom.shard";
    const std::string text = expand_variables(value, kKey);
    const std::size_t slash = text.find('/');
    const std::optional<std::uint64_t> index =
        slash == std::string::npos ? std::nullopt : read_shard_number(text.substr(0, slash));
    const std::optional<std::uint64_t> count =
        slash == std::string::npos ? std::nullopt : read_shard_number(text.substr(slash + 1));
    if (!index || !count) {
      fail(value.mark, kKey, "invalid shard " + in_quotes(text) + " (use INDEX/COUNT, e.g. 0/3)");
    }
    if (*count == 0)
      fail(value.mark, kKey, "the shard count must be at least 1, got " + in_quotes(text));
    if (*index >= *count) {
      fail(value.mark, kKey,
           "the shard index must be below the count (0/" + std::to_string(*count) + " to " +
               std::to_string(*count - 1) + "/" + std::to_string(*count) + "), got " +
               in_quotes(text));
    }
    return {.index = *index, .count = *count};
  }

  // Each account has its own credentials, and the ZOOM_* variables and systemd credentials stay
  // with the single-account form: which account would they belong to?
  void resolve_accounts() {
    const std::pair<const std::optional<ValueInFile>*, std::string_view> single_account[] = {
        {&credentials_.account_id, "zoom.account_id"},
        {&credentials_.client_id, "zoom.client_id"},
        {&credentials_.client_secret, "zoom.client_secret"},
        {&credentials_.client_secret_file, "zoom.client_secret_file"},
    };
    for (const auto& [value, key] : single_account) {
      if (*value) {
        fail((*value)->mark, key,
             "cannot be used together with zoom.accounts (set it in each account)");
      }
    }
    if (accounts_in_file_->empty()) {
      fail(accounts_mark_, "zoom.accounts",
           "must list at least one account (or leave it out for the single account of "
           "zoom.account_id)");
    }
    config_.named_accounts = true;
    if (shard_) config_.shard = read_shard(*shard_);
    std::map<std::string, std::string> key_of_name;
    for (const AccountInFile& account : *accounts_in_file_) {
      const std::string name_key = account.key + ".name";
      if (!account.name) fail(account.mark, name_key, "required (it is the account label)");
      const std::string& name = account.name->text;
      if (name.empty()) fail(account.name->mark, name_key, "must not be empty");
      const auto [earlier, added] = key_of_name.emplace(name, account.key);
      if (!added) {
        fail(account.name->mark, name_key,
             "duplicate account name " + in_quotes(name) + " (also " + earlier->second + ")");
      }
      if (account.credentials.client_secret && account.credentials.client_secret_file) {
        fail(account.credentials.client_secret_file->mark, account.key + ".client_secret_file",
             "cannot be used together with " + account.key + ".client_secret");
      }
      if (config_.shard && shard_of(name, config_.shard->count) != config_.shard->index) continue;
      config_.accounts.push_back(resolve_account(account));
    }
    config_.listed_accounts = accounts_in_file_->size();
  }

  // Only the accounts of this shard are resolved: the secrets of the others stay unread.
  AccountConfig resolve_account(const AccountInFile& account) {
    const CredentialsInFile& credentials = account.credentials;
    const std::string& key = account.key;
    AccountConfig resolved;
    resolved.name = account.name->text;
    if (credentials.account_id) {
      resolved.account_id = expand_variables(*credentials.account_id, key + ".account_id");
    }
    if (credentials.client_id) {
      resolved.client_id = expand_variables(*credentials.client_id, key + ".client_id");
    }
    if (const auto& path_in_file = credentials.client_secret_file) {
      const std::string file_key = key + ".client_secret_file";
      const std::string path =
          (std::filesystem::path(source_).parent_path() / expand_variables(*path_in_file, file_key))
              .string();
      resolved.client_secret = read_credential_file(path, path_in_file->mark, file_key, true);
    } else if (credentials.client_secret) {
      resolved.client_secret = expand_variables(*credentials.client_secret, key + ".client_secret");
    }
    warn_about_a_secret_in_the_config_file(credentials, key);
    resolved.api_base_url = account.api_base_url.value_or(config_.zoom.api_base_url);
    resolved.oauth_token_url = account.oauth_token_url.value_or(config_.zoom.oauth_token_url);
    resolved.limits = limits_from(account.limits, config_.limits);
    if (options_.simulate) return resolved;
    require(resolved.account_id, credentials.account_id, key + ".account_id", {}, account.mark);
    require(resolved.client_id, credentials.client_id, key + ".client_id", {}, account.mark);
    require(resolved.client_secret, credentials.client_secret, key + ".client_secret",
            credentials.client_secret ? std::string() : key + ".client_secret_file", account.mark);
    return resolved;
  }

  void resolve_credentials() {
    if (accounts_in_file_) {
      resolve_accounts();
      return;
    }
    if (shard_) {
      fail(shard_->mark, "zoom.shard",
           "needs zoom.accounts (the single account of zoom.account_id cannot be split)");
    }
    ZoomConfig& zoom = config_.zoom;
    if (credentials_.client_secret && credentials_.client_secret_file) {
      fail(credentials_.client_secret_file->mark, "zoom.client_secret_file",
           "cannot be used together with zoom.client_secret");
    }
    zoom.account_id = resolve_credential(credentials_.account_id, "zoom.account_id",
                                         "ZOOM_ACCOUNT_ID", kAccountIdCredential);
    zoom.client_id = resolve_credential(credentials_.client_id, "zoom.client_id", "ZOOM_CLIENT_ID",
                                        kClientIdCredential);
    zoom.client_secret = resolve_secret();
    warn_about_a_secret_in_the_config_file(credentials_, "zoom");
    if (options_.simulate) return;
    require(zoom.account_id, credentials_.account_id, "zoom.account_id",
            "ZOOM_ACCOUNT_ID or the systemd credential " + std::string(kAccountIdCredential));
    require(zoom.client_id, credentials_.client_id, "zoom.client_id",
            "ZOOM_CLIENT_ID or the systemd credential " + std::string(kClientIdCredential));
    // An empty secret file already failed, so only client_secret can be the empty one here.
    require(zoom.client_secret, credentials_.client_secret, "zoom.client_secret",
            credentials_.client_secret
                ? std::string(kSecretVariable)
                : "zoom.client_secret_file, " + std::string(kSecretVariable) + ", " +
                      std::string(kSecretFileVariable) + " or the systemd credential " +
                      std::string(kSecretCredential));
  }

  // `where`: the position of a setting that is missing, when there is one to point at.
  void require(const std::string& value, const std::optional<ValueInFile>& in_file,
               std::string_view key, const std::string& alternatives,
               const YAML::Mark& where = YAML::Mark::null_mark()) const {
    if (!value.empty()) return;
    const std::string or_set = alternatives.empty() ? "" : " (or set " + alternatives + ")";
    if (in_file) fail(in_file->mark, key, "must not be empty" + or_set);
    fail(where, key, "required" + or_set);
  }

  // Same form as the messages of fail(), collected in Config::warnings.
  void warn(const YAML::Mark& mark, std::string_view key, std::string_view problem) {
    config_.warnings.push_back(location(source_, mark) + ": " + std::string(key) + ": " +
                               std::string(problem));
  }

  const std::string& source_;
  const LoadOptions& options_;
  const std::optional<std::uint32_t> file_mode_;
  Config config_;
  CredentialsInFile credentials_;
  std::optional<std::vector<AccountInFile>> accounts_in_file_;  // set: zoom.accounts is there
  YAML::Mark accounts_mark_;
  std::optional<ValueInFile> shard_;
};

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  Duration total = Duration::zero();
  // Like Prometheus, each unit may appear once, longest first: "1h30m" but not "30m1h".
  std::size_t next_allowed_unit = 0;
  while (!text.empty()) {
    std::uint64_t count = 0;
    const auto [digits_end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (error != std::errc{}) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(digits_end - text.data()));
    // The longest matching suffix wins, so "ms" is not read as "m" followed by garbage.
    std::optional<std::size_t> unit;
    for (std::size_t index = 0; index < std::size(kDurationUnits); ++index) {
      const std::string_view suffix = kDurationUnits[index].suffix;
      if (text.starts_with(suffix) &&
          (!unit || suffix.size() > kDurationUnits[*unit].suffix.size())) {
        unit = index;
      }
    }
    if (!unit || *unit < next_allowed_unit) return std::nullopt;
    text.remove_prefix(kDurationUnits[*unit].suffix.size());
    next_allowed_unit = *unit + 1;
    const Duration::rep unit_millis = kDurationUnits[*unit].length.count();
    const auto room = static_cast<std::uint64_t>((Duration::max() - total).count() / unit_millis);
    if (count > room) return std::nullopt;
    total += Duration(static_cast<Duration::rep>(count) * unit_millis);
  }
  return total;
}

namespace {

Config parse(std::string_view yaml_text, const std::string& source, const LoadOptions& options,
             std::optional<std::uint32_t> file_mode) {
  return SettingsReader(source, options, file_mode).read(parse_single_document(yaml_text, source));
}

}  // namespace

Config parse_config(std::string_view yaml_text, const std::string& source,
                    const LoadOptions& options) {
  return parse(yaml_text, source, options, std::nullopt);
}

Config load_config(const std::string& path, const LoadOptions& options) {
  const FileContent file = read_whole_file(path, kMaxConfigFileBytes);
  if (file.error != 0) {
    throw ConfigError(path + ": cannot read config file: " + error_text(file.error));
  }
  return parse(file.text, path, options, file.mode);
}

Config default_config(const LoadOptions& options) {
  return parse_config("", "(no config file)", options);
}

}  // namespace zqe::config
