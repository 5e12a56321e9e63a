#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Building blocks of the Prometheus text exposition format 0.0.4, shared by the renderers. They
// append to one caller-owned string so that rendering a whole exposition allocates (almost) once.
namespace zqe::metrics::exposition {

namespace detail {

struct Utf8Sequence {
  std::size_t length;  // bytes to consume: the whole sequence, or its maximal invalid subpart
  bool valid;
};

// Classifies the sequence starting at a byte >= 0x80. An invalid one is measured as its "maximal
// subpart" (Unicode 15, section 3.9), so each broken sequence becomes exactly one U+FFFD, the
// same as in browsers and Python's errors="replace".
inline Utf8Sequence scan_non_ascii(std::string_view bytes) {
  const auto lead = static_cast<unsigned char>(bytes[0]);
  std::size_t length = 0;
  // The second byte's range also rules out overlong forms, UTF-16 surrogates and > U+10FFFF.
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return {1, false};
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (i == bytes.size()) return {i, false};
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const unsigned char min = i == 1 ? second_min : 0x80;
    const unsigned char max = i == 1 ? second_max : 0xBF;
    if (byte < min || byte > max) return {i, false};
  }
  return {length, true};
}

}  // namespace detail

// Appends `value` for use between the quotes of a label value. Invalid UTF-8 is replaced with
// U+FFFD because Prometheus rejects the whole scrape over a single bad label value, and Zoom
// passes user-chosen names through unchecked.
inline void append_label_value(std::string& out, std::string_view value) {
  constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";
  std::size_t unescaped_start = 0;
  std::size_t position = 0;
  const auto flush_unescaped = [&] {
    out.append(value.data() + unescaped_start, position - unescaped_start);
  };
  while (position < value.size()) {
    const char byte = value[position];
    std::string_view replacement;
    std::size_t consumed = 1;
    if (byte == '\\') {
      replacement = "\\\\";
    } else if (byte == '"') {
      replacement = "\\\"";
    } else if (byte == '\n') {
      replacement = "\\n";
    } else if (static_cast<unsigned char>(byte) >= 0x80) {
      const detail::Utf8Sequence sequence = detail::scan_non_ascii(value.substr(position));
      consumed = sequence.length;
      if (sequence.valid) {
        position += consumed;
        continue;
      }
      replacement = kReplacementCharacter;
    } else {
      ++position;
      continue;
    }
    flush_unescaped();
    out += replacement;
    position += consumed;
    unescaped_start = position;
  }
  flush_unescaped();
}

// HELP text escapes only backslash and newline; quotes are literal there.
inline void append_help_text(std::string& out, std::string_view help) {
  for (const char character : help) {
    if (character == '\\') {
      out += "\\\\";
    } else if (character == '\n') {
      out += "\\n";
    } else {
      out += character;
    }
  }
}

// The shortest text that parses back to the same double; Prometheus spells the specials this way.
inline void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];  // the longest shortest-form double, e.g. -2.2250738585072014e-308, is 24
    const char* const end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    out.append(buffer, static_cast<std::size_t>(end - buffer));
  }
}

inline void append_number(std::string& out, std::uint64_t value) {
  char buffer[20];  // 18446744073709551615
  const char* const end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

// `type` is the TYPE keyword, e.g. "gauge" or "counter".
inline void append_family_header(std::string& out, std::string_view name, std::string_view help,
                                 std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_help_text(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// The series in some exposition text: its lines that are not comments.
inline std::size_t count_series(std::string_view text) {
  std::size_t series = 0;
  for (std::size_t begin = 0; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    if (text[begin] != '#') ++series;
    begin = end + 1;
  }
  return series;
}

}  // namespace zqe::metrics::exposition
