#include "cli/manifest_check.h"

#include "api/object_check.h"
#include "cli/provider_config_check.h"

namespace devflow::cli {
namespace {

void Print(const std::string& source, const SourceMap& positions, const api::FieldError& e,
           const char* severity, std::ostream& out) {
  Mark at = positions.Locate(e.path, e.value_offset, e.about_key);
  out << source << ":" << at.line << ":" << at.column << ": " << severity << api::ToString(e)
      << "\n";
}

}  // namespace

Result<CheckedManifests> ReadAndCheckManifests(const std::vector<std::string>& paths,
                                               std::istream& in, std::ostream& problems) {
  DEVFLOW_ASSIGN_OR_RETURN(std::vector<SourceText> sources, ReadSources(paths, in));
  CheckedManifests checked;
  checked.files = static_cast<int>(sources.size());
  for (const SourceText& source : sources) {
    auto manifests = api::ReadManifests(source.text, source.name);
    if (!manifests.ok()) {
      // Already "FILE:LINE:COL: what is wrong".
      problems << manifests.error().message() << "\n";
      ++checked.errors;
      continue;
    }
    for (api::Manifest& manifest : *manifests) {
      api::ObjectCheck check = api::CheckObject(manifest.object);
      for (api::FieldError& e : CheckProviderConfigs(manifest.object)) {
        check.errors.push_back(std::move(e));
      }
      for (const api::FieldError& e : check.errors) {
        Print(source.name, manifest.positions, e, "", problems);
        ++checked.errors;
      }
      for (const api::FieldError& w : check.warnings) {
        Print(source.name, manifest.positions, w, "warning: ", problems);
        ++checked.warnings;
      }
      checked.manifests.push_back(std::move(manifest));
    }
  }
  return checked;
}

}  // namespace devflow::cli
