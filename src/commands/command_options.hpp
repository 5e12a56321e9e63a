#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zqe::commands {

enum class Command { meetings, qos };
enum class OutputFormat { table, json };

// `zoom-qos-exporter COMMAND [options] [arguments]`.
struct CommandOptions {
  Command command = Command::meetings;
  std::string config_path;  // --config: the daemon's config file
  std::string account;      // --account: which of zoom.accounts to ask
  bool simulate = false;    // --simulate: ask the in-process simulated Zoom account
  bool webinar = false;     // --webinar: MEETING is a webinar (qos)
  bool help = false;
  OutputFormat output = OutputFormat::table;
  std::string meeting;                     // qos: numeric id or UUID
  std::optional<std::string> participant;  // qos: one participant's user_id
};

// Whether the first argument names a command rather than a daemon option: it does not start
// with '-'. An unknown word is then a command the parser refuses, not a daemon argument.
bool is_command(std::string_view first_argument);

// Parses `arguments`, the first of them the command's name; on a usage error writes the message
// to `error` and returns nullopt.
std::optional<CommandOptions> parse_command(const std::vector<std::string>& arguments,
                                            std::string& error);

// The --help text of `command`.
std::string command_usage(Command command);

}  // namespace zqe::commands
