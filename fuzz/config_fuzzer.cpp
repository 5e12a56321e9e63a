// Feeds arbitrary text to parse_config as a config file's content, once as for a normal start and
// once as for --simulate with the credentials in the environment. The loader promises that an
// invalid config throws ConfigError, whose message starts with the file's name, and nothing
// else; a config it accepts must hold every bound the README documents.
//
// The file is named as if it lay in an empty temporary directory, so a relative
// zoom.client_secret_file resolves there and reads either nothing or the one secret file put
// there. An absolute path (or one climbing out with "..") still reads the real file system:
// harmless for ordinary files, but a path like /dev/zero would read without end, which the
// fuzzer reports as out of memory. libFuzzer has not found such a path so far.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

#include "config/config.hpp"

namespace {

using namespace zqe;
using namespace std::chrono_literals;

[[noreturn]] void violated(const std::string& what) {
  std::fprintf(stderr, "config_fuzzer: %s\n", what.c_str());
  std::abort();
}

using Environment = std::map<std::string, std::string, std::less<>>;

config::EnvLookup lookup_in(const Environment& environment) {
  return [&environment](const std::string& name) -> std::optional<std::string> {
    const auto variable = environment.find(name);
    if (variable == environment.end()) return std::nullopt;
    return variable->second;
  };
}

// Variables a config can name in ${...}: one set, one set but empty; everything else is unset.
const Environment kPlainEnvironment{{"ZQE_FUZZ_SET", "from-environment"}, {"ZQE_FUZZ_EMPTY", ""}};
Environment with_credentials(Environment environment) {
  environment.insert({{"ZOOM_ACCOUNT_ID", "account"},
                      {"ZOOM_CLIENT_ID", "client"},
                      {"ZOOM_CLIENT_SECRET", "secret"}});
  return environment;
}
const Environment kCredentialsEnvironment = with_credentials(kPlainEnvironment);

// An empty temporary directory but for a file named "secret", removed at exit.
class ConfigDirectory {
 public:
  ConfigDirectory() {
    char name_template[] = "/tmp/zqe-config-fuzzer-XXXXXX";
    if (mkdtemp(name_template) == nullptr) violated("cannot create a temporary directory");
    path_ = name_template;
    std::ofstream(path_ / "secret") << "secret-from-file\n";
  }
  ~ConfigDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ConfigDirectory(const ConfigDirectory&) = delete;
  ConfigDirectory& operator=(const ConfigDirectory&) = delete;

  std::string config_file() const { return (path_ / "config.yaml").string(); }

 private:
  std::filesystem::path path_;
};

void require(bool holds, const char* what) {
  if (!holds) violated(std::string("accepted config breaks a bound: ") + what);
}

void check_accepted(const config::Config& config, bool simulate) {
  require(config.listen_port >= 1, "listen port");
  require(!config.listen_host.empty(), "listen host");
  const config::ZoomConfig& zoom = config.zoom;
  if (!simulate) {
    require(!zoom.account_id.empty() && !zoom.client_id.empty() && !zoom.client_secret.empty(),
            "credentials");
  }
  for (const std::string_view url : {zoom.api_base_url, zoom.oauth_token_url}) {
    require((url.starts_with("http://") || url.starts_with("https://")) &&
                url.find_first_of(" ?#") == std::string_view::npos,
            "zoom URLs");
  }
  require(zoom.request_timeout >= 1ms && zoom.request_timeout <= std::chrono::days(365),
          "zoom.request_timeout");
  require(zoom.max_response_bytes >= 1024, "zoom.max_response_bytes");
  require(zoom.qos_page_size >= 1 && zoom.qos_page_size <= 300, "zoom.qos_page_size");
  require(zoom.meetings_page_size >= 1 && zoom.meetings_page_size <= 300,
          "zoom.meetings_page_size");
  require(zoom.max_concurrent_requests >= 1 && zoom.max_concurrent_requests <= 64,
          "zoom.max_concurrent_requests");
  require(config.poll.interval >= 1s && config.poll.interval <= std::chrono::days(365),
          "poll.interval");
  const config::LimitsConfig& limits = config.limits;
  require(limits.heavy_per_second > 0 && limits.heavy_per_second <= 1000,
          "limits.heavy_per_second");
  require(limits.resource_intensive_per_minute > 0 && limits.resource_intensive_per_minute <= 10000,
          "limits.resource_intensive_per_minute");
  require(limits.daily_requests >= 1 && limits.daily_requests <= 100'000'000,
          "limits.daily_requests");
  require(limits.daily_share > 0 && limits.daily_share <= 1, "limits.daily_share");
  std::set<std::string_view> labels;
  for (const std::string& label : config.metrics.participant_info_labels) {
    require(labels.insert(label).second, "metrics.participant_info_labels repeats a label");
    bool known = false;
    for (const std::string_view choice : config::kParticipantInfoLabelChoices) {
      known = known || choice == label;
    }
    require(known, "metrics.participant_info_labels has an unknown label");
  }
  const config::SimulatorConfig& simulator = config.simulator;
  require(simulator.meetings >= 0 && simulator.meetings <= 100000, "simulator.meetings");
  require(simulator.participants_per_meeting >= 0 && simulator.participants_per_meeting <= 10000,
          "simulator.participants_per_meeting");
  require(simulator.webinars >= 0 && simulator.webinars <= 100000, "simulator.webinars");
  require(simulator.page_size_cap >= 1 && simulator.page_size_cap <= 300,
          "simulator.page_size_cap");
  require(simulator.speed >= 1 && simulator.speed <= 3600, "simulator.speed");
}

void parse(std::string_view text, const std::string& source, bool simulate,
           const Environment& environment) {
  const config::LoadOptions options{.simulate = simulate, .env = lookup_in(environment)};
  try {
    check_accepted(config::parse_config(text, source, options), simulate);
  } catch (const config::ConfigError& error) {
    if (!std::string_view(error.what()).starts_with(source)) {
      violated(std::string("a ConfigError does not start with the file name: ") + error.what());
    }
  } catch (const std::exception& error) {
    violated(std::string("parse_config threw something else than ConfigError: ") + error.what());
  } catch (...) {
    violated("parse_config threw something else than ConfigError (not a std::exception)");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ConfigDirectory directory;
  static const std::string source = directory.config_file();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  parse(text, source, /*simulate=*/false, kPlainEnvironment);
  parse(text, source, /*simulate=*/true, kCredentialsEnvironment);
  return 0;
}
