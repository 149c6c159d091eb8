#include "node/job_controller.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "api/decode.h"
#include "api/meta_codec.h"
#include "api/pod_codec.h"
#include "api/workloads_codec.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "kube/controller_loop.h"
#include "kube/informer.h"
#include "kube/object_cache.h"
#include "kube/typed_client.h"

namespace devflow::node {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr char kTrue[] = "True";

const api::JobCondition* FinishedCondition(const api::JobStatus& status) {
  for (const api::JobCondition& condition : status.conditions) {
    if ((condition.type == "Complete" || condition.type == "Failed") && condition.status == kTrue) {
      return &condition;
    }
  }
  return nullptr;
}

api::TimePoint WholeSecond(api::TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }

api::JobCondition Finished(std::string type, std::string reason, std::string message,
                           api::TimePoint now) {
  return api::JobCondition{.type = std::move(type),
                           .status = kTrue,
                           .last_probe_time = api::Time{now},
                           .last_transition_time = api::Time{now},
                           .reason = std::move(reason),
                           .message = std::move(message)};
}

// Container restarts of the running pods, which count against backoffLimit with OnFailure.
int32_t RunningRestarts(const std::vector<api::Pod>& pods) {
  int32_t restarts = 0;
  for (const api::Pod& pod : pods) {
    if (pod.status.phase != "Running" && pod.status.phase != "Pending" &&
        !pod.status.phase.empty()) {
      continue;
    }
    for (const api::ContainerStatus& status : pod.status.init_container_statuses) {
      restarts += status.restart_count;
    }
    for (const api::ContainerStatus& status : pod.status.container_statuses) {
      restarts += status.restart_count;
    }
  }
  return restarts;
}

// When the last failed pod ended (its containers' latest finishedAt); nullopt when unknown.
std::optional<api::TimePoint> LastFailure(const std::vector<api::Pod>& pods) {
  std::optional<api::TimePoint> last;
  for (const api::Pod& pod : pods) {
    if (pod.status.phase != "Failed") continue;
    for (const api::ContainerStatus& status : pod.status.container_statuses) {
      if (status.state.terminated && status.state.terminated->finished_at != api::Time{}) {
        last =
            std::max(last.value_or(api::TimePoint{}), status.state.terminated->finished_at.value);
      }
    }
  }
  return last;
}

milliseconds FailureBackoff(int32_t failures, const JobBackoff& backoff) {
  milliseconds delay = backoff.initial;
  for (int32_t i = 1; i < failures && delay < backoff.max; ++i) delay *= 2;
  return std::min(delay, backoff.max);
}

void KeepEarliest(std::optional<milliseconds>& current, milliseconds candidate) {
  candidate = std::max(candidate, milliseconds(0));
  if (!current || candidate < *current) current = candidate;
}

std::string Key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

api::ObjectMeta MetaOf(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  return metadata == nullptr ? api::ObjectMeta{} : api::Decode<api::ObjectMeta>(*metadata);
}

}  // namespace

api::Pod PodForJob(const api::Job& job) {
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.metadata.labels = job.spec.template_.metadata.labels;
  pod.metadata.annotations = job.spec.template_.metadata.annotations;
  pod.metadata.finalizers = job.spec.template_.metadata.finalizers;
  pod.metadata.namespace_ = job.metadata.namespace_;
  pod.metadata.generate_name = job.metadata.name + "-";
  for (const char* key : {"job-name", "batch.kubernetes.io/job-name"}) {
    pod.metadata.labels[key] = job.metadata.name;
  }
  for (const char* key : {"controller-uid", "batch.kubernetes.io/controller-uid"}) {
    pod.metadata.labels[key] = job.metadata.uid;
  }
  pod.metadata.owner_references = {api::OwnerReference{.api_version = "batch/v1",
                                                       .kind = "Job",
                                                       .name = job.metadata.name,
                                                       .uid = job.metadata.uid,
                                                       .controller = true,
                                                       .block_owner_deletion = true}};
  pod.spec = job.spec.template_.spec;
  return pod;
}

JobPlan PlanJob(const api::Job& job, const std::vector<api::Pod>& pods, bool creation_pending,
                api::TimePoint now, const JobBackoff& backoff) {
  JobPlan plan;
  plan.status = job.status;
  if (FinishedCondition(job.status) != nullptr) {
    // A finished Job keeps no pod running: a delete that did not land when it finished (a
    // Conflict with the kubelet's status write, a crash before it) is made again.
    for (const api::Pod& pod : pods) {
      if (IsPodActive(pod)) plan.delete_pods.push_back(RefOf(pod));
    }
    return plan;
  }
  now = WholeSecond(now);
  api::JobStatus& status = plan.status;
  if (status.start_time == api::Time{}) status.start_time = api::Time{now};

  std::vector<const api::Pod*> active;
  int32_t succeeded = 0;
  int32_t failed = 0;
  int32_t ready = 0;
  for (const api::Pod& pod : pods) {
    if (pod.status.phase == "Succeeded") ++succeeded;
    if (pod.status.phase == "Failed") ++failed;
    if (IsPodActive(pod)) {
      active.push_back(&pod);
      if (IsPodReady(pod)) ++ready;
    }
  }
  status.active = static_cast<int32_t>(active.size());
  status.succeeded = succeeded;
  status.failed = failed;
  status.ready = ready;

  if (succeeded > 0) {
    status.completion_time = api::Time{now};
    status.conditions.push_back(Finished("Complete", "CompletionsReached",
                                         "Reached expected number of succeeded pods", now));
    return plan;
  }

  const int32_t backoff_limit = job.spec.backoff_limit.value_or(6);
  const bool on_failure = job.spec.template_.spec.restart_policy == "OnFailure";
  const int32_t restarts = RunningRestarts(pods);
  const std::optional<api::TimePoint> deadline =
      job.spec.active_deadline_seconds
          ? std::optional(status.start_time.value +
                          std::chrono::seconds(*job.spec.active_deadline_seconds))
          : std::nullopt;
  std::optional<api::JobCondition> failure;
  if (deadline && now >= *deadline) {
    failure = Finished("Failed", "DeadlineExceeded",
                       "Job was active longer than specified deadline", now);
  } else if (failed > backoff_limit ||
             (on_failure && (backoff_limit == 0 ? restarts > 0 : restarts >= backoff_limit))) {
    failure = Finished("Failed", "BackoffLimitExceeded",
                       "Job has reached the specified backoff limit", now);
  }
  if (failure) {
    // Pods deleted because the Job failed count as failed, as in Kubernetes.
    for (const api::Pod* pod : active) plan.delete_pods.push_back(RefOf(*pod));
    status.failed += status.active;
    status.active = 0;
    status.ready = 0;
    status.conditions.push_back(std::move(*failure));
    return plan;
  }

  if (deadline) KeepEarliest(plan.requeue_after, duration_cast<milliseconds>(*deadline - now));
  if (!active.empty() || creation_pending) return plan;
  if (failed > 0) {
    if (std::optional<api::TimePoint> last = LastFailure(pods)) {
      const api::TimePoint next = *last + FailureBackoff(failed, backoff);
      if (now < next) {
        KeepEarliest(plan.requeue_after, duration_cast<milliseconds>(next - now));
        return plan;
      }
    }
  }
  plan.create = PodForJob(job);
  return plan;
}

class JobController::Impl {
 public:
  Impl(kube::ApiClient& client, kube::InformerFactory& informers, JobControllerOptions options)
      : client_(client),
        clock_(options.clock != nullptr ? *options.clock : kube::SystemClock()),
        backoff_(options.backoff),
        job_informer_(informers.For(kube::ResourceOf<api::Job>())),
        pod_informer_(informers.For(kube::ResourceOf<api::Pod>())),
        loop_(kube::ControllerLoopOptions{.resource = "jobs",
                                          .workers = options.workers,
                                          .clock = &clock_,
                                          .rate_limit = options.rate_limit,
                                          .informers = {&job_informer_, &pod_informer_}},
              [this](const std::string& key) { return Sync(key); }) {}

  void Start(const std::shared_ptr<Impl>& self) {
    job_informer_.AddEventHandler(kube::WhileRunning(
        self, loop_,
        kube::EventHandlers{.on_add = std::bind_front(&Impl::OnJob, this),
                            .on_update = std::bind_front(&Impl::OnJobUpdate, this),
                            .on_delete = std::bind_front(&Impl::OnJobDelete, this)}));
    pod_informer_.AddEventHandler(kube::WhileRunning(
        self, loop_,
        kube::EventHandlers{.on_add = std::bind_front(&Impl::OnPodAdd, this),
                            .on_update = std::bind_front(&Impl::OnPodUpdate, this),
                            .on_delete = std::bind_front(&Impl::OnPod, this)}));
    loop_.Start();
  }

  void Stop() { loop_.Stop(); }
  Status LastError() const { return loop_.LastError(); }

 private:
  // ---- Event handlers (informer threads): they only queue keys and count expectations ----

  void OnJob(const json::Value& job) { loop_.AddObject(job); }

  void OnJobUpdate(const json::Value& old_job, const json::Value& cur_job) {
    if (json::StringAt(old_job, {"metadata", "uid"}) !=
        json::StringAt(cur_job, {"metadata", "uid"})) {
      OnJobDelete(old_job);
    }
    OnJob(cur_job);
  }

  void OnJobDelete(const json::Value& job) {
    if (Result<std::string> key = kube::ObjectKey(job); key.ok()) {
      expectations_.Forget(*key);
      loop_.Add(*key);
    }
  }

  void OnPodAdd(const json::Value& pod) {
    if (std::optional<std::string> key = OwningJob(MetaOf(pod))) {
      expectations_.CreationObserved(*key);
      loop_.Add(*key);
    }
  }

  void OnPodUpdate(const json::Value& /*old_pod*/, const json::Value& cur_pod) { OnPod(cur_pod); }

  void OnPod(const json::Value& pod) {
    if (std::optional<std::string> key = OwningJob(MetaOf(pod))) loop_.Add(*key);
  }

  // The key of the cached Job controlling the pod, when it is still that Job.
  std::optional<std::string> OwningJob(const api::ObjectMeta& pod) const {
    const api::OwnerReference* ref = ControllerOf(pod);
    if (ref == nullptr || ref->kind != "Job" || ref->api_version.rfind("batch/", 0) != 0) {
      return std::nullopt;
    }
    const std::string key = Key(pod.namespace_, ref->name);
    std::optional<json::Value> job = job_informer_.cache().Get(key);
    if (!job || json::StringAt(*job, {"metadata", "uid"}) != ref->uid) return std::nullopt;
    return key;
  }

  // ---- Workers ----

  // One sync of `key`; says when to look again.
  Result<kube::SyncOutcome> Sync(const std::string& key) {
    std::optional<json::Value> job_json = job_informer_.cache().Get(key);
    if (!job_json) {
      expectations_.Forget(key);
      return kube::SyncOutcome{};
    }
    api::FieldErrors errors;
    const api::Job job = api::Decode<api::Job>(*job_json, &errors);
    // The server validated it; one being deleted is the garbage collector's (with its pods).
    if (!errors.empty() || job.metadata.deletion_timestamp != api::Time{}) {
      return kube::SyncOutcome{};
    }
    const bool pending = !expectations_.Satisfied(key, clock_.Now());
    const JobPlan plan =
        PlanJob(job, PodsOf(job), pending,
                std::chrono::floor<std::chrono::microseconds>(clock_.WallNow()), backoff_);
    DEVFLOW_RETURN_IF_ERROR(DeletePods(job, plan.delete_pods));
    if (plan.create) {
      DEVFLOW_RETURN_IF_ERROR(CreatePod(key, *plan.create));
    }
    if (plan.status != job.status) {
      api::Job updated = job;
      updated.status = plan.status;
      Result<api::Job> written =
          kube::TypedClient<api::Job>(client_).UpdateStatus(job.metadata.namespace_, updated);
      // Deleted meanwhile: its informer event ends the matter.
      if (!written.ok() && written.error().code() != StatusCode::kNotFound) {
        return written.error().WithContext("updating status");
      }
    }
    kube::SyncOutcome outcome;
    if (plan.requeue_after) outcome.requeue_at = clock_.WallNow() + *plan.requeue_after;
    return outcome;
  }

  // The pods the Job controls (its uid in a controller ownerReference).
  std::vector<api::Pod> PodsOf(const api::Job& job) const {
    std::vector<api::Pod> pods;
    Result<std::vector<json::Value>> owned =
        pod_informer_.cache().ByIndex(kube::kOwnerUidIndex, job.metadata.uid);
    if (!owned.ok()) return pods;
    for (const json::Value& pod : *owned) {
      api::Pod decoded = api::Decode<api::Pod>(pod);
      const api::OwnerReference* ref = ControllerOf(decoded.metadata);
      if (decoded.metadata.namespace_ == job.metadata.namespace_ && ref != nullptr &&
          ref->uid == job.metadata.uid) {
        pods.push_back(std::move(decoded));
      }
    }
    return pods;
  }

  Status CreatePod(const std::string& key, const api::Pod& pod) {
    // Before the create: the informer may report the pod before the call returns.
    expectations_.ExpectCreations(key, 1, clock_.Now());
    Result<api::Pod> created =
        kube::TypedClient<api::Pod>(client_).Create(pod.metadata.namespace_, pod);
    if (!created.ok()) {
      expectations_.CreationObserved(key);  // none is coming
      return created.error().WithContext("creating a pod");
    }
    return Status::Ok();
  }

  Status DeletePods(const api::Job& job, const std::vector<PodRef>& pods) {
    for (const PodRef& pod : pods) {
      Result<json::Value> deleted =
          client_.Delete(kube::ResourceOf<api::Pod>(), job.metadata.namespace_, pod.name,
                         kube::DeleteRequest{.precondition_uid = pod.uid});
      // NotFound, or Conflict on the uid: the pod meant is gone already.
      if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound &&
          deleted.error().code() != StatusCode::kConflict) {
        return deleted.error().WithContext("deleting pod " + pod.name);
      }
    }
    return Status::Ok();
  }

  kube::ApiClient& client_;
  const kube::Clock& clock_;
  const JobBackoff backoff_;
  kube::Informer& job_informer_;
  kube::Informer& pod_informer_;
  ReplicaSetExpectations expectations_;  // keyed by Job: the pod created and not yet seen
  kube::ControllerLoop loop_;            // last: its workers use the members above
};

std::unique_ptr<JobController> JobController::Start(kube::ApiClient& client,
                                                    kube::InformerFactory& informers,
                                                    JobControllerOptions options) {
  auto impl = std::make_shared<Impl>(client, informers, std::move(options));
  impl->Start(impl);
  return std::unique_ptr<JobController>(new JobController(std::move(impl)));
}

JobController::JobController(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

JobController::~JobController() { Stop(); }

void JobController::Stop() { impl_->Stop(); }

Status JobController::LastError() const { return impl_->LastError(); }

}  // namespace devflow::node
