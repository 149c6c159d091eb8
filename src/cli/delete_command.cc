#include "cli/delete_command.h"

#include <sstream>

#include "cli/manifest_check.h"
#include "cli/resource_resolver.h"
#include "kube/api_client.h"

namespace devflow::cli {
namespace {

struct Target {
  kube::ResourceRef resource;
  std::string namespace_;
  std::string name;
};

Result<std::string> PropagationPolicy(const std::string& cascade) {
  if (cascade == "background" || cascade == "true") return std::string("Background");
  if (cascade == "foreground") return std::string("Foreground");
  if (cascade == "orphan" || cascade == "false") return std::string("Orphan");
  return Status(StatusCode::kInvalidArgument,
                "invalid --cascade \"" + cascade +
                    "\": must be \"background\", \"foreground\", or \"orphan\"");
}

}  // namespace

int RunDelete(const KubeFlags& flags, const DeleteFlags& del, std::istream& in, std::ostream& out,
              std::ostream& err) {
  Result<std::string> policy = PropagationPolicy(del.cascade);
  if (!policy.ok()) {
    err << "devflow delete: " << policy.status().message() << "\n";
    return 1;
  }
  if (del.files.empty() == del.resource.empty()) {
    err << "devflow delete: give either -f FILE or RESOURCE NAME...\n";
    return 1;
  }
  if (!del.resource.empty() && del.names.empty()) {
    err << "devflow delete: give the names of the " << del.resource << " to delete\n";
    return 1;
  }
  Result<std::unique_ptr<kube::ApiClient>> client = ConnectClient(flags);
  if (!client.ok()) {
    err << "devflow delete: " << client.status().message() << "\n";
    return 1;
  }
  const std::string& default_namespace = (*client)->config().namespace_;

  std::vector<Target> targets;
  if (!del.files.empty()) {
    // Only the identity of each object matters here, so malformed files stop
    // the command but validation problems of an object's spec do not.
    std::ostringstream ignored;
    Result<CheckedManifests> checked = ReadAndCheckManifests(del.files, in, ignored);
    if (!checked.ok()) {
      err << "devflow delete: " << checked.status().message() << "\n";
      return 1;
    }
    for (const api::Manifest& manifest : checked->manifests) {
      const json::Value* av = manifest.object.Find("apiVersion");
      const json::Value* kind = manifest.object.Find("kind");
      if (av == nullptr || !av->is_string() || kind == nullptr || !kind->is_string()) {
        err << manifest.source << ": an object without apiVersion and kind\n";
        return 1;
      }
      Result<kube::ResourceRef> resource =
          (*client)->ResolveKind(av->as_string(), kind->as_string());
      if (!resource.ok()) {
        err << manifest.source << ": no matches for kind \"" << kind->as_string()
            << "\" in version \"" << av->as_string() << "\"\n";
        return 1;
      }
      std::string ns = json::StringAt(manifest.object, {"metadata", "namespace"});
      if (ns.empty()) ns = default_namespace;
      targets.push_back({*resource, resource->namespaced ? ns : "",
                         json::StringAt(manifest.object, {"metadata", "name"})});
    }
  } else {
    Result<std::vector<DiscoveredResource>> discovered = DiscoverResources(**client);
    if (!discovered.ok()) {
      err << "devflow delete: " << discovered.status().message() << "\n";
      return 1;
    }
    Result<kube::ResourceRef> resource = ResolveResourceName(del.resource, *discovered);
    if (!resource.ok()) {
      err << "error: " << resource.status().message() << "\n";
      return 1;
    }
    for (const std::string& name : del.names) {
      targets.push_back({*resource, resource->namespaced ? default_namespace : "", name});
    }
  }

  int failed = 0;
  for (const Target& target : targets) {
    kube::DeleteRequest request;
    request.propagation_policy = *policy;
    Result<json::Value> deleted =
        (*client)->Delete(target.resource, target.namespace_, target.name, request);
    if (!deleted.ok()) {
      if (deleted.status().code() == StatusCode::kNotFound && del.ignore_not_found) continue;
      err << "Error from server: " << deleted.status().message() << "\n";
      ++failed;
      continue;
    }
    out << DisplayName(target.resource) << " \"" << target.name << "\" deleted\n";
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace devflow::cli
