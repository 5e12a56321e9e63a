#include "commands/text_table.hpp"

#include <gtest/gtest.h>

namespace zqe::commands {
namespace {

using Align = TextTable::Align;

TEST(TextTable, AlignsColumnsTwoSpacesApartWithoutTrailingSpaces) {
  TextTable table({Align::left, Align::right, Align::left});
  table.add_row({"NAME", "N", "NOTE"});
  table.add_row({"Ann", "126", "first"});
  table.add_row({"Bartholomew", "4", ""});
  EXPECT_EQ(table.render(),
            "NAME           N  NOTE\n"
            "Ann          126  first\n"
            "Bartholomew    4\n");
}

TEST(TextTable, CountsCodePointsAndLeavesFreeLinesOut) {
  TextTable table({Align::left, Align::right});
  table.add_line("a free line longer than every column");
  table.add_row({"Jürgen", "1"});
  table.add_row({"Ann", "22"});
  EXPECT_EQ(table.render(),
            "a free line longer than every column\n"
            "Jürgen   1\n"
            "Ann     22\n");
  EXPECT_EQ(TextTable::width("Jürgen"), 6u);
  EXPECT_EQ(TextTable::width("東京"), 2u);
}

TEST(TextTable, ShortRowsArePaddedWithEmptyCells) {
  TextTable table({Align::left, Align::left});
  table.add_row({"only"});
  table.add_row({"a", "b"});
  EXPECT_EQ(table.render(), "only\na     b\n");
}

}  // namespace
}  // namespace zqe::commands
