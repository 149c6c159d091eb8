#include "controller/plan_writer.h"

#include <string>

#include "api/analysis_codec.h"
#include "api/decode.h"
#include "api/defaults.h"
#include "api/experiment_codec.h"
#include "api/pod_codec.h"
#include "api/pod_template_identity.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "controller/api_object_access.h"
#include "controller/object_writes.h"
#include "controller/traffic_targets.h"
#include "core/ephemeral_metadata.h"
#include "kube/api_client.h"
#include "kube/event_recorder.h"
#include "kube/typed_client.h"

namespace devflow::controller {
namespace {

const kube::ResourceRef& Rollouts() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::Rollout>();
  return resource;
}
const kube::ResourceRef& ReplicaSets() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::ReplicaSet>();
  return resource;
}
const kube::ResourceRef& Services() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::Service>();
  return resource;
}

const kube::ResourceRef& AnalysisRuns() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::AnalysisRun>();
  return resource;
}
const kube::ResourceRef& Pods() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::Pod>();
  return resource;
}

std::string ResourceVersionOf(const json::Value& object) {
  return json::StringAt(object, {"metadata", "resourceVersion"});
}

bool ControlledBy(const api::ReplicaSet& replica_set, const api::Rollout& rollout) {
  for (const api::OwnerReference& owner : replica_set.metadata.owner_references) {
    if (owner.controller.value_or(false) && owner.uid == rollout.metadata.uid) return true;
  }
  return false;
}

}  // namespace

Status PlanWriter::Write(
    const json::Value& rollout_json, const api::Rollout& rollout, const core::RolloutPlan& plan,
    const std::vector<std::unique_ptr<traffic::TrafficRouter>>& routers) const {
  const std::string& ns = rollout.metadata.namespace_;
  if (plan.create_replica_set) {
    if (Status created = CreateReplicaSet(rollout, *plan.create_replica_set); !created.ok()) {
      return created;
    }
  }

  std::string resource_version = ResourceVersionOf(rollout_json);
  if (plan.rollout_revision) {
    json::Value patch = json::Object{
        {"metadata",
         json::Object{{"resourceVersion", resource_version},
                      {"annotations", json::Object{{std::string(api::defaults::kRevisionAnnotation),
                                                    std::to_string(*plan.rollout_revision)}}}}}};
    Result<json::Value> patched =
        client_.Patch(Rollouts(), ns, rollout.metadata.name, kube::PatchType::kMerge, patch);
    if (!patched.ok()) return patched.error().WithContext("writing the Rollout's revision");
    resource_version = ResourceVersionOf(*patched);
  }

  for (const core::ServiceChange& change : plan.service_changes) {
    json::Value patch = json::Object{
        {"metadata",
         json::Object{
             {"uid", change.uid},
             {"annotations", json::Object{{std::string(api::defaults::kManagedByRolloutsAnnotation),
                                           rollout.metadata.name}}}}},
        {"spec",
         json::Object{{"selector", json::Object{{std::string(api::defaults::kPodTemplateHashLabel),
                                                 change.hash}}}}}};
    Result<json::Value> patched =
        client_.Patch(Services(), ns, change.name, kube::PatchType::kMerge, patch);
    if (!patched.ok()) {
      return patched.error().WithContext("switching the selector of Service " + change.name);
    }
    Event(rollout_json, {"Normal", "SwitchService",
                         "Switched selector for service '" + change.name + "' from '" +
                             change.from_hash + "' to '" + change.hash + "'"});
  }

  if (plan.traffic && !routers.empty()) {
    ApiObjectAccess objects(client_);
    traffic::TrafficTargets targets = TrafficTargetsFor(rollout, *plan.traffic);
    if (plan.traffic->zero_weight_first && rollout.status.canary.weights) {
      // No canary pod is available: take its traffic away before the hashes move (§4.6).
      traffic::TrafficTargets drained = targets;
      drained.canary_weight = 0;
      drained.canary_hash = rollout.status.canary.weights->canary.pod_template_hash;
      drained.stable_hash = rollout.status.canary.weights->stable.pod_template_hash;
      for (const auto& router : routers) {
        if (Status applied = router->Apply(drained, objects); !applied.ok()) {
          return applied.WithContext("setting the canary weight to 0 (" + router->Type() + ")");
        }
      }
    }
    for (const auto& router : routers) {
      if (Status applied = router->Apply(targets, objects); !applied.ok()) {
        return applied.WithContext("applying traffic weight " +
                                   std::to_string(targets.canary_weight) + " (" + router->Type() +
                                   ")");
      }
    }
  }

  for (const core::ReplicaSetChange& change : plan.replica_set_changes) {
    if (Status patched = PatchReplicaSet(client_, ns, change); !patched.ok()) return patched;
    if (change.replicas) {
      Event(rollout_json,
            {"Normal", "ScalingReplicaSet",
             "Scaled ReplicaSet " + change.name + " to " + std::to_string(*change.replicas)});
    }
  }

  // After their ReplicaSets' templates: a pod created meanwhile already has the new metadata.
  for (const core::PodMetadataChange& change : plan.pod_changes) {
    json::Object metadata{{"uid", change.uid}};
    if (!change.labels.empty()) metadata.Set("labels", StringMapMergePatch(change.labels));
    if (!change.annotations.empty())
      metadata.Set("annotations", StringMapMergePatch(change.annotations));
    Result<json::Value> patched =
        client_.Patch(Pods(), ns, change.name, kube::PatchType::kMerge,
                      json::Value(json::Object{{"metadata", std::move(metadata)}}));
    // A pod deleted meanwhile needs nothing; its replacement is made from the new template.
    if (!patched.ok() && patched.error().code() != StatusCode::kNotFound) {
      return patched.error().WithContext("updating the metadata of pod " + change.name);
    }
  }

  for (const auto& [name, uid] : plan.pod_deletions) {
    kube::DeleteRequest request;
    request.precondition_uid = uid;
    Result<json::Value> deleted = client_.Delete(Pods(), ns, name, request);
    if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound) {
      return deleted.error().WithContext("restarting pod " + name);
    }
  }

  for (const auto& [name, uid] : plan.replica_set_deletions) {
    if (Status deleted =
            DeleteWithUid(client_, ReplicaSets(), ns, name, uid, "old ReplicaSet " + name);
        !deleted.ok()) {
      return deleted;
    }
  }
  for (const api::AnalysisRun& run : plan.create_analysis_runs) {
    if (Status created = CreateUnlessExists(client_, AnalysisRuns(), ns, api::Encode(run),
                                            "AnalysisRun " + run.metadata.name);
        !created.ok()) {
      return created;
    }
  }
  for (const auto& [name, uid] : plan.terminate_analysis_runs) {
    if (Status terminated = TerminateAnalysisRun(client_, ns, name, uid); !terminated.ok()) {
      return terminated;
    }
  }
  for (const api::Experiment& experiment : plan.create_experiments) {
    if (Status created =
            CreateUnlessExists(client_, kube::ResourceOf<api::Experiment>(), ns,
                               api::Encode(experiment), "Experiment " + experiment.metadata.name);
        !created.ok()) {
      return created;
    }
  }
  for (const auto& [name, uid] : plan.terminate_experiments) {
    if (Status terminated = TerminateExperiment(client_, ns, name, uid); !terminated.ok()) {
      return terminated;
    }
  }
  for (const auto& [name, uid] : plan.delete_analysis_runs) {
    if (Status deleted = DeleteWithUid(client_, kube::ResourceOf<api::AnalysisRun>(), ns, name, uid,
                                       "old AnalysisRun " + name);
        !deleted.ok()) {
      return deleted;
    }
  }
  for (const auto& [name, uid] : plan.delete_experiments) {
    if (Status deleted = DeleteWithUid(client_, kube::ResourceOf<api::Experiment>(), ns, name, uid,
                                       "old Experiment " + name);
        !deleted.ok()) {
      return deleted;
    }
  }

  if (plan.status) {
    json::Value updated = rollout_json;
    updated.as_object().Set("status", api::Encode(*plan.status));
    updated["metadata"].as_object().Set("resourceVersion", resource_version);
    Result<json::Value> written = client_.UpdateStatus(Rollouts(), ns, updated);
    if (!written.ok()) return written.error().WithContext("writing the Rollout's status");
  }
  // Only now: a plan that failed part-way is planned again (with its events) next time.
  for (const core::PlannedEvent& event : plan.events) Event(rollout_json, event);
  return Status::Ok();
}

Status PlanWriter::CreateReplicaSet(const api::Rollout& rollout,
                                    const api::ReplicaSet& replica_set) const {
  const std::string& ns = rollout.metadata.namespace_;
  Result<json::Value> created = client_.Create(ReplicaSets(), ns, api::Encode(replica_set));
  if (created.ok()) return Status::Ok();
  if (created.error().code() != StatusCode::kAlreadyExists) {
    return created.error().WithContext("creating ReplicaSet " + replica_set.metadata.name);
  }
  Result<json::Value> existing_json = client_.Get(ReplicaSets(), ns, replica_set.metadata.name);
  if (!existing_json.ok())
    return existing_json.error().WithContext("reading a colliding ReplicaSet");
  const api::ReplicaSet existing = api::Decode<api::ReplicaSet>(*existing_json);
  if (ControlledBy(existing, rollout) && core::RunsRolloutTemplate(rollout, existing)) {
    return Status::Ok();  // ours: the cache had not seen it yet
  }
  // A hash collision: count it so that the next reconcile hashes to another name.
  api::Rollout bumped = rollout;
  bumped.status.collision_count = rollout.status.collision_count.value_or(0) + 1;
  Result<json::Value> written = client_.UpdateStatus(Rollouts(), ns, api::Encode(bumped));
  if (!written.ok()) return written.error().WithContext("counting a ReplicaSet name collision");
  return AlreadyExistsError("ReplicaSet " + replica_set.metadata.name +
                            " exists and is not this Rollout's; collisionCount is now " +
                            std::to_string(*bumped.status.collision_count));
}

void PlanWriter::Event(const json::Value& rollout_json, const core::PlannedEvent& event) const {
  if (recorder_ == nullptr) return;
  recorder_->Record(rollout_json,
                    event.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
                    event.reason, event.message);
}

}  // namespace devflow::controller
