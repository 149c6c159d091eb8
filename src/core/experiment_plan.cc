#include "core/experiment_plan.h"

#include <algorithm>
#include <chrono>

#include "analysis/rollout_analysis_run.h"
#include "api/analysis_defaults.h"
#include "api/defaults.h"
#include "core/experiment_analysis_runs.h"
#include "core/experiment_phase.h"
#include "core/experiment_templates.h"
#include "core/replica_set_changes.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

const std::string kDeadlineAnnotation(api::defaults::kScaleDownDeadlineAnnotation);

void EarliestRequeue(ExperimentPlan& plan, api::TimePoint at) {
  if (!plan.requeue_at || at < plan.requeue_at->value) plan.requeue_at = api::Time{at};
}

std::string AnnotationOf(const api::ObjectMeta& meta, std::string_view key) {
  auto found = meta.annotations.find(std::string(key));
  return found == meta.annotations.end() ? "" : found->second;
}

// Everything one pass reads about the experiment.
class ExperimentPass {
 public:
  explicit ExperimentPass(const ExperimentSnapshot& snapshot)
      : snapshot_(snapshot),
        experiment_(snapshot.experiment),
        uid_(experiment_.metadata.uid),
        now_(snapshot.now),
        terminating_(IsTerminating(experiment_)) {}

  ExperimentPlan Run() {
    next_ = experiment_.status;
    for (const api::ExperimentTemplate& tmpl : experiment_.spec.templates) ReconcileTemplate(tmpl);
    for (size_t i = 0; i < experiment_.spec.analyses.size(); ++i) ReconcileAnalysis(i);
    api::ExperimentStatus decided = DecideExperimentStatus(experiment_, std::move(next_), now_);
    RemoveInvalidSpec(decided);
    PlanRequeue(decided);
    if (decided != experiment_.status) plan_.status = std::move(decided);
    return std::move(plan_);
  }

 private:
  // The ReplicaSet the experiment controls for `tmpl` (Argo claims by the template-name
  // annotation), or nullptr.
  const api::ReplicaSet* OwnedReplicaSet(const api::ExperimentTemplate& tmpl) const {
    for (const api::ReplicaSet& rs : snapshot_.replica_sets) {
      if (ControllerUidOf(rs.metadata) == uid_ &&
          AnnotationOf(rs.metadata, kExperimentNameAnnotation) == experiment_.metadata.name &&
          AnnotationOf(rs.metadata, kExperimentTemplateNameAnnotation) == tmpl.name) {
        return &rs;
      }
    }
    return nullptr;
  }

  bool NameTakenByAnother(const std::string& name) const {
    return std::any_of(snapshot_.replica_sets.begin(), snapshot_.replica_sets.end(),
                       [&](const api::ReplicaSet& rs) {
                         return rs.metadata.name == name && ControllerUidOf(rs.metadata) != uid_;
                       });
  }

  const api::Service* ServiceNamed(const std::string& name) const {
    for (const api::Service& service : snapshot_.services) {
      if (service.metadata.name == name) return &service;
    }
    return nullptr;
  }

  // The Service the experiment controls for `tmpl`, or nullptr.
  const api::Service* OwnedService(const api::ExperimentTemplate& tmpl) const {
    for (const api::Service& service : snapshot_.services) {
      if (ControllerUidOf(service.metadata) == uid_ &&
          AnnotationOf(service.metadata, kExperimentTemplateNameAnnotation) == tmpl.name) {
        return &service;
      }
    }
    return nullptr;
  }

  void ReconcileTemplate(const api::ExperimentTemplate& tmpl) {
    const int32_t desired = DesiredTemplateReplicas(experiment_, tmpl);
    const api::ReplicaSet* rs = OwnedReplicaSet(tmpl);
    bool resized = false;
    std::string waiting;
    if (rs == nullptr) {
      api::ReplicaSet created = NewTemplateReplicaSet(experiment_, tmpl, desired);
      if (NameTakenByAnother(created.metadata.name)) {
        waiting = "ReplicaSet " + created.metadata.name +
                  " exists and is not controlled by this experiment";
      } else {
        plan_.events.push_back({"Normal", "NewReplicaSetCreated",
                                "Created new replica set \"" + created.metadata.name +
                                    "\" with size " + std::to_string(desired)});
        replica_sets_[tmpl.name] = created;
        plan_.create_replica_sets.push_back(std::move(created));
        resized = true;
      }
    } else {
      replica_sets_[tmpl.name] = *rs;
      resized = ScaleTemplate(*rs, desired);
      ReconcileService(tmpl, *rs, desired);
    }
    api::ExperimentTemplateStatus status = NextTemplateStatus(experiment_, tmpl, rs, resized, now_);
    if (!waiting.empty() && status.status == template_status::kProgressing) {
      status.message = waiting;
    }
    ApplyServiceStatus(tmpl, status);
    const api::ExperimentTemplateStatus* before = FindTemplateStatus(experiment_.status, tmpl.name);
    const std::string previous = before != nullptr ? before->status : "";
    if (previous != status.status) {
      const bool bad =
          status.status == template_status::kFailed || status.status == template_status::kError;
      plan_.events.push_back({bad ? "Warning" : "Normal", "Template" + status.status,
                              "Template '" + tmpl.name + "' transitioned from " + previous +
                                  " -> " + status.status +
                                  (status.message.empty() ? "" : ": " + status.message)});
    }
    SetTemplateStatus(std::move(status));
  }

  // Scales `rs` toward `desired`; a scale-down to 0 waits out scaleDownDelaySeconds, with the
  // deadline recorded on the ReplicaSet. Returns whether the size changes now.
  bool ScaleTemplate(const api::ReplicaSet& rs, int32_t desired) {
    const int32_t current = rs.spec.replicas.value_or(1);
    ReplicaSetChange change{.name = rs.metadata.name, .uid = rs.metadata.uid};
    const std::optional<api::Time> deadline = ScaleDownDeadlineOf(rs);
    if (desired == 0 && current > 0) {
      const int32_t delay = api::ScaleDownDelaySecondsOrDefault(experiment_.spec);
      if (delay > 0 && !deadline) {
        const api::TimePoint at = now_.value + std::chrono::seconds(delay);
        change.annotations[kDeadlineAnnotation] = api::FormatRfc3339(at);
        EarliestRequeue(plan_, at);
        desired = current;
      } else if (delay > 0 && now_.value < deadline->value) {
        EarliestRequeue(plan_, deadline->value);
        desired = current;
      } else if (delay == 0 && deadline) {
        change.annotations[kDeadlineAnnotation] = std::nullopt;
      }
    } else if (desired > 0 && deadline) {
      change.annotations[kDeadlineAnnotation] = std::nullopt;  // a retried experiment
    }
    if (desired != current) {
      change.replicas = desired;
      plan_.events.push_back({"Normal", "ScalingReplicaSet",
                              std::string("Scaled ") + (desired > current ? "up" : "down") +
                                  " ReplicaSet " + rs.metadata.name + " from " +
                                  std::to_string(current) + " to " + std::to_string(desired)});
    }
    if (change.replicas || !change.annotations.empty()) {
      plan_.replica_set_changes.push_back(std::move(change));
    }
    return desired != current;
  }

  void ReconcileService(const api::ExperimentTemplate& tmpl, const api::ReplicaSet& rs,
                        int32_t desired) {
    const api::Service* owned = OwnedService(tmpl);
    if (!tmpl.service || (desired == 0 && rs.status.available_replicas == 0)) {
      if (owned != nullptr) {
        plan_.delete_services.emplace_back(owned->metadata.name, owned->metadata.uid);
        deleted_services_.push_back(tmpl.name);
      }
      return;
    }
    if (owned != nullptr || desired == 0) return;
    std::optional<api::Service> service = NewTemplateService(experiment_, tmpl, rs);
    if (!service) return;
    if (const api::Service* taken = ServiceNamed(service->metadata.name); taken != nullptr) {
      return;  // another owner's: waited on, as a ReplicaSet name is
    }
    created_services_[tmpl.name] = service->metadata.name;
    plan_.create_services.push_back(std::move(*service));
  }

  // serviceName and podTemplateHash: set while the template's Service exists (or is made now).
  void ApplyServiceStatus(const api::ExperimentTemplate& tmpl,
                          api::ExperimentTemplateStatus& status) const {
    std::string name;
    if (const api::Service* owned = OwnedService(tmpl);
        owned != nullptr && std::find(deleted_services_.begin(), deleted_services_.end(),
                                      tmpl.name) == deleted_services_.end()) {
      name = owned->metadata.name;
    } else if (auto created = created_services_.find(tmpl.name);
               created != created_services_.end()) {
      name = created->second;
    }
    status.service_name = name;
    if (name.empty()) {
      status.pod_template_hash.clear();
      return;
    }
    auto rs = replica_sets_.find(tmpl.name);
    status.pod_template_hash = rs != replica_sets_.end() ? PodTemplateHashOf(rs->second) : "";
  }

  void SetTemplateStatus(api::ExperimentTemplateStatus status) {
    for (api::ExperimentTemplateStatus& existing : next_.template_statuses) {
      if (existing.name == status.name) {
        existing = std::move(status);
        return;
      }
    }
    next_.template_statuses.push_back(std::move(status));
  }

  const api::AnalysisRun* RunNamed(const std::string& name) const {
    for (const api::AnalysisRun& run : snapshot_.analysis_runs) {
      if (run.metadata.name == name && ControllerUidOf(run.metadata) == uid_) return &run;
    }
    return nullptr;
  }

  const api::AnalysisTemplateSpec* Template(const analysis::TemplateKey& key) const {
    const auto& templates =
        key.cluster_scope ? snapshot_.cluster_analysis_templates : snapshot_.analysis_templates;
    auto found = templates.find(key.name);
    return found == templates.end() ? nullptr : &found->second;
  }

  Result<api::AnalysisRun> BuildRun(size_t index) const {
    std::map<std::string, const api::ReplicaSet*> replica_sets;
    for (const auto& [name, rs] : replica_sets_) replica_sets[name] = &rs;
    return NewExperimentAnalysisRun(
        experiment_, index, replica_sets,
        [this](const analysis::TemplateKey& key) { return Template(key); });
  }

  void ReconcileAnalysis(size_t index) {
    const api::ExperimentAnalysisTemplateRef& analysis = experiment_.spec.analyses[index];
    api::ExperimentAnalysisRunStatus before{.name = analysis.name};
    for (const api::ExperimentAnalysisRunStatus& run : experiment_.status.analysis_runs) {
      if (run.name == analysis.name) before = run;
    }
    api::ExperimentAnalysisRunStatus next = before;
    FollowAnalysis(index, before, next);
    if (next.phase != before.phase && !next.phase.empty()) {
      const bool bad = next.phase == api::analysis_phase::kFailed ||
                       next.phase == api::analysis_phase::kError ||
                       next.phase == api::analysis_phase::kInconclusive;
      plan_.events.push_back({bad ? "Warning" : "Normal", "AnalysisRun" + next.phase,
                              "AnalysisRun '" + analysis.name + "' transitioned from " +
                                  before.phase + " -> " + next.phase +
                                  (next.message.empty() ? "" : ": " + next.message)});
    }
    for (api::ExperimentAnalysisRunStatus& existing : next_.analysis_runs) {
      if (existing.name == next.name) {
        existing = std::move(next);
        return;
      }
    }
    next_.analysis_runs.push_back(std::move(next));
  }

  void FollowAnalysis(size_t index, const api::ExperimentAnalysisRunStatus& before,
                      api::ExperimentAnalysisRunStatus& next) {
    const api::ExperimentAnalysisTemplateRef& analysis = experiment_.spec.analyses[index];
    if (!experiment_.status.available_at) {
      // Not started before every template is available; a missing template fails early.
      const analysis::TemplateKey key{analysis.template_name, analysis.cluster_scope};
      if (Template(key) == nullptr) {
        next.phase = std::string(api::analysis_phase::kError);
        next.message =
            std::string(analysis.cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate") +
            " verification failed for analysis '" + analysis.name +
            "': " + (analysis.cluster_scope ? "clusteranalysistemplate" : "analysistemplate") +
            ".argoproj.io \"" + analysis.template_name + "\" not found";
      }
      return;
    }
    if (before.analysis_run.empty()) {
      if (terminating_) return;
      Result<api::AnalysisRun> run = BuildRun(index);
      if (!run.ok()) {
        next.phase = std::string(api::analysis_phase::kError);
        next.message = "Failed to create AnalysisRun for analysis '" + analysis.name +
                       "': " + ErrorText(run.error());
        return;
      }
      const analysis::AnalysisRunNameChoice choice =
          analysis::ChooseAnalysisRunName(*run, snapshot_.analysis_runs);
      run->metadata.name = choice.name;
      if (!choice.reuse) plan_.create_analysis_runs.push_back(std::move(*run));
      next.phase = std::string(api::analysis_phase::kPending);
      next.analysis_run = choice.name;
      return;
    }
    if (api::IsCompletedPhase(before.phase)) return;
    const api::AnalysisRun* run = RunNamed(before.analysis_run);
    if (run == nullptr) {
      if (before.phase == api::analysis_phase::kPending && !terminating_) {
        // Created by an earlier pass and not in the cache yet: created again (AlreadyExists
        // is done).
        if (Result<api::AnalysisRun> again = BuildRun(index); again.ok()) {
          again->metadata.name = before.analysis_run;
          plan_.create_analysis_runs.push_back(std::move(*again));
          return;
        }
      }
      next.phase = std::string(api::analysis_phase::kError);
      next.message = "analysisruns.argoproj.io \"" + before.analysis_run + "\" not found";
      return;
    }
    if (terminating_) {
      if (!api::IsCompletedPhase(run->status.phase) && !run->spec.terminate) {
        plan_.terminate_analysis_runs.emplace_back(run->metadata.name, run->metadata.uid);
        plan_.events.push_back({"Normal", "AnalysisRunTerminating",
                                "Terminating " + analysis.name + " (" + run->metadata.name + ")"});
      }
      return;
    }
    next.phase = run->status.phase;
    next.message = run->status.message;
  }

  static std::string ErrorText(const Status& error) {
    return error.field_path().empty() ? error.message()
                                      : error.field_path() + ": " + error.message();
  }

  static void RemoveInvalidSpec(api::ExperimentStatus& status) {
    std::erase_if(status.conditions, [](const auto& c) { return c.type == "InvalidSpec"; });
  }

  // Argo's calculateEnqueueDuration, over the status just decided.
  void PlanRequeue(const api::ExperimentStatus& decided) {
    api::Experiment after = experiment_;
    after.status = decided;
    if (IsTerminating(after)) return;
    if (std::optional<api::TimePoint> ends = DurationEnd(after); ends && now_.value <= *ends) {
      EarliestRequeue(plan_, *ends + std::chrono::seconds(1));
    }
    const int32_t deadline = api::ProgressDeadlineSecondsOrDefault(after.spec);
    for (const api::ExperimentTemplate& tmpl : after.spec.templates) {
      const api::ExperimentTemplateStatus* status = FindTemplateStatus(decided, tmpl.name);
      if (status == nullptr || !status->last_transition_time ||
          (status->status != template_status::kProgressing &&
           status->status != template_status::kRunning) ||
          status->available_replicas == DesiredTemplateReplicas(after, tmpl)) {
        continue;
      }
      EarliestRequeue(plan_, status->last_transition_time->value + std::chrono::seconds(deadline) +
                                 std::chrono::seconds(1));
    }
  }

  const ExperimentSnapshot& snapshot_;
  const api::Experiment& experiment_;
  const std::string uid_;
  const api::Time now_;
  const bool terminating_;
  api::ExperimentStatus next_;
  ExperimentPlan plan_;
  // Each template's ReplicaSet as read, or as created this pass.
  std::map<std::string, api::ReplicaSet> replica_sets_;
  std::map<std::string, std::string> created_services_;  // template -> Service created now
  std::vector<std::string> deleted_services_;            // templates whose Service goes now
};

}  // namespace

ExperimentPlan PlanExperiment(const ExperimentSnapshot& snapshot) {
  return ExperimentPass(snapshot).Run();
}

ExperimentPlan PlanInvalidExperiment(const api::Experiment& experiment,
                                     const api::FieldErrors& errors, api::Time now) {
  ExperimentPlan plan;
  api::ExperimentStatus status = experiment.status;
  const std::string message = errors.empty() ? "invalid spec" : api::ToString(errors.front());
  api::ExperimentCondition condition{.type = "InvalidSpec",
                                     .status = "True",
                                     .last_update_time = now,
                                     .last_transition_time = now,
                                     .reason = "InvalidSpec",
                                     .message = message};
  for (const api::ExperimentCondition& existing : status.conditions) {
    if (existing.type == "InvalidSpec" && existing.message == message) condition = existing;
  }
  std::erase_if(status.conditions, [](const auto& c) { return c.type == "InvalidSpec"; });
  status.conditions.push_back(std::move(condition));
  if (status != experiment.status) plan.status = std::move(status);
  return plan;
}

}  // namespace devflow::core
