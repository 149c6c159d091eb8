// NamespaceController: empties and removes namespaces marked for deletion, as
// kube-controller-manager's namespace controller does, acting on the ObjectStore directly.
//
// A DELETE of a Namespace only marks it (metadata.deletionTimestamp, status.phase Terminating);
// the Namespace keeps the "kubernetes" entry of spec.finalizers that the REST layer put there at
// creation. For every marked Namespace with that entry the controller:
// 1. deletes every object of every namespaced resource of the catalog in the namespace, as a
//    Background DELETE would (deletion_rules.h PlanDelete): objects without finalizers go at
//    once, the others are marked and stay until whoever owns their finalizers removes them
//    (objects already marked are left to that owner, or to the garbage collector);
// 2. once a list of every resource finds the namespace empty, removes "kubernetes" from
//    spec.finalizers; the Namespace is then removed from the store, unless other entries of
//    spec.finalizers or metadata.finalizers remain (whoever removes the last one removes it).
// A namespace that is not empty yet is looked at again when an object in it changes or goes.
// Status conditions (NamespaceContentRemaining, ...) are not written.
//
// Every write carries Preconditions on the uid and resource version it was decided from; on
// Conflict the object is read again. Failed work is retried with backoff (store_worker.h).
// Start() lists the namespaces once, so a namespace marked while no controller ran is emptied.
//
// Thread-safety: Start and Stop are called from one owning thread; the controller works on a
// thread of its own. The store and the catalog must outlive the controller.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "apiserver/object_store.h"
#include "apiserver/resource_catalog.h"
#include "apiserver/store_worker.h"
#include "common/status.h"

namespace devflow::apiserver {

// The spec.finalizers entry that stands for the namespace controller's work.
inline constexpr std::string_view kNamespaceFinalizer = "kubernetes";

struct NamespaceControllerOptions {
  // The time written into metadata.deletionTimestamp of the objects it marks, RFC 3339.
  // Default: the system clock.
  std::function<std::string()> now;
  // Retry delays of failed work.
  StoreWorkerOptions worker;
};

class NamespaceController {
 public:
  NamespaceController(ObjectStore& store, const ResourceCatalog& catalog,
                      NamespaceControllerOptions options = {});
  NamespaceController(const NamespaceController&) = delete;
  NamespaceController& operator=(const NamespaceController&) = delete;
  // Stops the controller.
  ~NamespaceController();

  // Subscribes to the store, lists the namespaces and queues the marked ones, then starts the
  // controller's thread. Errors: the store's error when the list fails (the controller is then
  // stopped and may be started again); FailedPrecondition when already running.
  Status Start();

  // Stops the thread and unsubscribes; unfinished work is found again by the next Start().
  void Stop();

  // Blocks until the controller has handled every event and has no work waiting or scheduled
  // for a retry; false when `timeout` passed first (see StoreWorker::WaitForIdleForTest).
  bool WaitForIdleForTest(std::chrono::milliseconds timeout);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace devflow::apiserver
