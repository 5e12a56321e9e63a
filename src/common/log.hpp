#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Logs go to stderr, one logfmt line per event:
//   ts=2026-11-22T02:49:44.123Z level=info msg="poll finished" meetings=3
// Callers pass the message and optional preformatted key=value pairs. Never pass secrets: the
// values registered with set_redacted_values() are replaced by "<redacted>" only as a second line
// of defence.
namespace zqe::log {

enum class Level { debug, info, warn, error };

std::optional<Level> parse_level(std::string_view name);
void set_level(Level level);
Level level();

void write(Level level, std::string_view message, std::string_view fields = {});
inline void debug(std::string_view m, std::string_view f = {}) {
  write(Level::debug, m, f);
}
inline void info(std::string_view m, std::string_view f = {}) {
  write(Level::info, m, f);
}
inline void warn(std::string_view m, std::string_view f = {}) {
  write(Level::warn, m, f);
}
inline void error(std::string_view m, std::string_view f = {}) {
  write(Level::error, m, f);
}

// Values no line may contain, e.g. the client secret (see Redactor); replaces those registered
// before. Thread-safe, as write() is.
void set_redacted_values(const std::vector<std::string_view>& values);

// Quotes a value for logfmt: bare when it has no space, quote or '=', quoted and escaped otherwise.
std::string quote(std::string_view value);
// `fields` followed by key=quote(value), or `fields` alone when `value` is empty (e.g. the
// account of a log line, named only when there are several).
std::string with_field(std::string fields, std::string_view key, std::string_view value);

}  // namespace zqe::log
