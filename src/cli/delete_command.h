// `devflow delete -f FILE|DIR|-` or `devflow delete RESOURCE NAME...`: deletes
// objects as `kubectl delete` does, with a cascade policy for their dependents.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/kube_flags.h"

namespace devflow::cli {

struct DeleteFlags {
  std::vector<std::string> files;  // -f
  std::string resource;            // or RESOURCE NAME...
  std::vector<std::string> names;
  std::string cascade = "background";  // --cascade=background|foreground|orphan
  bool ignore_not_found = false;
};

// Prints `KIND.GROUP "NAME" deleted` per object. Returns 0 when every object
// was deleted (or absent with --ignore-not-found), 1 otherwise.
int RunDelete(const KubeFlags& flags, const DeleteFlags& del, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace devflow::cli
