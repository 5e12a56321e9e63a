#pragma once

#include <chrono>
#include <string>
#include <string_view>

// What the server tests (plain and TLS) share: their clocks and a request.
namespace zqe::http::test_times {

using namespace std::chrono_literals;

// Upper bound for anything the server should do promptly; reached only when a test fails.
constexpr std::chrono::milliseconds kPatience = 5s;
// The short limit used by the timeout tests, and the slack allowed around it.
constexpr std::chrono::milliseconds kShortTimeout = 300ms;
constexpr std::chrono::milliseconds kTimerSlack = 50ms;

inline std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

}  // namespace zqe::http::test_times
