#include "cli/resource_resolver.h"

#include <algorithm>
#include <cctype>

#include "kube/api_client.h"

namespace devflow::cli {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool NameMatches(const DiscoveredResource& resource, const std::string& name) {
  if (name == resource.ref.plural || name == resource.singular ||
      name == Lower(resource.ref.kind)) {
    return true;
  }
  return std::find(resource.short_names.begin(), resource.short_names.end(), name) !=
         resource.short_names.end();
}

}  // namespace

std::vector<DiscoveredResource> ParseResourceList(const json::Value& list, bool preferred) {
  std::vector<DiscoveredResource> out;
  const std::string group_version = json::StringAt(list, {"groupVersion"});
  std::string group, version = group_version;
  if (size_t slash = group_version.find('/'); slash != std::string::npos) {
    group = group_version.substr(0, slash);
    version = group_version.substr(slash + 1);
  }
  const json::Value* resources = list.Find("resources");
  if (resources == nullptr || !resources->is_array()) return out;
  for (const json::Value& entry : resources->as_array()) {
    if (!entry.is_object()) continue;
    std::string name = json::StringAt(entry, {"name"});
    if (name.empty() || name.find('/') != std::string::npos) continue;
    DiscoveredResource resource;
    resource.ref.group = group;
    resource.ref.version = version;
    resource.ref.plural = name;
    resource.ref.kind = json::StringAt(entry, {"kind"});
    const json::Value* namespaced = entry.Find("namespaced");
    resource.ref.namespaced =
        namespaced != nullptr && namespaced->is_bool() && namespaced->as_bool();
    resource.singular = json::StringAt(entry, {"singularName"});
    if (resource.singular.empty()) resource.singular = Lower(resource.ref.kind);
    if (const json::Value* shorts = entry.Find("shortNames"); shorts && shorts->is_array()) {
      for (const json::Value& s : shorts->as_array()) {
        if (s.is_string()) resource.short_names.push_back(s.as_string());
      }
    }
    resource.preferred = preferred;
    out.push_back(std::move(resource));
  }
  return out;
}

Result<kube::ResourceRef> ResolveResourceName(std::string_view typed,
                                              const std::vector<DiscoveredResource>& resources) {
  const std::string lowered = Lower(typed);
  // "name", "name.group" or "name.version.group": try each split, the
  // unqualified one first.
  struct Candidate {
    std::string name, version, group;
    bool group_given;
  };
  std::vector<Candidate> candidates = {{lowered, "", "", false}};
  if (size_t dot = lowered.find('.'); dot != std::string::npos) {
    std::string name = lowered.substr(0, dot);
    std::string rest = lowered.substr(dot + 1);
    candidates.push_back({name, "", rest, true});
    if (size_t second = rest.find('.'); second != std::string::npos) {
      candidates.push_back({name, rest.substr(0, second), rest.substr(second + 1), true});
    }
  }
  for (const Candidate& candidate : candidates) {
    const DiscoveredResource* best = nullptr;
    for (const DiscoveredResource& resource : resources) {
      if (!NameMatches(resource, candidate.name)) continue;
      if (candidate.group_given && resource.ref.group != candidate.group) continue;
      if (!candidate.version.empty() && resource.ref.version != candidate.version) continue;
      // Prefer the preferred version, then the core group, then the first
      // listed.
      if (best == nullptr || (resource.preferred && !best->preferred) ||
          (resource.preferred == best->preferred && resource.ref.group.empty() &&
           !best->ref.group.empty())) {
        best = &resource;
      }
    }
    if (best != nullptr) return best->ref;
  }
  return Status(StatusCode::kNotFound,
                "the server doesn't have a resource type \"" + std::string(typed) + "\"");
}

Result<std::vector<DiscoveredResource>> DiscoverResources(kube::ApiClient& client) {
  std::vector<DiscoveredResource> all;
  DEVFLOW_ASSIGN_OR_RETURN(json::Value core, client.GetPath("/api/v1"));
  for (DiscoveredResource& r : ParseResourceList(core, true)) all.push_back(std::move(r));
  DEVFLOW_ASSIGN_OR_RETURN(json::Value groups, client.GetPath("/apis"));
  const json::Value* list = groups.Find("groups");
  if (list == nullptr || !list->is_array()) return all;
  for (const json::Value& group : list->as_array()) {
    std::string preferred;
    if (const json::Value* p = group.Find("preferredVersion"); p != nullptr) {
      preferred = json::StringAt(*p, {"groupVersion"});
    }
    const json::Value* versions = group.Find("versions");
    if (versions == nullptr || !versions->is_array()) continue;
    for (const json::Value& version : versions->as_array()) {
      const std::string group_version = json::StringAt(version, {"groupVersion"});
      if (group_version.empty()) continue;
      Result<json::Value> resources = client.GetPath("/apis/" + group_version);
      // A group whose version cannot be read (an aggregated API that is down)
      // does not hide the others, as kubectl's partial discovery.
      if (!resources.ok()) continue;
      for (DiscoveredResource& r : ParseResourceList(*resources, group_version == preferred)) {
        all.push_back(std::move(r));
      }
    }
  }
  return all;
}

std::string DisplayName(const kube::ResourceRef& ref) {
  std::string name = Lower(ref.kind);
  if (!ref.group.empty()) name += "." + ref.group;
  return name;
}

}  // namespace devflow::cli
