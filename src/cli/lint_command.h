// `devflow lint -f FILE|DIR|-`: checks manifests without applying anything.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace devflow::cli {

// Exit codes of `devflow lint`.
inline constexpr int kLintClean = 0;
inline constexpr int kLintErrors = 1;
inline constexpr int kLintUnreadable = 2;

// Lints every manifest in `paths` (files, directories searched recursively for *.yaml, *.yml and
// *.json, or "-" for `in`). Prints each problem to `out` as "FILE:LINE:COL: FIELD.PATH: message"
// and each warning (an unknown, probably misspelt field) as "FILE:LINE:COL: warning: ...", then a
// one-line summary to `err`. Warnings do not change the exit code. Returns kLintClean, kLintErrors
// (some manifest is invalid or malformed) or kLintUnreadable (a path could not be read; takes
// precedence).
int RunLint(const std::vector<std::string>& paths, std::istream& in, std::ostream& out,
            std::ostream& err);

}  // namespace devflow::cli
