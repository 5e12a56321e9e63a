#include "commands/command_options.hpp"

#include <gtest/gtest.h>

namespace zqe::commands {
namespace {

std::optional<CommandOptions> parse(const std::vector<std::string>& arguments,
                                    std::string* error_out = nullptr) {
  std::string error;
  auto options = parse_command(arguments, error);
  if (error_out) *error_out = error;
  EXPECT_EQ(options.has_value(), error.empty()) << error;
  return options;
}

std::string error_of(const std::vector<std::string>& arguments) {
  std::string error;
  EXPECT_FALSE(parse(arguments, &error));
  return error;
}

TEST(CommandOptions, CommandsAreWordsNotOptions) {
  EXPECT_TRUE(is_command("meetings"));
  EXPECT_TRUE(is_command("frobnicate"));
  EXPECT_FALSE(is_command("--config"));
  EXPECT_FALSE(is_command("-h"));
  EXPECT_FALSE(is_command(""));
}

TEST(CommandOptions, Meetings) {
  auto options = parse({"meetings", "--config", "c.yaml"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->command, Command::meetings);
  EXPECT_EQ(options->config_path, "c.yaml");
  EXPECT_EQ(options->output, OutputFormat::table);
  options = parse({"meetings", "--simulate", "--output=json"});
  ASSERT_TRUE(options);
  EXPECT_TRUE(options->simulate);
  EXPECT_EQ(options->output, OutputFormat::json);
  options = parse({"meetings", "--config=c.yaml", "--output", "table"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->config_path, "c.yaml");
}

TEST(CommandOptions, QosWithMeetingParticipantAndWebinar) {
  auto options = parse({"qos", "/abc//def==", "--simulate"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->command, Command::qos);
  EXPECT_EQ(options->meeting, "/abc//def==");
  EXPECT_FALSE(options->participant);
  EXPECT_FALSE(options->webinar);
  options = parse({"qos", "--webinar", "111", "16001", "--config", "c.yaml"});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->meeting, "111");
  EXPECT_EQ(options->participant, "16001");
  EXPECT_TRUE(options->webinar);
}

TEST(CommandOptions, HelpNeedsNothingElse) {
  auto options = parse({"qos", "--help"});
  ASSERT_TRUE(options);
  EXPECT_TRUE(options->help);
  EXPECT_NE(command_usage(Command::qos).find("Exit codes:"), std::string::npos);
  EXPECT_NE(command_usage(Command::meetings).find("--output FORMAT"), std::string::npos);
}

TEST(CommandOptions, UsageErrors) {
  EXPECT_EQ(error_of({"frobnicate"}), "unknown command: frobnicate (commands: meetings, qos)");
  EXPECT_EQ(error_of({"meetings", "--frobnicate", "--simulate"}),
            "meetings: unknown option: --frobnicate");
  EXPECT_EQ(error_of({"meetings", "--webinar", "--simulate"}),
            "meetings: unknown option: --webinar");
  EXPECT_EQ(error_of({"meetings", "111", "--simulate"}), "meetings: unexpected argument: 111");
  EXPECT_EQ(error_of({"meetings"}),
            "meetings: --config FILE is required (or --simulate to try it without Zoom)");
  EXPECT_EQ(error_of({"meetings", "--config"}), "--config needs a file name");
  EXPECT_EQ(error_of({"meetings", "--simulate", "--output"}), "--output needs a value");
  EXPECT_EQ(error_of({"meetings", "--simulate", "--output", "yaml"}),
            "--output: unknown format \"yaml\" (table or json)");
  EXPECT_EQ(error_of({"qos", "--simulate"}),
            "qos: missing MEETING (a numeric meeting id or a UUID)");
  EXPECT_EQ(error_of({"qos", "1", "2", "3", "--simulate"}), "qos: unexpected argument: 3");
  EXPECT_EQ(error_of({"qos", "", "--simulate"}), "qos: MEETING is empty");
  EXPECT_EQ(error_of({}), "missing command");
}

}  // namespace
}  // namespace zqe::commands
