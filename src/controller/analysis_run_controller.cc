#include "controller/analysis_run_controller.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "analysis/argument_substitution.h"
#include "analysis/run_assessment.h"
#include "api/analysis_codec.h"
#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/merge_patch.h"
#include "kube/api_client.h"
#include "kube/controller_loop.h"
#include "kube/event_recorder.h"
#include "kube/informer.h"
#include "kube/object_cache.h"
#include "kube/typed_client.h"

namespace devflow::controller {
namespace {

// How long after its TTL a completed run is looked at again, so that now > the deletion time.
constexpr std::chrono::milliseconds kAfterTtl{1};

api::TimePoint WallNow(const kube::Clock& clock) {
  return std::chrono::floor<std::chrono::microseconds>(clock.WallNow());
}

const kube::ResourceRef& AnalysisRuns() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::AnalysisRun>();
  return resource;
}
const kube::ResourceRef& Secrets() {
  static const kube::ResourceRef resource = kube::ResourceOf<api::Secret>();
  return resource;
}

const api::Metric* FindMetric(const api::AnalysisRun& run, std::string_view name) {
  for (const api::Metric& metric : run.spec.metrics) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

// A fixed set of threads running provider calls, shared by every run of the controller.
class MeasurementPool {
 public:
  explicit MeasurementPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~MeasurementPool() { Stop(); }

  // Runs `job` on a pool thread. After Stop, runs it on the caller's thread.
  std::future<Result<analysis::Reading>> Submit(std::function<Result<analysis::Reading>()> job) {
    std::packaged_task<Result<analysis::Reading>()> task(std::move(job));
    std::future<Result<analysis::Reading>> future = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        jobs_.push_back(std::move(task));
        cv_.notify_one();
        return future;
      }
    }
    task();
    return future;
  }

  // Runs the jobs queued, then joins the threads. Idempotent.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

 private:
  void Run() {
    while (true) {
      std::packaged_task<Result<analysis::Reading>()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        task = std::move(jobs_.front());
        jobs_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<Result<analysis::Reading>()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                                             // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace

// ---- Pure steps ----

Result<ResolvedRun> ResolveRunArguments(const api::AnalysisRun& run,
                                        const analysis::SecretLookup& secrets) {
  // The secrets read so far, to mask them in a later lookup's error.
  std::vector<std::string> read;
  const analysis::SecretLookup remembering = [&](const api::SecretKeyRef& ref) {
    Result<std::string> value = secrets(ref);
    if (value.ok()) read.push_back(*value);
    return value;
  };
  Result<analysis::ResolvedArguments> args =
      analysis::ResolveArgumentValues(run.spec.args, remembering, FieldPath("spec").Child("args"));
  const auto masked = [&](const Status& error) {
    return Status(error.code(), analysis::MaskSecretValues(error.message(), read),
                  error.field_path());
  };
  if (!args.ok()) return masked(args.error());
  ResolvedRun resolved{.run = run, .secret_values = args->secret_values};
  for (size_t i = 0; i < run.spec.metrics.size(); ++i) {
    Result<api::Metric> metric = analysis::SubstituteArguments(
        run.spec.metrics[i], args->values, FieldPath("spec").Child("metrics").Index(i));
    if (!metric.ok()) return masked(metric.error());
    resolved.run.spec.metrics[i] = std::move(metric).value();
  }
  return resolved;
}

bool IsTransient(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kInternal:
    case StatusCode::kConflict:
    case StatusCode::kGone:
      return true;
    default:
      return false;
  }
}

std::string ErrorText(const Status& error) {
  return error.field_path().empty() ? error.message() : error.field_path() + ": " + error.message();
}

analysis::AnalysisRunUpdate RunErrorUpdate(const api::AnalysisRun& run, std::string message,
                                           api::TimePoint now) {
  analysis::AnalysisRunUpdate update;
  update.status = run.status;
  if (api::IsCompletedPhase(run.status.phase)) return update;
  update.status.phase = std::string(api::analysis_phase::kError);
  update.status.message = std::move(message);
  if (!update.status.started_at) update.status.started_at = api::Time{now};
  update.status.completed_at = api::Time{now};
  update.events.push_back(analysis::RunCompletedEvent(api::analysis_phase::kError));
  return update;
}

json::Value StatusPatch(const json::Value& run_json, const api::AnalysisRunStatus& status) {
  const json::Value* read = run_json.Find("status");
  json::Value patch = json::Object{
      {"metadata", json::Object{{"resourceVersion",
                                 json::StringAt(run_json, {"metadata", "resourceVersion"})}}}};
  json::Value diff = api::CreateMergePatch(read != nullptr ? *read : json::Value(json::Object{}),
                                           api::Encode(status));
  if (!diff.is_object() || !diff.as_object().empty()) patch.as_object().Set("status", diff);
  return patch;
}

TtlAction CompletedRunTtl(const api::AnalysisRun& run, api::TimePoint now) {
  const std::optional<api::TimePoint> deletion = analysis::DeletionTime(run);
  if (!deletion) return {};
  if (now > *deletion) return {.delete_now = true};
  return {.requeue_at = *deletion + kAfterTtl};
}

// ---- The controller ----

class AnalysisRunController::Impl {
 public:
  Impl(kube::ApiClient& client, kube::InformerFactory& informers,
       AnalysisRunControllerOptions options)
      : clock_(options.clock != nullptr ? *options.clock : kube::SystemClock()),
        client_(client),
        recorder_(options.recorder),
        providers_(std::move(options.providers)),
        informer_(informers.For(AnalysisRuns())),
        pool_(options.measurement_threads),
        loop_(kube::ControllerLoopOptions{.resource = "analysisruns",
                                          .workers = options.workers,
                                          .clock = &clock_,
                                          .rate_limit = options.rate_limit,
                                          .informers = {&informer_}},
              [this](const std::string& key) { return Sync(key); }) {}

  void Start(const std::shared_ptr<Impl>& self) {
    informer_.AddEventHandler(kube::WhileRunning(
        self, loop_,
        kube::ObjectHandlers([this](const json::Value& run) { loop_.AddObject(run); })));
    loop_.Start();
  }

  void Stop() {
    // Workers first: they wait for their measurements, which need the pool.
    loop_.Stop();
    pool_.Stop();
  }

  Status LastError() const { return loop_.LastError(); }
  uint64_t Syncs() const { return loop_.Syncs(); }

 private:
  Result<kube::SyncOutcome> Sync(const std::string& key) {
    std::optional<json::Value> run_json = informer_.cache().Get(key);
    if (!run_json) {  // deleted
      std::lock_guard<std::mutex> lock(mu_);
      written_over_.erase(key);
      return kube::SyncOutcome{};
    }
    const std::string resource_version = json::StringAt(*run_json, {"metadata", "resourceVersion"});
    {
      // The cache still holds the version this controller last wrote over: the event of that
      // write will queue the key again, and deciding from the old status would measure twice.
      std::lock_guard<std::mutex> lock(mu_);
      if (auto found = written_over_.find(key);
          found != written_over_.end() && found->second == resource_version) {
        return kube::SyncOutcome{};
      }
      written_over_.erase(key);
    }
    api::FieldErrors decode_errors;
    const api::AnalysisRun run = api::Decode<api::AnalysisRun>(*run_json, &decode_errors);
    if (run.metadata.deletion_timestamp != api::Time{}) return kube::SyncOutcome{};
    const api::TimePoint now = WallNow(clock_);
    if (api::IsCompletedPhase(run.status.phase)) return Expire(run, now);
    if (!decode_errors.empty()) {
      return Write(
          key, *run_json, run,
          RunErrorUpdate(run, "Analysis spec invalid: " + api::ToString(decode_errors[0]), now),
          now);
    }

    Result<ResolvedRun> resolved = ResolveRunArguments(run, [&](const api::SecretKeyRef& ref) {
      return ReadSecret(run.metadata.namespace_, ref);
    });
    if (!resolved.ok()) {
      if (IsTransient(resolved.error())) {
        return resolved.error().WithContext("resolving the run's arguments");
      }
      return Write(
          key, *run_json, run,
          RunErrorUpdate(run, "Unable to resolve metric arguments: " + ErrorText(resolved.error()),
                         now),
          now);
    }
    const std::vector<analysis::MeasurementTask> tasks =
        analysis::PlanMeasurements(resolved->run, now);
    const std::vector<Result<analysis::Reading>> readings = Measure(resolved->run, tasks, now);
    // Recorded at the time the readings came back: finishedAt, and the next interval from it.
    const api::TimePoint measured = tasks.empty() ? now : WallNow(clock_);
    const analysis::AnalysisRunUpdate update =
        analysis::ApplyReadings(resolved->run, tasks, readings, measured, resolved->secret_values);
    Result<kube::SyncOutcome> outcome = Write(key, *run_json, run, update, measured);
    if (outcome.ok()) outcome->warning = GarbageCollect(resolved->run, update.garbage_collect);
    return outcome;
  }

  // A completed run: deleted once its TTL has passed.
  Result<kube::SyncOutcome> Expire(const api::AnalysisRun& run, api::TimePoint now) {
    const TtlAction action = CompletedRunTtl(run, now);
    if (!action.delete_now) return kube::SyncOutcome{.requeue_at = action.requeue_at};
    kube::DeleteRequest request;
    request.precondition_uid = run.metadata.uid;
    Result<json::Value> deleted =
        client_.Delete(AnalysisRuns(), run.metadata.namespace_, run.metadata.name, request);
    if (!deleted.ok() && deleted.error().code() != StatusCode::kNotFound) {
      return deleted.error().WithContext("deleting the run after its ttlStrategy");
    }
    return kube::SyncOutcome{};
  }

  Result<std::string> ReadSecret(const std::string& ns, const api::SecretKeyRef& ref) {
    Result<json::Value> secret = client_.Get(Secrets(), ns, ref.name);
    if (!secret.ok()) return secret.error().WithContext("reading secrets/" + ref.name);
    Result<std::string> value = api::SecretValue(api::Decode<api::Secret>(*secret), ref.key);
    if (!value.ok()) return value.error().WithContext("secrets/" + ref.name);
    return value;
  }

  // Calls the providers of `tasks` in parallel on the pool and waits for every answer.
  std::vector<Result<analysis::Reading>> Measure(
      const api::AnalysisRun& run, const std::vector<analysis::MeasurementTask>& tasks,
      api::TimePoint now) {
    std::vector<std::optional<std::future<Result<analysis::Reading>>>> pending(tasks.size());
    std::vector<Result<analysis::Reading>> readings(
        tasks.size(), Result<analysis::Reading>(InternalError("not measured")));
    for (size_t i = 0; i < tasks.size(); ++i) {
      const analysis::MeasurementTask& task = tasks[i];
      const api::Metric* metric = FindMetric(run, task.metric_name);
      if (metric == nullptr) {  // PlanMeasurements names only the run's metrics.
        readings[i] = InternalError("metric " + task.metric_name + " is not in the run");
        continue;
      }
      Result<analysis::MetricProvider*> provider = providers_(*metric);
      if (!provider.ok()) {
        readings[i] = provider.error();
        continue;
      }
      pending[i] = pool_.Submit([provider = *provider, &run, metric, &task, now] {
        const analysis::MeasurementRequest request{run, *metric, now};
        switch (task.action) {
          case analysis::MeasurementAction::kResume:
            return provider->Resume(request, task.in_flight.value_or(api::Measurement{}));
          case analysis::MeasurementAction::kTerminate:
            return provider->Terminate(request, task.in_flight.value_or(api::Measurement{}));
          case analysis::MeasurementAction::kMeasure:
            break;
        }
        return provider->Measure(request);
      });
    }
    // Every future is waited for before returning: the jobs borrow `run` and `tasks`.
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (!pending[i]) continue;
      try {
        readings[i] = pending[i]->get();
      } catch (const std::exception& e) {  // a provider must not throw; keep the run going
        readings[i] = InternalError(std::string("provider threw: ") + e.what());
      }
    }
    return readings;
  }

  // Writes update.status (when it changed), then records its events; returns when to come back.
  Result<kube::SyncOutcome> Write(const std::string& key, const json::Value& run_json,
                                  const api::AnalysisRun& run,
                                  const analysis::AnalysisRunUpdate& update, api::TimePoint now) {
    kube::SyncOutcome outcome{.requeue_at = update.requeue_at};
    if (api::IsCompletedPhase(update.status.phase)) {
      api::AnalysisRun completed = run;
      completed.status = update.status;
      const TtlAction ttl = CompletedRunTtl(completed, now);
      outcome.requeue_at = ttl.delete_now ? std::optional<api::TimePoint>(now) : ttl.requeue_at;
    }
    if (update.status == run.status) return outcome;
    Result<json::Value> patched =
        client_.Patch(AnalysisRuns(), run.metadata.namespace_, run.metadata.name,
                      kube::PatchType::kMerge, StatusPatch(run_json, update.status));
    if (!patched.ok()) {
      if (patched.error().code() == StatusCode::kNotFound) return kube::SyncOutcome{};
      return patched.error().WithContext("writing the status");
    }
    const std::string read_version = json::StringAt(run_json, {"metadata", "resourceVersion"});
    if (json::StringAt(*patched, {"metadata", "resourceVersion"}) != read_version) {
      std::lock_guard<std::mutex> lock(mu_);
      written_over_[key] = read_version;
    }
    if (recorder_ != nullptr) {
      for (const analysis::AnalysisEvent& event : update.events) {
        recorder_->Record(
            *patched,
            event.type == "Warning" ? kube::EventType::kWarning : kube::EventType::kNormal,
            event.reason, event.message);
      }
    }
    return outcome;
  }

  Status GarbageCollect(const api::AnalysisRun& run,
                        const std::vector<analysis::MeasurementTrim>& trims) {
    Status first;
    for (const analysis::MeasurementTrim& trim : trims) {
      const api::Metric* metric = FindMetric(run, trim.metric_name);
      if (metric == nullptr) continue;
      Result<analysis::MetricProvider*> provider = providers_(*metric);
      if (!provider.ok()) continue;  // its measurements were errors: nothing to collect
      Status collected = (*provider)->GarbageCollect(run, *metric, trim.keep);
      if (!collected.ok() && first.ok()) {
        first = collected.WithContext("garbage-collecting metric " + trim.metric_name);
      }
    }
    return first;
  }

  const kube::Clock& clock_;
  kube::ApiClient& client_;
  kube::EventRecorder* const recorder_;
  const ProviderLookup providers_;
  kube::Informer& informer_;
  MeasurementPool pool_;

  std::mutex mu_;
  // key -> the resourceVersion of the object the last status write was made over (until the
  // cache moves past it). Guarded by mu_.
  std::map<std::string, std::string> written_over_;

  kube::ControllerLoop loop_;  // last: its workers use the members above
};

std::unique_ptr<AnalysisRunController> AnalysisRunController::Start(
    kube::ApiClient& client, kube::InformerFactory& informers,
    AnalysisRunControllerOptions options) {
  if (!options.providers) {  // a bug of the caller
    std::cerr << "devflow: AnalysisRunControllerOptions::providers is required\n";
    std::abort();
  }
  auto impl = std::make_shared<Impl>(client, informers, std::move(options));
  impl->Start(impl);
  return std::unique_ptr<AnalysisRunController>(new AnalysisRunController(impl));
}

AnalysisRunController::AnalysisRunController(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
AnalysisRunController::~AnalysisRunController() { Stop(); }
void AnalysisRunController::Stop() { impl_->Stop(); }
Status AnalysisRunController::LastError() const { return impl_->LastError(); }
uint64_t AnalysisRunController::Syncs() const { return impl_->Syncs(); }

}  // namespace devflow::controller
