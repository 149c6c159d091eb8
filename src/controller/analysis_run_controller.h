// AnalysisRunController: measures every AnalysisRun on the API server and writes its status, as
// Argo Rollouts' analysis controller does (spec §5.2 steps 1-9), on either substrate (the
// embedded server of `devflow serve`, or a cluster's kube-apiserver).
//
// Shape (as RolloutController): an informer on AnalysisRuns (all namespaces) from the shared
// InformerFactory turns events into run keys on a WorkQueue; `workers` threads take keys, one key
// never on two workers at once. A sync of a run:
//   1. completed: deleted (uid precondition) once its TTL has passed (analysis::DeletionTime),
//      else looked at again at that time; nothing else is done to it;
//   2. its args are resolved (secretKeyRef values read from Secrets of the run's namespace
//      through the client) and substituted into its metrics (ResolveRunArguments). An argument
//      that cannot be resolved completes the run: phase Error, "Unable to resolve metric
//      arguments: ..." (RunErrorUpdate); a transient failure reading a Secret
//      (IsTransient) is retried with backoff instead;
//   3. analysis::PlanMeasurements lists the provider calls due now; they run IN PARALLEL on a
//      bounded thread pool shared by every run of the controller (measurement_threads), and the
//      worker waits for its run's calls only. A slow provider therefore holds one pool thread
//      for at most its own timeout (web: timeoutSeconds, prometheus: its timeout) and never a
//      worker of another run;
//   4. analysis::ApplyReadings records the readings (secret values masked in messages);
//   5. the new status is written when it differs from the one read, as a merge patch of the
//      whole object carrying the resourceVersion read (StatusPatch): the AnalysisRun CRD has no
//      status subresource (Argo's, and the embedded server's kind table, say so), and a user's
//      `terminate` landing meanwhile makes the write fail with Conflict instead of being
//      overwritten; the next sync decides again from the newer object;
//   6. once written: the update's events are recorded on the run, providers' GarbageCollect is
//      called for trimmed metrics (a failure is reported through LastError, not retried: the
//      next trim calls it again), and the key is queued again at update.requeue_at (or at the
//      TTL of a run that just completed).
// A failed sync requeues the key with the queue's per-key exponential backoff.
//
// Crash consistency: nothing is remembered between syncs but the run's status. A crash (or a
// Conflict) between measuring and writing loses those readings, and the next sync simply
// measures again, since the status still says they are due: a measurement may be taken twice,
// never recorded twice.
//
// Leader election is the caller's, as for RolloutController: `devflow controller` runs it while
// leading; `devflow serve` owns its data directory alone and runs it directly.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis_arguments.h"
#include "analysis/analysis_run_update.h"
#include "analysis/metric_provider.h"
#include "api/analysis.h"
#include "api/time.h"
#include "common/json_value.h"
#include "common/result.h"
#include "common/status.h"
#include "kube/clock.h"
#include "kube/work_queue.h"

namespace devflow::kube {
class ApiClient;
class EventRecorder;
class InformerFactory;
}  // namespace devflow::kube

namespace devflow::controller {

// The provider measuring `metric` (its arguments substituted), or the error that becomes the
// measurement's Error (an unsupported provider). Usually a ProviderRegistry's Find
// (analysis/providers/provider_registry.h); the pointer must outlive the controller. Called from
// worker threads concurrently.
using ProviderLookup = std::function<Result<analysis::MetricProvider*>(const api::Metric& metric)>;

struct AnalysisRunControllerOptions {
  // Threads syncing AnalysisRuns (Argo's --analysis-threads defaults to 30; one machine needs
  // fewer).
  int workers = 10;
  // Threads calling providers, shared by every run; at least 1.
  int measurement_threads = 10;
  // Time for the measurements and requeues; null means kube::SystemClock(). Must outlive the
  // controller.
  const kube::Clock* clock = nullptr;
  // Where events go; null records none. Must outlive the controller.
  kube::EventRecorder* recorder = nullptr;
  // Backoff of keys whose sync failed.
  kube::RateLimitOptions rate_limit;
  // REQUIRED: finds each metric's provider.
  ProviderLookup providers;
};

// Thread-safe. Owns its worker threads, measurement pool and queue; borrows the client and the
// informer factory.
class AnalysisRunController {
 public:
  // Registers handlers on the factory's AnalysisRun informer (creating it) and starts the
  // workers, which wait for the informer to sync. It does not start the factory. `client` and
  // `informers` must outlive the controller.
  // REQUIRES: options.providers is set.
  static std::unique_ptr<AnalysisRunController> Start(kube::ApiClient& client,
                                                      kube::InformerFactory& informers,
                                                      AnalysisRunControllerOptions options);
  ~AnalysisRunController();  // Stop()s.
  AnalysisRunController(const AnalysisRunController&) = delete;
  AnalysisRunController& operator=(const AnalysisRunController&) = delete;

  // Stops taking keys, lets the measurements under way finish, and joins every thread.
  // Idempotent.
  void Stop();

  // The most recent failed sync ("syncing analysisruns/NS/NAME: ..."); ok until one fails and
  // again after a later sync succeeds. For diagnostics and tests.
  Status LastError() const;
  // Syncs completed (successful or not), for the benchmark and tests.
  uint64_t Syncs() const;

 private:
  class Impl;
  explicit AnalysisRunController(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// ---- The pure steps of a sync (exposed for table tests) ----

// A run's metrics with its arguments substituted, and the secret values to mask.
struct ResolvedRun {
  api::AnalysisRun run;                    // spec.metrics substituted; the rest as read
  std::vector<std::string> secret_values;  // values read from Secrets
  friend bool operator==(const ResolvedRun&, const ResolvedRun&) = default;
};

// Resolves run.spec.args (analysis::ResolveArgumentValues, secrets through `secrets`) and
// substitutes them into every metric (analysis::SubstituteArguments, at "spec.metrics[i]").
// Errors: the first of those functions' errors, its code and field path kept, its message with
// the secret values already read masked.
Result<ResolvedRun> ResolveRunArguments(const api::AnalysisRun& run,
                                        const analysis::SecretLookup& secrets);

// True for failures worth retrying as they are (the API server unavailable, a timeout, an
// internal error, a Conflict or Gone): a sync failing so is retried with backoff. Any other
// failure to resolve arguments (a missing Secret or key, an unknown placeholder) completes the
// run with Error, as in Argo.
bool IsTransient(const Status& status);

// The update completing a run with phase Error and `message`, as Argo does when a run's arguments
// cannot be resolved ("Unable to resolve metric arguments: ...") or its spec cannot be read
// ("Analysis spec invalid: ..."): startedAt (if unset) and completedAt = now, and the event
// AnalysisRunError "Analysis Completed. Result: Error"; no requeue. A completed run is returned
// unchanged, with no event.
analysis::AnalysisRunUpdate RunErrorUpdate(const api::AnalysisRun& run, std::string message,
                                           api::TimePoint now);

// "<field path>: <message>" of `error`, or its message alone when it names no field.
std::string ErrorText(const Status& error);

// The merge patch writing `status` over `run_json` (the run as read): metadata.resourceVersion
// of the read object (the precondition) and the difference of the status (members removed
// become null, so a message cleared is cleared). {} status differences give a patch of the
// resourceVersion only.
json::Value StatusPatch(const json::Value& run_json, const api::AnalysisRunStatus& status);

// What to do with a completed run now (spec §5.2 step 8).
struct TtlAction {
  bool delete_now = false;                   // its TTL has passed
  std::optional<api::TimePoint> requeue_at;  // when it will have (unset: never, or deleting)
  friend bool operator==(const TtlAction&, const TtlAction&) = default;
};
// delete_now once now > analysis::DeletionTime(run); else requeue_at just after it (1 ms, so
// a woken controller finds it passed); nothing when no TTL applies.
TtlAction CompletedRunTtl(const api::AnalysisRun& run, api::TimePoint now);

}  // namespace devflow::controller
