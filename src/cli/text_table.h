// Plain-text layout shared by the human printers (`devflow get analysisrun NAME`,
// `devflow get experiment NAME`, without -o): aligned columns and cells kept on one line.
//
//   WriteTable({{"NAME", "STATUS", "MESSAGE"},
//               {"baseline", "Running", ""},
//               {"canary", "Pending", "waiting for pods"}}, "  ", out);
//
//   writes
//
//     NAME      STATUS   MESSAGE
//     baseline  Running
//     canary    Pending  waiting for pods
//
// Every column is as wide as its widest cell, columns are separated by two spaces, and no line
// ends in a space, so a blank last cell leaves nothing behind. The same writer lays out the
// "Name:  value" headers: a header is a two-column table. Widths count bytes, so a cell with
// multi-byte UTF-8 characters is padded as if each byte were one column (names, phases and
// times are ASCII; only values and messages may not be).
//
// All functions are pure and may be called from any thread.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace devflow::cli {

// One line of a table: its cells, left to right. Rows of a table may have different lengths; a
// shorter row simply ends early.
using TextRow = std::vector<std::string>;

// Writes `rows` to `out`, one line each, every line starting with `indent` and ending with "\n":
// each cell but a row's last is padded with spaces to its column's widest cell plus two; then
// trailing spaces are trimmed (an indent alone is trimmed too, leaving an empty line). Writes
// nothing for no rows.
void WriteTable(const std::vector<TextRow>& rows, std::string_view indent, std::ostream& out);

// `text` on one line: every run of whitespace (newlines and tabs included) becomes one space,
// and leading and trailing whitespace is dropped. "" for text that is all whitespace.
std::string OneLine(std::string_view text);

// `text` when it has at most `max_width` bytes, else its first `max_width - 3` bytes followed by
// "...", so the result is exactly `max_width` long (a `max_width` below 3 leaves no room for
// "...": the first `max_width` bytes). Keeps a long cell from pushing the next column off the
// screen; callers say where the whole text can be seen (-o yaml). Counts bytes like WriteTable,
// so a cut may fall inside a multi-byte UTF-8 character.
std::string Truncate(std::string_view text, size_t max_width);

}  // namespace devflow::cli
