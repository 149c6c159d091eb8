// Resolves the resource a user names on the command line (`devflow get ro`,
// `get rollouts`, `get Rollout`, `get rollouts.argoproj.io`) against the
// server's discovery documents, as kubectl does, so that every resource the
// server serves (CRDs included) can be named.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"
#include "kube/api_types.h"

namespace devflow::kube {
class ApiClient;
}

namespace devflow::cli {

struct DiscoveredResource {
  kube::ResourceRef ref;
  std::string singular;
  std::vector<std::string> short_names;
  // The group's preferred version (a name matching several versions resolves to
  // this one).
  bool preferred = false;
  friend bool operator==(const DiscoveredResource&, const DiscoveredResource&) = default;
};

// The resources of one APIResourceList (/api/v1 or /apis/GROUP/VERSION),
// without subresources
// ("rollouts/status"). `group_version` is the list's groupVersion when the
// document lacks it.
std::vector<DiscoveredResource> ParseResourceList(const json::Value& list, bool preferred);

// Resolves `typed`: a plural, singular, short name or kind (case-insensitive),
// optionally qualified by group ("rollouts.argoproj.io") or version and group
// ("rollouts.v1alpha1.argoproj.io"). The preferred version wins; among groups,
// the core group, then the first listed. NotFound: `the server doesn't have a
// resource type "x"`.
Result<kube::ResourceRef> ResolveResourceName(std::string_view typed,
                                              const std::vector<DiscoveredResource>& resources);

// Reads /api/v1, /apis and every group's preferred and other versions through
// `client`.
Result<std::vector<DiscoveredResource>> DiscoverResources(kube::ApiClient& client);

// "rollout.argoproj.io" or "pod": how kubectl names a resource in its messages
// (lowercase kind, then the group).
std::string DisplayName(const kube::ResourceRef& ref);

}  // namespace devflow::cli
