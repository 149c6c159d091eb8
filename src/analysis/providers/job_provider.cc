#include "analysis/providers/job_provider.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "api/decode.h"
#include "api/meta_codec.h"
#include "kube/api_client.h"
#include "kube/typed_client.h"

namespace devflow::analysis::providers {
namespace {

using std::chrono::microseconds;

constexpr std::string_view kMetricTerminated = "Metric Terminated";

// Waiting reasons that mean the Job's image will not run as it stands.
bool IsImageError(std::string_view reason) {
  return reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName";
}

bool ConditionTrue(const api::JobStatus& status, std::string_view type,
                   const api::JobCondition** found) {
  for (const api::JobCondition& condition : status.conditions) {
    if (condition.type == type && condition.status == "True") {
      *found = &condition;
      return true;
    }
  }
  return false;
}

std::map<std::string, std::string> JobMetadata(std::string_view ns, std::string_view name) {
  return {{std::string(kJobNameKey), std::string(name)},
          {std::string(kJobNamespaceKey), std::string(ns)}};
}

std::string JobPath(std::string_view ns, std::string_view name) {
  return "jobs/" + std::string(ns) + "/" + std::string(name);
}

// The Job a measurement in flight names: (namespace, name).
Result<std::pair<std::string, std::string>> JobOf(const api::Measurement& in_flight,
                                                  const api::AnalysisRun& run) {
  auto name = in_flight.metadata.find(std::string(kJobNameKey));
  if (name == in_flight.metadata.end() || name->second.empty()) {
    return InvalidArgumentError("the measurement names no Job (metadata job-name is empty)",
                                "metadata.job-name");
  }
  auto ns = in_flight.metadata.find(std::string(kJobNamespaceKey));
  return std::pair{
      ns != in_flight.metadata.end() && !ns->second.empty() ? ns->second : run.metadata.namespace_,
      name->second};
}

const kube::DeleteRequest kForeground{.propagation_policy = "Foreground"};

}  // namespace

std::string JobName(std::string_view run_uid, std::string_view metric, int n) {
  const std::string prefix = std::string(run_uid) + ".";
  const std::string suffix = "." + std::to_string(n);
  const size_t fixed = prefix.size() + suffix.size();
  const size_t room = fixed >= kMaxJobNameLength ? 0 : kMaxJobNameLength - fixed;
  return prefix + std::string(metric.substr(0, std::min(room, metric.size()))) + suffix;
}

int NextJobOrdinal(const api::AnalysisRun& run, std::string_view metric) {
  for (const api::MetricResult& result : run.status.metric_results) {
    if (result.name == metric) return result.count + result.error + 1;
  }
  return 1;
}

Result<json::Value> JobFor(const api::AnalysisRun& run, const api::Metric& metric, int n) {
  if (!metric.provider.job) {
    return InvalidArgumentError("metric " + metric.name + " has no job provider", "provider.job");
  }
  const api::JobMetric& job = *metric.provider.job;
  if (!job.spec.is_object()) {
    return InvalidArgumentError("must be a batch/v1 JobSpec object", "provider.job.spec");
  }
  api::ObjectMeta meta = job.metadata;
  meta.name = JobName(run.metadata.uid, metric.name, n);
  meta.generate_name.clear();
  meta.namespace_ = run.metadata.namespace_;
  meta.labels[std::string(kJobRunUidLabel)] = run.metadata.uid;
  meta.annotations[std::string(kJobRunNameAnnotation)] = run.metadata.name;
  meta.annotations[std::string(kJobRunNamespaceAnnotation)] = run.metadata.namespace_;
  meta.annotations[std::string(kJobMetricNameAnnotation)] = metric.name;
  meta.owner_references = {
      api::ControllerReference("argoproj.io/v1alpha1", "AnalysisRun", run.metadata)};
  return json::Value(json::Object{{"apiVersion", "batch/v1"},
                                  {"kind", "Job"},
                                  {"metadata", api::Encode(meta)},
                                  {"spec", job.spec}});
}

microseconds JobRecheckDelay(microseconds elapsed) {
  const double seconds = std::max(0.0, std::chrono::duration<double>(elapsed).count());
  return std::chrono::duration_cast<microseconds>(
      std::chrono::duration<double>(std::sqrt(2 * seconds)));
}

Reading JobReading(const api::Job& job, const std::vector<api::Pod>& pods,
                   api::TimePoint started_at, api::TimePoint now) {
  Reading reading;
  reading.metadata = JobMetadata(job.metadata.namespace_, job.metadata.name);
  const api::JobCondition* condition = nullptr;
  if (ConditionTrue(job.status, "Complete", &condition)) {
    reading.phase = api::analysis_phase::kSuccessful;
    return reading;
  }
  if (ConditionTrue(job.status, "Failed", &condition)) {
    reading.phase = api::analysis_phase::kFailed;
    reading.message = condition->message;
    return reading;
  }
  for (const api::Pod& pod : pods) {
    for (const api::ContainerStatus& status : pod.status.container_statuses) {
      if (status.state.waiting && IsImageError(status.state.waiting->reason)) {
        reading.phase = api::analysis_phase::kInconclusive;
        reading.message = pod.metadata.name + ": " + status.name + ": " +
                          status.state.waiting->reason + ": " + status.state.waiting->message;
        return reading;
      }
    }
  }
  reading.phase = api::analysis_phase::kRunning;
  reading.resume_at = api::Time{now + JobRecheckDelay(now - started_at)};
  return reading;
}

std::vector<std::string> JobsToCollect(const std::vector<api::Job>& jobs, std::string_view metric,
                                       int keep) {
  std::vector<const api::Job*> mine;
  for (const api::Job& job : jobs) {
    auto annotation = job.metadata.annotations.find(std::string(kJobMetricNameAnnotation));
    if (annotation != job.metadata.annotations.end() && annotation->second == metric) {
      mine.push_back(&job);
    }
  }
  // Newest first.
  std::sort(mine.begin(), mine.end(), [](const api::Job* a, const api::Job* b) {
    if (a->metadata.creation_timestamp != b->metadata.creation_timestamp) {
      return a->metadata.creation_timestamp > b->metadata.creation_timestamp;
    }
    return a->metadata.name > b->metadata.name;
  });
  std::vector<std::string> out;
  for (size_t i = mine.size(); i > static_cast<size_t>(std::max(keep, 0)); --i) {
    out.push_back(mine[i - 1]->metadata.name);
  }
  return out;
}

Result<Reading> JobProvider::Measure(const MeasurementRequest& request) {
  const api::AnalysisRun& run = request.run;
  DEVFLOW_ASSIGN_OR_RETURN(json::Value job,
                           JobFor(run, request.metric, NextJobOrdinal(run, request.metric.name)));
  const std::string ns = run.metadata.namespace_;
  const std::string name = json::StringAt(job, {"metadata", "name"});
  const kube::ResourceRef jobs = kube::ResourceOf<api::Job>();
  Result<json::Value> created = client_.Create(jobs, ns, job);
  if (!created.ok()) {
    if (created.error().code() != StatusCode::kAlreadyExists) {
      return created.error().WithContext("creating " + JobPath(ns, name));
    }
    // A retry of a measurement whose Job was created before the run's status was written.
    DEVFLOW_ASSIGN_OR_RETURN(json::Value existing, client_.Get(jobs, ns, name));
    if (json::StringAt(existing, {"metadata", "labels", kJobRunUidLabel}) != run.metadata.uid) {
      return AlreadyExistsError(JobPath(ns, name) + " exists and belongs to another AnalysisRun");
    }
  }
  Reading reading;
  reading.phase = api::analysis_phase::kRunning;
  reading.metadata = JobMetadata(ns, name);
  reading.resume_at = api::Time{request.now};
  return reading;
}

Result<Reading> JobProvider::Resume(const MeasurementRequest& request,
                                    const api::Measurement& in_flight) {
  DEVFLOW_ASSIGN_OR_RETURN(auto target, JobOf(in_flight, request.run));
  const auto& [ns, name] = target;
  Result<api::Job> job = kube::TypedClient<api::Job>(client_).Get(ns, name);
  if (!job.ok()) return job.error().WithContext("reading " + JobPath(ns, name));
  Result<kube::TypedList<api::Pod>> pods = kube::TypedClient<api::Pod>(client_).List(
      ns, kube::ListRequest{.label_selector = "job-name=" + name});
  if (!pods.ok()) return pods.error().WithContext("listing the pods of " + JobPath(ns, name));
  std::vector<api::Pod> owned;
  for (api::Pod& pod : pods->items) {
    const bool ours =
        std::any_of(pod.metadata.owner_references.begin(), pod.metadata.owner_references.end(),
                    [&](const api::OwnerReference& ref) { return ref.uid == job->metadata.uid; });
    if (ours) owned.push_back(std::move(pod));
  }
  const api::TimePoint started_at =
      in_flight.started_at ? in_flight.started_at->value : request.now;
  return JobReading(*job, owned, started_at, request.now);
}

Result<Reading> JobProvider::Terminate(const MeasurementRequest& request,
                                       const api::Measurement& in_flight) {
  DEVFLOW_ASSIGN_OR_RETURN(auto target, JobOf(in_flight, request.run));
  const auto& [ns, name] = target;
  Result<json::Value> deleted = client_.Delete(kube::ResourceOf<api::Job>(), ns, name, kForeground);
  if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound) {
    return deleted.error().WithContext("deleting " + JobPath(ns, name));
  }
  Reading reading;
  reading.phase = api::analysis_phase::kInconclusive;
  reading.message = std::string(kMetricTerminated);
  reading.metadata = JobMetadata(ns, name);
  return reading;
}

Status JobProvider::GarbageCollect(const api::AnalysisRun& run, const api::Metric& metric,
                                   int keep) {
  const std::string& ns = run.metadata.namespace_;
  Result<kube::TypedList<api::Job>> jobs = kube::TypedClient<api::Job>(client_).ListAll(
      ns,
      kube::ListRequest{.label_selector = std::string(kJobRunUidLabel) + "=" + run.metadata.uid});
  if (!jobs.ok())
    return jobs.error().WithContext("listing the jobs of analysisrun " + ns + "/" +
                                    run.metadata.name);
  Status first;
  for (const std::string& name : JobsToCollect(jobs->items, metric.name, keep)) {
    Result<json::Value> deleted =
        client_.Delete(kube::ResourceOf<api::Job>(), ns, name, kForeground);
    if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound && first.ok()) {
      first = deleted.error().WithContext("deleting " + JobPath(ns, name));
    }
  }
  return first;
}

}  // namespace devflow::analysis::providers
