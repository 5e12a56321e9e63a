#include "common/base64.hpp"

#include <algorithm>
#include <cstdint>

namespace zqe {
namespace {

constexpr std::string_view kStandardDigits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlDigits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view digits_of(Base64Alphabet alphabet) {
  return alphabet == Base64Alphabet::standard ? kStandardDigits : kUrlDigits;
}

}  // namespace

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet) {
  const std::string_view digits = digits_of(alphabet);
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t offset = 0; offset < bytes.size(); offset += 3) {
    const std::size_t count = std::min<std::size_t>(3, bytes.size() - offset);
    std::uint32_t group = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto byte = i < count ? static_cast<unsigned char>(bytes[offset + i]) : 0u;
      group = (group << 8) | byte;
    }
    for (std::size_t i = 0; i <= count; ++i) {
      text += digits[(group >> (18 - 6 * i)) & 0x3f];
    }
  }
  if (alphabet == Base64Alphabet::standard) {
    text.append((4 - text.size() % 4) % 4, '=');
  }
  return text;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
  if (alphabet == Base64Alphabet::standard) {
    if (text.size() % 4 != 0) return std::nullopt;
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  }
  // A single leftover digit carries fewer than 8 bits: no encoder produces it.
  if (text.size() % 4 == 1) return std::nullopt;
  const std::string_view digits = digits_of(alphabet);
  std::string bytes;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (const char digit : text) {
    const std::size_t value = digits.find(digit);
    if (value == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      bytes += static_cast<char>((bits >> bit_count) & 0xff);
    }
  }
  return bytes;
}

}  // namespace zqe
