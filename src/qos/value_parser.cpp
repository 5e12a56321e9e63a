#include "qos/value_parser.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

namespace zqe::qos {
namespace {

constexpr std::string_view kWhitespace = " \t\n\r\f\v";
constexpr std::string_view kDigits = "0123456789";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

// Zoom's ways of saying "no data": the series is left out instead of counted as an error.
bool means_no_value(std::string_view trimmed) {
  return trimmed.empty() || trimmed == "-";
}

// ASCII only on purpose: units are ASCII and std::tolower would depend on the locale.
bool equals_ignoring_case(std::string_view text, std::string_view lower_case) {
  if (text.size() != lower_case.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char letter = text[i];
    if (letter >= 'A' && letter <= 'Z') letter = static_cast<char>(letter - 'A' + 'a');
    if (letter != lower_case[i]) return false;
  }
  return true;
}

// Multiplying then dividing keeps exact inputs exact where a double allows: 126 / 1000 is the
// double nearest 0.126, whereas 126 * 0.001 can be one ulp off.
struct Unit {
  std::string_view lower_case_symbol;
  double multiplier;
  double divisor;
};

// The first unit of each list is the one Zoom documents; bare numbers are taken in it.
constexpr std::array kBitrateUnits{Unit{"kbps", 1000, 8}, Unit{"bps", 1, 8},
                                   Unit{"mbps", 1'000'000, 8}};
constexpr std::array kDurationUnits{Unit{"ms", 1, 1000}, Unit{"s", 1, 1}};
constexpr std::array kPercentageUnits{Unit{"%", 1, 100}};
constexpr std::array kFrameRateUnits{Unit{"fps", 1, 1}};

std::span<const Unit> units_of(Quantity quantity) {
  switch (quantity) {
    case Quantity::bitrate:
      return kBitrateUnits;
    case Quantity::duration:
      return kDurationUnits;
    case Quantity::percentage:
      return kPercentageUnits;
    case Quantity::frame_rate:
      return kFrameRateUnits;
  }
  return {};
}

constexpr ParsedValue kInvalid{ParseStatus::invalid, 0};

ParsedValue to_base_units(double number, const Unit& unit) {
  const double converted = number * unit.multiplier / unit.divisor;
  // A huge finite input can still overflow once scaled ("1e308 Mbps").
  if (!std::isfinite(converted)) return kInvalid;
  return {ParseStatus::value, converted};
}

struct LeadingNumber {
  double value;
  std::string_view rest;
};

// QoS values are never negative, so a sign means garbage; from_chars would accept '-'.
std::optional<LeadingNumber> take_leading_number(std::string_view text) {
  if (text.empty() || text.front() == '-') return std::nullopt;
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || !std::isfinite(number)) return std::nullopt;
  return LeadingNumber{number, text.substr(static_cast<std::size_t>(end - text.data()))};
}

std::optional<std::uint32_t> parse_pixel_count(std::string_view text) {
  std::uint32_t count = 0;
  const char* text_end = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), text_end, count);
  if (error != std::errc{} || end != text_end) return std::nullopt;
  return count;
}

// Reads a fixed-layout text left to right. After the first mismatch every read fails, so the
// caller checks once at the end instead of after each field.
class FixedLayoutReader {
 public:
  explicit FixedLayoutReader(std::string_view text) : rest_(text) {}

  bool ok() const { return !failed_; }
  bool at_end() const { return rest_.empty(); }

  unsigned digits(std::size_t count) {
    unsigned value = 0;
    if (failed_ || rest_.size() < count) return fail(0u);
    const char* field_end = rest_.data() + count;
    const auto [end, error] = std::from_chars(rest_.data(), field_end, value);
    if (error != std::errc{} || end != field_end) return fail(0u);
    rest_.remove_prefix(count);
    return value;
  }

  // Consumes one character out of `accepted` and returns it.
  char one_of(std::string_view accepted) {
    if (!next_is(accepted)) return fail('\0');
    const char taken = rest_.front();
    rest_.remove_prefix(1);
    return taken;
  }

  bool next_is(std::string_view accepted) const {
    return !failed_ && !rest_.empty() && accepted.find(rest_.front()) != std::string_view::npos;
  }

  // ".250" after whole seconds: a dot and at least one digit.
  double fraction() {
    if (!next_is(".")) return fail(0.0);
    const auto digits_end = rest_.find_first_not_of(kDigits, 1);
    const auto length = digits_end == std::string_view::npos ? rest_.size() : digits_end;
    if (length < 2) return fail(0.0);
    double value = 0;
    const char* field_end = rest_.data() + length;
    const auto [end, error] = std::from_chars(rest_.data(), field_end, value);
    if (error != std::errc{} || end != field_end) return fail(0.0);
    rest_.remove_prefix(length);
    return value;
  }

 private:
  template <typename T>
  T fail(T placeholder) {
    failed_ = true;
    return placeholder;
  }

  std::string_view rest_;
  bool failed_ = false;
};

bool is_leap_year(std::int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm):
// timegm would depend on the C library and the process time zone state.
constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(days_from_civil(1969, 12, 31) == -1);

constexpr std::int64_t kSecondsPerDay = 86400;

}  // namespace

ParsedValue parse_quantity(std::string_view text, Quantity quantity) {
  const auto trimmed = trim(text);
  if (means_no_value(trimmed)) return {};
  const auto number = take_leading_number(trimmed);
  if (!number) return kInvalid;

  const auto unit_text = trim(number->rest);
  const auto units = units_of(quantity);
  if (unit_text.empty()) return to_base_units(number->value, units.front());
  for (const Unit& unit : units) {
    if (equals_ignoring_case(unit_text, unit.lower_case_symbol)) {
      return to_base_units(number->value, unit);
    }
  }
  return kInvalid;
}

ParsedValue quantity_from_number(double number, Quantity quantity) {
  if (!std::isfinite(number) || std::signbit(number)) return kInvalid;
  return to_base_units(number, units_of(quantity).front());
}

ParsedResolution parse_resolution(std::string_view text) {
  constexpr ParsedResolution kInvalidResolution{ParseStatus::invalid, 0, 0};
  const auto trimmed = trim(text);
  if (means_no_value(trimmed)) return {};
  const auto separator = trimmed.find_first_of("*xX");
  if (separator == std::string_view::npos) return kInvalidResolution;

  const auto width = parse_pixel_count(trim(trimmed.substr(0, separator)));
  const auto height = parse_pixel_count(trim(trimmed.substr(separator + 1)));
  if (!width || !height) return kInvalidResolution;
  // "0*0" is how Zoom reports a stream without video; a single zero is not a picture.
  if (*width == 0 && *height == 0) return {};
  if (*width == 0 || *height == 0) return kInvalidResolution;
  return {ParseStatus::value, static_cast<double>(*width), static_cast<double>(*height)};
}

ParsedValue parse_timestamp(std::string_view text) {
  const auto trimmed = trim(text);
  if (means_no_value(trimmed)) return {};

  FixedLayoutReader reader(trimmed);
  const unsigned year = reader.digits(4);
  reader.one_of("-");
  const unsigned month = reader.digits(2);
  reader.one_of("-");
  const unsigned day = reader.digits(2);
  reader.one_of("Tt");
  const unsigned hour = reader.digits(2);
  reader.one_of(":");
  const unsigned minute = reader.digits(2);
  reader.one_of(":");
  const unsigned second = reader.digits(2);
  const double fraction = reader.next_is(".") ? reader.fraction() : 0.0;

  // A time without a zone is local to some unknown place: refusing it beats being hours off.
  int offset_seconds = 0;
  if (reader.next_is("Zz")) {
    reader.one_of("Zz");
  } else {
    const char sign = reader.one_of("+-");
    const unsigned offset_hours = reader.digits(2);
    reader.one_of(":");
    const unsigned offset_minutes = reader.digits(2);
    if (offset_hours > 23 || offset_minutes > 59) return kInvalid;
    offset_seconds = static_cast<int>(offset_hours * 3600 + offset_minutes * 60);
    if (sign == '-') offset_seconds = -offset_seconds;
  }

  if (!reader.ok() || !reader.at_end()) return kInvalid;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return kInvalid;
  if (hour > 23 || minute > 59 || second > 59) return kInvalid;

  const std::int64_t local_seconds =
      days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  return {ParseStatus::value, static_cast<double>(local_seconds - offset_seconds) + fraction};
}

}  // namespace zqe::qos
