#include "controller/object_writes.h"

#include "api/analysis.h"
#include "api/experiment.h"
#include "api/merge_patch.h"
#include "api/workloads.h"
#include "kube/api_client.h"
#include "kube/typed_client.h"

namespace devflow::controller {
json::Object StringMapMergePatch(const std::map<std::string, std::optional<std::string>>& changes) {
  json::Object patch;
  for (const auto& [key, value] : changes) {
    patch.Set(key, value ? json::Value(*value) : json::Value(nullptr));
  }
  return patch;
}

Status CreateUnlessExists(kube::ApiClient& client, const kube::ResourceRef& resource,
                          std::string_view ns, const json::Value& object, const std::string& what) {
  Result<json::Value> created = client.Create(resource, ns, object);
  if (!created.ok() && created.error().code() != StatusCode::kAlreadyExists) {
    return created.error().WithContext("creating " + what);
  }
  return Status::Ok();
}

Status PatchReplicaSet(kube::ApiClient& client, std::string_view ns,
                       const core::ReplicaSetChange& change) {
  json::Object metadata{{"uid", change.uid}};
  if (!change.annotations.empty())
    metadata.Set("annotations", StringMapMergePatch(change.annotations));
  json::Object patch{{"metadata", std::move(metadata)}};
  json::Object spec;
  if (change.replicas) spec.Set("replicas", int64_t{*change.replicas});
  if (!change.template_labels.empty() || !change.template_annotations.empty()) {
    json::Object template_metadata;
    if (!change.template_labels.empty()) {
      template_metadata.Set("labels", StringMapMergePatch(change.template_labels));
    }
    if (!change.template_annotations.empty()) {
      template_metadata.Set("annotations", StringMapMergePatch(change.template_annotations));
    }
    spec.Set("template", json::Object{{"metadata", std::move(template_metadata)}});
  }
  if (!spec.empty()) patch.Set("spec", std::move(spec));
  Result<json::Value> patched = client.Patch(kube::ResourceOf<api::ReplicaSet>(), ns, change.name,
                                             kube::PatchType::kMerge, json::Value(patch));
  if (!patched.ok()) return patched.error().WithContext("updating ReplicaSet " + change.name);
  return Status::Ok();
}

Status DeleteWithUid(kube::ApiClient& client, const kube::ResourceRef& resource,
                     std::string_view ns, const std::string& name, const std::string& uid,
                     const std::string& what) {
  kube::DeleteRequest request;
  request.precondition_uid = uid;
  Result<json::Value> deleted = client.Delete(resource, ns, name, request);
  if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound) {
    return deleted.error().WithContext("deleting " + what);
  }
  return Status::Ok();
}

namespace {

Status Terminate(kube::ApiClient& client, const kube::ResourceRef& resource, std::string_view ns,
                 const std::string& name, const std::string& uid, const std::string& what) {
  Result<json::Value> patched =
      client.Patch(resource, ns, name, kube::PatchType::kMerge,
                   json::Value(json::Object{{"metadata", json::Object{{"uid", uid}}},
                                            {"spec", json::Object{{"terminate", true}}}}));
  if (!patched.ok() && patched.error().code() != StatusCode::kNotFound) {
    return patched.error().WithContext("terminating " + what);
  }
  return Status::Ok();
}

}  // namespace

Status TerminateAnalysisRun(kube::ApiClient& client, std::string_view ns, const std::string& name,
                            const std::string& uid) {
  return Terminate(client, kube::ResourceOf<api::AnalysisRun>(), ns, name, uid,
                   "AnalysisRun " + name);
}

Status TerminateExperiment(kube::ApiClient& client, std::string_view ns, const std::string& name,
                           const std::string& uid) {
  return Terminate(client, kube::ResourceOf<api::Experiment>(), ns, name, uid,
                   "Experiment " + name);
}

json::Value StatusMergePatch(const json::Value& object_json, const json::Value& status) {
  const json::Value* read = object_json.Find("status");
  json::Value patch = json::Object{
      {"metadata", json::Object{{"resourceVersion",
                                 json::StringAt(object_json, {"metadata", "resourceVersion"})}}}};
  json::Value diff =
      api::CreateMergePatch(read != nullptr ? *read : json::Value(json::Object{}), status);
  if (!diff.is_object() || !diff.as_object().empty()) patch.as_object().Set("status", diff);
  return patch;
}

}  // namespace devflow::controller
