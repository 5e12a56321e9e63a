#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

// Strict reading of settings from YAML, shared by the main config and the web config: every
// problem is a config::ConfigError of the form "FILE:LINE:COLUMN: KEY: problem".
namespace zqe::config {

// A setting's value with what messages about it need.
struct Value {
  YAML::Node node;
  std::string key;  // "zoom.client_id"; "" for the top level
  YAML::Mark mark;  // of the value, or of its key when the value is empty
};

// A word a setting accepts and what it stands for.
template <typename Enum>
struct Choice {
  std::string_view name;
  Enum value;
};

// "a, b or c", as the choices are listed in messages.
template <typename Enum, std::size_t count>
std::string choice_names(const Choice<Enum> (&choices)[count]) {
  std::string text;
  for (std::size_t index = 0; index < count; ++index) {
    if (index > 0) text += index + 1 == count ? " or " : ", ";
    text += choices[index].name;
  }
  return text;
}

std::string join(const auto& names, std::string_view separator) {
  std::string text;
  for (const auto& name : names) {
    if (!text.empty()) text += separator;
    text += name;
  }
  return text;
}

std::string in_quotes(std::string_view text);

struct FileContent {
  std::string text;
  int error = 0;           // errno of the failed open, stat or read; 0 on success
  std::uint32_t mode = 0;  // permission bits of the file read
};

// Far more than a config file needs, so that a path such as /dev/zero or a log file named by
// mistake fails at once instead of filling memory; past it the error is EFBIG.
constexpr std::size_t kMaxConfigFileBytes = 1024 * 1024;

// The file may hold a secret, so the buffers are wiped: no copy stays behind, and on an error
// the text is empty.
FileContent read_whole_file(const std::string& path, std::size_t max_bytes);
std::string error_text(int error);
// The shortest text that reads back as the same number, so bounds print as "1000", not
// "1000.000000".
std::string format_number(double number);

// `path` as seen from the directory of `file`, as Prometheus resolves paths in a config file, so
// that the daemon's working directory does not matter. An absolute `path` stays as it is.
std::string relative_to_file(const std::string& file, std::string_view path);

// "FILE:LINE:COL", 1-based, or just "FILE" when there is no position to point at.
std::string location(const std::string& source, const YAML::Mark& mark);

// Every message has the form "LOCATION: KEY: PROBLEM", without KEY when no setting is at fault.
[[noreturn]] void fail(const std::string& source, const YAML::Mark& mark, std::string_view key,
                       std::string_view problem);

// The one YAML document of a file (null when the text is empty); more than one is an error.
YAML::Node parse_single_document(std::string_view yaml_text, const std::string& source);

// Reads typed values out of the YAML of one file, named `source` in messages.
class YamlReader {
 public:
  struct Setting {
    std::string_view name;
    std::function<void(const Value& value)> read;
  };

  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Mark& mark, std::string_view key,
                         std::string_view problem) const {
    config::fail(source_, mark, key, problem);
  }
  [[noreturn]] void fail(const Value& value, std::string_view problem) const {
    fail(value.mark, value.key, problem);
  }
  [[noreturn]] void fail_kind(const Value& value, std::string_view expected) const;

  // The top level of a file: a map of settings, or nothing at all.
  void read_document(const YAML::Node& root, const std::vector<Setting>& settings) const;
  // Calls each setting's reader with its value; unknown and repeated keys are errors.
  void read_map(const Value& map, const std::vector<Setting>& settings) const;
  // Calls `read_entry` with each entry of a map whose keys are the user's to choose (user
  // names, say); repeated keys are errors, and null stands for an empty map.
  using EntryReader =
      std::function<void(const std::string& name, const YAML::Mark& name_mark, const Value& value)>;
  void read_entries(const Value& map, const EntryReader& read_entry) const;
  // Calls `read_item` with each element; null stands for an empty list.
  void read_list(const Value& list, const std::function<void(const Value& item)>& read_item) const;

  // Empty (null) values read as "", so each setting's own check reports them.
  std::string read_string(const Value& value, std::string_view expected = "a string") const;
  bool read_bool(const Value& value) const;
  // A number greater than 0 and at most `highest`.
  double read_positive_number(const Value& value, double highest) const;
  // A number from `lowest` to `highest`, both included; fractions are allowed.
  double read_number(const Value& value, double lowest, double highest) const;

  template <typename Integer>
  Integer read_integer(const Value& value, Integer lowest, Integer highest) const {
    const std::string text = read_string(value, "an integer");
    Integer number{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc{} || end != text.data() + text.size() || number < lowest ||
        number > highest) {
      fail(value,
           "must be an integer from " + std::to_string(lowest) + " to " + std::to_string(highest));
    }
    return number;
  }

  // One of a fixed set of words, e.g. a plan; `what` names the kind of word in messages.
  template <typename Enum, std::size_t count>
  Enum read_choice(const Value& value, std::string_view what,
                   const Choice<Enum> (&choices)[count]) const {
    const std::string name = read_string(value);
    for (const Choice<Enum>& choice : choices) {
      if (choice.name == name) return choice.value;
    }
    fail(value, "unknown " + std::string(what) + " " + in_quotes(name) + " (use " +
                    choice_names(choices) + ")");
  }

 private:
  std::string source_;
};

}  // namespace zqe::config
