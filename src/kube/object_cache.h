// ObjectCache: the informer's store of the objects of one resource, keyed "namespace/name"
// ("name" for cluster-scoped objects), with indexes by namespace, owner UID, label and custom
// index functions.
//
// Memory: each object is kept as its compact JSON text (shared, immutable) plus the few strings
// its indexes need, and is parsed again on every read. A cache of 10,000 Rollouts must stay under
// 4 KiB per object; a decoded api::Rollout takes about 18.7 KB of heap and its JSON text about
// 2.4 KB (docs/benchmarks.md), so typed objects cannot be cached. The price is a parse per read
// (about 13 µs for a Rollout): readers that need many fields decode once and keep the value for
// the length of a reconcile.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/meta.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::kube {

// The cache and work-queue key of `object`: "namespace/name", or "name" when
// metadata.namespace is empty. Returns InvalidArgument when metadata.name is missing or empty.
Result<std::string> ObjectKey(const json::Value& object);

// Splits a key into namespace ("" for a cluster-scoped key) and name.
std::pair<std::string, std::string> SplitObjectKey(std::string_view key);

// Built-in indexes, present in every cache.
// metadata.namespace ("" for cluster-scoped objects).
inline constexpr char kNamespaceIndex[] = "namespace";
// Each metadata.ownerReferences[].uid.
inline constexpr char kOwnerUidIndex[] = "owner-uid";
// Each label as "key=value".
inline constexpr char kLabelIndex[] = "label";

// The values an object is indexed under (several, one, or none).
using IndexFunc = std::function<std::vector<std::string>(const json::Value& object)>;

// Thread-safe: any number of readers, writers serialised (one shared mutex). Reads return
// copies, never references into the cache.
class ObjectCache {
 public:
  ObjectCache();
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  // Adds an index computed by `fn` from each object (called under the cache's lock: it must not
  // call the cache). Returns AlreadyExists when `name` is taken
  // and FailedPrecondition when the cache already holds objects (add indexes before the informer
  // starts, as client-go requires).
  Status AddIndex(std::string name, IndexFunc fn);

  // Stores `object` under ObjectKey(object), replacing the version there. Returns the replaced
  // version's JSON text, or null when the key was new. Returns InvalidArgument (nothing stored)
  // when the object has no name.
  Result<std::shared_ptr<const std::string>> Upsert(const json::Value& object);
  // Removes `key`. Returns the removed version's JSON text, or null when the key was absent.
  std::shared_ptr<const std::string> Remove(std::string_view key);

  // The object stored under `key`, parsed; nullopt when absent.
  std::optional<json::Value> Get(std::string_view key) const;
  // The compact JSON text stored under `key` (shared, never modified); null when absent.
  std::shared_ptr<const std::string> GetText(std::string_view key) const;
  // metadata.resourceVersion of the object under `key`; nullopt when absent.
  std::optional<std::string> ResourceVersion(std::string_view key) const;

  // Every key, sorted.
  std::vector<std::string> Keys() const;
  // Every object, parsed, in key order.
  std::vector<json::Value> List() const;
  // The objects in namespace `ns` whose labels match `selector` (an empty selector matches
  // all), in key order. For cluster-scoped objects pass ns "".
  std::vector<json::Value> List(std::string_view ns, const api::LabelSelector& selector) const;

  // The keys indexed under `value` by index `index`, sorted. Returns NotFound for an unknown
  // index; an unknown value gives an empty list.
  Result<std::vector<std::string>> IndexKeys(std::string_view index, std::string_view value) const;
  // The objects of IndexKeys, parsed, in key order.
  Result<std::vector<json::Value>> ByIndex(std::string_view index, std::string_view value) const;

  size_t Size() const;

  // The heap bytes the cache holds: the sizes of the blocks it allocated (JSON texts, strings,
  // map and set nodes, hash buckets), without the allocator's own overhead. For the benchmark.
  size_t ApproximateBytes() const;

 private:
  struct Index {
    std::string name;
    IndexFunc fn;  // null for the built-in indexes, computed from the extracted metadata
    // value -> keys; the string_views point at the keys of entries_ (stable map nodes).
    std::unordered_map<std::string, std::set<std::string_view>> keys_by_value;
  };
  struct Entry {
    std::shared_ptr<const std::string> text;
    std::string resource_version;
    // (index number, value) for every value the object is indexed under.
    std::vector<std::pair<uint32_t, std::string>> index_values;
  };

  std::vector<std::shared_ptr<const std::string>> TextsLocked(
      const std::vector<std::string_view>& keys) const;
  void Unindex(std::string_view key, const Entry& entry);

  mutable std::shared_mutex mu_;
  std::vector<Index> indexes_;                         // guarded by mu_
  std::map<std::string, Entry, std::less<>> entries_;  // guarded by mu_
};

}  // namespace devflow::kube
