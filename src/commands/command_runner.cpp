#include "commands/command_runner.hpp"

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <exception>
#include <iostream>
#include <optional>

#include "commands/command_options.hpp"
#include "commands/exit_codes.hpp"
#include "commands/json_output.hpp"
#include "commands/qos_report.hpp"
#include "commands/table_output.hpp"
#include "commands/zoom_session.hpp"
#include "common/log.hpp"
#include "config/config.hpp"

namespace zqe::commands {
namespace asio = boost::asio;

namespace {

constexpr const char* kProgram = "zoom-qos-exporter: ";
// Once the command is done, anything that lingers (a DNS lookup that hangs) may hold up the exit
// this long.
constexpr auto kExitDeadline = std::chrono::seconds(2);

struct Outcome {
  int code = kExitFound;
  std::string out;
  std::string err;
};

// The daemon logs at info; a command's stdout is its result, so only warnings and errors reach
// stderr, unless the config asks for debug.
log::Level command_log_level(log::Level configured) {
  if (configured == log::Level::debug || configured == log::Level::error) return configured;
  return log::Level::warn;
}

std::string parse_error_warning(const zoom::ParseErrorCounts& errors) {
  if (errors.empty()) return {};
  std::string fields;
  for (const auto& [field, count] : errors) {
    fields += (fields.empty() ? "" : ", ") + field + " (" + std::to_string(count) + ")";
  }
  return std::string(kProgram) + "warning: values Zoom sent that could not be read: " + fields +
         "\n";
}

// A numeric MEETING is the meeting id (Zoom's latest instance), anything else its UUID.
zoom::LiveMeeting meeting_of(const CommandOptions& options) {
  zoom::LiveMeeting meeting;
  meeting.type = options.webinar ? zoom::MeetingType::webinar : zoom::MeetingType::meeting;
  const std::string& text = options.meeting;
  std::uint64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error == std::errc{} && end == text.data() + text.size() && id != 0) {
    meeting.id = id;
  } else {
    meeting.uuid = text;
  }
  return meeting;
}

std::string subject_of(const CommandOptions& options) {
  std::string subject = std::string(options.webinar ? "webinar " : "meeting ") + options.meeting;
  if (options.participant) subject += ", participant " + *options.participant;
  return subject;
}

asio::awaitable<Outcome> list_meetings(ZoomSession& session, const CommandOptions& options) {
  Outcome outcome;
  std::vector<zoom::LiveMeeting> meetings;
  auto listed = co_await session.client().live_meetings(zoom::MeetingType::meeting);
  if (!listed.value) {
    co_return Outcome{exit_code_of(listed.error),
                      {},
                      kProgram + explain(listed.error, "the live meeting list") + "\n"};
  }
  meetings = std::move(listed.value->meetings);
  if (session.config().poll.webinars) {
    auto webinars = co_await session.client().live_meetings(zoom::MeetingType::webinar);
    if (webinars.value) {
      for (auto& webinar : webinars.value->meetings) meetings.push_back(std::move(webinar));
    } else if (exit_code_of(webinars.error) == kExitNotFound) {
      // An account without webinars (Zoom answers 400 / code 300): the meetings still stand.
      outcome.err = kProgram + std::string("warning: ") +
                    explain(webinars.error, "the live webinar list") + "\n";
    } else {
      co_return Outcome{exit_code_of(webinars.error),
                        {},
                        kProgram + explain(webinars.error, "the live webinar list") + "\n"};
    }
  }
  outcome.out =
      options.output == OutputFormat::json ? meetings_json(meetings) : meetings_table(meetings);
  co_return outcome;
}

asio::awaitable<Outcome> show_qos(ZoomSession& session, const CommandOptions& options) {
  const zoom::LiveMeeting meeting = meeting_of(options);
  QosReport report{meeting.type, options.meeting, options.participant, {}};
  Outcome outcome;
  if (options.participant) {
    auto one = co_await session.client().participant_qos(meeting, *options.participant);
    if (!one.value) {
      co_return Outcome{
          exit_code_of(one.error), {}, kProgram + explain(one.error, subject_of(options)) + "\n"};
    }
    report.participants.push_back(std::move(one.value->participant));
    outcome.err = parse_error_warning(one.value->parse_errors);
  } else {
    auto all = co_await session.client().participants_qos(meeting);
    if (!all.value) {
      co_return Outcome{
          exit_code_of(all.error), {}, kProgram + explain(all.error, subject_of(options)) + "\n"};
    }
    report.participants = std::move(all.value->participants);
    outcome.err = parse_error_warning(all.value->parse_errors);
  }
  const qos::QualityThresholds& thresholds = session.config().metrics.audio_quality;
  outcome.out = options.output == OutputFormat::json ? qos_json(report, thresholds)
                                                     : qos_table(report, thresholds);
  co_return outcome;
}

Outcome execute(const CommandOptions& options, config::Config config) {
  asio::io_context io;
  ZoomSession session(io, std::move(config), options.account, options.simulate);
  std::optional<Outcome> result;
  std::exception_ptr failure;
  asio::co_spawn(
      io,
      // No co_await inside a conditional expression: GCC 12 mangles its result.
      [&]() -> asio::awaitable<Outcome> {
        if (options.command == Command::meetings) {
          Outcome outcome = co_await list_meetings(session, options);
          co_return outcome;
        }
        Outcome outcome = co_await show_qos(session, options);
        co_return outcome;
      },
      [&](std::exception_ptr error, Outcome outcome) {
        failure = error;
        result = std::move(outcome);
      });
  while (!result && !failure && io.run_one() > 0) {
  }
  session.stop();
  io.run_for(kExitDeadline);
  if (failure) std::rethrow_exception(failure);
  return result.value_or(Outcome{kExitZoom, {}, std::string(kProgram) + "interrupted\n"});
}

bool known_command(const std::vector<std::string>& arguments) {
  return !arguments.empty() && (arguments.front() == "meetings" || arguments.front() == "qos");
}

}  // namespace

int run_command(const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  std::string usage_error;
  const std::optional<CommandOptions> options = parse_command(arguments, usage_error);
  if (!options) {
    err << kProgram << usage_error << "\n"
        << "Try 'zoom-qos-exporter " << (known_command(arguments) ? arguments.front() + " " : "")
        << "--help'.\n";
    return kExitUsage;
  }
  if (options->help) {
    out << command_usage(options->command);
    return kExitFound;
  }

  config::Config config;
  config::LoadOptions load_options;
  load_options.simulate = options->simulate;
  try {
    config = options->config_path.empty() ? config::default_config(load_options)
                                          : config::load_config(options->config_path, load_options);
  } catch (const config::ConfigError& error) {
    err << kProgram << error.what() << "\n";
    return kExitUsage;
  }
  log::set_level(command_log_level(config.log_level));
  for (const std::string& warning : config.warnings) {
    err << kProgram << "warning: " << warning << "\n";
  }

  try {
    Outcome outcome = execute(*options, std::move(config));
    out << outcome.out;
    out.flush();
    err << outcome.err;
    return outcome.code;
  } catch (const config::ConfigError& error) {
    err << kProgram << error.what() << "\n";
    return kExitUsage;
  } catch (const boost::system::system_error& error) {
    err << kProgram << "cannot start: " << error.what() << "\n";
    return kExitZoom;
  }
}

int run(int argc, char** argv) {
  return run_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}

}  // namespace zqe::commands
