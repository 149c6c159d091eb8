// Reads manifests and checks every object, printing problems as FILE:LINE:COL:
// FIELD: message. Shared by `lint` (which stops there) and `apply`/`delete -f`
// (which go on only when clean).
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "api/manifest_reader.h"
#include "cli/manifest_files.h"
#include "common/result.h"

namespace devflow::cli {

struct CheckedManifests {
  int files = 0;
  std::vector<api::Manifest> manifests;  // every object read, in file order
  int errors = 0;                        // syntax errors and invalid objects
  int warnings = 0;
};

// Reads `paths` (see ReadSources) and checks each object (api::CheckObject).
// Errors go to `problems` ("FILE:LINE:COL: FIELD: message"), warnings too with
// a "warning: " prefix. Fails only when a path cannot be read
// (NotFound/Unavailable naming it).
Result<CheckedManifests> ReadAndCheckManifests(const std::vector<std::string>& paths,
                                               std::istream& in, std::ostream& problems);

}  // namespace devflow::cli
