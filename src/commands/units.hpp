#pragma once

#include <optional>
#include <string>

// How the command line shows values kept in base units: short, with the unit people read in
// Zoom's own dashboard, and "-" for a value Zoom did not send. Pure.
namespace zqe::commands::units {

inline constexpr const char* kAbsent = "-";

// Seconds as milliseconds: 0.126 -> "126 ms", 0.0305 -> "30.5 ms".
std::string milliseconds(std::optional<double> seconds);
// A ratio as a percentage: 0.003 -> "0.3 %", 0.0125 -> "1.25 %", 0.12 -> "12 %".
std::string percent(std::optional<double> ratio);
// Bytes per second with SI prefixes: 875 -> "875 B/s", 2875 -> "2.9 kB/s", 1.26e6 -> "1.3 MB/s".
std::string bytes_per_second(std::optional<double> bytes);
// "1280x720"; "-" unless both are there.
std::string resolution(std::optional<double> width, std::optional<double> height);
// "25 fps", "12.5 fps".
std::string frame_rate(std::optional<double> fps);
// The MOS with two decimals: "4.23".
std::string mos(std::optional<double> score);
// Unix seconds as UTC ISO-8601 to the second: "2026-11-22T10:00:00Z".
std::string utc_timestamp(std::optional<double> unix_seconds);

// `value` rounded to at most `decimals` places, without trailing zeros: (0.30, 2) -> "0.3".
std::string trimmed(double value, int decimals);

}  // namespace zqe::commands::units
