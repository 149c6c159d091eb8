// ExperimentController: runs every Experiment on the API server with the decisions of
// core/experiment_plan.h, as Argo Rollouts' experiment controller does (spec §5.7), on either
// substrate.
//
// Shape: informers on Experiments, ReplicaSets, Services, AnalysisRuns and the analysis
// templates (all namespaces, shared with the other controllers through the InformerFactory)
// queue Experiment keys on a kube::ControllerLoop: an Experiment's own events, and those of the
// ReplicaSets, Services and runs it controls. A sync reads the caches into a
// core::ExperimentSnapshot, plans, and performs the plan's writes in order, each conditional
// (uid preconditions; the status as a merge patch over the resourceVersion read, since the
// Experiment kind has no status subresource: a user's terminate or retry written meanwhile
// fails the write with Conflict and the next sync decides again). Events are recorded once
// every write has landed. A plan's requeue_at queues the key again then (the duration's end, a
// progress deadline, a scale-down deadline).
//
// Crash consistency: nothing is remembered between syncs; every write is idempotent given the
// snapshot, so a restarted controller converges from what landed.
//
// Leader election is the caller's, as for the other controllers.
#pragma once

#include <memory>

#include "common/status.h"
#include "kube/clock.h"
#include "kube/work_queue.h"

namespace devflow::kube {
class ApiClient;
class EventRecorder;
class InformerFactory;
}  // namespace devflow::kube

namespace devflow::controller {

struct ExperimentControllerOptions {
  // Threads syncing Experiments (Argo's --experiment-threads, default 10).
  int workers = 4;
  // Time for the snapshots and requeues; null means kube::SystemClock(). Must outlive the
  // controller.
  const kube::Clock* clock = nullptr;
  // Where events go; null records none. Must outlive the controller.
  kube::EventRecorder* recorder = nullptr;
  kube::RateLimitOptions rate_limit;
};

// Thread-safe. Owns its workers; borrows the client and the informer factory.
class ExperimentController {
 public:
  // Registers handlers on the factory's informers (creating them) and starts the workers,
  // which wait for the informers to sync. It does not start the factory. `client` and
  // `informers` must outlive the controller.
  static std::unique_ptr<ExperimentController> Start(kube::ApiClient& client,
                                                     kube::InformerFactory& informers,
                                                     ExperimentControllerOptions options = {});
  ~ExperimentController();  // Stop()s.
  ExperimentController(const ExperimentController&) = delete;
  ExperimentController& operator=(const ExperimentController&) = delete;

  // Stops taking keys and joins the workers. Idempotent.
  void Stop();

  // The most recent failed sync ("syncing experiments/NS/NAME: ..."); ok once a later sync
  // succeeds. For diagnostics and tests.
  Status LastError() const;
  uint64_t Syncs() const;

 private:
  class Impl;
  explicit ExperimentController(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace devflow::controller
