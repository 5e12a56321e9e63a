#include "config/yaml_reader.hpp"

#include <string.h>
#include <sys/stat.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>

#include "common/wipe.hpp"
#include "config/config.hpp"

namespace zqe::config {
namespace {

// Where the root node of each document starts, for the first `wanted` documents of a stream.
// yaml-cpp 0.7 does not get past some malformed input, e.g. a "," at the top level: each
// document it reads there is empty and ends where it began, so YAML::LoadAll() never returns
// and fills memory with empty documents. Reading at most `wanted` documents always ends.
class DocumentRoots : public YAML::EventHandler {
 public:
  static std::vector<YAML::Mark> of(const std::string& text, std::size_t wanted) {
    std::istringstream input(text);
    YAML::Parser parser(input);
    DocumentRoots roots;
    for (std::size_t read = 0; read < wanted && parser.HandleNextDocument(roots); ++read) {
    }
    return std::move(roots.marks_);
  }

  void OnDocumentStart(const YAML::Mark&) override { root_seen_ = false; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node_at(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node_at(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node_at(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node_at(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node_at(mark);
  }
  void OnMapEnd() override {}

 private:
  // The first node of a document is its root.
  void node_at(const YAML::Mark& mark) {
    if (!root_seen_) marks_.push_back(mark);
    root_seen_ = true;
  }

  std::vector<YAML::Mark> marks_;
  bool root_seen_ = false;
};

std::string_view kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

}  // namespace

std::string location(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ':' + std::to_string(mark.line + 1) + ':' + std::to_string(mark.column + 1);
}

std::string in_quotes(std::string_view text) {
  return '"' + std::string(text) + '"';
}

FileContent read_whole_file(const std::string& path, std::size_t max_bytes) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) return {.text = {}, .error = errno, .mode = 0};
  FileContent content;
  // The mode of the file opened, not of whatever the path names a moment later.
  struct stat status {};
  if (fstat(fileno(file.get()), &status) != 0) return {.text = {}, .error = errno, .mode = 0};
  content.mode = status.st_mode & 07777;
  char buffer[4096];
  std::size_t length = 0;
  while ((length = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    content.text.append(buffer, length);
    if (content.text.size() > max_bytes) {
      content.error = EFBIG;
      break;
    }
  }
  explicit_bzero(buffer, sizeof buffer);
  // A directory opens fine on Linux and only fails here, with EISDIR.
  if (std::ferror(file.get())) content.error = errno;
  if (content.error != 0) wipe(content.text);
  return content;
}

std::string format_number(double number) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  return error == std::errc{} ? std::string(buffer, end) : std::to_string(number);
}

std::string error_text(int error) {
  return std::generic_category().message(error);
}

std::string relative_to_file(const std::string& file, std::string_view path) {
  return (std::filesystem::path(file).parent_path() / path).string();
}

void fail(const std::string& source, const YAML::Mark& mark, std::string_view key,
          std::string_view problem) {
  std::string message = location(source, mark) + ": ";
  if (!key.empty()) {
    message += key;
    message += ": ";
  }
  message += problem;
  throw ConfigError(message);
}

YAML::Node parse_single_document(std::string_view yaml_text, const std::string& source) {
  const std::string text(yaml_text);
  std::vector<YAML::Mark> document_roots;
  YAML::Node root;
  try {
    document_roots = DocumentRoots::of(text, 2);
    if (document_roots.size() < 2) root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    // A few of yaml-cpp's messages end in the text at fault ("unknown escape character: x"),
    // which may be part of a secret: the position says enough.
    fail(source, error.mark, {}, "invalid YAML: " + error.msg.substr(0, error.msg.find(": ")));
  }
  if (document_roots.size() > 1)
    fail(source, document_roots[1], {}, "only one YAML document is allowed");
  return root;
}

void YamlReader::fail_kind(const Value& value, std::string_view expected) const {
  fail(value, "expected " + std::string(expected) + ", got " + std::string(kind_name(value.node)));
}

void YamlReader::read_document(const YAML::Node& root, const std::vector<Setting>& settings) const {
  if (!root.IsNull() && !root.IsMap()) {
    fail(root.Mark(), {},
         "expected a map of settings at the top level, got " + std::string(kind_name(root)));
  }
  read_map(Value{.node = root, .key = {}, .mark = root.Mark()}, settings);
}

void YamlReader::read_entries(const Value& map, const EntryReader& read_entry) const {
  // A section whose settings are all commented out is null, and means all defaults.
  if (map.node.IsNull()) return;
  if (!map.node.IsMap()) fail_kind(map, "a map");
  std::set<std::string> seen;
  for (const auto& entry : map.node) {
    const YAML::Node& name_node = entry.first;
    if (!name_node.IsScalar()) {
      fail_kind(Value{.node = name_node, .key = map.key, .mark = name_node.Mark()},
                "a setting name");
    }
    const std::string& name = name_node.Scalar();
    const std::string key = map.key.empty() ? name : map.key + '.' + name;
    // yaml-cpp keeps both entries of a repeated key, and silently using one would hide a typo.
    if (!seen.insert(name).second) fail(name_node.Mark(), key, "duplicate key");
    const YAML::Node& value = entry.second;
    // yaml-cpp marks an empty value where the next token starts, often on a later line.
    read_entry(
        name, name_node.Mark(),
        Value{.node = value, .key = key, .mark = value.IsNull() ? name_node.Mark() : value.Mark()});
  }
}

void YamlReader::read_map(const Value& map, const std::vector<Setting>& settings) const {
  read_entries(map, [&](const std::string& name, const YAML::Mark& name_mark, const Value& value) {
    const auto setting = std::find_if(settings.begin(), settings.end(),
                                      [&](const Setting& known) { return known.name == name; });
    if (setting == settings.end()) {
      std::vector<std::string_view> known_names;
      std::transform(settings.begin(), settings.end(), std::back_inserter(known_names),
                     [](const Setting& known) { return known.name; });
      fail(name_mark, value.key, "unknown key (known: " + join(known_names, ", ") + ")");
    }
    setting->read(value);
  });
}

void YamlReader::read_list(const Value& list,
                           const std::function<void(const Value& item)>& read_item) const {
  // Null stands for an empty list, as an empty section stands for an empty map.
  if (!list.node.IsNull() && !list.node.IsSequence()) fail_kind(list, "a list");
  for (const YAML::Node& item_node : list.node) {
    read_item(Value{.node = item_node, .key = list.key, .mark = item_node.Mark()});
  }
}

std::string YamlReader::read_string(const Value& value, std::string_view expected) const {
  if (value.node.IsNull()) return {};
  if (!value.node.IsScalar()) fail_kind(value, expected);
  return value.node.Scalar();
}

// YAML 1.2's booleans only: yaml-cpp would also take YAML 1.1's yes/no/on/off/y/n, and `n` or
// `off` meaning false surprises more people than it helps.
bool YamlReader::read_bool(const Value& value) const {
  constexpr std::string_view kExpected = "a boolean (true or false)";
  if (!value.node.IsScalar()) fail_kind(value, kExpected);
  const std::string& text = value.node.Scalar();
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail(value, "expected " + std::string(kExpected) + ", got " + in_quotes(text));
}

// Zero is refused because a zero rate or share would never let the exporter poll, and leaving
// it off says that better.
double YamlReader::read_positive_number(const Value& value, double highest) const {
  const std::string text = read_string(value, "a number");
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  // Written as a negated range so that from_chars's "nan" fails it too.
  if (error != std::errc{} || end != text.data() + text.size() ||
      !(number > 0 && number <= highest)) {
    fail(value, "must be a number greater than 0 and at most " + format_number(highest));
  }
  return number;
}

double YamlReader::read_number(const Value& value, double lowest, double highest) const {
  const std::string text = read_string(value, "a number");
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  // Written as a negated range so that from_chars's "nan" fails it too.
  if (error != std::errc{} || end != text.data() + text.size() ||
      !(number >= lowest && number <= highest)) {
    fail(value, "must be a number from " + format_number(lowest) + " to " + format_number(highest));
  }
  return number;
}

}  // namespace zqe::config
