#include "cli/set_image_command.h"

#include <set>

#include "cli/resource_resolver.h"
#include "kube/api_client.h"

namespace devflow::cli {
namespace {

std::string StringAt(const json::Value& value, std::string_view key) {
  const json::Value* member = value.Find(key);
  return member != nullptr && member->is_string() ? member->as_string() : "";
}

// The JSON pointer of the pod spec inside `object`, or "" when it has none.
std::string PodSpecPointer(const json::Value& object) {
  const std::string kind = StringAt(object, "kind");
  if (kind == "Pod") return "/spec";
  const json::Value* spec = object.Find("spec");
  if (spec == nullptr) return "";
  if (kind == "CronJob") {
    const json::Value* job = spec->Find("jobTemplate");
    const json::Value* job_spec = job ? job->Find("spec") : nullptr;
    const json::Value* pod = job_spec ? job_spec->Find("template") : nullptr;
    return pod && pod->Find("spec") ? "/spec/jobTemplate/spec/template/spec" : "";
  }
  const json::Value* pod = spec->Find("template");
  return pod && pod->Find("spec") ? "/spec/template/spec" : "";
}

const json::Value* AtPointer(const json::Value& object, std::string_view pointer) {
  const json::Value* at = &object;
  while (!pointer.empty() && at != nullptr) {
    pointer.remove_prefix(1);  // '/'
    const size_t slash = pointer.find('/');
    at = at->Find(pointer.substr(0, slash));
    pointer = slash == std::string_view::npos ? std::string_view() : pointer.substr(slash);
  }
  return at;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseImageArguments(
    const std::vector<std::string>& arguments) {
  std::map<std::string, std::string> images;
  if (arguments.empty()) return InvalidArgumentError("give at least one CONTAINER=IMAGE");
  for (const std::string& argument : arguments) {
    const size_t equals = argument.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == argument.size()) {
      return InvalidArgumentError("\"" + argument + "\": expected CONTAINER=IMAGE");
    }
    images[argument.substr(0, equals)] = argument.substr(equals + 1);
  }
  return images;
}

Result<json::Value> ImagePatch(const json::Value& object,
                               const std::map<std::string, std::string>& images) {
  const std::string pod_spec = PodSpecPointer(object);
  const std::string kind = StringAt(object, "kind");
  if (pod_spec.empty()) return InvalidArgumentError(kind + " has no pod template");
  const json::Value* spec = AtPointer(object, pod_spec);
  json::Array operations;
  std::set<std::string> found;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    const json::Value* containers = spec->Find(list);
    if (containers == nullptr || !containers->is_array()) continue;
    for (size_t i = 0; i < containers->as_array().size(); ++i) {
      const json::Value& container = containers->as_array()[i];
      const std::string name = StringAt(container, "name");
      auto wanted = images.find(name);
      if (wanted == images.end()) wanted = images.find("*");
      if (wanted == images.end()) continue;
      found.insert(wanted->first);
      const std::string current = StringAt(container, "image");
      if (current == wanted->second) continue;
      const std::string entry = pod_spec + "/" + list + "/" + std::to_string(i);
      const std::string path = entry + "/image";
      // The index must still name this container when the patch is applied.
      operations.push_back(
          json::Object{{"op", "test"}, {"path", entry + "/name"}, {"value", name}});
      if (container.Find("image") != nullptr) {
        operations.push_back(json::Object{{"op", "test"}, {"path", path}, {"value", current}});
      }
      operations.push_back(json::Object{{"op", container.Find("image") ? "replace" : "add"},
                                        {"path", path},
                                        {"value", wanted->second}});
    }
  }
  for (const auto& [name, image] : images) {
    if (!found.contains(name)) {
      return InvalidArgumentError("unable to find container named \"" + name + "\"");
    }
  }
  return json::Value(std::move(operations));
}

int RunSetImage(const KubeFlags& flags, const SetImageFlags& set, std::ostream& out,
                std::ostream& err) {
  Result<std::map<std::string, std::string>> images = ParseImageArguments(set.images);
  if (!images.ok()) {
    err << "devflow set image: " << images.status().message() << "\n";
    return 1;
  }
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow set image: " << client.status().message() << "\n";
    return 1;
  }
  // A bare name is a Rollout, as with Argo Rollouts' plugin.
  const size_t slash = set.target.find('/');
  const std::string type = slash == std::string::npos ? "rollouts" : set.target.substr(0, slash);
  const std::string name = slash == std::string::npos ? set.target : set.target.substr(slash + 1);
  auto fail = [&](const Status& status) {
    err << "devflow set image: " << status.message() << "\n";
    return 1;
  };
  if (name.empty()) return fail(InvalidArgumentError("give the object as [TYPE/]NAME"));
  Result<std::vector<DiscoveredResource>> resources = DiscoverResources(**client);
  if (!resources.ok()) return fail(resources.status());
  Result<kube::ResourceRef> resource = ResolveResourceName(type, *resources);
  if (!resource.ok()) return fail(resource.status());
  const std::string& ns = (*client)->config().namespace_;

  kube::ResourceRef target = *resource;
  std::string target_name = name;
  // A Rollout that references a Deployment's template (spec.workloadRef) changes the Deployment,
  // as Argo's plugin does.
  Result<json::Value> object = (*client)->Get(target, ns, target_name);
  if (!object.ok()) return fail(object.status());
  if (const json::Value* spec = object->Find("spec");
      StringAt(*object, "kind") == "Rollout" && spec != nullptr && spec->Find("workloadRef")) {
    const json::Value& ref = *spec->Find("workloadRef");
    Result<kube::ResourceRef> deployments = ResolveResourceName("deployments.apps", *resources);
    if (!deployments.ok()) return fail(deployments.status());
    target = *deployments;
    target_name = StringAt(ref, "name");
    object = (*client)->Get(target, ns, target_name);
    if (!object.ok()) return fail(object.status());
  }
  const std::string display = DisplayName(target) + "/" + target_name;
  // A concurrent change between the read and the patch fails a test; read again, as Argo's
  // plugin retries its update on a conflict.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    Result<json::Value> patch = ImagePatch(*object, *images);
    if (!patch.ok()) return fail(patch.status());
    if (patch->as_array().empty()) {
      out << display << " image unchanged\n";
      return 0;
    }
    Result<json::Value> patched =
        (*client)->Patch(target, ns, target_name, kube::PatchType::kJson, *patch);
    if (patched.ok()) break;
    if (attempt == kAttempts || patched.status().code() != StatusCode::kInvalidArgument) {
      return fail(patched.status());
    }
    object = (*client)->Get(target, ns, target_name);
    if (!object.ok()) return fail(object.status());
  }
  out << display << " image updated\n";
  return 0;
}

}  // namespace devflow::cli
