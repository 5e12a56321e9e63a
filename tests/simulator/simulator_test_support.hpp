#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>

#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "simulator/simulated_account.hpp"
#include "simulator/zoom_json.hpp"

namespace zqe::simulator::test {

using namespace std::chrono_literals;

// 2026-11-22T10:00:00Z: a fixed start keeps every test's account the same on every run.
inline TimePoint test_start() {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours(10);
}

inline config::SimulatorConfig simulator_config(int meetings, int participants,
                                                std::uint64_t seed = 7) {
  config::SimulatorConfig config;
  config.meetings = meetings;
  config.participants_per_meeting = participants;
  config.seed = seed;
  // Most tests ask for many pages at one instant, which Zoom's per-second and per-minute limits
  // would refuse; the tests of the limits turn them on.
  config.enforce_rate_limits = false;
  return config;
}

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  return document;
}

template <typename Value>
std::string to_json(const Value& value, void (*write)(JsonWriter&, const Value&)) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  write(writer, value);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Every present participant of a meeting, one page of `page_size` at a time.
inline std::string all_participants_json(const SimulatedAccount& account, std::size_t meeting,
                                         std::size_t page_size = 1000) {
  std::string json;
  std::optional<std::size_t> seat = 0;
  while (seat) {
    const ParticipantsPage page = account.participants(meeting, *seat, page_size);
    for (const ParticipantQos& participant : page.participants) {
      json += to_json(participant, &write_participant) + "\n";
    }
    seat = page.next_seat;
  }
  return json;
}

// Percent-encodes everything but RFC 3986's unreserved characters.
inline std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0xf];
    }
  }
  return encoded;
}

}  // namespace zqe::simulator::test
