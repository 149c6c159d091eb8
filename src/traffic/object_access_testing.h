// FakeObjects: an in-memory ObjectAccess for the routers' tests (a real implementation of the
// interface over a map, like leveldb's memenv, not a mock that scripts calls).
//
// It behaves like the API server in what routers depend on:
//   - objects are keyed by resource (group + plural), namespace and name;
//   - every successful write stores a new metadata.resourceVersion from one counter;
//   - Create of a taken name is AlreadyExists; Get/Update/Delete of a missing one is NotFound;
//   - Update must carry metadata.resourceVersion (routers write conditionally) and fails with
//     Conflict when it is not the stored one.
// Get returns a copy; nothing a caller does to it changes the store.
//
// Fault injection: ConflictNextUpdates(n) makes the next n Updates fail with Conflict as if
// another writer had won the race (the stored object's resourceVersion is bumped, so a re-read
// sees a newer version); OnUpdate(hook) and OnCreate(hook) run a hook before each Update or
// Create is decided, for a concurrent writer that changes or creates the object itself.
//
// Thread-safety: all members may be called from any thread; the hook runs without the lock.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "common/json_value.h"
#include "common/result.h"
#include "common/status.h"
#include "kube/api_types.h"
#include "traffic/traffic_router.h"

namespace devflow::traffic::testing {

class FakeObjects : public ObjectAccess {
 public:
  FakeObjects() = default;
  FakeObjects(const FakeObjects&) = delete;
  FakeObjects& operator=(const FakeObjects&) = delete;

  // Stores `object` (test setup: not counted in writes()) under its metadata.namespace and
  // metadata.name, replacing any object of that name, with a fresh resourceVersion.
  // REQUIRES: object is an object with metadata.name.
  void Put(const kube::ResourceRef& resource, json::Value object) {
    std::lock_guard lock(mu_);
    std::string ns = json::StringAt(object, {"metadata", "namespace"});
    std::string name = json::StringAt(object, {"metadata", "name"});
    StampLocked(object);
    objects_[Key(resource, ns, name)] = std::move(object);
  }

  // The stored object, or nullopt.
  std::optional<json::Value> Find(const kube::ResourceRef& resource, std::string_view ns,
                                  std::string_view name) const {
    std::lock_guard lock(mu_);
    auto it = objects_.find(Key(resource, ns, name));
    if (it == objects_.end()) return std::nullopt;
    return it->second;
  }

  // Successful Create, Update and Delete calls so far (Put is setup and does not count).
  int writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }
  // Get calls so far, found or not.
  int reads() const {
    std::lock_guard lock(mu_);
    return reads_;
  }
  // Update calls that failed with Conflict so far.
  int conflicts() const {
    std::lock_guard lock(mu_);
    return conflicts_;
  }

  // The next `count` Updates fail with Conflict; each bumps the stored resourceVersion first.
  void ConflictNextUpdates(int count) {
    std::lock_guard lock(mu_);
    forced_conflicts_ = count;
  }
  // Runs `hook` at the start of every Update (before the resourceVersion check); empty clears it.
  void OnUpdate(std::function<void(FakeObjects&)> hook) {
    std::lock_guard lock(mu_);
    on_update_ = std::move(hook);
  }
  // Runs `hook` at the start of every Create (before the name check); empty clears it.
  void OnCreate(std::function<void(FakeObjects&)> hook) {
    std::lock_guard lock(mu_);
    on_create_ = std::move(hook);
  }

  Result<json::Value> Get(const kube::ResourceRef& resource, std::string_view ns,
                          std::string_view name) override {
    std::lock_guard lock(mu_);
    ++reads_;
    auto it = objects_.find(Key(resource, ns, name));
    if (it == objects_.end()) return NotFoundError(Describe(resource, ns, name) + " not found");
    return it->second;
  }

  Result<json::Value> Create(const kube::ResourceRef& resource, std::string_view ns,
                             const json::Value& object) override {
    std::function<void(FakeObjects&)> hook;
    {
      std::lock_guard lock(mu_);
      hook = on_create_;
    }
    if (hook) hook(*this);
    std::lock_guard lock(mu_);
    json::Value stored = object;
    DEVFLOW_ASSIGN_OR_RETURN(std::string name, CheckIdentity(stored, ns));
    auto key = Key(resource, ns, name);
    if (objects_.count(key) > 0) {
      return AlreadyExistsError(Describe(resource, ns, name) + " already exists");
    }
    StampLocked(stored);
    objects_[key] = stored;
    ++writes_;
    return stored;
  }

  Result<json::Value> Update(const kube::ResourceRef& resource, std::string_view ns,
                             const json::Value& object) override {
    std::function<void(FakeObjects&)> hook;
    {
      std::lock_guard lock(mu_);
      hook = on_update_;
    }
    if (hook) hook(*this);
    std::lock_guard lock(mu_);
    json::Value stored = object;
    DEVFLOW_ASSIGN_OR_RETURN(std::string name, CheckIdentity(stored, ns));
    auto it = objects_.find(Key(resource, ns, name));
    if (it == objects_.end()) return NotFoundError(Describe(resource, ns, name) + " not found");
    std::string version = json::StringAt(stored, {"metadata", "resourceVersion"});
    if (version.empty()) {
      return InvalidArgumentError(Describe(resource, ns, name) + ": update without a version",
                                  "metadata.resourceVersion");
    }
    if (forced_conflicts_ > 0) {
      --forced_conflicts_;
      StampLocked(it->second);
    }
    if (version != json::StringAt(it->second, {"metadata", "resourceVersion"})) {
      ++conflicts_;
      return ConflictError("Operation cannot be fulfilled on " + Describe(resource, ns, name) +
                           ": the object has been modified; please apply your changes to the "
                           "latest version and try again");
    }
    StampLocked(stored);
    it->second = stored;
    ++writes_;
    return stored;
  }

  Status Delete(const kube::ResourceRef& resource, std::string_view ns,
                std::string_view name) override {
    std::lock_guard lock(mu_);
    if (objects_.erase(Key(resource, ns, name)) == 0) {
      return NotFoundError(Describe(resource, ns, name) + " not found");
    }
    ++writes_;
    return Status::Ok();
  }

 private:
  using ObjectKey = std::tuple<std::string, std::string, std::string, std::string>;

  static ObjectKey Key(const kube::ResourceRef& resource, std::string_view ns,
                       std::string_view name) {
    return {resource.group, resource.plural, std::string(ns), std::string(name)};
  }
  // "virtualservices.networking.istio.io default/web", as kube-apiserver names an object.
  static std::string Describe(const kube::ResourceRef& resource, std::string_view ns,
                              std::string_view name) {
    std::string out = resource.plural;
    if (!resource.group.empty()) out += "." + resource.group;
    out += " ";
    if (!ns.empty()) out += std::string(ns) + "/";
    out += name;
    return out;
  }
  // The object's name; fills metadata.namespace from `ns` when absent. InvalidArgument when the
  // object has no name or names another namespace.
  static Result<std::string> CheckIdentity(json::Value& object, std::string_view ns) {
    if (!object.is_object()) return InvalidArgumentError("object: must be a JSON object");
    std::string name = json::StringAt(object, {"metadata", "name"});
    if (name.empty()) return InvalidArgumentError("must be set", "metadata.name");
    std::string object_ns = json::StringAt(object, {"metadata", "namespace"});
    if (object_ns.empty() && !ns.empty()) {
      object["metadata"]["namespace"] = std::string(ns);
    } else if (object_ns != ns) {
      return InvalidArgumentError(
          "is " + object_ns + ", the request's namespace is " + std::string(ns),
          "metadata.namespace");
    }
    return name;
  }
  void StampLocked(json::Value& object) {
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
  }

  mutable std::mutex mu_;
  std::map<ObjectKey, json::Value> objects_;
  int64_t version_ = 0;
  int writes_ = 0;
  int reads_ = 0;
  int conflicts_ = 0;
  int forced_conflicts_ = 0;
  std::function<void(FakeObjects&)> on_update_;
  std::function<void(FakeObjects&)> on_create_;
};

}  // namespace devflow::traffic::testing
