// JobController: runs batch/v1 Jobs on one machine, as kube-controller-manager's Job controller
// does, so that the `job` metric provider (analysis/providers/job_provider.h) works without
// Kubernetes. Like ReplicaSetController it only writes API objects (pods, Job status); the
// kubelet runs the pods, and a pod with restartPolicy Never or OnFailure ends in phase Succeeded
// (every container exited 0) or Failed there.
//
// What a Job gets (the pure rules, PlanJob):
//   - one pod at a time (parallelism and completions other than 1 are treated as 1): a pod
//     from spec.template, generateName "<job>-", labels job-name / controller-uid (and their
//     batch.kubernetes.io/ forms, as Kubernetes 1.27+ writes them), ownerReference to the Job
//     (controller, blockOwnerDeletion);
//   - restartPolicy Never: a Failed pod is kept and counted, and a new pod is created after the
//     back-off (initial, doubling per failure, capped at max: Kubernetes' 10 s and 6 min) while
//     failed <= backoffLimit (default 6); then the Job fails (BackoffLimitExceeded);
//   - restartPolicy OnFailure: the kubelet restarts the container in the pod; once the restarts
//     of the Job's running pods reach backoffLimit the Job fails and the pod is deleted;
//   - activeDeadlineSeconds counted from status.startTime: the Job fails (DeadlineExceeded) and
//     its running pods are deleted;
//   - status: startTime (first sync), active / ready / succeeded / failed counts, and at the end
//     completionTime plus condition Complete (reason CompletionsReached, message "Reached
//     expected number of succeeded pods") or Failed (reasons above, messages "Job has reached the
//     specified backoff limit" / "Job was active longer than specified deadline"), with status
//     "True" and lastProbeTime = lastTransitionTime = the time of the decision. Kubernetes 1.31+
//     first writes the interim SuccessCriteriaMet / FailureTarget conditions; they are not
//     written here (readers, Argo Rollouts included, look at Complete and Failed). A finished
//     Job's status is never touched again, but a pod of it still running is deleted (a delete
//     that did not land when the Job failed is made again).
// Not supported: suspend, podFailurePolicy, successPolicy, indexed completion,
// ttlSecondsAfterFinished, pod-tracking finalizers (a Failed pod deleted by someone is no longer
// counted).
//
// Shape (client-go's, as ReplicaSetController): informers on Jobs and Pods (all namespaces) from
// the shared InformerFactory turn events into Job keys on a WorkQueue; `workers` threads sync
// them, one key never on two workers at once. A sync reads the caches, plans, deletes the plan's
// pods (uid precondition), creates its pod, then writes the status through the status
// subresource when it differs (resourceVersion precondition). A created pod is expected until
// the pod informer reports it (or kExpectationsTimeout of replica_set_rules.h passes), so a fast
// resync never creates a second one. Failures requeue the key with back-off.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/pod.h"
#include "api/time.h"
#include "api/workloads.h"
#include "common/status.h"
#include "kube/clock.h"
#include "kube/work_queue.h"
#include "node/replica_set_rules.h"

namespace devflow::kube {
class ApiClient;
class InformerFactory;
}  // namespace devflow::kube

namespace devflow::node {

// The back-off between a failed pod and its replacement (restartPolicy Never).
struct JobBackoff {
  std::chrono::milliseconds initial = std::chrono::seconds(10);
  std::chrono::milliseconds max = std::chrono::minutes(6);
  friend bool operator==(const JobBackoff&, const JobBackoff&) = default;
};

// What a sync of one Job does.
struct JobPlan {
  std::optional<api::Pod> create;   // a pod to create (metadata.generateName set)
  std::vector<PodRef> delete_pods;  // running pods to delete (the Job has failed or finished)
  api::JobStatus status;            // the status to have (written when it differs)
  std::optional<std::chrono::milliseconds> requeue_after;  // look again (back-off, deadline)
  friend bool operator==(const JobPlan&, const JobPlan&) = default;
};

// The pod a Job runs: spec.template's metadata and spec, namespace the Job's, generateName
// "<job>-", the labels above added, ownerReference to the Job.
api::Pod PodForJob(const api::Job& job);

// The decision for `job` given its pods (those it controls, including ones being deleted) at
// `now` (see the file comment). `creation_pending`: a pod created earlier is not in `pods` yet,
// so none is created now. Pure.
JobPlan PlanJob(const api::Job& job, const std::vector<api::Pod>& pods, bool creation_pending,
                api::TimePoint now, const JobBackoff& backoff);

struct JobControllerOptions {
  int workers = 2;  // kube-controller-manager's --concurrent-job-syncs is 5; Jobs are few here
  // Time for the status, deadlines and back-off; null means kube::SystemClock(). Must outlive
  // the controller.
  const kube::Clock* clock = nullptr;
  JobBackoff backoff;                 // between a failed pod and the next (restartPolicy Never)
  kube::RateLimitOptions rate_limit;  // back-off of keys whose sync failed
};

// Thread-safe. Owns its worker threads and queue; borrows the client and the informer factory.
class JobController {
 public:
  // Registers the controller's handlers on the factory's Job and Pod informers (creating them)
  // and starts the workers, which wait for both informers to sync. It does not start the
  // factory: call informers.Start() (before or after). `client` and `informers` must outlive
  // the controller.
  static std::unique_ptr<JobController> Start(kube::ApiClient& client,
                                              kube::InformerFactory& informers,
                                              JobControllerOptions options = {});

  ~JobController();  // Stop()s.
  JobController(const JobController&) = delete;
  JobController& operator=(const JobController&) = delete;

  // Stops taking keys and joins the workers; the handlers stay registered but do nothing.
  // Idempotent.
  void Stop();

  // The most recent failed sync ("syncing jobs/NS/NAME: ..."); ok until one fails, and again
  // after a later sync succeeds. For diagnostics and tests.
  Status LastError() const;

 private:
  class Impl;
  explicit JobController(std::shared_ptr<Impl> impl);
  // Shared with the informer handlers, which hold it weakly (an informer cannot drop a handler).
  std::shared_ptr<Impl> impl_;
};

}  // namespace devflow::node
