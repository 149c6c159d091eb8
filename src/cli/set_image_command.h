// `devflow set image [TYPE/]NAME CONTAINER=IMAGE...`: changes container images in an object's
// pod template, as `kubectl set image` does for built-in kinds and as Argo Rollouts' kubectl
// plugin (`kubectl argo rollouts set image ROLLOUT CONTAINER=IMAGE`) does for a Rollout, which
// is what a bare NAME means. `*` as CONTAINER sets every container. On one machine the image's
// tag reaches the process as DEVFLOW_IMAGE_TAG, so the demo app changes colour.
//
// The change is one JSON patch: for each container a `test` of the image read, then a
// `replace`, so a concurrent edit of the same container makes it fail (Conflict-free retry is
// the user's: the message says what changed) instead of silently overwriting.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "cli/kube_flags.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::cli {

struct SetImageFlags {
  std::string target;               // "my-app" (a Rollout), "rollout/my-app", "rs/web", "pod/x"
  std::vector<std::string> images;  // "CONTAINER=IMAGE"
};

// Parses "CONTAINER=IMAGE" arguments. Errors: InvalidArgument naming the bad argument.
Result<std::map<std::string, std::string>> ParseImageArguments(
    const std::vector<std::string>& arguments);

// The JSON patch (an array of operations) setting `images` in `object` (a Pod, or any kind
// with spec.template.spec, or a CronJob), containers and initContainers alike. Empty when every
// image is already set. Errors: InvalidArgument when `object` has no pod template, or a named
// container is not in it (`unable to find container named "x"`).
Result<json::Value> ImagePatch(const json::Value& object,
                               const std::map<std::string, std::string>& images);

int RunSetImage(const KubeFlags& flags, const SetImageFlags& set, std::ostream& out,
                std::ostream& err);

}  // namespace devflow::cli
