#include "cli/rollout_commands.h"

#include "api/decode.h"
#include "api/duration.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "kube/api_client.h"

namespace devflow::cli {
namespace {

const kube::ResourceRef kRollouts{
    .group = "argoproj.io", .version = "v1alpha1", .plural = "rollouts", .kind = "Rollout"};
const kube::ResourceRef kReplicaSets{
    .group = "apps", .version = "v1", .plural = "replicasets", .kind = "ReplicaSet"};

// The resource a workloadRef names (Deployment, ReplicaSet or PodTemplate).
Result<kube::ResourceRef> WorkloadResource(const api::RolloutWorkloadRef& ref) {
  if (ref.kind == "Deployment") {
    return kube::ResourceRef{
        .group = "apps", .version = "v1", .plural = "deployments", .kind = "Deployment"};
  }
  if (ref.kind == "ReplicaSet") return kReplicaSets;
  if (ref.kind == "PodTemplate") {
    return kube::ResourceRef{
        .group = "", .version = "v1", .plural = "podtemplates", .kind = "PodTemplate"};
  }
  return InvalidArgumentError("workloadRef kind " + ref.kind + " is not supported");
}

Status Send(kube::ApiClient& client, const std::string& ns, const api::Rollout& rollout,
            const RolloutPatches& patches) {
  const std::string& name = rollout.metadata.name;
  if (patches.spec_patch) {
    DEVFLOW_RETURN_IF_ERROR(
        client.Patch(kRollouts, ns, name, kube::PatchType::kMerge, *patches.spec_patch).status());
  }
  if (patches.status_patch) {
    Result<json::Value> patched =
        client.Patch(kRollouts, ns, name, kube::PatchType::kMerge, *patches.status_patch, "status");
    // A CRD without the status subresource: the status is part of the object.
    if (!patched.ok() && patched.status().code() == StatusCode::kNotFound) {
      patched = client.Patch(kRollouts, ns, name, kube::PatchType::kMerge, *patches.status_patch);
    }
    DEVFLOW_RETURN_IF_ERROR(patched.status());
  }
  if (patches.template_patch) {
    kube::ResourceRef resource = kRollouts;
    std::string target = name;
    if (rollout.spec.workload_ref) {
      DEVFLOW_ASSIGN_OR_RETURN(resource, WorkloadResource(*rollout.spec.workload_ref));
      target = rollout.spec.workload_ref->name;
    }
    DEVFLOW_RETURN_IF_ERROR(
        client.Patch(resource, ns, target, kube::PatchType::kJson, *patches.template_patch)
            .status());
  }
  return Status::Ok();
}

Result<RolloutPatches> Plan(kube::ApiClient& client, const std::string& ns,
                            const RolloutActionFlags& flags, const api::Rollout& rollout) {
  switch (flags.action) {
    case RolloutAction::kPromote:
      return PromotePatches(rollout, flags.promote);
    case RolloutAction::kAbort:
      return AbortPatches(rollout);
    case RolloutAction::kRetry:
      return RetryPatches(rollout);
    case RolloutAction::kPause:
      return PausePatches(rollout);
    case RolloutAction::kResume:
      return ResumePatches(rollout);
    case RolloutAction::kRestart: {
      DEVFLOW_ASSIGN_OR_RETURN(std::chrono::seconds in, ParseDuration(flags.restart_in));
      return RestartPatches(rollout, std::chrono::system_clock::now(), in);
    }
    case RolloutAction::kUndo: {
      DEVFLOW_ASSIGN_OR_RETURN(kube::ObjectList list, client.ListAll(kReplicaSets, ns));
      std::vector<api::ReplicaSet> replica_sets;
      for (const json::Value& item : list.items) {
        replica_sets.push_back(api::Decode<api::ReplicaSet>(item));
      }
      return UndoPatches(rollout, replica_sets, flags.to_revision);
    }
  }
  return InternalError("unknown action");
}

}  // namespace

Result<std::chrono::seconds> ParseDuration(const std::string& text) {
  if (text == "0") return std::chrono::seconds(0);
  Result<std::chrono::nanoseconds> parsed = api::ParseGoDuration(text);
  if (!parsed.ok() || parsed->count() < 0) {
    return InvalidArgumentError("invalid duration \"" + text +
                                "\": expected e.g. 30s, 5m or 1h30m");
  }
  return std::chrono::ceil<std::chrono::seconds>(*parsed);
}

int RunRolloutAction(const KubeFlags& flags, const RolloutActionFlags& action, std::ostream& out,
                     std::ostream& err) {
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow: " << client.status().message() << "\n";
    return 1;
  }
  const std::string& ns = (*client)->config().namespace_;
  int status = 0;
  for (const std::string& name : action.names) {
    Result<json::Value> object = (*client)->Get(kRollouts, ns, name);
    Result<RolloutPatches> patches =
        object.ok() ? Plan(**client, ns, action, api::Decode<api::Rollout>(*object))
                    : Result<RolloutPatches>(object.status());
    Status sent = patches.ok() ? Send(**client, ns, api::Decode<api::Rollout>(*object), *patches)
                               : patches.status();
    if (!sent.ok()) {
      err << "devflow: " << sent.message() << "\n";
      status = 1;
      continue;
    }
    out << patches->message << "\n";
  }
  return status;
}

}  // namespace devflow::cli
