// GarbageCollector: cascading deletion in the embedded API server, as kube-controller-manager's
// garbage collector does it, acting on what the ObjectStore holds rather than over HTTP.
//
// The REST layer only applies deletion_rules.h to a DELETE: the object is removed at once, or it
// is marked (metadata.deletionTimestamp plus finalizers). The collector then finishes the job in
// the background:
// - Background. When an object is removed from the store, each dependent (an object whose
//   metadata.ownerReferences name the removed object's uid) is deleted as a Background DELETE
//   would delete it (a dependent with finalizers is only marked), unless another of its owners
//   still exists: then only the references to absent owners are removed.
// - Foreground. An owner marked with the "foregroundDeletion" finalizer has its dependents
//   deleted first; a dependent that has dependents of its own is deleted in the foreground too,
//   so the deepest objects go first. When no dependent with blockOwnerDeletion=true remains
//   (Kubernetes' rule; dependents that do not block are deleted too, but not waited for), the
//   finalizer is removed, and the owner is removed from the store if no finalizer is left.
// - Orphan. An owner marked with the "orphan" finalizer has its references removed from every
//   dependent, then the finalizer removed (and is removed if no finalizer is left).
//
// An owner exists when the object its reference names (apiVersion/kind resolved through the
// catalog, in the dependent's namespace for namespaced kinds, name) is stored with the
// reference's uid. A reference the catalog cannot resolve (an unknown kind, or a namespaced
// owner of a cluster-scoped dependent) counts as an existing owner, so such a dependent is never
// collected, as Kubernetes treats unresolvable references. Cycles of blocking references
// between foreground-deleted objects are not broken (Kubernetes unblocks them): such owners stay
// marked until a user removes a reference.
//
// Every write carries Preconditions on the uid and resource version the decision was based on,
// so a concurrent user write is never overwritten: on Conflict the object is read again and the
// decision made again. Failed work is retried with backoff, never dropped (store_worker.h).
//
// Start() subscribes to the store and scans every resource of the catalog once, so that work
// left by a crash or done while no collector ran is finished: a dependent whose owner no longer
// exists is deleted, and a marked owner's pending work resumes.
//
// Thread-safety: Start and Stop are called from one owning thread; the collector does its work
// on a thread of its own. The store and the catalog must outlive the collector.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "apiserver/deletion_rules.h"
#include "apiserver/object_store.h"
#include "apiserver/resource_catalog.h"
#include "apiserver/store_worker.h"
#include "common/json_value.h"
#include "common/status.h"

namespace devflow::apiserver {

struct GarbageCollectorOptions {
  // The time written into metadata.deletionTimestamp, RFC 3339 ("2026-11-23T10:00:00Z").
  // Default: the system clock.
  std::function<std::string()> now;
  // Retry delays of failed work.
  StoreWorkerOptions worker;
};

class GarbageCollector {
 public:
  GarbageCollector(ObjectStore& store, const ResourceCatalog& catalog,
                   GarbageCollectorOptions options = {});
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;
  // Stops the collector.
  ~GarbageCollector();

  // Subscribes to the store, lists every resource of the catalog to build the owner index and
  // queue unfinished work, then starts the collector's thread.
  // Errors: the store's error when a list fails (the collector is then stopped and may be
  // started again); FailedPrecondition when already running.
  Status Start();

  // Stops the thread and unsubscribes; unfinished work is found again by the next Start().
  void Stop();

  // Blocks until the collector has handled every event and has no work waiting or scheduled for
  // a retry; false when `timeout` passed first (see StoreWorker::WaitForIdleForTest).
  bool WaitForIdleForTest(std::chrono::milliseconds timeout);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// --- Writes shared with the namespace controller (namespace_controller.h).

// True when `object`, stored under `key`, must be removed rather than written: it is marked for
// deletion with no finalizers left (deletion_rules.h ReadyToRemove) and, for a Namespace, its
// spec.finalizers are empty too (kube-apiserver removes a namespace only then).
bool ShouldRemove(const ObjectKey& key, const json::Value& object);

// Writes `object`, a changed copy of `stored`, with preconditions on stored's uid and resource
// version; removes it from the store instead when ShouldRemove. Returns the store's error:
// Conflict when the object changed or was re-created since `stored` was read, NotFound when it
// is gone.
Status WriteOrRemove(ObjectStore& store, const StoredObject& stored, const json::Value& object);

// Deletes `stored` as a DELETE request with `policy` would (deletion_rules.h PlanDelete): removes
// it, or writes it marked; an object already marked as the plan asks is left alone. A Namespace
// with spec.finalizers is only marked (deletionTimestamp and status.phase Terminating); a pod
// bound to a node is deleted gracefully (PlanGracefulPodDelete) with its own grace period. Writes
// carry preconditions on stored's uid and resource version. `now` is RFC 3339.
// Errors: InvalidArgument when stored.json is not a JSON object; the store's Conflict or
// NotFound as WriteOrRemove.
Status DeleteStoredObject(ObjectStore& store, const StoredObject& stored, PropagationPolicy policy,
                          std::string_view now);

// The current system time in RFC 3339, whole seconds, UTC: the default clock of the
// controllers.
std::string SystemNowRfc3339();

}  // namespace devflow::apiserver
