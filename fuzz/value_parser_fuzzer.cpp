// Feeds arbitrary text to every parser of Zoom's QoS unit strings and checks what they promise:
// a parsed value is finite and, for quantities and resolutions, not negative; a resolution is
// whole pixels; whitespace around a value never changes the result; and a timestamp is the
// second the C library's timegm() computes for the same fields.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "qos/value_parser.hpp"

namespace {

using zqe::qos::ParsedResolution;
using zqe::qos::ParsedValue;
using zqe::qos::ParseStatus;
using zqe::qos::Quantity;

constexpr Quantity kQuantities[] = {Quantity::bitrate, Quantity::duration, Quantity::percentage,
                                    Quantity::frame_rate};

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "value_parser_fuzzer: %s\n", what);
  std::abort();
}

void check_quantity(const ParsedValue& parsed) {
  if (parsed.status != ParseStatus::value) return;
  if (!std::isfinite(parsed.value)) violated("a parsed quantity is not finite");
  if (std::signbit(parsed.value)) violated("a parsed quantity is negative");
}

bool same(const ParsedValue& a, const ParsedValue& b) {
  return a.status == b.status && (a.status != ParseStatus::value || a.value == b.value);
}

bool same(const ParsedResolution& a, const ParsedResolution& b) {
  return a.status == b.status &&
         (a.status != ParseStatus::value || (a.width == b.width && a.height == b.height));
}

bool is_pixel_count(double number) {
  return number >= 1 && number <= UINT32_MAX && std::floor(number) == number;
}

int digits_at(std::string_view text, std::size_t position, std::size_t count) {
  int value = 0;
  for (std::size_t index = position; index < position + count; ++index) {
    value = value * 10 + (text[index] - '0');
  }
  return value;
}

// A timestamp parse_timestamp accepted has the fixed layout "YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm)"
// once trimmed, so its fields sit at known places.
void check_timestamp_against_timegm(std::string_view text, double parsed) {
  const auto first = text.find_first_not_of(" \t\n\r\f\v");
  const auto last = text.find_last_not_of(" \t\n\r\f\v");
  const std::string_view trimmed = text.substr(first, last - first + 1);
  std::tm fields{};
  fields.tm_year = digits_at(trimmed, 0, 4) - 1900;
  fields.tm_mon = digits_at(trimmed, 5, 2) - 1;
  fields.tm_mday = digits_at(trimmed, 8, 2);
  fields.tm_hour = digits_at(trimmed, 11, 2);
  fields.tm_min = digits_at(trimmed, 14, 2);
  fields.tm_sec = digits_at(trimmed, 17, 2);
  long offset_seconds = 0;
  if (trimmed.back() != 'Z' && trimmed.back() != 'z') {
    const std::string_view zone = trimmed.substr(trimmed.size() - 6);
    offset_seconds = digits_at(zone, 1, 2) * 3600L + digits_at(zone, 4, 2) * 60L;
    if (zone[0] == '-') offset_seconds = -offset_seconds;
  }
  const double whole_seconds = static_cast<double>(timegm(&fields) - offset_seconds);
  // The fraction adds less than a second; rounding may carry ".9999999999" up to a whole one.
  if (!(parsed >= whole_seconds && parsed <= whole_seconds + 1)) {
    violated("parse_timestamp disagrees with timegm()");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string padded = " \t" + std::string(text) + "\n ";

  for (const Quantity quantity : kQuantities) {
    const ParsedValue parsed = zqe::qos::parse_quantity(text, quantity);
    check_quantity(parsed);
    if (!same(parsed, zqe::qos::parse_quantity(padded, quantity))) {
      violated("surrounding whitespace changed parse_quantity's result");
    }
  }

  // The input's first bytes as a JSON number would arrive: any double, NaN and infinities too.
  if (size >= sizeof(double)) {
    double number = 0;
    std::memcpy(&number, data, sizeof number);
    for (const Quantity quantity : kQuantities) {
      check_quantity(zqe::qos::quantity_from_number(number, quantity));
    }
  }

  const ParsedResolution resolution = zqe::qos::parse_resolution(text);
  if (resolution.status == ParseStatus::value &&
      !(is_pixel_count(resolution.width) && is_pixel_count(resolution.height))) {
    violated("a parsed resolution is not a whole, positive number of pixels");
  }
  if (!same(resolution, zqe::qos::parse_resolution(padded))) {
    violated("surrounding whitespace changed parse_resolution's result");
  }

  const ParsedValue timestamp = zqe::qos::parse_timestamp(text);
  if (timestamp.status == ParseStatus::value) {
    if (!std::isfinite(timestamp.value)) violated("a parsed timestamp is not finite");
    check_timestamp_against_timegm(text, timestamp.value);
  }
  if (!same(timestamp, zqe::qos::parse_timestamp(padded))) {
    violated("surrounding whitespace changed parse_timestamp's result");
  }
  return 0;
}
