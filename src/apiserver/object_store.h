// ObjectStore: the durable, versioned object store beneath the embedded API server.
//
// The REST layer above validates, defaults and fills uid, creationTimestamp and generation; the
// store keeps keys, versions, preconditions, listing, watch history and durability, as etcd does
// beneath kube-apiserver.
//
// Model (etcd's):
// - A key is (resource, namespace, name). The value is the object's JSON text as the REST layer
//   gives it, so members devflow does not model survive, plus its labels (metadata.labels).
// - One global resourceVersion (int64), like etcd's revision. An empty store is at version 1;
//   every write (create, update, delete) takes the next version. Each object records the version
//   of its last write, and the store writes it into the stored JSON as
//   metadata.resourceVersion (a decimal string).
// - Every write appends one event (ADDED, MODIFIED, DELETED) to the watch history. The history
//   keeps the events of the last `history_window` versions; older ones are compacted away and
//   asking for them answers Gone (410), as kube-apiserver does ("too old resource version").
// - Lists are consistent snapshots: a list answers the state at one version, and a list
//   continued with its continue token answers the remaining keys at that same version, whatever
//   was written in between, until that version is compacted (then Gone).
//
// Label and field selectors are applied by the caller through ListOptions::filter (the store
// applies it before counting `limit`, as kube-apiserver does); the store extracts labels so
// that a label filter needs no JSON parsing.
//
// Messages name the object as Kubernetes does (`replicasets.apps "web" not found`), so the REST
// layer can put them into a Kubernetes Status unchanged.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace devflow::apiserver {

// Identifies a stored object.
struct ObjectKey {
  // "GROUP/PLURAL" ("apps/replicasets", "argoproj.io/rollouts"), or "PLURAL" for the core group
  // ("pods"). Must not be empty.
  std::string resource;
  // The object's namespace; empty for cluster-scoped resources.
  std::string namespace_;
  // metadata.name. Must not be empty.
  std::string name;
  // Orders by resource, then namespace, then name: the order of lists.
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

// "replicasets.apps/default/web" style text for logs; messages use QualifiedResource.
std::string ToString(const ObjectKey& key);

// The resource as Kubernetes names it in messages: "apps/replicasets" -> "replicasets.apps",
// "pods" -> "pods".
std::string QualifiedResource(std::string_view resource);

using Labels = std::map<std::string, std::string>;

// An object as stored.
struct StoredObject {
  ObjectKey key;
  // The version of the object's last write (for a deleted object: of the deletion).
  int64_t resource_version = 0;
  // Compact JSON text; its metadata.resourceVersion is resource_version in decimal.
  std::string json;
  // metadata.labels.
  Labels labels;
  friend bool operator==(const StoredObject&, const StoredObject&) = default;
};

enum class EventType { kAdded, kModified, kDeleted };

// "ADDED", "MODIFIED" or "DELETED", as in a Kubernetes watch event.
std::string_view EventTypeName(EventType type);

// One write, as the watch history keeps it.
struct Event {
  EventType type = EventType::kAdded;
  // The object after the write. For kDeleted: the object as it was when deleted, with
  // resource_version (and metadata.resourceVersion) the deletion's version, as Kubernetes sends
  // it.
  StoredObject object;
  // The object before the write (with its own version), for kModified and kDeleted; absent for
  // kAdded. A watch with a selector needs it: an object that stops matching is sent as DELETED.
  std::optional<StoredObject> previous;
  friend bool operator==(const Event&, const Event&) = default;
};

// Conditions a write requires of the stored object, as Kubernetes' metav1.Preconditions.
struct Preconditions {
  // The stored object's resource version must equal this (optimistic concurrency).
  std::optional<int64_t> resource_version;
  // The stored object's metadata.uid must equal this (the object was not deleted and
  // re-created under the same name).
  std::optional<std::string> uid;
  friend bool operator==(const Preconditions&, const Preconditions&) = default;
};

struct ListOptions {
  // Required; see ObjectKey::resource.
  std::string resource;
  // Lists one namespace, or every namespace when empty (cluster-scoped resources: all objects).
  std::string namespace_;
  // At most this many items per page; 0 means no limit. Must not be negative.
  int64_t limit = 0;
  // The continue_token of the previous page of the same list (same resource and namespace), or
  // empty for the first page.
  std::string continue_token;
  // Lists the state at exactly this version instead of the current one (Kubernetes'
  // resourceVersionMatch=Exact). Must be unset when continue_token is set (the token carries
  // the version).
  std::optional<int64_t> resource_version;
  // When set, only objects for which it returns true are listed, and only they count toward
  // `limit` (label and field selectors). Called with the store's lock held: it must not call
  // the store.
  std::function<bool(const StoredObject&)> filter;
};

struct ListResult {
  // In key order (namespace, then name).
  std::vector<StoredObject> items;
  // The version the list shows (Kubernetes' list metadata.resourceVersion).
  int64_t resource_version = 0;
  // Non-empty when more items may follow: pass it as ListOptions::continue_token. Opaque.
  std::string continue_token;
  friend bool operator==(const ListResult&, const ListResult&) = default;
};

struct StoreVersions {
  // The version of the last write (1 for an empty store).
  int64_t current = 0;
  // Events after this version are kept: EventsSince(v) and lists at v need v >= compacted.
  int64_t compacted = 0;
  friend bool operator==(const StoreVersions&, const StoreVersions&) = default;
};

// Called with each event after its write commits. See ObjectStore::Subscribe.
using EventListener = std::function<void(const Event&)>;
using SubscriptionId = int64_t;

// The interface; SqliteStore (sqlite_store.h) is the implementation. Every operation is
// thread-safe; implementations document how they serialise.
//
// Writes take the object's JSON text (an object with metadata.name, and metadata.namespace
// equal to the key's) and return the object as stored. The store replaces
// metadata.resourceVersion; any version in the given text is ignored (pass it as a
// precondition). Writes that fail change nothing and emit no event.
class ObjectStore {
 public:
  ObjectStore() = default;
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;
  virtual ~ObjectStore() = default;

  // Stores a new object at the next version and emits ADDED.
  // Errors: AlreadyExists (`replicasets.apps "web" already exists`) when the key holds an
  // object; InvalidArgument (with field_path) when the key is incomplete, the text is not a JSON
  // object, or its metadata disagrees with the key; Unavailable/Internal on storage failure.
  virtual Result<StoredObject> Create(const ObjectKey& key, std::string_view json) = 0;

  // Returns the current object. Errors: NotFound (`replicasets.apps "web" not found`).
  virtual Result<StoredObject> Get(const ObjectKey& key) = 0;

  // Replaces the object at the next version and emits MODIFIED. When the new text equals the
  // stored one (after setting metadata.resourceVersion), nothing is written: the stored object
  // is returned with its version unchanged and no event, as kube-apiserver does.
  // Errors: NotFound; Conflict when a precondition fails (for the resource version:
  // `Operation cannot be fulfilled on replicasets.apps "web": the object has been modified;
  // please apply your changes to the latest version and try again`); InvalidArgument as Create.
  virtual Result<StoredObject> Update(const ObjectKey& key, std::string_view json,
                                      const Preconditions& preconditions) = 0;

  // Removes the object at the next version and emits DELETED. Returns the object as it was,
  // with resource_version (and metadata.resourceVersion) the deletion's version.
  // Errors: NotFound; Conflict when a precondition fails.
  virtual Result<StoredObject> Delete(const ObjectKey& key, const Preconditions& preconditions) = 0;

  // Lists one page. See ListOptions and ListResult.
  // Errors: InvalidArgument for a bad limit or a malformed continue token, or one from another
  // list; Gone when the list's version (from the token, or options.resource_version) was
  // compacted; Unavailable when options.resource_version is newer than the current version.
  virtual Result<ListResult> List(const ListOptions& options) = 0;

  // Returns the events after `version`, in version order, for `resource` (every resource when
  // empty) in `namespace_` (every namespace when empty). Empty when version >= the current one.
  // Errors: Gone (`too old resource version: 5 (10)`) when version < Versions().compacted;
  // InvalidArgument when version < 0.
  virtual Result<std::vector<Event>> EventsSince(std::string_view resource,
                                                 std::string_view namespace_, int64_t version) = 0;

  // The current and the compacted version.
  virtual StoreVersions Versions() = 0;

  // Registers `listener`, called with every event after its write commits, on the writing
  // thread, in version order, before the write returns to its caller. It runs under the store's
  // lock: it must be quick (hand the event off, e.g. to a queue) and must not call the store.
  // Returns an id for Unsubscribe.
  virtual SubscriptionId Subscribe(EventListener listener) = 0;
  // Removes a listener; once it returns the listener is not running and is not called again.
  // Unknown ids are ignored. Must not be called from a listener.
  virtual void Unsubscribe(SubscriptionId id) = 0;
};

}  // namespace devflow::apiserver
