#include "apiserver/namespace_controller.h"

#include <chrono>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "apiserver/deletion_rules.h"
#include "apiserver/garbage_collector.h"
#include "common/json_reader.h"
#include "common/result.h"

namespace devflow::apiserver {
namespace {

constexpr std::string_view kNamespaces = "namespaces";
constexpr int kFinalize = 1;  // Empty and remove the namespace in WorkItem::key.
constexpr int kConflictAttempts = 5;
constexpr int64_t kListPageSize = 500;

ObjectKey NamespaceKey(const std::string& name) {
  return ObjectKey{std::string(kNamespaces), "", name};
}

Result<json::Value> ParseStored(const StoredObject& stored) {
  DEVFLOW_ASSIGN_OR_RETURN(json::Value object, json::Parse(stored.json));
  if (!object.is_object()) {
    return InvalidArgumentError(ToString(stored.key) + ": stored text is not a JSON object");
  }
  return object;
}

bool HasSpecFinalizer(const json::Value& object, std::string_view finalizer) {
  const json::Value* spec = object.Find("spec");
  const json::Value* finalizers = spec != nullptr ? spec->Find("finalizers") : nullptr;
  if (finalizers == nullptr || !finalizers->is_array()) return false;
  for (const json::Value& f : finalizers->as_array()) {
    if (f.is_string() && f.as_string() == finalizer) return true;
  }
  return false;
}

// The namespace without `finalizer` in spec.finalizers; the member is dropped when empty, as
// kube-apiserver's finalize leaves `spec: {}`.
json::Value WithoutSpecFinalizer(const json::Value& object, std::string_view finalizer) {
  return WithoutListEntries(object, "spec", "finalizers", [&](const json::Value& f) {
    return f.is_string() && f.as_string() == finalizer;
  });
}

}  // namespace

class NamespaceController::Impl {
 public:
  Impl(ObjectStore& store, const ResourceCatalog& catalog, NamespaceControllerOptions options)
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
  // The set of terminating namespaces is touched by the scan (before the worker's thread
  // starts) and by the worker's thread only.

  Status Scan() {
    terminating_.clear();
    ListOptions options{.resource = std::string(kNamespaces), .limit = kListPageSize};
    do {
      DEVFLOW_ASSIGN_OR_RETURN(ListResult page, store_.List(options));
      for (const StoredObject& object : page.items) ObserveNamespace(object);
      options.continue_token = std::move(page.continue_token);
    } while (!options.continue_token.empty());
    return Status::Ok();
  }

  void OnEvent(const Event& event) {
    const ObjectKey& key = event.object.key;
    if (key.resource == kNamespaces) {
      if (event.type == EventType::kDeleted) {
        terminating_.erase(key.name);
      } else {
        ObserveNamespace(event.object);
      }
      return;
    }
    // Any change inside a terminating namespace may be the one it waits for (the last object
    // gone), or a straggler created while the namespace was being emptied.
    if (!key.namespace_.empty() && terminating_.contains(key.namespace_)) {
      worker_.Enqueue({kFinalize, NamespaceKey(key.namespace_)});
    }
  }

  // Marks are never taken back, so an older state seen after a newer one (see
  // StoreWorker::Start) cannot un-terminate a namespace.
  void ObserveNamespace(const StoredObject& object) {
    Result<json::Value> parsed = ParseStored(object);
    if (!parsed.ok() || !IsMarkedForDeletion(*parsed)) return;
    terminating_.insert(object.key.name);
    worker_.Enqueue({kFinalize, object.key});
  }

  Status Process(const WorkItem& item) {
    if (item.action != kFinalize) return Status::Ok();
    Status status;
    for (int i = 0; i < kConflictAttempts; ++i) {
      status = Finalize(item.key);
      if (status.code() != StatusCode::kConflict) break;
    }
    return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
  }

  Status Finalize(const ObjectKey& key) {
    DEVFLOW_ASSIGN_OR_RETURN(StoredObject stored, store_.Get(key));
    DEVFLOW_ASSIGN_OR_RETURN(json::Value object, ParseStored(stored));
    if (!IsMarkedForDeletion(object)) return Status::Ok();
    if (!HasSpecFinalizer(object, kNamespaceFinalizer)) {
      // Someone else finished the work; the namespace may only be waiting to be removed.
      if (!ShouldRemove(key, object)) return Status::Ok();
      return WriteOrRemove(store_, stored, object);
    }
    DEVFLOW_ASSIGN_OR_RETURN(bool empty, DeleteContent(key.name));
    // Objects still in it (marked, kept by finalizers) queue the namespace again when they go.
    if (!empty) return Status::Ok();
    return WriteOrRemove(store_, stored, WithoutSpecFinalizer(object, kNamespaceFinalizer));
  }

  // Deletes every object in the namespace; true when none was left (every object listed was
  // removed at once).
  Result<bool> DeleteContent(const std::string& namespace_) {
    std::set<std::string> resources;
    for (const ResourceInfo& info : catalog_.All()) {
      if (info.namespaced) resources.insert(info.StoreResource());
    }
    bool empty = true;
    Status first_error;
    for (const std::string& resource : resources) {
      ListOptions options{.resource = resource, .namespace_ = namespace_, .limit = kListPageSize};
      do {
        DEVFLOW_ASSIGN_OR_RETURN(ListResult page, store_.List(options));
        for (const StoredObject& object : page.items) {
          Result<bool> removed = DeleteObject(object);
          if (!removed.ok() && first_error.ok()) first_error = removed.error();
          empty = empty && removed.ok() && *removed;
        }
        options.continue_token = std::move(page.continue_token);
      } while (!options.continue_token.empty());
    }
    if (!first_error.ok()) return first_error;
    return empty;
  }

  // Deletes one object as a Background DELETE; true when it is gone from the store.
  Result<bool> DeleteObject(const StoredObject& object) {
    DEVFLOW_ASSIGN_OR_RETURN(json::Value parsed, ParseStored(object));
    if (IsMarkedForDeletion(parsed)) return false;
    Status status = DeleteStoredObject(store_, object, PropagationPolicy::kBackground, now_());
    // A Conflict means a concurrent write: the namespace is queued again by its event.
    if (status.code() == StatusCode::kNotFound) return true;
    if (status.code() == StatusCode::kConflict) return false;
    DEVFLOW_RETURN_IF_ERROR(status);
    if (object.key.resource == "pods" &&
        PlanGracefulPodDelete(parsed, std::nullopt, std::chrono::system_clock::now())) {
      return false;  // marked: its kubelet removes it once the containers have stopped
    }
    return PlanDelete(parsed, PropagationPolicy::kBackground, "").remove_now;
  }

  ObjectStore& store_;
  const ResourceCatalog& catalog_;
  const std::function<std::string()> now_;
  std::set<std::string> terminating_;  // Names of the namespaces marked for deletion.
  // Last: its thread calls into the members above, so it must stop before they are destroyed.
  StoreWorker worker_;
};

NamespaceController::NamespaceController(ObjectStore& store, const ResourceCatalog& catalog,
                                         NamespaceControllerOptions options)
    : impl_(std::make_unique<Impl>(store, catalog, std::move(options))) {}

NamespaceController::~NamespaceController() { Stop(); }

Status NamespaceController::Start() { return impl_->Start(); }

void NamespaceController::Stop() { impl_->Stop(); }

bool NamespaceController::WaitForIdleForTest(std::chrono::milliseconds timeout) {
  return impl_->WaitForIdleForTest(timeout);
}

}  // namespace devflow::apiserver
