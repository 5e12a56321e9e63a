#include "common/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/redactor.hpp"

namespace zqe::log {
namespace {

Level g_level = Level::info;

std::mutex g_redactor_mutex;
Redactor g_redactor;  // guarded by g_redactor_mutex

const char* level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn") return Level::warn;
  if (name == "error") return Level::error;
  return std::nullopt;
}

void set_level(Level level) {
  g_level = level;
}
Level level() {
  return g_level;
}

void set_redacted_values(const std::vector<std::string_view>& values) {
  const std::lock_guard lock(g_redactor_mutex);
  g_redactor.set_values(values);
}

std::string with_field(std::string fields, std::string_view key, std::string_view value) {
  if (value.empty()) return fields;
  if (!fields.empty()) fields += ' ';
  fields += key;
  fields += '=';
  fields += quote(value);
  return fields;
}

std::string quote(std::string_view value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void write(Level level, std::string_view message, std::string_view fields) {
  if (level < g_level) return;
  std::string line = "ts=" + timestamp() + " level=" + level_name(level) + " msg=" + quote(message);
  if (!fields.empty()) {
    line += ' ';
    line += fields;
  }
  line += '\n';
  {
    const std::lock_guard lock(g_redactor_mutex);
    g_redactor.redact(line);
  }
  // One fwrite per line keeps lines whole when several processes share stderr.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace zqe::log
