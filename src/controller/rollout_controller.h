// RolloutController: reconciles every Rollout on the API server with the decisions of src/core,
// as Argo Rollouts' controller does, on either substrate (the embedded server of `devflow serve`,
// or a cluster's kube-apiserver).
//
// Shape (client-go's, on a kube::ControllerLoop): informers on Rollouts, ReplicaSets, Services,
// AnalysisRuns, Experiments and the analysis templates (all namespaces) from the shared
// InformerFactory turn events into Rollout keys: a Rollout's own events; a ReplicaSet's,
// AnalysisRun's or Experiment's, for the Rollout that controls it; a Service's, for every
// Rollout of its namespace that names it. A sync reads the caches into a core::RolloutSnapshot,
// asks the strategy's planner for a core::RolloutPlan, and has a PlanWriter perform it; a plan's
// requeue_at queues the key again at that time (pauses, scale-down delays, the progress
// deadline). A failed sync is retried with the loop's per-key backoff; a Conflict (the Rollout
// or a ReplicaSet changed meanwhile) resolves on the next sync, which reads the newer objects.
// Workers start once the informers have synced, so a restarted controller decides only from the
// whole current state: that, and every plan being idempotent, is why a crash at any point
// converges.
//
// Both strategies: blue/green (core/blue_green_plan.h) and canary (core/canary_plan.h), whose
// traffic routers (traffic/router_registry.h) are built from the spec on each sync and told the
// plan's traffic by the PlanWriter. A Rollout whose spec is invalid, or that needs a router
// devflow does not have, gets the InvalidSpec condition and phase Degraded, and nothing else is
// done for it. Its AnalysisRuns and step Experiments are created and followed here; the
// AnalysisRunController and ExperimentController run them.
//
// Leader election is the caller's: run the controller only while leading (`devflow controller`
// on a cluster); `devflow serve` owns its data directory alone and runs it directly.
#pragma once

#include <chrono>
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

struct RolloutControllerOptions {
  // Threads syncing Rollouts (Argo's --rollout-threads, default 10).
  int workers = 10;
  // Time for the snapshots (pauses, deadlines) and requeues; null means kube::SystemClock().
  // Must outlive the controller.
  const kube::Clock* clock = nullptr;
  // Where events go; null records none. Must outlive the controller.
  kube::EventRecorder* recorder = nullptr;
  // Backoff of keys whose sync failed.
  kube::RateLimitOptions rate_limit;
  // How long after an invalid spec to look again (Argo: 20 s).
  std::chrono::seconds invalid_spec_retry{20};
};

// Thread-safe. Owns its worker threads and queue; borrows the client and the informer factory.
class RolloutController {
 public:
  // Registers handlers on the factory's Rollout, ReplicaSet and Service informers (creating
  // them) and starts the workers, which wait for the informers to sync. It does not start the
  // factory. `client` and `informers` must outlive the controller.
  static std::unique_ptr<RolloutController> Start(kube::ApiClient& client,
                                                  kube::InformerFactory& informers,
                                                  RolloutControllerOptions options = {});
  ~RolloutController();  // Stop()s.
  RolloutController(const RolloutController&) = delete;
  RolloutController& operator=(const RolloutController&) = delete;

  // Stops taking keys and joins the workers. Idempotent.
  void Stop();

  // The most recent failed sync ("syncing rollouts/NS/NAME: ..."); ok until one fails and again
  // after a later sync succeeds. For diagnostics and tests.
  Status LastError() const;
  // Syncs completed (successful or not), for the benchmark and tests.
  uint64_t Syncs() const;

  // The CPU time single syncs took on their worker thread (the decision, encoding and the
  // requests' client side; not the informers' decoding of watch events, which other threads do),
  // in 10 µs buckets up to 10 ms.
  struct SyncCpu {
    uint64_t syncs = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
  };
  SyncCpu SyncCpuTime() const;

 private:
  class Impl;
  explicit RolloutController(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace devflow::controller
