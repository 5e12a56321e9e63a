#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace zqe::daemon {

struct CliOptions {
  std::string config_path;
  std::string web_config_path;  // --web.config.file: wins over the config's web.config_file
  bool check_config = false;
  bool simulate = false;
  bool version = false;
  bool help = false;
};

// Parses the command line; on a usage error writes the message to `error` and returns nullopt.
std::optional<CliOptions> parse_cli(const std::vector<std::string>& args, std::string& error);

// The daemon, once main() has made the process non-dumpable: returns the process exit code (0
// ok, 1 runtime failure, 2 usage or config error).
int run(int argc, char** argv);

}  // namespace zqe::daemon
