#include "apiserver/garbage_collector.h"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/time.h"
#include "common/json_reader.h"
#include "common/result.h"

namespace devflow::apiserver {
namespace {

// Work item actions.
constexpr int kCheckDependent = 1;  // Delete the object if its owners are gone.
constexpr int kProcessOwner = 2;    // Finish a marked owner's foreground or orphan work.

// A read-modify-write that meets a Conflict is redone this many times at once before the item
// is left to the worker's backoff.
constexpr int kConflictAttempts = 5;

constexpr int64_t kListPageSize = 500;

struct OwnerRef {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool block_owner_deletion = false;
};

const json::Value* Metadata(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  return metadata != nullptr && metadata->is_object() ? metadata : nullptr;
}

std::string StringMember(const json::Value* object, std::string_view name) {
  if (object == nullptr) return "";
  const json::Value* value = object->Find(name);
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

std::string UidOf(const json::Value& object) { return StringMember(Metadata(object), "uid"); }

// metadata.ownerReferences, skipping malformed entries (the REST layer validates them).
std::vector<OwnerRef> OwnerRefsOf(const json::Value& object) {
  std::vector<OwnerRef> refs;
  const json::Value* metadata = Metadata(object);
  const json::Value* list = metadata != nullptr ? metadata->Find("ownerReferences") : nullptr;
  if (list == nullptr || !list->is_array()) return refs;
  for (const json::Value& entry : list->as_array()) {
    if (!entry.is_object()) continue;
    OwnerRef ref{.api_version = StringMember(&entry, "apiVersion"),
                 .kind = StringMember(&entry, "kind"),
                 .name = StringMember(&entry, "name"),
                 .uid = StringMember(&entry, "uid")};
    const json::Value* block = entry.Find("blockOwnerDeletion");
    ref.block_owner_deletion = block != nullptr && block->is_bool() && block->as_bool();
    if (!ref.uid.empty()) refs.push_back(std::move(ref));
  }
  return refs;
}

// The object without the ownerReferences to `uids` (the member is dropped when none is left,
// as Kubernetes' omitempty would).
json::Value WithoutOwnerRefs(const json::Value& object, const std::set<std::string>& uids) {
  return WithoutListEntries(object, "metadata", "ownerReferences", [&](const json::Value& entry) {
    return uids.contains(StringMember(&entry, "uid"));
  });
}

bool HasSpecFinalizers(const json::Value& object) {
  const json::Value* spec = object.Find("spec");
  const json::Value* finalizers = spec != nullptr ? spec->Find("finalizers") : nullptr;
  return finalizers != nullptr && finalizers->is_array() && !finalizers->as_array().empty();
}

Result<json::Value> ParseStored(const StoredObject& stored) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value object, json::Parse(stored.json));
  if (!object.is_object()) {
    return InvalidArgumentError(ToString(stored.key) + ": stored text is not a JSON object");
  }
  return object;
}

Preconditions PreconditionsFor(const StoredObject& stored, const json::Value& object) {
  Preconditions preconditions{.resource_version = stored.resource_version};
  if (std::string uid = UidOf(object); !uid.empty()) preconditions.uid = std::move(uid);
  return preconditions;
}

// Runs `attempt` again while it meets a Conflict (it re-reads the object each time), a few
// times; NotFound means the object is gone, which is what every caller wants anyway.
template <class F>
Status RetryOnConflict(F attempt) {
  Status status;
  for (int i = 0; i < kConflictAttempts; ++i) {
    status = attempt();
    if (status.code() != StatusCode::kConflict) break;
  }
  return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
}

}  // namespace

bool ShouldRemove(const ObjectKey& key, const json::Value& object) {
  if (!ReadyToRemove(object)) return false;
  return key.resource != "namespaces" || !HasSpecFinalizers(object);
}

Status WriteOrRemove(ObjectStore& store, const StoredObject& stored, const json::Value& object) {
  const Preconditions preconditions = PreconditionsFor(stored, object);
  if (ShouldRemove(stored.key, object)) return store.Delete(stored.key, preconditions).status();
  return store.Update(stored.key, json::Write(object), preconditions).status();
}

Status DeleteStoredObject(ObjectStore& store, const StoredObject& stored, PropagationPolicy policy,
                          std::string_view now) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(stored));
  const Preconditions preconditions = PreconditionsFor(stored, object);
  DeletePlan plan = PlanDelete(object, policy, now);
  if (stored.key.resource == "pods") {
    // Pods of a deleted owner or namespace stop gracefully, as after a user's DELETE.
    Result<api::TimePoint> when = api::ParseRfc3339(now);
    if (std::optional<json::Value> graceful = PlanGracefulPodDelete(
            object, std::nullopt, when.ok() ? *when : std::chrono::system_clock::now())) {
      plan = DeletePlan{.remove_now = false, .marked = std::move(*graceful)};
    }
  }
  if (stored.key.resource == "namespaces" && HasSpecFinalizers(object)) {
    // The namespace controller empties it first: a namespace is never removed at once.
    json::Value marked = plan.remove_now ? object : std::move(plan.marked);
    if (Metadata(marked) == nullptr) {
      return InvalidArgumentError(ToString(stored.key) + ": metadata is not an object");
    }
    json::Object& metadata = marked["metadata"].as_object();
    if (!IsMarkedForDeletion(marked)) {
      metadata.Set("deletionTimestamp", json::Value(now));
      metadata.Set("deletionGracePeriodSeconds", json::Value(0));
    }
    json::Value* status = marked.Find("status");
    if (status == nullptr || !status->is_object()) {
      marked.as_object().Set("status", json::Object{});
      status = marked.Find("status");
    }
    status->as_object().Set("phase", "Terminating");
    plan = DeletePlan{.remove_now = false, .marked = std::move(marked)};
  }
  if (plan.remove_now) return store.Delete(stored.key, preconditions).status();
  if (plan.marked == object) return Status::Ok();
  return store.Update(stored.key, json::Write(plan.marked), preconditions).status();
}

std::string SystemNowRfc3339() {
  return api::FormatRfc3339(
      std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

class GarbageCollector::Impl {
 public:
  Impl(ObjectStore& store, const ResourceCatalog& catalog, GarbageCollectorOptions options)
      : store_(store),
        catalog_(catalog),
        now_(options.now ? std::move(options.now) : std::function<std::string()>(SystemNowRfc3339)),
        worker_(
            store, options.worker, [this](const Event& event) { OnEvent(event); },
            [this](const WorkItem& item) { return Process(item); }) {}

  Status Start() {
    return worker_.Start([this] { return Scan(); });
  }
  void Stop() { worker_.Stop(); }
  bool WaitForIdleForTest(std::chrono::milliseconds timeout) {
    return worker_.WaitForIdleForTest(timeout);
  }

 private:
  // What the index knows of one stored object.
  struct Node {
    std::string uid;
    int64_t version = 0;
    std::vector<OwnerRef> owners;
    bool marked = false;
    bool deleting_dependents = false;  // marked, with the foregroundDeletion finalizer
    bool orphaning = false;            // marked, with the orphan finalizer
  };

  enum class OwnerState { kExists, kAbsent, kDeletingDependents };

  // --- The owner index. Touched by the scan (before the worker's thread starts) and by the
  // worker's thread only, so it needs no lock.

  Status Scan() {
    nodes_.clear();
    uids_.clear();
    dependents_.clear();
    std::set<std::string> resources;
    for (const ResourceInfo& info : catalog_.All()) resources.insert(info.StoreResource());
    for (const std::string& resource : resources) {
      ListOptions options{.resource = resource, .limit = kListPageSize};
      do {
        DEVFLOW_ASSIGN_OR_RETURN(ListResult page, store_.List(options));
        for (const StoredObject& object : page.items) Observe(object);
        options.continue_token = std::move(page.continue_token);
      } while (!options.continue_token.empty());
    }
    // Decided once the index is whole, so an owner listed after its dependent counts.
    for (const auto& [key, node] : nodes_) QueueWorkFor(key, node, {});
    return Status::Ok();
  }

  void OnEvent(const Event& event) {
    const ObjectKey& key = event.object.key;
    auto known = nodes_.find(key);
    // The scan may have listed a later state than this event's (see StoreWorker::Start).
    if (known != nodes_.end() && known->second.version >= event.object.resource_version) return;
    std::vector<OwnerRef> old_owners;
    if (known != nodes_.end()) old_owners = known->second.owners;
    if (event.type == EventType::kDeleted) {
      OnRemoved(event.object);
      return;
    }
    if (const Node* node = Observe(event.object)) QueueWorkFor(key, *node, old_owners);
  }

  // Records the object's current state in the index; nullptr when its text is not an object.
  const Node* Observe(const StoredObject& object) {
    Unindex(object.key);
    Result<json::Value> parsed = ParseStored(object);
    if (!parsed.ok()) return nullptr;
    Node node{.uid = UidOf(*parsed),
              .version = object.resource_version,
              .owners = OwnerRefsOf(*parsed),
              .marked = IsMarkedForDeletion(*parsed)};
    node.deleting_dependents = node.marked && HasFinalizer(*parsed, kForegroundDeletionFinalizer);
    node.orphaning = node.marked && HasFinalizer(*parsed, kOrphanFinalizer);
    if (!node.uid.empty()) uids_[node.uid] = object.key;
    for (const OwnerRef& owner : node.owners) dependents_[owner.uid].insert(object.key);
    return &(nodes_[object.key] = std::move(node));
  }

  // Drops the key from the index.
  void Unindex(const ObjectKey& key) {
    auto it = nodes_.find(key);
    if (it == nodes_.end()) return;
    auto uid = uids_.find(it->second.uid);
    if (uid != uids_.end() && uid->second == key) uids_.erase(uid);
    for (const OwnerRef& owner : it->second.owners) {
      auto dependents = dependents_.find(owner.uid);
      if (dependents == dependents_.end()) continue;
      dependents->second.erase(key);
      if (dependents->second.empty()) dependents_.erase(dependents);
    }
    nodes_.erase(it);
  }

  void OnRemoved(const StoredObject& object) {
    Unindex(object.key);
    Result<json::Value> parsed = ParseStored(object);
    if (!parsed.ok()) return;
    if (auto dependents = dependents_.find(UidOf(*parsed)); dependents != dependents_.end()) {
      for (const ObjectKey& dependent : dependents->second) {
        worker_.Enqueue({kCheckDependent, dependent});
      }
    }
    // An owner deleting in the foreground may have been waiting for this object.
    QueueWaitingOwners(OwnerRefsOf(*parsed));
  }

  // Queues what a change of `node` may have made necessary; `old_owners` are the owners it had
  // before the change.
  void QueueWorkFor(const ObjectKey& key, const Node& node, const std::vector<OwnerRef>& old) {
    if (node.deleting_dependents || node.orphaning) worker_.Enqueue({kProcessOwner, key});
    if (!node.marked) {
      for (const OwnerRef& owner : node.owners) {
        auto it = uids_.find(owner.uid);
        // An owner in another namespace is not this dependent's owner: it is absent.
        if (it == uids_.end() || nodes_.at(it->second).deleting_dependents ||
            (!it->second.namespace_.empty() && it->second.namespace_ != key.namespace_)) {
          worker_.Enqueue({kCheckDependent, key});
          break;
        }
      }
    }
    // A dependent that dropped a reference (or stopped blocking) may end an owner's wait.
    QueueWaitingOwners(old);
    QueueWaitingOwners(node.owners);
  }

  void QueueWaitingOwners(const std::vector<OwnerRef>& owners) {
    for (const OwnerRef& owner : owners) {
      auto it = uids_.find(owner.uid);
      if (it == uids_.end()) continue;
      const Node& node = nodes_.at(it->second);
      if (node.deleting_dependents || node.orphaning) worker_.Enqueue({kProcessOwner, it->second});
    }
  }

  // The dependents the index knows of, copied: writes made while iterating do not change the
  // index (events are handled between items), but a copy keeps that reasoning local.
  std::vector<ObjectKey> DependentsOf(const std::string& uid) const {
    auto it = dependents_.find(uid);
    if (it == dependents_.end()) return {};
    return {it->second.begin(), it->second.end()};
  }

  // --- Work items. They read the store afresh and write with preconditions, so a stale index
  // costs at most a wasted read.

  Status Process(const WorkItem& item) {
    switch (item.action) {
      case kCheckDependent:
        return RetryOnConflict([&] { return CheckDependent(item.key); });
      case kProcessOwner:
        return RetryOnConflict([&] { return ProcessOwner(item.key); });
      default:
        return Status::Ok();
    }
  }

  // Deletes the object when none of its owners exists; when some exist, removes the references
  // to the absent ones and to those deleting in the foreground (so it does not hold them up).
  Status CheckDependent(const ObjectKey& key) {
    DEVFLOW_ASSIGN_OR_RETURN(StoredObject stored, store_.Get(key));
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(stored));
    // A marked object waits for its own finalizers; a foreground one is an owner's work.
    if (IsMarkedForDeletion(object)) return Status::Ok();
    const std::vector<OwnerRef> owners = OwnerRefsOf(object);
    if (owners.empty()) return Status::Ok();
    std::set<std::string> existing, absent, deleting_dependents;
    for (const OwnerRef& owner : owners) {
      DEVFLOW_ASSIGN_OR_RETURN(OwnerState state, StateOf(key, owner));
      switch (state) {
        case OwnerState::kExists:
          existing.insert(owner.uid);
          break;
        case OwnerState::kAbsent:
          absent.insert(owner.uid);
          break;
        case OwnerState::kDeletingDependents:
          deleting_dependents.insert(owner.uid);
          break;
      }
    }
    if (!existing.empty()) {
      std::set<std::string> drop = absent;
      drop.insert(deleting_dependents.begin(), deleting_dependents.end());
      if (drop.empty()) return Status::Ok();
      return WriteOrRemove(store_, stored, WithoutOwnerRefs(object, drop));
    }
    // An owner waiting in the foreground wants this object's own dependents gone first.
    const bool has_dependents = dependents_.contains(UidOf(object));
    const PropagationPolicy policy = !deleting_dependents.empty() && has_dependents
                                         ? PropagationPolicy::kForeground
                                         : PropagationPolicy::kBackground;
    return DeleteStoredObject(store_, stored, policy, now_());
  }

  // Finishes a marked owner: orphans its dependents, or deletes them and waits for the blocking
  // ones; then removes the finalizer (and the owner, when no finalizer is left).
  Status ProcessOwner(const ObjectKey& key) {
    DEVFLOW_ASSIGN_OR_RETURN(StoredObject stored, store_.Get(key));
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(stored));
    if (!IsMarkedForDeletion(object)) return Status::Ok();
    const std::string uid = UidOf(object);
    if (HasFinalizer(object, kOrphanFinalizer)) {
      for (const ObjectKey& dependent : DependentsOf(uid)) {
        DEVFLOW_RETURN_IF_ERROR(RetryOnConflict([&] { return RemoveReference(dependent, uid); }));
      }
      // A foregroundDeletion finalizer as well (two requests) is handled when this write's
      // event queues the owner again.
      return WriteOrRemove(store_, stored, WithoutFinalizer(object, kOrphanFinalizer));
    }
    if (!HasFinalizer(object, kForegroundDeletionFinalizer)) return Status::Ok();
    bool blocked = false;
    Status first_error;
    for (const ObjectKey& dependent : DependentsOf(uid)) {
      // A mark is never taken back, so the index answers for marked dependents without a read:
      // each removal queues the owner again, and a large owner must not cost a read per
      // dependent per removal.
      if (const Node& node = nodes_.at(dependent); node.marked) {
        for (const OwnerRef& owner : node.owners) {
          blocked = blocked || (owner.uid == uid && owner.block_owner_deletion);
        }
        continue;
      }
      Status status = WaitOrDelete(dependent, uid, blocked);
      if (!status.ok() && first_error.ok()) first_error = status;
    }
    if (!first_error.ok()) return first_error;
    // The event that removes the last blocking dependent queues this owner again.
    if (blocked) return Status::Ok();
    return WriteOrRemove(store_, stored, WithoutFinalizer(object, kForegroundDeletionFinalizer));
  }

  // For a dependent of an owner deleting in the foreground: sets `blocked` when it still blocks
  // the owner, and deletes it unless it is already being deleted.
  Status WaitOrDelete(const ObjectKey& key, const std::string& owner_uid, bool& blocked) {
    Result<StoredObject> stored = store_.Get(key);
    if (!stored.ok()) {
      return stored.error().code() == StatusCode::kNotFound ? Status::Ok() : stored.error();
    }
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(*stored));
    bool references = false;
    for (const OwnerRef& owner : OwnerRefsOf(object)) {
      if (owner.uid != owner_uid) continue;
      references = true;
      blocked = blocked || owner.block_owner_deletion;
    }
    if (!references || IsMarkedForDeletion(object)) return Status::Ok();
    return RetryOnConflict([&] { return CheckDependent(key); });
  }

  Status RemoveReference(const ObjectKey& key, const std::string& owner_uid) {
    DEVFLOW_ASSIGN_OR_RETURN(StoredObject stored, store_.Get(key));
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(stored));
    json::Value changed = WithoutOwnerRefs(object, {owner_uid});
    if (changed == object) return Status::Ok();
    return WriteOrRemove(store_, stored, changed);
  }

  Result<OwnerState> StateOf(const ObjectKey& dependent, const OwnerRef& owner) {
    std::optional<ObjectKey> key = OwnerKey(dependent, owner);
    // Unresolvable references are never taken for absent owners (see the header).
    if (!key) return OwnerState::kExists;
    Result<StoredObject> stored = store_.Get(*key);
    if (!stored.ok()) {
      if (stored.error().code() == StatusCode::kNotFound) return OwnerState::kAbsent;
      return stored.error();
    }
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(*stored));
    // The same name with another uid is a new object: the owner is gone.
    if (UidOf(object) != owner.uid) return OwnerState::kAbsent;
    if (IsMarkedForDeletion(object) && HasFinalizer(object, kForegroundDeletionFinalizer)) {
      return OwnerState::kDeletingDependents;
    }
    return OwnerState::kExists;
  }

  // Where the owner a reference names would be stored; nullopt when the catalog does not know
  // its kind, or when a cluster-scoped dependent names a namespaced owner.
  std::optional<ObjectKey> OwnerKey(const ObjectKey& dependent, const OwnerRef& owner) const {
    std::optional<ResourceInfo> info = catalog_.FindKind(owner.api_version, owner.kind);
    if (!info) {
      // Another version of the same group serves the kind under the same store key.
      const size_t slash = owner.api_version.find('/');
      const std::string group =
          slash == std::string::npos ? "" : owner.api_version.substr(0, slash);
      for (ResourceInfo& candidate : catalog_.All()) {
        if (candidate.group == group && candidate.kind == owner.kind) {
          info = std::move(candidate);
          break;
        }
      }
    }
    if (!info) return std::nullopt;
    if (!info->namespaced) return ObjectKey{info->StoreResource(), "", owner.name};
    if (dependent.namespace_.empty()) return std::nullopt;
    return ObjectKey{info->StoreResource(), dependent.namespace_, owner.name};
  }

  ObjectStore& store_;
  const ResourceCatalog& catalog_;
  const std::function<std::string()> now_;
  std::map<ObjectKey, Node> nodes_;
  std::unordered_map<std::string, ObjectKey> uids_;
  // Owner uid -> the objects whose ownerReferences name it (the owner may no longer exist).
  std::unordered_map<std::string, std::set<ObjectKey>> dependents_;
  // Last: its thread calls into the members above, so it must stop before they are destroyed.
  StoreWorker worker_;
};

GarbageCollector::GarbageCollector(ObjectStore& store, const ResourceCatalog& catalog,
                                   GarbageCollectorOptions options)
    : impl_(std::make_unique<Impl>(store, catalog, std::move(options))) {}

GarbageCollector::~GarbageCollector() { Stop(); }

Status GarbageCollector::Start() { return impl_->Start(); }

void GarbageCollector::Stop() { impl_->Stop(); }

bool GarbageCollector::WaitForIdleForTest(std::chrono::milliseconds timeout) {
  return impl_->WaitForIdleForTest(timeout);
}

}  // namespace devflow::apiserver
