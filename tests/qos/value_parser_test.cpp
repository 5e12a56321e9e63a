#include "qos/value_parser.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string_view>

namespace zqe::qos {
namespace {

// Asserts a parsed value and returns it so tests read as "parsing X gives Y".
double value_of(ParsedValue parsed) {
  EXPECT_EQ(parsed.status, ParseStatus::value);
  return parsed.value;
}

ParseStatus status_of(std::string_view text, Quantity quantity) {
  return parse_quantity(text, quantity).status;
}

TEST(ParseQuantity, ZoomsDocumentedExamples) {
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("126 ms", Quantity::duration)), 0.126);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("23 kbps", Quantity::bitrate)), 2875);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("0.3%", Quantity::percentage)), 0.003);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("12 fps", Quantity::frame_rate)), 12);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("8%", Quantity::percentage)), 0.08);
}

TEST(ParseQuantity, ExactDecimalsStayExact) {
  // Dividing rather than multiplying by 0.001 keeps the literal's double.
  EXPECT_EQ(value_of(parse_quantity("126 ms", Quantity::duration)), 0.126);
  EXPECT_EQ(value_of(parse_quantity("23 kbps", Quantity::bitrate)), 2875.0);
}

TEST(ParseQuantity, BitrateUnits) {
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("8000 bps", Quantity::bitrate)), 1000);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("1 kbps", Quantity::bitrate)), 125);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("2 Mbps", Quantity::bitrate)), 250'000);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("1.5 Mbps", Quantity::bitrate)), 187'500);
}

TEST(ParseQuantity, DurationUnits) {
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("1.5 s", Quantity::duration)), 1.5);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("0.5ms", Quantity::duration)), 0.0005);
}

TEST(ParseQuantity, ZeroIsAValue) {
  EXPECT_EQ(value_of(parse_quantity("0.0%", Quantity::percentage)), 0);
  EXPECT_EQ(value_of(parse_quantity("0 kbps", Quantity::bitrate)), 0);
}

TEST(ParseQuantity, ToleratesSpaces) {
  for (std::string_view text :
       {"126ms", " 126 ms", "126 ms ", "126   ms", "\t126 ms\n", "  126ms  "}) {
    SCOPED_TRACE(text);
    EXPECT_DOUBLE_EQ(value_of(parse_quantity(text, Quantity::duration)), 0.126);
  }
  EXPECT_DOUBLE_EQ(value_of(parse_quantity(" 0.3 % ", Quantity::percentage)), 0.003);
}

TEST(ParseQuantity, ToleratesUpperCase) {
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("23 KBPS", Quantity::bitrate)), 2875);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("23 Kbps", Quantity::bitrate)), 2875);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("126 MS", Quantity::duration)), 0.126);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("2 S", Quantity::duration)), 2);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("12 FPS", Quantity::frame_rate)), 12);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("8 BPS", Quantity::bitrate)), 1);
}

TEST(ParseQuantity, BareNumbersAreInTheDocumentedUnit) {
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("23", Quantity::bitrate)), 2875);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("126", Quantity::duration)), 0.126);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity(" 0.3 ", Quantity::percentage)), 0.003);
  EXPECT_DOUBLE_EQ(value_of(parse_quantity("12", Quantity::frame_rate)), 12);
}

TEST(ParseQuantity, NoDataIsAbsent) {
  for (std::string_view text : {"", "-", " ", " - ", "\t\n"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(status_of(text, Quantity::duration), ParseStatus::absent);
    EXPECT_EQ(status_of(text, Quantity::bitrate), ParseStatus::absent);
  }
}

TEST(ParseQuantity, GarbageIsInvalid) {
  for (std::string_view text : {"abc", "ms", "fast", "--", "12 msx", "12 ms 3", "12 m s", "1 2 ms",
                                "12,5 ms", "0x10 ms", "+12 ms", "ms 12", "12ms!", "12 .ms"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(status_of(text, Quantity::duration), ParseStatus::invalid);
  }
}

TEST(ParseQuantity, WrongUnitForTheQuantityIsInvalid) {
  EXPECT_EQ(status_of("126 ms", Quantity::bitrate), ParseStatus::invalid);
  EXPECT_EQ(status_of("23 kbps", Quantity::duration), ParseStatus::invalid);
  EXPECT_EQ(status_of("12 fps", Quantity::percentage), ParseStatus::invalid);
  EXPECT_EQ(status_of("8%", Quantity::frame_rate), ParseStatus::invalid);
  EXPECT_EQ(status_of("3 s", Quantity::bitrate), ParseStatus::invalid);
  EXPECT_EQ(status_of("2 Gbps", Quantity::bitrate), ParseStatus::invalid);
}

TEST(ParseQuantity, NegativeAndNonFiniteAreInvalid) {
  for (std::string_view text : {"-5 ms", "-0 ms", "-0", "nan ms", "NaN", "inf ms", "infinity",
                                "1e400 ms", "1e400", "1e-400 ms"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(status_of(text, Quantity::duration), ParseStatus::invalid);
  }
}

TEST(ParseQuantity, ConversionOverflowIsInvalid) {
  EXPECT_EQ(status_of("1e308 Mbps", Quantity::bitrate), ParseStatus::invalid);
}

TEST(QuantityFromNumber, TakesZoomsDocumentedUnit) {
  EXPECT_DOUBLE_EQ(value_of(quantity_from_number(23, Quantity::bitrate)), 2875);
  EXPECT_DOUBLE_EQ(value_of(quantity_from_number(126, Quantity::duration)), 0.126);
  EXPECT_DOUBLE_EQ(value_of(quantity_from_number(0.3, Quantity::percentage)), 0.003);
  EXPECT_DOUBLE_EQ(value_of(quantity_from_number(12, Quantity::frame_rate)), 12);
  EXPECT_EQ(value_of(quantity_from_number(0, Quantity::duration)), 0);
}

TEST(QuantityFromNumber, NegativeAndNonFiniteAreInvalid) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  for (double number : {-1.0, -0.0, kInfinity, -kInfinity, std::nan("")}) {
    SCOPED_TRACE(number);
    EXPECT_EQ(quantity_from_number(number, Quantity::duration).status, ParseStatus::invalid);
  }
  EXPECT_EQ(quantity_from_number(1e308, Quantity::bitrate).status, ParseStatus::invalid);
}

TEST(ParseResolution, WidthAndHeight) {
  const ParsedResolution parsed = parse_resolution("1280*720");
  EXPECT_EQ(parsed.status, ParseStatus::value);
  EXPECT_EQ(parsed.width, 1280);
  EXPECT_EQ(parsed.height, 720);
}

TEST(ParseResolution, ToleratesSpacesAndAnX) {
  for (std::string_view text : {" 640*360 ", "640 * 360", "640x360", "640X360", "640 x 360"}) {
    SCOPED_TRACE(text);
    const ParsedResolution parsed = parse_resolution(text);
    EXPECT_EQ(parsed.status, ParseStatus::value);
    EXPECT_EQ(parsed.width, 640);
    EXPECT_EQ(parsed.height, 360);
  }
}

TEST(ParseResolution, NoVideoIsAbsent) {
  for (std::string_view text : {"0*0", " 0 * 0 ", "", "-", "  "}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_resolution(text).status, ParseStatus::absent);
  }
}

TEST(ParseResolution, GarbageIsInvalid) {
  for (std::string_view text :
       {"1280", "1280*", "*720", "1280*720*3", "-1280*720", "1280*-720", "12.5*720", "1280*720 px",
        "wide*tall", "0*720", "1280*0", "99999999999*720", "+1280*720", "1280 720"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_resolution(text).status, ParseStatus::invalid);
  }
}

TEST(ParseTimestamp, UtcSeconds) {
  EXPECT_EQ(value_of(parse_timestamp("2021-06-24T20:00:00Z")), 1624564800);
  EXPECT_EQ(value_of(parse_timestamp("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(value_of(parse_timestamp(" 2021-06-24T20:00:00Z ")), 1624564800);
  EXPECT_EQ(value_of(parse_timestamp("2021-06-24t20:00:00z")), 1624564800);
}

TEST(ParseTimestamp, CalendarEdges) {
  EXPECT_EQ(value_of(parse_timestamp("2000-02-29T00:00:00Z")), 951782400);
  EXPECT_EQ(value_of(parse_timestamp("2024-02-29T12:00:00Z")), 1709208000);
  EXPECT_EQ(value_of(parse_timestamp("1999-12-31T23:59:59Z")), 946684799);
  EXPECT_EQ(value_of(parse_timestamp("2038-01-19T03:14:08Z")), 2147483648);
  EXPECT_EQ(value_of(parse_timestamp("1969-12-31T23:59:59Z")), -1);
}

TEST(ParseTimestamp, FractionalSeconds) {
  EXPECT_DOUBLE_EQ(value_of(parse_timestamp("2021-06-24T20:00:00.5Z")), 1624564800.5);
  EXPECT_DOUBLE_EQ(value_of(parse_timestamp("2021-06-24T20:00:01.250Z")), 1624564801.25);
  EXPECT_DOUBLE_EQ(value_of(parse_timestamp("2021-06-24T20:00:00.000000001Z")), 1624564800);
}

TEST(ParseTimestamp, Offsets) {
  EXPECT_EQ(value_of(parse_timestamp("2021-06-24T22:00:00+02:00")), 1624564800);
  EXPECT_EQ(value_of(parse_timestamp("2021-06-24T15:30:00-04:30")), 1624564800);
  EXPECT_EQ(value_of(parse_timestamp("2021-06-24T20:00:00+00:00")), 1624564800);
  EXPECT_EQ(value_of(parse_timestamp("2021-06-25T05:45:00+09:45")), 1624564800);
  EXPECT_DOUBLE_EQ(value_of(parse_timestamp("2021-06-24T21:00:00.5+01:00")), 1624564800.5);
}

TEST(ParseTimestamp, NoDataIsAbsent) {
  EXPECT_EQ(parse_timestamp("").status, ParseStatus::absent);
  EXPECT_EQ(parse_timestamp("-").status, ParseStatus::absent);
  EXPECT_EQ(parse_timestamp("  ").status, ParseStatus::absent);
}

TEST(ParseTimestamp, InvalidTexts) {
  for (std::string_view text : {
           "2021-06-24T20:00:00",        // no zone: local time of an unknown place
           "2021-06-24 20:00:00Z",       // not ISO-8601's separator
           "2021-06-24",                 // no time
           "2021-6-24T20:00:00Z",        // short month
           "21-06-24T20:00:00Z",         // short year
           "2021-13-01T00:00:00Z",       // month 13
           "2021-00-01T00:00:00Z",       // month 0
           "2021-06-00T00:00:00Z",       // day 0
           "2021-06-31T00:00:00Z",       // June has 30 days
           "2021-02-29T00:00:00Z",       // not a leap year
           "1900-02-29T00:00:00Z",       // century, not a leap year
           "2021-06-24T24:00:00Z",       // hour 24
           "2021-06-24T20:60:00Z",       // minute 60
           "2021-06-24T20:00:60Z",       // leap seconds aren't expected from Zoom
           "2021-06-24T20:00:00.Z",      // empty fraction
           "2021-06-24T20:00:00.5e3Z",   // exponent in the fraction
           "2021-06-24T20:00:00+2:00",   // short offset
           "2021-06-24T20:00:00+0200",   // offset without colon
           "2021-06-24T20:00:00+24:00",  // offset out of range
           "2021-06-24T20:00:00+02:60",  // offset minutes out of range
           "2021-06-24T20:00:00Zjunk",   // trailing junk
           "2021-06-24T20:00:00Z 3",     // trailing junk after a space
           "+2021-06-24T20:00:00Z",      // signed year
           "2021-+6-24T20:00:00Z",       // sign inside a field
           "garbage",
       }) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_timestamp(text).status, ParseStatus::invalid);
  }
}

}  // namespace
}  // namespace zqe::qos
