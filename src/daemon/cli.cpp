#include "daemon/cli.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <iostream>

#include "common/log.hpp"
#include "common/version.hpp"
#include "config/config.hpp"
#include "daemon/exporter.hpp"
#include "web/web_security.hpp"

namespace zqe::daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage = R"(Usage: zoom-qos-exporter [options]
       zoom-qos-exporter COMMAND [options] [arguments]

Exports the call quality (QoS) of every live Zoom meeting of an account as Prometheus metrics.

Options:
  --config FILE     YAML config file (see config/zoom-qos-exporter.example.yaml)
  --web.config.file FILE
                    web config in Prometheus's exporter-toolkit format: TLS, basic auth and
                    response headers of the HTTP server (overrides web.config_file)
  --check-config    validate the config (and the web config) and exit (0 valid, 2 invalid)
  --simulate        poll a built-in simulated Zoom account instead of Zoom
  --version         print the version and exit
  --help            print this help and exit

Environment: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET (or ZOOM_CLIENT_SECRET_FILE)
override the config file; systemd credentials zoom-client-secret, zoom-account-id and
zoom-client-id in $CREDENTIALS_DIRECTORY are used when neither sets a value.
Signals: SIGTERM/SIGINT stop, SIGHUP reloads the config file and the web config file.
Exit codes: 0 success, 1 cannot start, 2 usage or config error.

Commands (each with --help), sharing the config, Zoom client and rate limits:
  meetings [--config FILE | --simulate] [--output table|json]
                    list the live meetings (and webinars, unless poll.webinars is false)
  qos MEETING [PARTICIPANT] [--webinar] [--config FILE | --simulate] [--output table|json]
                    the QoS of every participant of a live meeting, or of one participant
  Exit codes: 0 found, 1 not found or not live, 2 usage or config error, 3 Zoom unreachable,
  failing, refusing the credentials, or rate limited.
)";

}  // namespace

std::optional<CliOptions> parse_cli(const std::vector<std::string>& args, std::string& error) {
  CliOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--config" || arg == "-c") {
      if (i + 1 >= args.size()) {
        error = "--config needs a file name";
        return std::nullopt;
      }
      options.config_path = args[++i];
    } else if (arg.starts_with("--config=")) {
      options.config_path = arg.substr(9);
    } else if (arg == "--web.config.file") {
      if (i + 1 >= args.size()) {
        error = "--web.config.file needs a file name";
        return std::nullopt;
      }
      options.web_config_path = args[++i];
    } else if (arg.starts_with("--web.config.file=")) {
      options.web_config_path = arg.substr(std::string_view("--web.config.file=").size());
    } else if (arg == "--check-config") {
      options.check_config = true;
    } else if (arg == "--simulate") {
      options.simulate = true;
    } else if (arg == "--version") {
      options.version = true;
    } else if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else {
      error = "unknown argument: " + arg;
      if (arg == "meetings" || arg == "qos") {
        error += " (a command goes first: zoom-qos-exporter " + arg + " --config FILE ...)";
      }
      return std::nullopt;
    }
  }
  if (options.config_path.empty() && !options.simulate && !options.help && !options.version) {
    error = "--config FILE is required (or --simulate to try the exporter without Zoom)";
    return std::nullopt;
  }
  if (options.config_path.empty() && options.check_config) {
    error = "--check-config needs --config FILE";
    return std::nullopt;
  }
  return options;
}

int run(int argc, char** argv) {
  std::string usage_error;
  auto options = parse_cli(std::vector<std::string>(argv + 1, argv + argc), usage_error);
  if (!options) {
    std::cerr << "zoom-qos-exporter: " << usage_error << "\n"
              << "Try 'zoom-qos-exporter --help'.\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (options->version) {
    std::cout << "zoom-qos-exporter " << kVersion << " (revision " << kRevision << ")\n";
    return kExitOk;
  }

  config::Config config;
  config::LoadOptions load_options;
  load_options.simulate = options->simulate;
  std::string web_config_path;
  try {
    config = options->config_path.empty() ? config::default_config(load_options)
                                          : config::load_config(options->config_path, load_options);
    web_config_path = web_config_path_of(config, options->web_config_path);
    if (options->check_config && !web_config_path.empty()) web::load_web_config(web_config_path);
  } catch (const config::ConfigError& error) {
    std::cerr << "zoom-qos-exporter: " << error.what() << "\n";
    return kExitUsage;
  }
  if (options->check_config) {
    for (const std::string& warning : config.warnings) {
      std::cerr << "zoom-qos-exporter: warning: " << warning << "\n";
    }
    std::cout << options->config_path << ": config is valid\n";
    if (config.named_accounts) {
      // Which accounts this shard polls, so that a deployment can check that its shards cover
      // every account once.
      std::string names;
      for (const config::AccountConfig& account : config.accounts) {
        names += (names.empty() ? "" : ", ") + account.name;
      }
      std::cout << options->config_path << ": accounts polled: " << (names.empty() ? "none" : names)
                << " (" << config.accounts.size() << " of " << config.listed_accounts;
      if (config.shard)
        std::cout << ", shard " << config.shard->index << "/" << config.shard->count;
      std::cout << ")\n";
    }
    if (!web_config_path.empty()) std::cout << web_config_path << ": web config is valid\n";
    return kExitOk;
  }

  try {
    boost::asio::io_context io;
    ExporterOptions exporter_options;
    exporter_options.config_path = options->config_path;
    exporter_options.web_config_path = options->web_config_path;
    exporter_options.simulate = options->simulate;
    Exporter exporter(io, std::move(config), exporter_options);
    exporter.start();
    io.run();
    log::info("stopped");
    return kExitOk;
  } catch (const config::ConfigError& error) {
    std::cerr << "zoom-qos-exporter: " << error.what() << "\n";
    return kExitUsage;
  } catch (const boost::system::system_error& error) {
    log::error("cannot start", "error=" + log::quote(error.what()));
    return kExitRuntimeError;
  }
}

}  // namespace zqe::daemon
