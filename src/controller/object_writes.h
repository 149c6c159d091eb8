// The conditional writes the controllers' plan writers share: each carries its precondition (a
// uid, or the resourceVersion read) so a stale decision never lands, and treats "already done"
// (AlreadyExists on a create, NotFound on a delete or a terminate) as done. Errors say what was
// being written.
// Thread-safety: as the client's (any thread).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/json_value.h"
#include "common/status.h"
#include "core/rollout_plan.h"

namespace devflow::kube {
class ApiClient;
struct ResourceRef;
}  // namespace devflow::kube

namespace devflow::controller {

// A merge patch of a string map (labels, annotations): a value sets the key, null removes it.
json::Object StringMapMergePatch(const std::map<std::string, std::optional<std::string>>& changes);

// Creates `object` (of `what`, e.g. "AnalysisRun web-1"); AlreadyExists is ok (an earlier pass
// made it and the cache has not shown it yet).
Status CreateUnlessExists(kube::ApiClient& client, const kube::ResourceRef& resource,
                          std::string_view ns, const json::Value& object, const std::string& what);

// The size, annotations and template metadata of `change`, as one merge patch carrying its uid.
Status PatchReplicaSet(kube::ApiClient& client, std::string_view ns,
                       const core::ReplicaSetChange& change);

// Deletes name (with its uid as precondition); NotFound is ok.
Status DeleteWithUid(kube::ApiClient& client, const kube::ResourceRef& resource,
                     std::string_view ns, const std::string& name, const std::string& uid,
                     const std::string& what);

// Sets spec.terminate on the run (uid precondition); NotFound is ok.
Status TerminateAnalysisRun(kube::ApiClient& client, std::string_view ns, const std::string& name,
                            const std::string& uid);

// Sets spec.terminate on the Experiment (uid precondition); NotFound is ok.
Status TerminateExperiment(kube::ApiClient& client, std::string_view ns, const std::string& name,
                           const std::string& uid);

// The merge patch writing `status` over `object_json` (the object as read), for kinds whose
// status is not a subresource (AnalysisRun, Experiment): metadata.resourceVersion of the read
// object (the precondition) and the difference of the status (members removed become null).
json::Value StatusMergePatch(const json::Value& object_json, const json::Value& status);

}  // namespace devflow::controller
