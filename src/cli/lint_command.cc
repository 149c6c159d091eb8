#include "cli/lint_command.h"

#include <ostream>

#include "api/manifest_reader.h"
#include "api/object_check.h"
#include "cli/manifest_files.h"

namespace devflow::cli {
namespace {

void Print(const std::string& source, const SourceMap& positions, const api::FieldError& e,
           const char* severity, std::ostream& out) {
  Mark at = positions.Locate(e.path, e.value_offset, e.about_key);
  out << source << ":" << at.line << ":" << at.column << ": " << severity << api::ToString(e)
      << "\n";
}

}  // namespace

int RunLint(const std::vector<std::string>& paths, std::istream& in, std::ostream& out,
            std::ostream& err) {
  auto sources = ReadSources(paths, in);
  if (!sources.ok()) {
    err << "devflow lint: " << sources.error().message() << "\n";
    return kLintUnreadable;
  }
  int objects = 0;
  int problems = 0;
  int warnings = 0;
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
        Print(source.name, manifest.positions, e, "", out);
        ++problems;
      }
      for (const api::FieldError& w : check.warnings) {
        Print(source.name, manifest.positions, w, "warning: ", out);
        ++warnings;
      }
    }
  }
  err << "devflow lint: " << sources->size() << (sources->size() == 1 ? " file, " : " files, ")
      << objects << (objects == 1 ? " object, " : " objects, ")
      << (problems == 0 ? "no" : std::to_string(problems))
      << (problems == 1 ? " error" : " errors");
  if (warnings > 0) err << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
  err << "\n";
  return problems == 0 ? kLintClean : kLintErrors;
}

}  // namespace devflow::cli
