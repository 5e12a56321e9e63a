#include "commands/text_table.hpp"

#include <algorithm>

namespace zqe::commands {

std::size_t TextTable::width(const std::string& text) {
  // Continuation bytes (10xxxxxx) belong to the code point before them.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(alignment_.size());
  rows_.push_back({std::move(cells), {}});
}

void TextTable::add_line(std::string line) {
  rows_.push_back({{}, std::move(line)});
}

std::string TextTable::render() const {
  std::vector<std::size_t> widths(alignment_.size(), 0);
  for (const Row& row : rows_) {
    for (std::size_t column = 0; column < row.cells.size(); ++column) {
      widths[column] = std::max(widths[column], width(row.cells[column]));
    }
  }
  std::string out;
  for (const Row& row : rows_) {
    std::string line = row.line;
    for (std::size_t column = 0; column < row.cells.size(); ++column) {
      const std::string& cell = row.cells[column];
      const std::string padding(widths[column] - width(cell), ' ');
      if (column > 0) line += "  ";
      const bool last = column + 1 == row.cells.size();
      if (alignment_[column] == Align::right) {
        line += padding + cell;
      } else {
        line += cell;
        if (!last) line += padding;
      }
    }
    while (line.ends_with(' ')) line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace zqe::commands
