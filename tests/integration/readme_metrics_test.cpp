#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "integration/simulated_exporter.hpp"
#include "support/test_tools.hpp"

// The README's metrics reference against what the exporter really emits.
namespace zqe::test {
namespace {

using Families = std::map<std::string, std::string>;  // name to type

// Families that have no sample, and so no # TYPE line, until something happens that the
// simulated Zoom does not cause. Each must still be in the README.
const std::map<std::string, std::string> kNeedAnEvent = {
    {"zoom_exporter_parse_errors_total", "a QoS value from Zoom that cannot be parsed"},
    {"zoom_exporter_invalid_replies_total",
     "a 200 reply from Zoom whose body is not the JSON expected"},
    {"zoom_exporter_rate_limited_total", "a 429 from Zoom; the exporter keeps below its limits"},
    {"zoom_participant_qos_age_seconds", "a participant on the watch list (watch.*)"},
};

// The rows of the table under "## Metrics": | `name` | type | labels | meaning |
Families readme_families() {
  std::ifstream file(std::string(ZQE_SOURCE_DIR) + "/README.md");
  std::string line;
  bool in_section = false;
  Families families;
  const std::regex row(R"(^\| `([a-z_:][a-z0-9_:]*)` \| (\w+) \|)");
  while (std::getline(file, line)) {
    if (line.starts_with("## ")) in_section = line == "## Metrics";
    std::smatch match;
    if (in_section && std::regex_search(line, match, row)) families[match[1]] = match[2];
  }
  return families;
}

Families scraped_families(const std::string& exposition) {
  Families families;
  std::istringstream lines(exposition);
  std::string line;
  const std::regex type_line(R"(^# TYPE (\S+) (\S+)$)");
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, type_line)) families[match[1]] = match[2];
  }
  return families;
}

TEST(ReadmeMetricsTest, TheTableListsExactlyTheFamiliesTheExporterEmits) {
  const Families documented = readme_families();
  ASSERT_GT(documented.size(), 20u) << "README.md's metrics table not found";

  // Enough meetings that some participants share video and screens, and every family shows.
  SimulatedExporter exporter("log_level: warn\nsimulator:\n  meetings: 10\n");
  ASSERT_TRUE(exporter.wait_until_ready());
  const Families emitted = scraped_families(http_request(exporter.port(), "GET", "/metrics").body);
  ASSERT_FALSE(emitted.empty());

  for (const auto& [name, type] : emitted) {
    const auto row = documented.find(name);
    if (row == documented.end()) {
      ADD_FAILURE() << name << " (" << type << ") is emitted but not in README.md's table";
    } else {
      EXPECT_EQ(row->second, type) << name << ": README.md says " << row->second;
    }
  }
  for (const auto& [name, type] : documented) {
    if (emitted.contains(name)) continue;
    const auto event = kNeedAnEvent.find(name);
    if (event == kNeedAnEvent.end()) {
      ADD_FAILURE() << name << " is in README.md's table but the exporter never emitted it";
    }
  }
  for (const auto& [name, reason] : kNeedAnEvent) {
    EXPECT_TRUE(documented.contains(name))
        << name << " (emitted after " << reason << ") is not in README.md's table";
  }
}

}  // namespace
}  // namespace zqe::test
