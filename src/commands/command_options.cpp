#include "commands/command_options.hpp"

namespace zqe::commands {
namespace {

constexpr std::string_view kExitCodes = R"(Exit codes:
  0  found (also: no live meetings, a meeting without participants)
  1  not found: no such meeting or participant, or the meeting is not live (Zoom's 404 / code
     3001); Zoom's message goes to stderr
  2  usage or config error
  3  Zoom unreachable or failing, credentials refused (token failure, 401, 403), or Zoom's
     rate limit (the daily limit at once, a per-second one after retries)
)";

constexpr std::string_view kSharedOptions = R"(Options:
  --config FILE       the daemon's YAML config: Zoom credentials, limits, poll.webinars,
                      metrics.audio_quality (also --config=FILE)
  --account NAME      which entry of zoom.accounts to ask; needed when the config lists
                      several (also --account=NAME)
  --simulate          ask the built-in simulated Zoom account (ids are stable for
                      simulator.seed, so `meetings --simulate` gives ids for `qos --simulate`)
  --output FORMAT     table (default) or json (also --output=FORMAT)
  --help              print this help and exit
)";

bool take_value(const std::vector<std::string>& arguments, std::size_t& index,
                std::string_view flag, std::string& value, std::string& error) {
  const std::string& argument = arguments[index];
  const std::string prefix = std::string(flag) + "=";
  if (argument.starts_with(prefix)) {
    value = argument.substr(prefix.size());
    return true;
  }
  if (index + 1 >= arguments.size()) {
    error = std::string(flag) + (flag == "--config" ? " needs a file name" : " needs a value");
    return false;
  }
  value = arguments[++index];
  return true;
}

bool is_flag(const std::string& argument, std::string_view flag) {
  return argument == flag || argument.starts_with(std::string(flag) + "=");
}

}  // namespace

bool is_command(std::string_view first_argument) {
  return !first_argument.empty() && !first_argument.starts_with('-');
}

std::optional<CommandOptions> parse_command(const std::vector<std::string>& arguments,
                                            std::string& error) {
  CommandOptions options;
  if (arguments.empty() || !is_command(arguments.front())) {
    error = "missing command";
    return std::nullopt;
  }
  const std::string& name = arguments.front();
  if (name == "meetings") {
    options.command = Command::meetings;
  } else if (name == "qos") {
    options.command = Command::qos;
  } else {
    error = "unknown command: " + name + " (commands: meetings, qos)";
    return std::nullopt;
  }

  std::vector<std::string> positional;
  for (std::size_t i = 1; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (is_flag(argument, "--config")) {
      if (!take_value(arguments, i, "--config", options.config_path, error)) return std::nullopt;
    } else if (is_flag(argument, "--account")) {
      if (!take_value(arguments, i, "--account", options.account, error)) return std::nullopt;
    } else if (is_flag(argument, "--output")) {
      std::string format;
      if (!take_value(arguments, i, "--output", format, error)) return std::nullopt;
      if (format == "table") {
        options.output = OutputFormat::table;
      } else if (format == "json") {
        options.output = OutputFormat::json;
      } else {
        error = "--output: unknown format \"" + format + "\" (table or json)";
        return std::nullopt;
      }
    } else if (argument == "--simulate") {
      options.simulate = true;
    } else if (argument == "--webinar" && options.command == Command::qos) {
      options.webinar = true;
    } else if (argument == "--help" || argument == "-h") {
      options.help = true;
    } else if (argument.starts_with('-') && argument != "-") {
      error = name + ": unknown option: " + argument;
      return std::nullopt;
    } else {
      positional.push_back(argument);
    }
  }
  if (options.help) return options;

  if (options.command == Command::meetings && !positional.empty()) {
    error = "meetings: unexpected argument: " + positional.front();
    return std::nullopt;
  }
  if (options.command == Command::qos) {
    if (positional.empty()) {
      error = "qos: missing MEETING (a numeric meeting id or a UUID)";
      return std::nullopt;
    }
    if (positional.size() > 2) {
      error = "qos: unexpected argument: " + positional[2];
      return std::nullopt;
    }
    options.meeting = positional[0];
    if (options.meeting.empty()) {
      error = "qos: MEETING is empty";
      return std::nullopt;
    }
    if (positional.size() == 2) {
      if (positional[1].empty()) {
        error = "qos: PARTICIPANT is empty";
        return std::nullopt;
      }
      options.participant = positional[1];
    }
  }
  if (options.config_path.empty() && !options.simulate) {
    error = name + ": --config FILE is required (or --simulate to try it without Zoom)";
    return std::nullopt;
  }
  return options;
}

std::string command_usage(Command command) {
  std::string usage;
  if (command == Command::meetings) {
    usage = R"(Usage: zoom-qos-exporter meetings [options]

Lists the live meetings of the account, and its live webinars unless poll.webinars is false:
type, id, start (UTC), participants and topic (json adds uuid and host).

)";
  } else {
    usage = R"(Usage: zoom-qos-exporter qos MEETING [PARTICIPANT] [options]

Shows the QoS of every participant of one live meeting (every page), or of one participant
(one request). MEETING is the numeric meeting id or the meeting's UUID; PARTICIPANT is the
participant id (Zoom's user_id) that `qos MEETING` shows first on each participant's line.

  --webinar           MEETING is a webinar (asks /metrics/webinars/...)

)";
  }
  return usage + std::string(kSharedOptions) + "\n" + std::string(kExitCodes);
}

}  // namespace zqe::commands
