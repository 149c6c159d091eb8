#include "cli/lint_command.h"

#include <ostream>

#include "cli/manifest_check.h"

namespace devflow::cli {

int RunLint(const std::vector<std::string>& paths, std::istream& in, std::ostream& out,
            std::ostream& err) {
  Result<CheckedManifests> checked = ReadAndCheckManifests(paths, in, out);
  if (!checked.ok()) {
    err << "devflow lint: " << checked.status().message() << "\n";
    return kLintUnreadable;
  }
  const int objects = static_cast<int>(checked->manifests.size());
  const int problems = checked->errors;
  err << "devflow lint: " << checked->files << (checked->files == 1 ? " file, " : " files, ")
      << objects << (objects == 1 ? " object, " : " objects, ")
      << (problems == 0 ? "no" : std::to_string(problems))
      << (problems == 1 ? " error" : " errors");
  if (checked->warnings > 0) {
    err << ", " << checked->warnings << (checked->warnings == 1 ? " warning" : " warnings");
  }
  err << "\n";
  return problems == 0 ? kLintClean : kLintErrors;
}

}  // namespace devflow::cli
