#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace zqe::log {

// Replaces registered values (the client secret and the forms it travels in) by "<redacted>" in
// text: a second line of defence behind never passing secrets to the log, for a value that
// reaches a line anyway, e.g. echoed back by a server in an error message.
class Redactor {
 public:
  // Shorter values are not registered: they would match ordinary words, and no real credential
  // is that short.
  static constexpr std::size_t kShortestValue = 8;
  static constexpr std::string_view kReplacement = "<redacted>";

  Redactor() = default;
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;
  // Wipes its copies of the values.
  ~Redactor();

  // Replaces every value registered before. Each value is also registered as log::quote()
  // writes it (e.g. with '"' escaped), so a quoted field cannot carry it past.
  void set_values(const std::vector<std::string_view>& values);
  // Replaces each registered value in `text`, the longest first, so that a value containing
  // another is replaced whole.
  void redact(std::string& text) const;

 private:
  std::vector<std::string> values_;  // longest first
};

}  // namespace zqe::log
