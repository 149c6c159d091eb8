// `devflow set image [TYPE/]NAME CONTAINER=IMAGE...`: changes container images in an object's
// pod template, as `kubectl set image` does for built-in kinds and as Argo Rollouts' kubectl
// plugin (`kubectl argo rollouts set image ROLLOUT CONTAINER=IMAGE`) does for a Rollout, which
// is what a bare NAME means. `*` as CONTAINER sets every container. On one machine the image's
// tag reaches the process as DEVFLOW_IMAGE_TAG, so the demo app changes colour.
//
// The change is one JSON patch: for each container a `test` of its name and image as read, then
// a `replace`, so the patch never lands on a container moved or changed meanwhile; it is then
// read and tried again, up to 5 times, as Argo's plugin retries its update on a conflict. A
// Rollout with spec.workloadRef has its Deployment changed instead, as with Argo's plugin.
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
// with spec.template.spec, or a CronJob), in containers, initContainers and ephemeralContainers.
// Empty when every image is already set. Errors: InvalidArgument when `object` has
// no pod template, or a named container is not in it (`unable to find container named "x"`).
Result<json::Value> ImagePatch(const json::Value& object,
                               const std::map<std::string, std::string>& images);

int RunSetImage(const KubeFlags& flags, const SetImageFlags& set, std::ostream& out,
                std::ostream& err);

}  // namespace devflow::cli
