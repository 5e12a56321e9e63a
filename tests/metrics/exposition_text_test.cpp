#include "metrics/exposition_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace zqe::metrics::exposition {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string label_value(std::string_view value) {
  std::string out;
  append_label_value(out, value);
  return out;
}

std::string number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

std::string replacements(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += kReplacement;
  return out;
}

TEST(LabelValue, PlainAsciiIsUnchanged) {
  EXPECT_EQ(label_value("Ada Lovelace (US) 5.17.0"), "Ada Lovelace (US) 5.17.0");
  EXPECT_EQ(label_value(""), "");
}

TEST(LabelValue, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(label_value("\\\"\n"), "\\\\\\\"\\n");
}

TEST(LabelValue, KeepsValidMultiByteUtf8) {
  const std::string_view valid =
      "Zo\xC3\xAB \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(label_value(valid), valid);
}

// Expected values follow Unicode's "maximal subpart" practice, as Python's errors="replace" does.
TEST(LabelValue, ReplacesEachMaximalInvalidSubpartWithOneReplacementCharacter) {
  EXPECT_EQ(label_value("\xFF"), replacements(1));
  EXPECT_EQ(label_value("a\x80z"), "a" + replacements(1) + "z");  // lone continuation byte
  EXPECT_EQ(label_value("\xC0\x80"), replacements(2));            // overlong NUL
  EXPECT_EQ(label_value("\xE0\x80\x80"), replacements(3));        // overlong 3-byte form
  EXPECT_EQ(label_value("\xED\xA0\x80"), replacements(3));        // UTF-16 surrogate
  EXPECT_EQ(label_value("\xF4\x90\x80\x80"), replacements(4));    // beyond U+10FFFF
  EXPECT_EQ(label_value("\xF5\xBF"), replacements(2));            // never a lead byte
  EXPECT_EQ(label_value("x\xE2\x82"), "x" + replacements(1));     // truncated at the end
  EXPECT_EQ(label_value("\xE2\x82x"), replacements(1) + "x");     // truncated by ASCII
  EXPECT_EQ(label_value("\xF0\x9F\x8E\xC3\xA9"), replacements(1) + "\xC3\xA9");
}

TEST(LabelValue, EscapesAndReplacesInOneValue) {
  EXPECT_EQ(label_value("\"Jos\xC3\xA9\xFF\"\n"), "\\\"Jos\xC3\xA9" + replacements(1) + "\\\"\\n");
}

TEST(Number, UsesShortestRoundTripForm) {
  EXPECT_EQ(number(0.126), "0.126");
  EXPECT_EQ(number(2875), "2875");
  EXPECT_EQ(number(1624564800), "1624564800");
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.5), "-0.5");
  EXPECT_EQ(number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number(1e-5), "1e-05");
  EXPECT_EQ(number(std::numeric_limits<double>::lowest()), "-1.7976931348623157e+308");
}

TEST(Number, SpellsSpecialValuesTheWayPrometheusParsesThem) {
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(Number, WritesUnsignedIntegersInDecimal) {
  std::string out;
  append_number(out, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(out, "18446744073709551615");
}

TEST(FamilyHeader, EscapesBackslashAndNewlineButNotQuotesInHelp) {
  std::string out = "before\n";
  append_family_header(out, "zoom_x", "a \"b\" \\ c\nd", "gauge");
  EXPECT_EQ(out,
            "before\n"
            "# HELP zoom_x a \"b\" \\\\ c\\nd\n"
            "# TYPE zoom_x gauge\n");
}

}  // namespace
}  // namespace zqe::metrics::exposition
