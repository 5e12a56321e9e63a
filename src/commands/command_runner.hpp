#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace zqe::commands {

// `zoom-qos-exporter COMMAND ...`: `arguments` start with the command's name. The result goes to
// `out`, errors and warnings to `err`; returns the exit code (see exit_codes.hpp).
int run_command(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err);

// The whole program for a command line whose first argument is a command (is_command()).
int run(int argc, char** argv);

}  // namespace zqe::commands
