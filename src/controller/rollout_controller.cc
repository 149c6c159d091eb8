#include "controller/rollout_controller.h"

#include <time.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "analysis/template_flattening.h"
#include "api/analysis_codec.h"
#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/experiment_codec.h"
#include "api/pod_codec.h"
#include "api/rollout_codec.h"
#include "api/rollout_validation.h"
#include "api/workloads_codec.h"
#include "controller/controlling_owner.h"
#include "controller/plan_writer.h"
#include "core/blue_green_plan.h"
#include "core/canary_plan.h"
#include "core/ephemeral_metadata.h"
#include "core/failing_pods.h"
#include "core/invalid_spec.h"
#include "core/pod_restart.h"
#include "core/rollout_replica_sets.h"
#include "kube/api_client.h"
#include "kube/controller_loop.h"
#include "kube/informer.h"
#include "kube/object_cache.h"
#include "kube/typed_client.h"
#include "kube/work_queue.h"
#include "traffic/router_registry.h"

namespace devflow::controller {
namespace {

api::TimePoint WallNow(const kube::Clock& clock) {
  return std::chrono::floor<std::chrono::microseconds>(clock.WallNow());
}

// The Services a Rollout's strategy names.
std::vector<std::string> ServiceNames(const api::Rollout& rollout) {
  std::vector<std::string> names;
  if (const auto& blue_green = rollout.spec.strategy.blue_green) {
    names.push_back(blue_green->active_service);
    if (!blue_green->preview_service.empty()) names.push_back(blue_green->preview_service);
  }
  if (const auto& canary = rollout.spec.strategy.canary) {
    if (!canary->canary_service.empty()) names.push_back(canary->canary_service);
    if (!canary->stable_service.empty()) names.push_back(canary->stable_service);
  }
  return names;
}

// The index of the Rollout cache that finds, for a Service "namespace/name", the Rollouts naming
// it; read from the JSON without decoding, since it runs on every Rollout event.
constexpr char kServiceIndex[] = "rollout-services";
// The templates the Rollout's analyses name (not those they include).
std::vector<analysis::TemplateKey> TemplatesNamedBy(const api::Rollout& rollout) {
  std::vector<analysis::TemplateKey> keys;
  auto add = [&](const api::RolloutAnalysis& analysis) {
    for (analysis::TemplateKey& key : analysis::TemplateKeysOf(analysis)) {
      keys.push_back(std::move(key));
    }
  };
  if (const auto& canary = rollout.spec.strategy.canary) {
    if (canary->analysis) add(*canary->analysis);
    for (const api::CanaryStep& step : canary->steps) {
      if (step.analysis) add(*step.analysis);
    }
  }
  if (const auto& blue_green = rollout.spec.strategy.blue_green) {
    if (blue_green->pre_promotion_analysis) add(*blue_green->pre_promotion_analysis);
    if (blue_green->post_promotion_analysis) add(*blue_green->post_promotion_analysis);
  }
  return keys;
}

std::vector<std::string> NamedServices(const json::Value& rollout) {
  const std::string ns = json::StringAt(rollout, {"metadata", "namespace"});
  std::vector<std::string> keys;
  for (const std::string& name :
       {json::StringAt(rollout, {"spec", "strategy", "blueGreen", "activeService"}),
        json::StringAt(rollout, {"spec", "strategy", "blueGreen", "previewService"}),
        json::StringAt(rollout, {"spec", "strategy", "canary", "canaryService"}),
        json::StringAt(rollout, {"spec", "strategy", "canary", "stableService"})}) {
    if (!name.empty()) keys.push_back(ns + "/" + name);
  }
  return keys;
}

ControllingOwner ControllingRolloutOf(const json::Value& object) {
  return ControllingOwnerOf(object, "Rollout");
}

}  // namespace

class RolloutController::Impl {
 public:
  Impl(kube::ApiClient& client, kube::InformerFactory& informers, RolloutControllerOptions options)
      : clock_(options.clock != nullptr ? *options.clock : kube::SystemClock()),
        client_(client),
        writer_(client, options.recorder),
        invalid_spec_retry_(options.invalid_spec_retry),
        rollout_informer_(informers.For(kube::ResourceOf<api::Rollout>())),
        rs_informer_(informers.For(kube::ResourceOf<api::ReplicaSet>())),
        service_informer_(informers.For(kube::ResourceOf<api::Service>())),
        run_informer_(informers.For(kube::ResourceOf<api::AnalysisRun>())),
        template_informer_(informers.For(kube::ResourceOf<api::AnalysisTemplate>())),
        cluster_template_informer_(informers.For(kube::ResourceOf<api::ClusterAnalysisTemplate>())),
        experiment_informer_(informers.For(kube::ResourceOf<api::Experiment>())),
        loop_(
            kube::ControllerLoopOptions{
                .resource = "rollouts",
                .workers = options.workers,
                .clock = &clock_,
                .rate_limit = options.rate_limit,
                .informers = {&rollout_informer_, &rs_informer_, &service_informer_, &run_informer_,
                              &template_informer_, &cluster_template_informer_,
                              &experiment_informer_}},
            [this](const std::string& key) { return MeteredSync(key); }) {
    // Before the informers start (AlreadyExists: another controller of the factory added it).
    Status indexed = rollout_informer_.cache().AddIndex(kServiceIndex, NamedServices);
    if (!indexed.ok() && indexed.code() != StatusCode::kAlreadyExists) {
      std::cerr << "devflow: rollout controller: " << indexed << " (Service events will be "
                << "missed until the next resync)\n";
    }
  }

  void Start(const std::shared_ptr<Impl>& self) {
    rollout_informer_.AddEventHandler(kube::WhileRunning(
        self, loop_, kube::ObjectHandlers(std::bind_front(&Impl::Enqueue, this))));
    for (kube::Informer* owned : {&rs_informer_, &run_informer_, &experiment_informer_}) {
      owned->AddEventHandler(
          kube::WhileRunning(self, loop_,
                             kube::ObjectHandlers(std::bind_front(&Impl::OnOwned, this),
                                                  kube::UpdateObjects::kNewAndOld)));
    }
    service_informer_.AddEventHandler(kube::WhileRunning(
        self, loop_, kube::ObjectHandlers(std::bind_front(&Impl::OnService, this))));
    loop_.Start();
  }

  void Stop() { loop_.Stop(); }
  Status LastError() const { return loop_.LastError(); }
  uint64_t Syncs() const { return loop_.Syncs(); }

  RolloutController::SyncCpu SyncCpuTime() const {
    std::lock_guard<std::mutex> lock(cpu_mu_);
    RolloutController::SyncCpu stats;
    for (uint64_t count : cpu_buckets_) stats.syncs += count;
    stats.max_ms = static_cast<double>(cpu_max_us_) / 1000.0;
    if (stats.syncs == 0) return stats;
    const auto percentile = [&](double q) {
      const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(stats.syncs - 1));
      uint64_t seen = 0;
      for (size_t i = 0; i < cpu_buckets_.size(); ++i) {
        seen += cpu_buckets_[i];
        if (seen > rank) return static_cast<double>((i + 1) * kCpuBucketUs) / 1000.0;
      }
      return stats.max_ms;
    };
    stats.p50_ms = percentile(0.50);
    stats.p99_ms = percentile(0.99);
    return stats;
  }

 private:
  // ---- Event handlers (informer threads): they only queue keys ----

  void Enqueue(const json::Value& rollout) { loop_.AddObject(rollout); }

  // Queues the Rollout controlling `replica_set` (or AnalysisRun, Experiment), if any.
  void OnOwned(const json::Value& replica_set) {
    const ControllingOwner owner = ControllingRolloutOf(replica_set);
    if (owner.name.empty()) return;
    loop_.Add(json::StringAt(replica_set, {"metadata", "namespace"}) + "/" + owner.name);
  }
  void OnService(const json::Value& service) {
    const std::string key = json::StringAt(service, {"metadata", "namespace"}) + "/" +
                            json::StringAt(service, {"metadata", "name"});
    if (Result<std::vector<json::Value>> naming =
            rollout_informer_.cache().ByIndex(kServiceIndex, key);
        naming.ok()) {
      for (const json::Value& rollout : *naming) Enqueue(rollout);
    }
  }

  // ---- Workers ----

  // ---- Workers ----

  Result<kube::SyncOutcome> MeteredSync(const std::string& key) {
    const int64_t cpu_before = ThreadCpuMicros();
    Result<std::optional<api::Time>> result = Sync(key);
    RecordCpu(ThreadCpuMicros() - cpu_before);
    if (!result.ok()) return result.error();
    kube::SyncOutcome outcome;
    if (*result) outcome.requeue_at = (*result)->value;
    return outcome;
  }

  static int64_t ThreadCpuMicros() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  }
  void RecordCpu(int64_t micros) {
    std::lock_guard<std::mutex> lock(cpu_mu_);
    const size_t bucket = std::min(static_cast<size_t>(std::max<int64_t>(micros, 0)) / kCpuBucketUs,
                                   cpu_buckets_.size() - 1);
    ++cpu_buckets_[bucket];
    cpu_max_us_ = std::max(cpu_max_us_, micros);
  }

  // Returns when to look again (nullopt: only on events).
  Result<std::optional<api::Time>> Sync(const std::string& key) {
    std::optional<json::Value> rollout_json = rollout_informer_.cache().Get(key);
    if (!rollout_json) return std::optional<api::Time>();  // deleted: its children go by GC
    api::FieldErrors decode_errors;
    const api::Rollout rollout = api::Decode<api::Rollout>(*rollout_json, &decode_errors);
    if (rollout.metadata.deletion_timestamp != api::Time{}) return std::optional<api::Time>();
    const api::Time now{WallNow(clock_)};

    api::FieldErrors errors = decode_errors.empty() ? api::Validate(rollout) : decode_errors;
    if (!errors.empty()) return InvalidSpec(*rollout_json, rollout, errors, now);
    std::vector<std::unique_ptr<traffic::TrafficRouter>> routers;
    if (rollout.spec.strategy.canary && rollout.spec.strategy.canary->traffic_routing) {
      Result<std::vector<std::unique_ptr<traffic::TrafficRouter>>> built =
          traffic::BuildRouters(*rollout.spec.strategy.canary->traffic_routing);
      if (!built.ok()) {
        // The router's message, after the field it names when it names one apart.
        api::FieldError error;
        error.message = built.error().field_path().empty()
                            ? built.error().message()
                            : built.error().field_path() + ": " + built.error().message();
        return InvalidSpec(*rollout_json, rollout, {error}, now);
      }
      routers = std::move(built).value();
    }

    core::RolloutSnapshot snapshot;
    snapshot.rollout = rollout;
    snapshot.now = now;
    if (Result<std::vector<json::Value>> owned =
            rs_informer_.cache().ByIndex(kube::kOwnerUidIndex, rollout.metadata.uid);
        owned.ok()) {
      for (const json::Value& rs_json : *owned) {
        if (ControllingRolloutOf(rs_json).uid != rollout.metadata.uid) continue;
        api::ReplicaSet rs = api::Decode<api::ReplicaSet>(rs_json);
        if (rs.metadata.namespace_ != rollout.metadata.namespace_) continue;
        snapshot.replica_sets.push_back(std::move(rs));
      }
    }
    for (const std::string& name : ServiceNames(rollout)) {
      if (std::optional<json::Value> service =
              service_informer_.cache().Get(rollout.metadata.namespace_ + "/" + name)) {
        snapshot.services[name] = api::Decode<api::Service>(*service);
      }
    }

    // Pods are read from the server, and only for Rollouts that need them (ephemeral metadata, a
    // restart, a canary in progress whose failing pods abort it), so the controller caches no
    // pod of the cluster.
    if (core::UsesEphemeralMetadata(rollout, snapshot.replica_sets) ||
        core::RestartPending(rollout) || core::CanaryPodsToCheck(rollout, snapshot.replica_sets)) {
      kube::ListRequest request;
      if (rollout.spec.selector) {
        request.label_selector = core::LabelSelectorString(*rollout.spec.selector);
      }
      Result<kube::ObjectList> pods =
          client_.ListAll(kube::ResourceOf<api::Pod>(), rollout.metadata.namespace_, request);
      if (!pods.ok()) return pods.error().WithContext("listing the Rollout's pods");
      for (const json::Value& pod : pods->items)
        snapshot.pods.push_back(api::Decode<api::Pod>(pod));
    }

    ReadAnalysis(rollout, snapshot);

    const core::RolloutPlan plan = rollout.spec.strategy.blue_green ? core::PlanBlueGreen(snapshot)
                                                                    : core::PlanCanary(snapshot);
    if (Status written = writer_.Write(*rollout_json, rollout, plan, routers); !written.ok()) {
      return written;
    }
    return plan.requeue_at;
  }

  // The Rollout's AnalysisRuns, and the templates (only for Rollouts with analyses).
  void ReadAnalysis(const api::Rollout& rollout, core::RolloutSnapshot& snapshot) {
    if (Result<std::vector<json::Value>> runs =
            run_informer_.cache().ByIndex(kube::kOwnerUidIndex, rollout.metadata.uid);
        runs.ok()) {
      for (const json::Value& run_json : *runs) {
        if (ControllingRolloutOf(run_json).uid != rollout.metadata.uid) continue;
        snapshot.analysis_runs.push_back(api::Decode<api::AnalysisRun>(run_json));
      }
    }
    if (Result<std::vector<json::Value>> experiments =
            experiment_informer_.cache().ByIndex(kube::kOwnerUidIndex, rollout.metadata.uid);
        experiments.ok()) {
      for (const json::Value& experiment_json : *experiments) {
        if (ControllingRolloutOf(experiment_json).uid != rollout.metadata.uid) continue;
        snapshot.experiments.push_back(api::Decode<api::Experiment>(experiment_json));
      }
    }
    for (const analysis::TemplateKey& ref : TemplatesNamedBy(rollout)) {
      if (ref.cluster_scope) {
        if (std::optional<json::Value> found = cluster_template_informer_.cache().Get(ref.name)) {
          snapshot.cluster_analysis_templates[ref.name] =
              api::Decode<api::ClusterAnalysisTemplate>(*found).spec;
        }
      } else if (std::optional<json::Value> found =
                     template_informer_.cache().Get(rollout.metadata.namespace_ + "/" + ref.name)) {
        snapshot.analysis_templates[ref.name] = api::Decode<api::AnalysisTemplate>(*found).spec;
      }
    }
    // Templates that include others: their includes are read too (a few levels are plenty; a
    // missing one is reported by the flattening).
    for (int depth = 0; depth < 8; ++depth) {
      std::vector<api::AnalysisTemplateRef> includes;
      for (const auto* templates :
           {&snapshot.analysis_templates, &snapshot.cluster_analysis_templates}) {
        for (const auto& [name, spec] : *templates) {
          includes.insert(includes.end(), spec.templates.begin(), spec.templates.end());
        }
      }
      bool added = false;
      for (const api::AnalysisTemplateRef& ref : includes) {
        auto& into =
            ref.cluster_scope ? snapshot.cluster_analysis_templates : snapshot.analysis_templates;
        if (into.contains(ref.template_name)) continue;
        std::optional<json::Value> found =
            ref.cluster_scope ? cluster_template_informer_.cache().Get(ref.template_name)
                              : template_informer_.cache().Get(rollout.metadata.namespace_ + "/" +
                                                               ref.template_name);
        if (!found) continue;
        into[ref.template_name] = ref.cluster_scope
                                      ? api::Decode<api::ClusterAnalysisTemplate>(*found).spec
                                      : api::Decode<api::AnalysisTemplate>(*found).spec;
        added = true;
      }
      if (!added) break;
    }
  }

  // The InvalidSpec condition (and phase Degraded), looked at again after a while.
  Result<std::optional<api::Time>> InvalidSpec(const json::Value& rollout_json,
                                               const api::Rollout& rollout,
                                               const api::FieldErrors& errors, api::Time now) {
    const core::RolloutPlan plan = core::PlanInvalidSpec(rollout, errors, now);
    if (Status written = writer_.Write(rollout_json, rollout, plan); !written.ok()) return written;
    return std::optional<api::Time>(api::Time{
        now.value + std::chrono::duration_cast<std::chrono::microseconds>(invalid_spec_retry_)});
  }

  const kube::Clock& clock_;
  kube::ApiClient& client_;
  const PlanWriter writer_;
  const std::chrono::seconds invalid_spec_retry_;
  kube::Informer& rollout_informer_;
  kube::Informer& rs_informer_;
  kube::Informer& service_informer_;
  kube::Informer& run_informer_;
  kube::Informer& template_informer_;
  kube::Informer& cluster_template_informer_;
  kube::Informer& experiment_informer_;
  static constexpr size_t kCpuBucketUs = 10;
  mutable std::mutex cpu_mu_;
  std::vector<uint64_t> cpu_buckets_ = std::vector<uint64_t>(1000);  // guarded by cpu_mu_
  int64_t cpu_max_us_ = 0;                                           // guarded by cpu_mu_
  // Last: destroyed first, so its workers are joined before the members they use go.
  kube::ControllerLoop loop_;
};

std::unique_ptr<RolloutController> RolloutController::Start(kube::ApiClient& client,
                                                            kube::InformerFactory& informers,
                                                            RolloutControllerOptions options) {
  auto impl = std::make_shared<Impl>(client, informers, std::move(options));
  impl->Start(impl);
  return std::unique_ptr<RolloutController>(new RolloutController(impl));
}

RolloutController::RolloutController(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
RolloutController::~RolloutController() { Stop(); }
void RolloutController::Stop() { impl_->Stop(); }
Status RolloutController::LastError() const { return impl_->LastError(); }
uint64_t RolloutController::Syncs() const { return impl_->Syncs(); }
RolloutController::SyncCpu RolloutController::SyncCpuTime() const { return impl_->SyncCpuTime(); }

}  // namespace devflow::controller
