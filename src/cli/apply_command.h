// `devflow apply -f FILE|DIR|-`: creates or updates each object of the
// manifests, as `kubectl apply` does for custom resources: the last applied
// configuration is kept in the kubectl.kubernetes.io/last-applied-configuration
// annotation (so kubectl and devflow can take turns), and an existing object
// gets the three-way JSON merge patch between that, the file and the live
// object. Fields others set (a controller's status, `kubectl scale`) survive;
// fields removed from the file since the last apply are removed.
//
// Nothing is applied unless every object is valid and every kind is served: all
// objects are checked and resolved first.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "cli/kube_flags.h"

namespace devflow::cli {

inline constexpr std::string_view kLastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";

// Prints "KIND.GROUP/NAME created|configured|unchanged" per object. Returns 0
// when every object was applied, 1 otherwise (problems on `err`).
int RunApply(const KubeFlags& flags, const std::vector<std::string>& paths, std::istream& in,
             std::ostream& out, std::ostream& err);

}  // namespace devflow::cli
