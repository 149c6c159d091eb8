#include "cli/text_table.h"

#include <algorithm>
#include <cctype>

namespace devflow::cli {

void WriteTable(const std::vector<TextRow>& rows, std::string_view indent, std::ostream& out) {
  std::vector<size_t> widths;
  for (const TextRow& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const TextRow& row : rows) {
    std::string line(indent);
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    // npos + 1 wraps to 0, so a line of spaces only becomes empty.
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  }
}

std::string OneLine(std::string_view text) {
  std::string line;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !line.empty();
      continue;
    }
    if (space) line += ' ';
    space = false;
    line += c;
  }
  return line;
}

std::string Truncate(std::string_view text, size_t max_width) {
  if (text.size() <= max_width) return std::string(text);
  if (max_width < 3) return std::string(text.substr(0, max_width));
  return std::string(text.substr(0, max_width - 3)) + "...";
}

}  // namespace devflow::cli
