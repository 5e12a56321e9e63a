#include "common/redactor.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "common/wipe.hpp"

namespace zqe::log {
namespace {

// The value as it stands inside a logfmt field that quote() wrote, without the quotes.
std::string as_quoted(std::string_view value) {
  std::string quoted = quote(value);
  if (quoted == value) return quoted;
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace

Redactor::~Redactor() {
  for (std::string& value : values_) wipe(value);
}

void Redactor::set_values(const std::vector<std::string_view>& values) {
  for (std::string& old : values_) wipe(old);
  values_.clear();
  values_.reserve(2 * values.size());  // growing would leave copies behind in freed memory
  auto add = [this](std::string value) {
    if (std::find(values_.begin(), values_.end(), value) == values_.end()) {
      values_.push_back(std::move(value));
    }
  };
  for (const std::string_view value : values) {
    if (value.size() < kShortestValue) continue;
    add(std::string(value));
    add(as_quoted(value));
  }
  std::sort(values_.begin(), values_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::redact(std::string& text) const {
  for (const std::string& value : values_) {
    for (auto at = text.find(value); at != std::string::npos;
         at = text.find(value, at + kReplacement.size())) {
      text.replace(at, value.size(), kReplacement);
    }
  }
}

}  // namespace zqe::log
