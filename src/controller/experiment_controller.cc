#include "controller/experiment_controller.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "analysis/template_flattening.h"
#include "api/analysis_codec.h"
#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/experiment_codec.h"
#include "api/experiment_validation.h"
#include "api/workloads_codec.h"
#include "controller/controlling_owner.h"
#include "controller/object_writes.h"
#include "core/experiment_plan.h"
#include "kube/api_client.h"
#include "kube/controller_loop.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/object_cache.h"
#include "kube/typed_client.h"

namespace devflow::controller {
namespace {

constexpr std::string_view kKind = "Experiment";

api::TimePoint WallNow(const kube::Clock& clock) {
  return std::chrono::floor<std::chrono::microseconds>(clock.WallNow());
}

// The namespace's objects of `cache` whose names start with `prefix`.
template <typename T>
std::vector<T> NamedWithPrefix(const kube::ObjectCache& cache, const std::string& ns,
                               const std::string& prefix) {
  std::vector<T> objects;
  Result<std::vector<std::string>> keys = cache.IndexKeys(kube::kNamespaceIndex, ns);
  if (!keys.ok()) return objects;
  const std::string key_prefix = ns + "/" + prefix;
  for (const std::string& key : *keys) {
    if (!key.starts_with(key_prefix)) continue;
    if (std::optional<json::Value> object = cache.Get(key)) {
      objects.push_back(api::Decode<T>(*object));
    }
  }
  return objects;
}

}  // namespace

class ExperimentController::Impl {
 public:
  Impl(kube::ApiClient& client, kube::InformerFactory& informers,
       ExperimentControllerOptions options)
      : clock_(options.clock != nullptr ? *options.clock : kube::SystemClock()),
        client_(client),
        recorder_(options.recorder),
        experiments_(informers.For(kube::ResourceOf<api::Experiment>())),
        replica_sets_(informers.For(kube::ResourceOf<api::ReplicaSet>())),
        services_(informers.For(kube::ResourceOf<api::Service>())),
        runs_(informers.For(kube::ResourceOf<api::AnalysisRun>())),
        templates_(informers.For(kube::ResourceOf<api::AnalysisTemplate>())),
        cluster_templates_(informers.For(kube::ResourceOf<api::ClusterAnalysisTemplate>())),
        loop_(kube::ControllerLoopOptions{.resource = "experiments",
                                          .workers = options.workers,
                                          .clock = &clock_,
                                          .rate_limit = options.rate_limit,
                                          .informers = {&experiments_, &replica_sets_, &services_,
                                                        &runs_, &templates_, &cluster_templates_}},
              [this](const std::string& key) { return Sync(key); }) {}

  void Start(const std::shared_ptr<Impl>& self) {
    experiments_.AddEventHandler(kube::WhileRunning(
        self, loop_, kube::ObjectHandlers([this](const json::Value& e) { loop_.AddObject(e); })));
    for (kube::Informer* owned : {&replica_sets_, &services_, &runs_}) {
      owned->AddEventHandler(
          kube::WhileRunning(self, loop_,
                             kube::ObjectHandlers(std::bind_front(&Impl::OnOwned, this),
                                                  kube::UpdateObjects::kNewAndOld)));
    }
    loop_.Start();
  }

  void Stop() { loop_.Stop(); }
  Status LastError() const { return loop_.LastError(); }
  uint64_t Syncs() const { return loop_.Syncs(); }

 private:
  // Queues the Experiment controlling `object`, if any.
  void OnOwned(const json::Value& object) {
    const ControllingOwner owner = ControllingOwnerOf(object, kKind);
    if (owner.name.empty()) return;
    loop_.Add(json::StringAt(object, {"metadata", "namespace"}) + "/" + owner.name);
  }
  Result<kube::SyncOutcome> Sync(const std::string& key) {
    std::optional<json::Value> experiment_json = experiments_.cache().Get(key);
    if (!experiment_json) return kube::SyncOutcome{};  // deleted: its children go by GC
    api::FieldErrors decode_errors;
    const api::Experiment experiment =
        api::Decode<api::Experiment>(*experiment_json, &decode_errors);
    if (experiment.metadata.deletion_timestamp != api::Time{}) return kube::SyncOutcome{};
    const api::Time now{WallNow(clock_)};

    const api::FieldErrors errors =
        decode_errors.empty() ? api::Validate(experiment) : decode_errors;
    if (!errors.empty()) {
      return Write(*experiment_json, experiment,
                   core::PlanInvalidExperiment(experiment, errors, now));
    }
    return Write(*experiment_json, experiment, core::PlanExperiment(Snapshot(experiment, now)));
  }

  core::ExperimentSnapshot Snapshot(const api::Experiment& experiment, api::Time now) {
    const std::string& ns = experiment.metadata.namespace_;
    const std::string& uid = experiment.metadata.uid;
    core::ExperimentSnapshot snapshot;
    snapshot.experiment = experiment;
    snapshot.now = now;
    // Owned objects, and any other named like the experiment's (a name a template may not take).
    const std::string prefix = experiment.metadata.name + "-";
    snapshot.replica_sets = NamedWithPrefix<api::ReplicaSet>(replica_sets_.cache(), ns, prefix);
    if (Result<std::vector<json::Value>> owned =
            replica_sets_.cache().ByIndex(kube::kOwnerUidIndex, uid);
        owned.ok()) {
      for (const json::Value& rs : *owned) {
        api::ReplicaSet decoded = api::Decode<api::ReplicaSet>(rs);
        const bool listed = std::any_of(
            snapshot.replica_sets.begin(), snapshot.replica_sets.end(),
            [&](const api::ReplicaSet& r) { return r.metadata.name == decoded.metadata.name; });
        if (!listed && decoded.metadata.namespace_ == ns) {
          snapshot.replica_sets.push_back(std::move(decoded));
        }
      }
    }
    if (Result<std::vector<json::Value>> owned =
            services_.cache().ByIndex(kube::kOwnerUidIndex, uid);
        owned.ok()) {
      for (const json::Value& service : *owned) {
        snapshot.services.push_back(api::Decode<api::Service>(service));
      }
    }
    for (const api::ExperimentTemplate& tmpl : experiment.spec.templates) {
      if (!tmpl.service) continue;
      const std::string name = tmpl.service->name.empty() ? prefix + tmpl.name : tmpl.service->name;
      const bool listed =
          std::any_of(snapshot.services.begin(), snapshot.services.end(),
                      [&](const api::Service& s) { return s.metadata.name == name; });
      if (std::optional<json::Value> found = services_.cache().Get(ns + "/" + name);
          found && !listed) {
        snapshot.services.push_back(api::Decode<api::Service>(*found));
      }
    }
    snapshot.analysis_runs = NamedWithPrefix<api::AnalysisRun>(runs_.cache(), ns, prefix);
    ReadTemplates(experiment, snapshot);
    return snapshot;
  }

  // The templates the analyses name, and those they include (a few levels are plenty; a
  // missing one is reported by the flattening).
  void ReadTemplates(const api::Experiment& experiment, core::ExperimentSnapshot& snapshot) {
    std::vector<analysis::TemplateKey> wanted;
    for (const api::ExperimentAnalysisTemplateRef& ref : experiment.spec.analyses) {
      wanted.push_back({ref.template_name, ref.cluster_scope});
    }
    for (int depth = 0; depth < 8 && !wanted.empty(); ++depth) {
      std::vector<analysis::TemplateKey> included;
      for (const analysis::TemplateKey& key : wanted) {
        auto& into =
            key.cluster_scope ? snapshot.cluster_analysis_templates : snapshot.analysis_templates;
        if (into.contains(key.name)) continue;
        std::optional<json::Value> found =
            key.cluster_scope
                ? cluster_templates_.cache().Get(key.name)
                : templates_.cache().Get(experiment.metadata.namespace_ + "/" + key.name);
        if (!found) continue;
        api::AnalysisTemplateSpec spec =
            key.cluster_scope ? api::Decode<api::ClusterAnalysisTemplate>(*found).spec
                              : api::Decode<api::AnalysisTemplate>(*found).spec;
        for (const api::AnalysisTemplateRef& ref : spec.templates) {
          included.push_back({ref.template_name, ref.cluster_scope});
        }
        into[key.name] = std::move(spec);
      }
      wanted = std::move(included);
    }
  }

  Result<kube::SyncOutcome> Write(const json::Value& experiment_json,
                                  const api::Experiment& experiment,
                                  const core::ExperimentPlan& plan) {
    const std::string& ns = experiment.metadata.namespace_;
    for (const api::ReplicaSet& rs : plan.create_replica_sets) {
      DEVFLOW_RETURN_IF_ERROR(CreateUnlessExists(client_, kube::ResourceOf<api::ReplicaSet>(), ns,
                                                 api::Encode(rs),
                                                 "ReplicaSet " + rs.metadata.name));
    }
    for (const core::ReplicaSetChange& change : plan.replica_set_changes) {
      DEVFLOW_RETURN_IF_ERROR(PatchReplicaSet(client_, ns, change));
    }
    for (const api::Service& service : plan.create_services) {
      DEVFLOW_RETURN_IF_ERROR(CreateUnlessExists(client_, kube::ResourceOf<api::Service>(), ns,
                                                 api::Encode(service),
                                                 "Service " + service.metadata.name));
    }
    for (const auto& [name, uid] : plan.delete_services) {
      DEVFLOW_RETURN_IF_ERROR(DeleteWithUid(client_, kube::ResourceOf<api::Service>(), ns, name,
                                            uid, "Service " + name));
    }
    for (const api::AnalysisRun& run : plan.create_analysis_runs) {
      DEVFLOW_RETURN_IF_ERROR(CreateUnlessExists(client_, kube::ResourceOf<api::AnalysisRun>(), ns,
                                                 api::Encode(run),
                                                 "AnalysisRun " + run.metadata.name));
    }
    for (const auto& [name, uid] : plan.terminate_analysis_runs) {
      DEVFLOW_RETURN_IF_ERROR(TerminateAnalysisRun(client_, ns, name, uid));
    }
    json::Value written = experiment_json;
    if (plan.status) {
      Result<json::Value> patched = client_.Patch(
          kube::ResourceOf<api::Experiment>(), ns, experiment.metadata.name,
          kube::PatchType::kMerge, StatusMergePatch(experiment_json, api::Encode(*plan.status)));
      if (!patched.ok()) {
        if (patched.error().code() == StatusCode::kNotFound) return kube::SyncOutcome{};
        return patched.error().WithContext("writing the Experiment's status");
      }
      written = std::move(patched).value();
    }
    if (recorder_ != nullptr) {
      for (const core::PlannedEvent& event : plan.events) {
        recorder_->Record(
            written, event.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
            event.reason, event.message);
      }
    }
    kube::SyncOutcome outcome;
    if (plan.requeue_at) {
      outcome.requeue_at =
          std::chrono::time_point_cast<kube::Clock::WallTime::duration>(plan.requeue_at->value);
    }
    return outcome;
  }

  const kube::Clock& clock_;
  kube::ApiClient& client_;
  kube::EventRecorder* const recorder_;
  kube::Informer& experiments_;
  kube::Informer& replica_sets_;
  kube::Informer& services_;
  kube::Informer& runs_;
  kube::Informer& templates_;
  kube::Informer& cluster_templates_;
  kube::ControllerLoop loop_;
};

std::unique_ptr<ExperimentController> ExperimentController::Start(
    kube::ApiClient& client, kube::InformerFactory& informers,
    ExperimentControllerOptions options) {
  auto impl = std::make_shared<Impl>(client, informers, std::move(options));
  impl->Start(impl);
  return std::unique_ptr<ExperimentController>(new ExperimentController(impl));
}

ExperimentController::ExperimentController(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExperimentController::~ExperimentController() { Stop(); }
void ExperimentController::Stop() { impl_->Stop(); }
Status ExperimentController::LastError() const { return impl_->LastError(); }
uint64_t ExperimentController::Syncs() const { return impl_->Syncs(); }

}  // namespace devflow::controller
