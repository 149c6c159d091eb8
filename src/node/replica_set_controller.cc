#include "node/replica_set_controller.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/decode.h"
#include "api/meta_codec.h"
#include "api/pod_codec.h"
#include "api/workloads_codec.h"
#include "common/json_value.h"
#include "kube/api_client.h"
#include "kube/controller_loop.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/object_cache.h"
#include "kube/typed_client.h"

namespace devflow::node {
namespace {

api::ObjectMeta MetaOf(const json::Value& object) {
  const json::Value* metadata = object.Find("metadata");
  return metadata == nullptr ? api::ObjectMeta{} : api::Decode<api::ObjectMeta>(*metadata);
}

std::string PodKey(const std::string& ns, const std::string& name) { return ns + "/" + name; }

bool IsNamespaceTerminating(const Status& status) {
  return status.code() == StatusCode::kPermissionDenied &&
         status.message().find("because it is being terminated") != std::string::npos;
}

api::TimePoint WallNow(const kube::Clock& clock) {
  return std::chrono::floor<std::chrono::microseconds>(clock.WallNow());
}

json::Value OwnerRefJson(const api::OwnerReference& ref) { return api::Encode(ref); }

}  // namespace

class ReplicaSetController::Impl {
 public:
  Impl(kube::ApiClient& client, kube::InformerFactory& informers,
       ReplicaSetControllerOptions options)
      : client_(client),
        clock_(options.clock != nullptr ? *options.clock : kube::SystemClock()),
        recorder_(options.recorder),
        names_(options.name_suffixes ? std::move(options.name_suffixes) : RandomNameSuffixSource()),
        rs_informer_(informers.For(kube::ResourceOf<api::ReplicaSet>())),
        pod_informer_(informers.For(kube::ResourceOf<api::Pod>())),
        loop_(kube::ControllerLoopOptions{.resource = "replicasets",
                                          .workers = options.workers,
                                          .clock = &clock_,
                                          .rate_limit = options.rate_limit,
                                          .informers = {&rs_informer_, &pod_informer_}},
              [this](const std::string& key) { return Sync(key); }) {}

  void Start(const std::shared_ptr<Impl>& self) {
    rs_informer_.AddEventHandler(kube::WhileRunning(
        self, loop_,
        kube::EventHandlers{.on_add = std::bind_front(&Impl::OnReplicaSetAdd, this),
                            .on_update = std::bind_front(&Impl::OnReplicaSetUpdate, this),
                            .on_delete = std::bind_front(&Impl::OnReplicaSetDelete, this)}));
    pod_informer_.AddEventHandler(kube::WhileRunning(
        self, loop_,
        kube::EventHandlers{.on_add = std::bind_front(&Impl::OnPodAdd, this),
                            .on_update = std::bind_front(&Impl::OnPodUpdate, this),
                            .on_delete = std::bind_front(&Impl::OnPodDelete, this)}));
    loop_.Start();
  }

  void Stop() { loop_.Stop(); }
  Status LastError() const { return loop_.LastError(); }

 private:
  // ---- Event handlers (informer threads): they only queue keys and count expectations ----

  void OnReplicaSetAdd(const json::Value& rs) { loop_.AddObject(rs); }

  void OnReplicaSetUpdate(const json::Value& old_rs, const json::Value& cur_rs) {
    // A ReplicaSet deleted and created again under the same name owes nothing to the old one's
    // expectations.
    if (json::StringAt(old_rs, {"metadata", "uid"}) !=
        json::StringAt(cur_rs, {"metadata", "uid"})) {
      if (Result<std::string> key = kube::ObjectKey(old_rs); key.ok()) expectations_.Forget(*key);
    }
    loop_.AddObject(cur_rs);
  }

  void OnReplicaSetDelete(const json::Value& rs) {
    if (Result<std::string> key = kube::ObjectKey(rs); key.ok()) {
      expectations_.Forget(*key);
      loop_.Add(*key);
    }
  }

  void OnPodAdd(const json::Value& pod) {
    const api::ObjectMeta meta = MetaOf(pod);
    // A pod that appears already marked for deletion (a restart of the informer saw it so) counts
    // as the deletion it is.
    if (meta.deletion_timestamp != api::Time{}) {
      PodGone(meta);
      return;
    }
    if (const api::OwnerReference* ref = ControllerOf(meta); ref != nullptr) {
      if (std::optional<std::string> key = ResolveControllerRef(meta.namespace_, *ref)) {
        expectations_.CreationObserved(*key);
        loop_.Add(*key);
      }
      return;
    }
    EnqueueSelecting(meta);
  }

  void OnPodUpdate(const json::Value& old_pod, const json::Value& cur_pod) {
    const api::ObjectMeta old_meta = MetaOf(old_pod);
    const api::ObjectMeta cur_meta = MetaOf(cur_pod);
    // A resync repeats every pod unchanged; only the ReplicaSets' resync needs to re-examine.
    if (old_meta.resource_version == cur_meta.resource_version) return;
    const bool labels_changed = old_meta.labels != cur_meta.labels;
    if (cur_meta.deletion_timestamp != api::Time{}) {
      // Marked for deletion: the ReplicaSet replaces it now, not once the runtime has stopped it.
      PodGone(cur_meta);
      if (labels_changed) PodGone(old_meta);
      return;
    }
    const api::OwnerReference* cur_ref = ControllerOf(cur_meta);
    const api::OwnerReference* old_ref = ControllerOf(old_meta);
    const bool ref_changed = (cur_ref == nullptr) != (old_ref == nullptr) ||
                             (cur_ref != nullptr && *cur_ref != *old_ref);
    if (ref_changed && old_ref != nullptr) {
      if (std::optional<std::string> key = ResolveControllerRef(old_meta.namespace_, *old_ref)) {
        loop_.Add(*key);
      }
    }
    if (cur_ref != nullptr) {
      if (std::optional<std::string> key = ResolveControllerRef(cur_meta.namespace_, *cur_ref)) {
        loop_.Add(*key);
      }
      return;
    }
    if (labels_changed || ref_changed) EnqueueSelecting(cur_meta);
  }

  void OnPodDelete(const json::Value& pod) { PodGone(MetaOf(pod)); }

  void PodGone(const api::ObjectMeta& meta) {
    const api::OwnerReference* ref = ControllerOf(meta);
    if (ref == nullptr) return;
    if (std::optional<std::string> key = ResolveControllerRef(meta.namespace_, *ref)) {
      expectations_.DeletionObserved(*key, PodKey(meta.namespace_, meta.name));
      loop_.Add(*key);
    }
  }

  // The key of the cached ReplicaSet `ref` points at, when it is one and still the same object.
  std::optional<std::string> ResolveControllerRef(const std::string& ns,
                                                  const api::OwnerReference& ref) const {
    if (ref.kind != "ReplicaSet" || ref.api_version.rfind("apps/", 0) != 0) return std::nullopt;
    const std::string key = PodKey(ns, ref.name);
    std::optional<json::Value> rs = rs_informer_.cache().Get(key);
    if (!rs || json::StringAt(*rs, {"metadata", "uid"}) != ref.uid) return std::nullopt;
    return key;
  }

  // Queues every ReplicaSet of the orphan's namespace whose selector matches it: one of them may
  // adopt it.
  void EnqueueSelecting(const api::ObjectMeta& orphan) {
    for (const json::Value& rs : rs_informer_.cache().List(orphan.namespace_, {})) {
      const json::Value* spec = rs.Find("spec");
      const json::Value* selector = spec != nullptr ? spec->Find("selector") : nullptr;
      if (selector == nullptr) continue;
      if (api::Matches(api::Decode<api::LabelSelector>(*selector), orphan.labels)) {
        loop_.AddObject(rs);
      }
    }
  }

  // ---- Workers ----

  Result<kube::SyncOutcome> Sync(const std::string& key) {
    std::optional<json::Value> rs_json = rs_informer_.cache().Get(key);
    if (!rs_json) {
      expectations_.Forget(key);
      return kube::SyncOutcome{};
    }
    api::FieldErrors errors;
    const api::ReplicaSet rs = api::Decode<api::ReplicaSet>(*rs_json, &errors);
    // The server validated it; a document that does not decode cannot be acted on, and retrying
    // will not change it.
    if (!errors.empty()) return kube::SyncOutcome{};

    const api::TimePoint now = WallNow(clock_);
    const bool satisfied = expectations_.Satisfied(key, clock_.Now());
    const ReplicaSetPlan plan = PlanReplicaSet(rs, PodsFor(rs), satisfied, now, names_);

    DEVFLOW_RETURN_IF_ERROR(ApplyClaims(rs, plan.claims));
    const std::optional<ManageFailure> failure = Manage(key, rs, *rs_json, plan);
    const api::ReplicaSetStatus status = ComputeStatus(rs, plan.claims.owned, failure, now);
    if (status != rs.status) {
      DEVFLOW_RETURN_IF_ERROR(WriteStatus(rs, status));
    }
    if (failure) return UnavailableError(failure->message);
    kube::SyncOutcome outcome;
    if (plan.requeue_after) outcome.requeue_at = clock_.WallNow() + *plan.requeue_after;
    return outcome;
  }

  // The pods the selector matches plus those the ReplicaSet owns (which may no longer match).
  std::vector<api::Pod> PodsFor(const api::ReplicaSet& rs) const {
    const kube::ObjectCache& cache = pod_informer_.cache();
    std::map<std::string, json::Value> found;
    for (json::Value& pod : cache.List(rs.metadata.namespace_, rs.spec.selector)) {
      found.emplace(json::StringAt(pod, {"metadata", "name"}), std::move(pod));
    }
    if (Result<std::vector<json::Value>> owned =
            cache.ByIndex(kube::kOwnerUidIndex, rs.metadata.uid);
        owned.ok()) {
      for (json::Value& pod : *owned) {
        if (json::StringAt(pod, {"metadata", "namespace"}) != rs.metadata.namespace_) continue;
        found.emplace(json::StringAt(pod, {"metadata", "name"}), std::move(pod));
      }
    }
    std::vector<api::Pod> pods;
    pods.reserve(found.size());
    for (const auto& [name, pod] : found) pods.push_back(api::Decode<api::Pod>(pod));
    return pods;
  }

  Status ApplyClaims(const api::ReplicaSet& rs, const PodClaims& claims) {
    const std::string& ns = rs.metadata.namespace_;
    if (!claims.adopt.empty()) {
      // The cache may be behind: a ReplicaSet already being deleted must not take new pods, or
      // the garbage collector would remove them with it.
      Result<api::ReplicaSet> fresh =
          kube::TypedClient<api::ReplicaSet>(client_).Get(ns, rs.metadata.name);
      if (!fresh.ok()) return fresh.error().WithContext("re-reading before adopting pods");
      if (fresh->metadata.uid != rs.metadata.uid ||
          fresh->metadata.deletion_timestamp != api::Time{}) {
        return FailedPreconditionError(
            "the ReplicaSet is being deleted or was replaced; "
            "adopting nothing");
      }
    }
    const kube::ResourceRef pods = kube::ResourceOf<api::Pod>();
    for (const PodRef& pod : claims.adopt) {
      json::Value patch = json::Object{
          {"metadata",
           json::Object{{"ownerReferences", json::Array{OwnerRefJson(ControllerRefFor(rs))}},
                        {"uid", pod.uid},
                        {"resourceVersion", pod.resource_version}}}};
      Result<json::Value> patched =
          client_.Patch(pods, ns, pod.name, kube::PatchType::kStrategic, patch);
      if (!patched.ok()) {
        // Gone, or changed since the cache saw it: the counts of this plan are off; decide again.
        return patched.error().WithContext("adopting pod " + pod.name);
      }
    }
    for (const PodRef& pod : claims.release) {
      json::Value patch = json::Object{
          {"metadata",
           json::Object{{"ownerReferences",
                         json::Array{json::Object{{"$patch", "delete"}, {"uid", rs.metadata.uid}}}},
                        {"uid", pod.uid}}}};
      Result<json::Value> patched =
          client_.Patch(pods, ns, pod.name, kube::PatchType::kStrategic, patch);
      // NotFound: the pod is gone; InvalidArgument: its uid differs (replaced) or the reference
      // is already gone. Either way it is no longer ours.
      if (!patched.ok() && patched.error().code() != StatusCode::kNotFound &&
          patched.error().code() != StatusCode::kInvalidArgument) {
        return patched.error().WithContext("releasing pod " + pod.name);
      }
    }
    return Status::Ok();
  }

  // Sends the plan's creations or deletions; returns the first failure.
  std::optional<ManageFailure> Manage(const std::string& key, const api::ReplicaSet& rs,
                                      const json::Value& rs_json, const ReplicaSetPlan& plan) {
    if (!plan.create.empty()) return CreatePods(key, rs_json, plan.create);
    if (!plan.delete_pods.empty()) return DeletePods(key, rs, rs_json, plan.delete_pods);
    return std::nullopt;
  }

  std::optional<ManageFailure> CreatePods(const std::string& key, const json::Value& rs_json,
                                          const std::vector<api::Pod>& create) {
    const int total = static_cast<int>(create.size());
    // Before the first create: the informer may report the new pods before the call returns.
    expectations_.ExpectCreations(key, total, clock_.Now());
    const kube::TypedClient<api::Pod> pods(client_);
    std::optional<ManageFailure> failure;
    int next = 0;
    int awaited = 0;  // creations the informer will report
    for (int batch : SlowStartBatches(total)) {
      // Every call of a batch is made, as Kubernetes makes them concurrently; the next batch is
      // not started after a failure.
      for (int i = 0; i < batch; ++i, ++next) {
        const api::Pod& pod = create[next];
        Result<api::Pod> created = pods.Create(pod.metadata.namespace_, pod);
        if (created.ok()) {
          ++awaited;
          Record(rs_json, kube::EventType::kNormal, "SuccessfulCreate",
                 "Created pod: " + pod.metadata.name);
          continue;
        }
        if (IsNamespaceTerminating(created.error())) continue;
        Record(rs_json, kube::EventType::kWarning, "FailedCreate",
               "Error creating: " + created.error().message());
        if (!failure) failure = ManageFailure{created.error().message()};
      }
      if (failure) break;
    }
    for (int i = awaited; i < total; ++i) expectations_.CreationObserved(key);
    return failure;
  }

  std::optional<ManageFailure> DeletePods(const std::string& key, const api::ReplicaSet& rs,
                                          const json::Value& rs_json,
                                          const std::vector<PodRef>& victims) {
    const std::string& ns = rs.metadata.namespace_;
    std::vector<std::string> pod_keys;
    for (const PodRef& pod : victims) pod_keys.push_back(PodKey(ns, pod.name));
    expectations_.ExpectDeletions(key, pod_keys, clock_.Now());
    const kube::ResourceRef pods = kube::ResourceOf<api::Pod>();
    std::optional<ManageFailure> failure;
    for (const PodRef& pod : victims) {
      Result<json::Value> deleted =
          client_.Delete(pods, ns, pod.name, kube::DeleteRequest{.precondition_uid = pod.uid});
      if (deleted.ok()) {
        Record(rs_json, kube::EventType::kNormal, "SuccessfulDelete", "Deleted pod: " + pod.name);
        continue;
      }
      // No deletion event will come for this one.
      expectations_.DeletionObserved(key, PodKey(ns, pod.name));
      // NotFound, or Conflict on the uid (a new pod took the name): the pod we meant is gone.
      const StatusCode code = deleted.error().code();
      if (code == StatusCode::kNotFound || code == StatusCode::kConflict) continue;
      Record(rs_json, kube::EventType::kWarning, "FailedDelete",
             "Error deleting: " + deleted.error().message());
      if (!failure) failure = ManageFailure{deleted.error().message()};
    }
    return failure;
  }

  Status WriteStatus(const api::ReplicaSet& rs, const api::ReplicaSetStatus& status) {
    api::ReplicaSet updated = rs;
    updated.status = status;
    Result<api::ReplicaSet> written =
        kube::TypedClient<api::ReplicaSet>(client_).UpdateStatus(rs.metadata.namespace_, updated);
    // Deleted meanwhile: its informer event ends the matter.
    if (!written.ok() && written.error().code() != StatusCode::kNotFound) {
      return written.error().WithContext("updating status");
    }
    return Status::Ok();
  }

  void Record(const json::Value& rs_json, kube::EventType type, std::string reason,
              std::string message) {
    if (recorder_ != nullptr)
      recorder_->Record(rs_json, type, std::move(reason), std::move(message));
  }

  kube::ApiClient& client_;
  const kube::Clock& clock_;
  kube::EventRecorder* const recorder_;
  const NameSuffixSource names_;
  kube::Informer& rs_informer_;
  kube::Informer& pod_informer_;
  ReplicaSetExpectations expectations_;
  kube::ControllerLoop loop_;  // last: its workers use the members above
};

std::unique_ptr<ReplicaSetController> ReplicaSetController::Start(
    kube::ApiClient& client, kube::InformerFactory& informers,
    ReplicaSetControllerOptions options) {
  auto impl = std::make_shared<Impl>(client, informers, std::move(options));
  impl->Start(impl);
  return std::unique_ptr<ReplicaSetController>(new ReplicaSetController(std::move(impl)));
}

ReplicaSetController::ReplicaSetController(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ReplicaSetController::~ReplicaSetController() { Stop(); }

void ReplicaSetController::Stop() { impl_->Stop(); }

Status ReplicaSetController::LastError() const { return impl_->LastError(); }

}  // namespace devflow::node
