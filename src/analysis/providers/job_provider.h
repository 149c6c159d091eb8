// JobProvider: the MetricProvider for `provider.job` (spec §5.6): a measurement is a batch/v1
// Job, and the Job's own outcome is the measurement's phase (no successCondition is evaluated).
//
// Lifecycle of one measurement, as Argo Rollouts' job provider runs it:
//   Measure    creates the Job `<runUID>.<metric>.<n>` (JobName) in the run's namespace from
//              provider.job.metadata and .spec, owned by the AnalysisRun (controller: true), and
//              answers Running with metadata job-name / job-namespace, to be resumed at once;
//   Resume     reads the Job (JobReading): Complete=True is Successful, Failed=True is Failed, a
//              pod of the Job whose container waits on ErrImagePull / ImagePullBackOff /
//              InvalidImageName is Inconclusive (the pod's message), anything else is Running
//              again, resumed after sqrt(2 x seconds since the measurement started);
//   Terminate  deletes the Job (propagation Foreground, so its pods go first) and answers
//              Inconclusive "Metric Terminated";
//   GarbageCollect  deletes the Jobs of the run's metric beyond the newest `keep`.
// Jobs carry the label analysisrun.argoproj.io/uid (the run's uid) and the annotations
// analysisrun.argoproj.io/name, /namespace and /metric-name, Argo's keys, so that a Job created by
// Argo Rollouts and one created by devflow are collected alike. A metric's name need not be a
// valid label value, so the metric is matched by annotation after listing by the run's label.
//
// Not done (Argo's environment switches): ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE and
// ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG; Jobs always go to the run's namespace through the
// provider's client.
//
// Thread-safety: the provider holds only the client (thread-safe), so every verb may be called
// from several threads at once.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/metric_provider.h"
#include "api/analysis.h"
#include "api/pod.h"
#include "api/time.h"
#include "api/workloads.h"
#include "common/json_value.h"
#include "common/result.h"
#include "common/status.h"

namespace devflow::kube {
class ApiClient;
}  // namespace devflow::kube

namespace devflow::analysis::providers {

// The label holding the AnalysisRun's uid, and the annotations naming the run and the metric.
inline constexpr std::string_view kJobRunUidLabel = "analysisrun.argoproj.io/uid";
inline constexpr std::string_view kJobRunNameAnnotation = "analysisrun.argoproj.io/name";
inline constexpr std::string_view kJobRunNamespaceAnnotation = "analysisrun.argoproj.io/namespace";
inline constexpr std::string_view kJobMetricNameAnnotation = "analysisrun.argoproj.io/metric-name";
// measurements[].metadata keys.
inline constexpr std::string_view kJobNameKey = "job-name";
inline constexpr std::string_view kJobNamespaceKey = "job-namespace";
// Kubernetes' limit for a Job's name (it becomes the pods' job-name label value).
inline constexpr size_t kMaxJobNameLength = 63;

class JobProvider : public MetricProvider {
 public:
  // `client` must outlive the provider.
  explicit JobProvider(kube::ApiClient& client) : client_(client) {}

  // Creates the measurement's Job (JobFor) and returns phase Running, metadata job-name and
  // job-namespace, resume_at = request.now. Idempotent: when the Job exists already and
  // belongs to this run (its uid label), the same Running reading is returned. Errors:
  // JobFor's InvalidArgument; AlreadyExists when a Job of that name belongs to something else;
  // the client's errors ("creating jobs/NS/NAME: ...").
  Result<Reading> Measure(const MeasurementRequest& request) override;

  // Reads the Job named in in_flight.metadata and its pods (label job-name, owned by the Job)
  // and returns JobReading. Errors: InvalidArgument when the measurement names no Job;
  // NotFound when the Job is gone; the client's errors.
  Result<Reading> Resume(const MeasurementRequest& request,
                         const api::Measurement& in_flight) override;

  // Deletes the Job (Foreground; one already gone is fine) and returns phase Inconclusive,
  // message "Metric Terminated", the Job's metadata. Errors: InvalidArgument when the
  // measurement names no Job; the client's other errors.
  Result<Reading> Terminate(const MeasurementRequest& request,
                            const api::Measurement& in_flight) override;

  // Lists the run's Jobs (label kJobRunUidLabel) in its namespace, and deletes (Foreground) those
  // of `metric` beyond the newest `keep` (JobsToCollect). Deletes every one it can; returns the
  // first failure (a Job already gone is not one), or the list's error.
  Status GarbageCollect(const api::AnalysisRun& run, const api::Metric& metric, int keep) override;

 private:
  kube::ApiClient& client_;
};

// "<run_uid>.<metric>.<n>", the metric part cut so that the whole fits kMaxJobNameLength.
std::string JobName(std::string_view run_uid, std::string_view metric, int n);

// The n of the measurement a Measure would take now: the metric's count + error + 1 in
// run.status.metricResults (1 when the metric has no result yet).
int NextJobOrdinal(const api::AnalysisRun& run, std::string_view metric);

// The Job of measurement `n` of `metric`: apiVersion batch/v1, kind Job, metadata name
// JobName(...), namespace the run's, labels and annotations of provider.job.metadata plus the
// run's label and annotations above, ownerReferences [the run, controller and
// blockOwnerDeletion true]; spec provider.job.spec as written. Errors: InvalidArgument with
// field path provider.job when the metric has no job provider, provider.job.spec when the spec
// is not an object.
Result<json::Value> JobFor(const api::AnalysisRun& run, const api::Metric& metric, int n);

// How long to wait before reading a running Job again: sqrt(2 x elapsed seconds), so a long
// Job is polled less and less often (0 for a measurement that just started).
std::chrono::microseconds JobRecheckDelay(std::chrono::microseconds elapsed);

// What a Job read back says (see the file comment): `pods` are the Job's pods; `started_at`
// is the measurement's startedAt, `now` the time of the read. Metadata job-name/job-namespace
// are the Job's. Failed carries the Failed condition's message; Inconclusive
// "<pod>: <container>: <reason>: <message>" of the first pod container waiting on an image
// error.
Reading JobReading(const api::Job& job, const std::vector<api::Pod>& pods,
                   api::TimePoint started_at, api::TimePoint now);

// The names of the Jobs among `jobs` to delete so that the newest `keep` (by creationTimestamp,
// then name) of `metric` remain; Jobs of other metrics (annotation kJobMetricNameAnnotation)
// are left alone. A negative keep counts as 0. Oldest first.
std::vector<std::string> JobsToCollect(const std::vector<api::Job>& jobs, std::string_view metric,
                                       int keep);

}  // namespace devflow::analysis::providers
