// The values the Kubernetes client passes around: which resource, how to list and watch it, and
// what comes back. Shared by the REST client (api_client.h), informers and the CLI, so that each
// can be written and tested against these types alone.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_value.h"
#include "common/result.h"

namespace devflow::kube {

// A REST resource: /apis/GROUP/VERSION/[namespaces/NS/]PLURAL, or /api/v1/... for the core group.
struct ResourceRef {
  std::string group;    // "" for the core group
  std::string version;  // "v1alpha1"
  std::string plural;   // "rollouts"
  std::string kind;     // "Rollout", for messages and for objects the client builds
  bool namespaced = true;
  // "argoproj.io/v1alpha1", or "v1" for the core group.
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  friend bool operator==(const ResourceRef&, const ResourceRef&) = default;
};

struct ListRequest {
  std::string label_selector;  // as in the query: "app=web,tier!=db"
  std::string field_selector;  // "metadata.name=web"
  int64_t limit = 0;           // 0: no limit
  std::string continue_token;  // from the previous page
  // "" (the latest, from storage), "0" (any: may be served from a cache), or a version.
  std::string resource_version;
  friend bool operator==(const ListRequest&, const ListRequest&) = default;
};

struct ObjectList {
  std::vector<json::Value> items;
  std::string resource_version;  // the list's metadata.resourceVersion
  std::string continue_token;    // non-empty when more pages follow
};

struct WatchRequest {
  // Events after this version; "" or "0" start with synthetic ADDED events for the current state.
  std::string resource_version;
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  // The server ends the watch after this long; 0 leaves it to the server.
  std::chrono::seconds timeout{0};
  friend bool operator==(const WatchRequest&, const WatchRequest&) = default;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object; for a bookmark only apiVersion, kind and metadata.resourceVersion.
  json::Value object;
};

// One open watch. Next() is called from one thread at a time; Cancel() from any thread.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // The next event, waiting up to `timeout`. nullopt when the server ended the watch (timeout)
  // or after Cancel(): watch again from the last version seen.
  // Errors: DeadlineExceeded when nothing arrived in time (the stream stays usable); Gone when
  // the server says the version is too old (an ERROR event with code 410: relist); Unavailable
  // when the connection broke; another code for any other ERROR event (its Status message).
  virtual Result<std::optional<WatchEvent>> Next(std::chrono::milliseconds timeout) = 0;
  virtual void Cancel() = 0;
};

}  // namespace devflow::kube
