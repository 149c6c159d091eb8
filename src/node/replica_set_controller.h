// ReplicaSetController: keeps spec.replicas pods for every ReplicaSet on the API server, as
// kube-controller-manager's ReplicaSet controller does, so that a Rollout's ReplicaSets get pods
// on a machine without Kubernetes. It only writes API objects (pods, ReplicaSet status, events);
// running the pods is the process runtime's business.
//
// Shape (client-go's): informers on ReplicaSets and Pods (all namespaces) from the shared
// InformerFactory turn events into ReplicaSet keys on a WorkQueue; `workers` threads take keys
// and sync them, one key never on two workers at once. A sync reads the informer caches, decides
// with the pure rules of replica_set_rules.h, and applies the decision in this order:
//   1. adopt orphans and release pods (strategic merge patches of metadata.ownerReferences,
//      preconditioned on the pod's uid and, for adoptions, its resourceVersion; adopting first
//      re-reads the ReplicaSet from the server to make sure it is not being deleted);
//   2. create pods in slow-start batches, or delete surplus pods (preconditioned on their uid),
//      recording ReplicaSetExpectations first so that nothing is created or deleted again until
//      the pod informer has seen these writes (or kExpectationsTimeout passes);
//   3. write status through the status subresource when it differs (resourceVersion
//      precondition; ReplicaFailure when a create or delete failed);
//   4. queue the key again after NextAvailabilityCheck when a Ready pod is not yet available.
// A failed step (or a failed create/delete, which still updates status) requeues the key with
// the queue's per-key exponential backoff; a Conflict or a stale cache resolves on a later sync.
// Workers start syncing once both informers have synced, so a restarted controller sees every
// existing pod before it decides anything and creates no duplicates.
//
// Events (through the optional EventRecorder), as Kubernetes writes them on the ReplicaSet:
//   Normal  SuccessfulCreate  "Created pod: NAME"
//   Warning FailedCreate      "Error creating: MESSAGE"
//   Normal  SuccessfulDelete  "Deleted pod: NAME"
//   Warning FailedDelete      "Error deleting: MESSAGE"
// A create refused because the namespace is being terminated is not a failure (the namespace
// controller is removing the ReplicaSet too), as in Kubernetes. A ReplicaSet being deleted gets
// no creations, deletions, adoptions or releases (the garbage collector deals with its pods), but
// its status is still kept up to date, as Kubernetes does.
#pragma once

#include <memory>

#include "common/status.h"
#include "kube/clock.h"
#include "kube/work_queue.h"
#include "node/replica_set_rules.h"

namespace devflow::kube {
class ApiClient;
class EventRecorder;
class InformerFactory;
}  // namespace devflow::kube

namespace devflow::node {

struct ReplicaSetControllerOptions {
  // Threads syncing ReplicaSets (kube-controller-manager's --concurrent-replicaset-syncs).
  int workers = 5;
  // Time for expectations, requeues, availability and condition timestamps; null means
  // kube::SystemClock(). Must outlive the controller.
  const kube::Clock* clock = nullptr;
  // Where events go; null records none. Must outlive the controller.
  kube::EventRecorder* recorder = nullptr;
  // Suffixes of new pod names; empty means RandomNameSuffixSource(). Called from worker threads.
  NameSuffixSource name_suffixes;
  // Backoff of keys whose sync failed.
  kube::RateLimitOptions rate_limit;
};

// Thread-safe. Owns its worker threads and queue; borrows the client and the informer factory.
class ReplicaSetController {
 public:
  // Registers the controller's handlers on the factory's ReplicaSet and Pod informers (creating
  // them) and starts the workers, which wait for both informers to sync. It does not start the
  // factory: call informers.Start() (before or after) as with any controller sharing it.
  // `client` and `informers` must outlive the controller.
  static std::unique_ptr<ReplicaSetController> Start(kube::ApiClient& client,
                                                     kube::InformerFactory& informers,
                                                     ReplicaSetControllerOptions options = {});

  ~ReplicaSetController();  // Stop()s.
  ReplicaSetController(const ReplicaSetController&) = delete;
  ReplicaSetController& operator=(const ReplicaSetController&) = delete;

  // Stops taking keys and joins the workers (a sync in progress finishes its current API call
  // and stops). The handlers stay registered on the informers but do nothing from now on.
  // Idempotent.
  void Stop();

  // The most recent failed sync ("syncing replicasets/NS/NAME: ..."); ok until one fails, and
  // again after a later sync of any key succeeds. For diagnostics and tests.
  Status LastError() const;

 private:
  class Impl;
  explicit ReplicaSetController(std::shared_ptr<Impl> impl);
  // Shared with the informer handlers, which outlive the controller (an informer cannot drop a
  // handler): they hold it weakly and do nothing once it is stopped.
  std::shared_ptr<Impl> impl_;
};

}  // namespace devflow::node
