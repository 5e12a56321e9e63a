#include <cerrno>
#include <cstring>

#include "commands/command_options.hpp"
#include "commands/command_runner.hpp"
#include "common/core_dumps.hpp"
#include "common/log.hpp"
#include "daemon/cli.hpp"

// `zoom-qos-exporter COMMAND ...` runs a command (meetings, qos); anything else is the daemon.
int main(int argc, char** argv) {
  // Before either reads a secret, so no core file of this process can ever hold it.
  if (!zqe::disable_core_dumps()) {
    zqe::log::warn("cannot make the process non-dumpable; a core dump could hold the client secret",
                   "error=" + zqe::log::quote(std::strerror(errno)));
  }
  if (argc > 1 && zqe::commands::is_command(argv[1])) return zqe::commands::run(argc, argv);
  return zqe::daemon::run(argc, argv);
}
