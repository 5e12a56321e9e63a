#pragma once

#include <string_view>

// Parses Zoom's QoS unit strings ("126 ms", "23 kbps", "0.3%", "12 fps", "1280*720") into
// numbers in base units. Pure functions: no I/O, no allocation, no Asio.
namespace zqe::qos {

// What a field measures; decides the accepted units and the conversion to base units.
enum class Quantity {
  bitrate,     // "23 kbps" -> 2875 bytes/s; also bps, Mbps. Bare number: kbps.
  duration,    // "126 ms" -> 0.126 s. Bare number: ms.
  percentage,  // "0.3%" -> 0.003 (loss, CPU). Bare number: percent.
  frame_rate,  // "12 fps" -> 12. Bare number: fps.
};

enum class ParseStatus {
  absent,   // "", "-" and the like: Zoom has no value; export no series
  value,    // parsed
  invalid,  // anything else: skipped and counted as a parse error
};

struct ParsedValue {
  ParseStatus status = ParseStatus::absent;
  double value = 0;  // base units, valid when status == value
};

struct ParsedResolution {
  ParseStatus status = ParseStatus::absent;
  double width = 0;
  double height = 0;
};

// A string value as Zoom sends it. Spaces around and between number and unit and upper case
// are tolerated.
ParsedValue parse_quantity(std::string_view text, Quantity quantity);

// A JSON number where a string was expected, taken in Zoom's documented unit for the quantity.
ParsedValue quantity_from_number(double number, Quantity quantity);

// "1280*720" (also "1280x720"); "0*0" means no video and is absent.
ParsedResolution parse_resolution(std::string_view text);

// "2021-06-24T20:00:00Z" (also with fractional seconds or a +hh:mm offset) to Unix seconds.
// The zone is required: without one the time is local to an unknown place.
ParsedValue parse_timestamp(std::string_view text);

}  // namespace zqe::qos
