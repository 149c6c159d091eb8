// The printers' text layout: column alignment, trimming, one-line cells and truncation.
#include "cli/text_table.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace devflow::cli {
namespace {

std::string Written(const std::vector<TextRow>& rows, std::string_view indent) {
  std::ostringstream out;
  WriteTable(rows, indent, out);
  return out.str();
}

TEST(TextTableTest, GivenRowsWhenWrittenThenEachRowPrintsItsLayout) {
  struct Row {
    std::string name;
    std::vector<TextRow> rows;
    std::string indent;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"no rows: nothing", {}, "  ", ""},
      {"columns padded to the widest cell plus two, the last not padded",
       {{"NAME", "PHASE", "MESSAGE"}, {"baseline", "Running", "ok"}, {"c", "Failed", "bad"}},
       "",
       "NAME      PHASE    MESSAGE\n"
       "baseline  Running  ok\n"
       "c         Failed   bad\n"},
      {"every line starts with the indent",
       {{"Name:", "web"}, {"Namespace:", "default"}},
       "    ",
       "    Name:       web\n"
       "    Namespace:  default\n"},
      {"blank trailing cells leave no trailing spaces",
       {{"TIME", "PHASE", "VALUE", "MESSAGE"}, {"-", "Running", "", ""}},
       "  ",
       "  TIME  PHASE    VALUE  MESSAGE\n"
       "  -     Running\n"},
      {"a blank middle cell keeps its column's width",
       {{"a", "", "c"}, {"aa", "bbb", "c"}},
       "",
       "a        c\n"
       "aa  bbb  c\n"},
      {"a shorter row ends early; its last cell is not padded",
       {{"Images:", "nginx:1.25 (base)", "x"}, {"", "nginx:1.27 (canary)"}},
       "",
       "Images:  nginx:1.25 (base)    x\n"
       "         nginx:1.27 (canary)\n"},
      {"a row of blank cells is an empty line, indent included",
       {{"", ""}, {"k", "v"}},
       "  ",
       "\n"
       "  k  v\n"},
      {"an empty row is an empty line", {{}}, "  ", "\n"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Written(row.rows, row.indent), row.want) << "row " << row.name;
  }
}

TEST(TextTableTest, GivenTextWhenMadeOneLineThenWhitespaceRunsBecomeOneSpace) {
  struct Row {
    std::string name;
    std::string text;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"empty", "", ""},
      {"all whitespace", " \n\t ", ""},
      {"already one line", "metric failed", "metric failed"},
      {"newlines and tabs inside", "first\nline\tand\r\n  next", "first line and next"},
      {"ends trimmed", "\n  <html>ok</html>\n", "<html>ok</html>"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(OneLine(row.text), row.want) << "row " << row.name;
  }
}

TEST(TextTableTest, GivenTextWhenTruncatedThenCutToMaxWidthWithEllipsis) {
  struct Row {
    std::string name;
    std::string text;
    size_t max_width;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"shorter: whole", "0.99", 10, "0.99"},
      {"exactly max: whole", "0123456789", 10, "0123456789"},
      {"one over: cut to max - 3 plus ...", "0123456789A", 10, "0123456..."},
      {"max 3: only the ellipsis", "abcd", 3, "..."},
      {"max below 3: no room for the ellipsis", "abcd", 2, "ab"},
      {"max 0: empty", "abcd", 0, ""},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Truncate(row.text, row.max_width), row.want) << "row " << row.name;
  }
}

}  // namespace
}  // namespace devflow::cli
