// ListerWatcher: how an informer lists and watches one resource (in one namespace, or all, and
// narrowed by selectors). The informer depends only on this interface, so tests drive it with an
// in-memory implementation and production code with NewListerWatcher over an ApiClient.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "kube/api_types.h"

namespace devflow::kube {

class ApiClient;

// Implementations must be callable from the informer's thread; one call at a time is enough.
class ListerWatcher {
 public:
  virtual ~ListerWatcher() = default;

  // One page of the list, as ApiClient::List: the request's limit, continue token and
  // resourceVersion are passed through. Errors are the server's (Gone when a continue token has
  // expired, Unavailable when the server cannot be reached, ...).
  virtual Result<ObjectList> List(const ListRequest& request) = 0;
  // Opens a watch, as ApiClient::Watch. Errors as List; Gone when the version is too old.
  virtual Result<std::unique_ptr<WatchStream>> Watch(const WatchRequest& request) = 0;
};

// A ListerWatcher of `resource` in namespace `ns` ("" for every namespace, and for cluster-scoped
// resources) through `client`, which must outlive it. `label_selector` and `field_selector` (in
// query form, "app=web,tier!=db") replace the selectors of every list and watch request.
std::unique_ptr<ListerWatcher> NewListerWatcher(ApiClient& client, ResourceRef resource,
                                                std::string ns, std::string label_selector = "",
                                                std::string field_selector = "");

}  // namespace devflow::kube
