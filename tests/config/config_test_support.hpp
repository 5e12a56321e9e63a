#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.hpp"

// Helpers shared by the config loader's tests.
namespace zqe::config {

inline EnvLookup fake_env(std::map<std::string, std::string> variables = {}) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

inline LoadOptions options_with(std::map<std::string, std::string> variables = {}) {
  return {.simulate = false, .env = fake_env(std::move(variables))};
}

inline LoadOptions simulate_options() {
  return {.simulate = true, .env = fake_env()};
}

inline std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no ConfigError)";
}

inline std::string parse_error(std::string_view yaml, const LoadOptions& options = options_with()) {
  return error_of([&] { parse_config(yaml, "test.yaml", options); });
}

}  // namespace zqe::config
