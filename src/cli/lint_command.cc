#include "cli/lint_command.h"

#include <ostream>

#include "api/manifest_reader.h"
#include "api/object_check.h"
#include "cli/manifest_files.h"

namespace devflow::cli {

int RunLint(const std::vector<std::string>& paths, std::istream& in, std::ostream& out,
            std::ostream& err) {
  auto sources = ReadSources(paths, in);
  if (!sources.ok()) {
    err << "devflow lint: " << sources.error().message() << "\n";
    return kLintUnreadable;
  }
  int objects = 0;
  int problems = 0;
  for (const SourceText& source : *sources) {
    auto manifests = api::ReadManifests(source.text, source.name);
    if (!manifests.ok()) {
      // Already "FILE:LINE:COL: what is wrong".
      out << manifests.error().message() << "\n";
      ++problems;
      continue;
    }
    for (const api::Manifest& manifest : *manifests) {
      ++objects;
      api::ObjectCheck check = api::CheckObject(manifest.object);
      for (const api::FieldError& e : check.errors) {
        Mark at = manifest.positions.Locate(e.path, e.value_offset, e.about_key);
        out << source.name << ":" << at.line << ":" << at.column << ": " << api::ToString(e)
            << "\n";
        ++problems;
      }
    }
  }
  err << "devflow lint: " << sources->size() << (sources->size() == 1 ? " file, " : " files, ")
      << objects << (objects == 1 ? " object, " : " objects, ")
      << (problems == 0 ? "no" : std::to_string(problems)) << (problems == 1 ? " error" : " errors")
      << "\n";
  return problems == 0 ? kLintClean : kLintErrors;
}

}  // namespace devflow::cli
