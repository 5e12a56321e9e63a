#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

// Running external tools (promtool, gzip) on test output, to check against independent parsers.
namespace zqe::metrics::test_support {

struct CommandResult {
  int exit_status;  // -1 if the command could not run or was killed
  std::string output;
};

// Runs `command` with /bin/sh and returns what it wrote to stdout.
inline CommandResult run_command(const std::string& command) {
  FILE* const pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, {}};
  std::string output;
  char buffer[1 << 16];
  std::size_t read;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, read);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(output)};
}

inline bool command_exists(std::string_view name) {
  return run_command("command -v " + std::string(name)).exit_status == 0;
}

// Single-quoted for /bin/sh; the paths tests use contain no single quote.
inline std::string shell_quoted(std::string_view path) {
  return "'" + std::string(path) + "'";
}

// A file path unique to the running test, in gtest's temporary directory.
inline std::string temp_file_path(std::string_view suffix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "zqe_" + test->test_suite_name() + "_" + test->name() + "_" +
         std::to_string(getpid()) + std::string(suffix);
}

inline void write_file(const std::string& path, std::string_view content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(file.good()) << "cannot write " << path;
}

}  // namespace zqe::metrics::test_support
