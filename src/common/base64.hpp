#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zqe {

enum class Base64Alphabet {
  standard,  // '+' and '/', padded with '=' (HTTP Basic credentials, Zoom's meeting uuids)
  url,       // '-' and '_', unpadded: safe in a query string without encoding
};

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet);
// nullopt when a character is outside the alphabet or the length is impossible.
std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet);

}  // namespace zqe
