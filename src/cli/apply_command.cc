#include "cli/apply_command.h"

#include "api/merge_patch.h"
#include "api/strategic_merge_patch.h"
#include "cli/manifest_check.h"
#include "cli/resource_resolver.h"
#include "common/json_reader.h"
#include "kube/api_client.h"

namespace devflow::cli {
namespace {

struct PlannedObject {
  const api::Manifest* manifest = nullptr;
  kube::ResourceRef resource;
  std::string namespace_;
  std::string name;
  json::Value desired;  // with the namespace and the last-applied annotation set
};

// The annotation's value: the object as the file has it (with the namespace the
// apply chose), without the annotation itself, as kubectl stores it.
std::string LastAppliedText(const json::Value& object) {
  json::Value copy = object;
  if (json::Value* metadata = copy.Find("metadata"); metadata != nullptr) {
    if (json::Value* annotations = metadata->Find("annotations");
        annotations != nullptr && annotations->is_object()) {
      annotations->as_object().Erase(kLastAppliedAnnotation);
      if (annotations->as_object().empty()) metadata->as_object().Erase("annotations");
    }
  }
  return json::Write(copy);
}

json::Value LastAppliedOf(const json::Value& live) {
  const json::Value* metadata = live.Find("metadata");
  const json::Value* annotations = metadata != nullptr ? metadata->Find("annotations") : nullptr;
  const json::Value* text =
      annotations != nullptr ? annotations->Find(kLastAppliedAnnotation) : nullptr;
  if (text == nullptr || !text->is_string()) return json::Value();
  Result<json::Value> parsed = json::Parse(text->as_string());
  return parsed.ok() ? *parsed : json::Value();
}

Result<PlannedObject> Plan(const api::Manifest& manifest, kube::ApiClient& client,
                           const KubeFlags& flags, const std::string& default_namespace) {
  PlannedObject planned;
  planned.manifest = &manifest;
  const std::string api_version = manifest.object.Find("apiVersion")->as_string();
  const std::string kind = manifest.object.Find("kind")->as_string();
  Result<kube::ResourceRef> resource = client.ResolveKind(api_version, kind);
  if (!resource.ok()) {
    if (resource.status().code() == StatusCode::kNotFound) {
      return Status(StatusCode::kNotFound,
                    "no matches for kind \"" + kind + "\" in version \"" + api_version + "\"");
    }
    return resource.status();
  }
  planned.resource = *resource;
  planned.name = json::StringAt(manifest.object, {"metadata", "name"});
  planned.desired = manifest.object;
  if (planned.resource.namespaced) {
    std::string written = json::StringAt(manifest.object, {"metadata", "namespace"});
    if (!written.empty() && !flags.namespace_.empty() && written != flags.namespace_) {
      return Status(StatusCode::kInvalidArgument,
                    "the namespace from the provided object \"" + written +
                        "\" does not match the namespace \"" + flags.namespace_ +
                        "\". You must pass '--namespace=" + written +
                        "' to perform this operation.");
    }
    planned.namespace_ = written.empty() ? default_namespace : written;
    planned.desired["metadata"].as_object().Set("namespace", planned.namespace_);
  }
  json::Value& annotations = planned.desired["metadata"]["annotations"];
  if (!annotations.is_object()) annotations = json::Object{};
  annotations.as_object().Set(std::string(kLastAppliedAnnotation),
                              LastAppliedText(planned.desired));
  return planned;
}

// Whether the server takes strategic merge patches for this resource, as kubectl decides: the
// kinds Kubernetes itself defines (custom resources answer 415). CRD groups always contain a
// dot; Kubernetes' own groups are dot-free ("apps") or end in ".k8s.io".
bool UsesStrategicMerge(const kube::ResourceRef& resource) {
  const std::string& group = resource.group;
  const bool builtin_group =
      group.empty() || group.find('.') == std::string::npos ||
      (group.size() > 7 && group.compare(group.size() - 7, 7, ".k8s.io") == 0);
  return builtin_group && api::HasStrategicPatchSchema(resource.kind);
}

// kubectl's three-way strategic merge for built-in kinds: what the last apply set and the file
// no longer has is deleted, the file's values are merged over the live object list item by list
// item (by merge key), and what the server or others set inside those items (a Service port's
// defaulted protocol) survives. Returns the two-way patch from live to that result: {} when
// nothing changes.
Result<json::Value> StrategicApplyPatch(const json::Value& last_applied, const json::Value& desired,
                                        const json::Value& live, const api::PatchSchema& schema) {
  json::Value target = live;
  if (!last_applied.is_null()) {
    DEVFLOW_ASSIGN_OR_RETURN(
        target, api::ApplyStrategicMergePatch(
                    target, api::CreateStrategicMergePatch(last_applied, desired, schema), schema));
  }
  DEVFLOW_ASSIGN_OR_RETURN(target, api::ApplyStrategicMergePatch(target, desired, schema));
  return api::CreateStrategicMergePatch(live, target, schema);
}

// Applies one object; returns "created", "configured" or "unchanged".
Result<std::string> ApplyOne(const PlannedObject& planned, kube::ApiClient& client) {
  Result<json::Value> live = client.Get(planned.resource, planned.namespace_, planned.name);
  if (!live.ok() && live.status().code() == StatusCode::kNotFound) {
    DEVFLOW_RETURN_IF_ERROR(
        client.Create(planned.resource, planned.namespace_, planned.desired).status());
    return std::string("created");
  }
  if (!live.ok()) return live.status();
  const bool strategic = UsesStrategicMerge(planned.resource);
  json::Value patch;
  if (strategic) {
    DEVFLOW_ASSIGN_OR_RETURN(patch,
                             StrategicApplyPatch(LastAppliedOf(*live), planned.desired, *live,
                                                 api::PatchSchemaForKind(planned.resource.kind)));
  } else {
    patch = api::CreateThreeWayMergePatch(LastAppliedOf(*live), planned.desired, *live);
  }
  if (patch.is_object() && patch.as_object().empty()) return std::string("unchanged");
  DEVFLOW_RETURN_IF_ERROR(
      client
          .Patch(planned.resource, planned.namespace_, planned.name,
                 strategic ? kube::PatchType::kStrategic : kube::PatchType::kMerge, patch)
          .status());
  return std::string("configured");
}

}  // namespace

int RunApply(const KubeFlags& flags, const std::vector<std::string>& paths, std::istream& in,
             std::ostream& out, std::ostream& err) {
  Result<CheckedManifests> checked = ReadAndCheckManifests(paths, in, err);
  if (!checked.ok()) {
    err << "devflow apply: " << checked.status().message() << "\n";
    return 1;
  }
  if (checked->errors > 0) {
    err << "devflow apply: " << checked->errors << (checked->errors == 1 ? " error" : " errors")
        << "; nothing applied\n";
    return 1;
  }
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow apply: " << client.status().message() << "\n";
    return 1;
  }
  // Resolve every object before writing any, so an unknown kind applies
  // nothing.
  std::vector<PlannedObject> plan;
  int unresolved = 0;
  for (const api::Manifest& manifest : checked->manifests) {
    Result<PlannedObject> planned = Plan(manifest, **client, flags, (*client)->config().namespace_);
    if (!planned.ok()) {
      err << manifest.source << ": " << planned.status().message() << "\n";
      ++unresolved;
      continue;
    }
    plan.push_back(std::move(*planned));
  }
  if (unresolved > 0) {
    err << "devflow apply: nothing applied\n";
    return 1;
  }
  int failed = 0;
  for (const PlannedObject& planned : plan) {
    Result<std::string> outcome = ApplyOne(planned, **client);
    if (!outcome.ok()) {
      err << "Error from server: " << DisplayName(planned.resource) << "/" << planned.name << ": "
          << outcome.status().message() << "\n";
      ++failed;
      continue;
    }
    out << DisplayName(planned.resource) << "/" << planned.name << " " << *outcome << "\n";
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace devflow::cli
