#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace zqe::commands {

// Aligned columns for a terminal: every cell row shares the column widths (in code points, so
// a name like "Jürgen" lines up), columns are two spaces apart, the last column is not padded
// and no line ends in spaces. Free lines (headings between rows) are printed as they are and do
// not widen the columns. Pure.
class TextTable {
 public:
  enum class Align { left, right };

  explicit TextTable(std::vector<Align> alignment) : alignment_(std::move(alignment)) {}

  void add_row(std::vector<std::string> cells);
  void add_line(std::string line);
  std::string render() const;

  // The width of `text` in a terminal: its UTF-8 code points.
  static std::size_t width(const std::string& text);

 private:
  struct Row {
    std::vector<std::string> cells;  // empty: a free line
    std::string line;
  };
  std::vector<Align> alignment_;
  std::vector<Row> rows_;
};

}  // namespace zqe::commands
