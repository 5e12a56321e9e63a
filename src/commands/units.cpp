#include "commands/units.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace zqe::commands::units {

std::string trimmed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  std::string out = text;
  if (out.find('.') != std::string::npos) {
    while (out.ends_with('0')) out.pop_back();
    if (out.ends_with('.')) out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string milliseconds(std::optional<double> seconds) {
  if (!seconds) return kAbsent;
  return trimmed(*seconds * 1000, 1) + " ms";
}

std::string percent(std::optional<double> ratio) {
  if (!ratio) return kAbsent;
  return trimmed(*ratio * 100, 2) + " %";
}

std::string bytes_per_second(std::optional<double> bytes) {
  if (!bytes) return kAbsent;
  // One decimal from kB/s on: what a reader compares is the order of magnitude and a digit more.
  if (*bytes < 1000) return trimmed(*bytes, 0) + " B/s";
  if (*bytes < 999'950) return trimmed(*bytes / 1e3, 1) + " kB/s";
  return trimmed(*bytes / 1e6, 1) + " MB/s";
}

std::string resolution(std::optional<double> width, std::optional<double> height) {
  if (!width || !height) return kAbsent;
  return trimmed(*width, 0) + "x" + trimmed(*height, 0);
}

std::string frame_rate(std::optional<double> fps) {
  if (!fps) return kAbsent;
  return trimmed(*fps, 1) + " fps";
}

std::string mos(std::optional<double> score) {
  if (!score) return kAbsent;
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", *score);
  return text;
}

std::string utc_timestamp(std::optional<double> unix_seconds) {
  if (!unix_seconds || !std::isfinite(*unix_seconds)) return kAbsent;
  const auto seconds = static_cast<std::time_t>(std::floor(*unix_seconds));
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return kAbsent;
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) return kAbsent;
  return text;
}

}  // namespace zqe::commands::units
