#include "commands/command_options.hpp"
#include "commands/command_runner.hpp"
#include "daemon/cli.hpp"

// `zoom-qos-exporter COMMAND ...` runs a command (meetings, qos); anything else is the daemon.
int main(int argc, char** argv) {
  if (argc > 1 && zqe::commands::is_command(argv[1])) return zqe::commands::run(argc, argv);
  return zqe::daemon::run(argc, argv);
}
