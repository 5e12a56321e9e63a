#include "scheduler/retry_after.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "qos/value_parser.hpp"

namespace zqe::scheduler {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<TimePoint> parse_retry_after(std::string_view value, TimePoint now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0 || seconds > 7 * 86400) return std::nullopt;
    return now + std::chrono::seconds(seconds);
  }
  const auto timestamp = qos::parse_timestamp(value);
  if (timestamp.status != qos::ParseStatus::value) return std::nullopt;
  return TimePoint(
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(timestamp.value)));
}

LimitType rate_limit_type(std::string_view type_header, std::string_view body) {
  const std::string text = lower(type_header.empty() ? body : type_header);
  return text.find("daily") != std::string::npos ? LimitType::daily : LimitType::qps;
}

}  // namespace zqe::scheduler
