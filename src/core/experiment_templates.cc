#include "core/experiment_templates.h"

#include "api/analysis_defaults.h"
#include "api/defaults.h"
#include "api/duration.h"
#include "api/pod_template_identity.h"

namespace devflow::core {
namespace {

const std::string kHashLabel(api::defaults::kPodTemplateHashLabel);

api::OwnerReference ControllerRefTo(const api::Experiment& experiment) {
  return api::ControllerReference("argoproj.io/v1alpha1", "Experiment", experiment.metadata);
}

std::map<std::string, std::string> NamingAnnotations(const api::Experiment& experiment,
                                                     const api::ExperimentTemplate& tmpl) {
  return {{std::string(kExperimentNameAnnotation), experiment.metadata.name},
          {std::string(kExperimentTemplateNameAnnotation), tmpl.name}};
}

}  // namespace

bool IsCompletedTemplateStatus(std::string_view status) {
  return status == template_status::kSuccessful || status == template_status::kFailed ||
         status == template_status::kError;
}

const api::ExperimentTemplateStatus* FindTemplateStatus(const api::ExperimentStatus& status,
                                                        std::string_view name) {
  for (const api::ExperimentTemplateStatus& t : status.template_statuses) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool HasRequiredAnalyses(const api::ExperimentSpec& spec) {
  for (const api::ExperimentAnalysisTemplateRef& analysis : spec.analyses) {
    if (analysis.required_for_completion) return true;
  }
  return false;
}

bool RequiredAnalysesSuccessful(const api::ExperimentSpec& spec,
                                const api::ExperimentStatus& status) {
  bool any = false;
  for (const api::ExperimentAnalysisTemplateRef& analysis : spec.analyses) {
    if (!analysis.required_for_completion) continue;
    any = true;
    bool successful = false;
    for (const api::ExperimentAnalysisRunStatus& run : status.analysis_runs) {
      if (run.name == analysis.name) successful = run.phase == api::analysis_phase::kSuccessful;
    }
    if (!successful) return false;
  }
  return any;
}

bool IsTerminating(const api::Experiment& experiment) {
  if (experiment.spec.terminate || api::IsCompletedPhase(experiment.status.phase)) return true;
  for (const api::ExperimentTemplateStatus& t : experiment.status.template_statuses) {
    if (t.status == template_status::kFailed || t.status == template_status::kError) return true;
  }
  for (const api::ExperimentAnalysisRunStatus& run : experiment.status.analysis_runs) {
    if (run.phase == api::analysis_phase::kFailed || run.phase == api::analysis_phase::kError ||
        run.phase == api::analysis_phase::kInconclusive) {
      return true;
    }
  }
  return RequiredAnalysesSuccessful(experiment.spec, experiment.status);
}

std::optional<api::TimePoint> DurationEnd(const api::Experiment& experiment) {
  if (experiment.spec.duration.empty() || !experiment.status.available_at) return std::nullopt;
  Result<std::chrono::nanoseconds> duration = api::ParseGoDuration(experiment.spec.duration);
  if (!duration.ok()) return std::nullopt;
  return experiment.status.available_at->value +
         std::chrono::duration_cast<std::chrono::microseconds>(*duration);
}

int32_t DesiredTemplateReplicas(const api::Experiment& experiment,
                                const api::ExperimentTemplate& tmpl) {
  if (IsTerminating(experiment)) return 0;
  const api::ExperimentTemplateStatus* status = FindTemplateStatus(experiment.status, tmpl.name);
  if (status != nullptr && IsCompletedTemplateStatus(status->status)) return 0;
  return api::ReplicasOrDefault(tmpl);
}

api::ReplicaSet NewTemplateReplicaSet(const api::Experiment& experiment,
                                      const api::ExperimentTemplate& tmpl, int32_t replicas) {
  api::PodTemplateSpec pod_template = tmpl.template_;
  pod_template.metadata.labels.erase(kHashLabel);
  // The pods say which experiment and template they belong to, which also gives them a hash of
  // their own: a template copied from the Rollout's stable or canary ReplicaSet would otherwise
  // hash like it, and the Rollout's Services (which select by hash) would send production
  // traffic to the experiment's pods (Argo's behaviour, argo-rollouts#4526).
  for (const auto& [key, value] : NamingAnnotations(experiment, tmpl)) {
    pod_template.metadata.annotations[key] = value;
  }
  const api::ExperimentTemplateStatus* status = FindTemplateStatus(experiment.status, tmpl.name);
  const std::string hash = api::PodTemplateHash(
      pod_template, status != nullptr ? status->collision_count : std::nullopt);
  pod_template.metadata.labels[kHashLabel] = hash;

  api::ReplicaSet rs;
  rs.api_version = "apps/v1";
  rs.kind = "ReplicaSet";
  rs.metadata.name = experiment.metadata.name + "-" + tmpl.name;
  rs.metadata.namespace_ = experiment.metadata.namespace_;
  rs.metadata.labels = pod_template.metadata.labels;
  rs.metadata.annotations = NamingAnnotations(experiment, tmpl);
  rs.metadata.owner_references = {ControllerRefTo(experiment)};
  rs.spec.replicas = replicas;
  rs.spec.min_ready_seconds = tmpl.min_ready_seconds;
  rs.spec.selector = tmpl.selector.value_or(api::LabelSelector{});
  rs.spec.selector.match_labels[kHashLabel] = hash;
  rs.spec.template_ = std::move(pod_template);
  return rs;
}

std::optional<api::Service> NewTemplateService(const api::Experiment& experiment,
                                               const api::ExperimentTemplate& tmpl,
                                               const api::ReplicaSet& replica_set) {
  api::Service service;
  for (const api::Container& container : replica_set.spec.template_.spec.containers) {
    for (const api::ContainerPort& port : container.ports) {
      api::ServicePort service_port;
      service_port.name = port.name;
      service_port.protocol = port.protocol.empty() ? "TCP" : port.protocol;
      service_port.port = port.container_port;
      service_port.target_port = api::IntOrString(port.container_port);
      service.spec.ports.push_back(std::move(service_port));
    }
  }
  if (service.spec.ports.empty()) return std::nullopt;
  service.api_version = "v1";
  service.kind = "Service";
  service.metadata.name =
      tmpl.service && !tmpl.service->name.empty() ? tmpl.service->name : replica_set.metadata.name;
  service.metadata.namespace_ = experiment.metadata.namespace_;
  service.metadata.annotations = NamingAnnotations(experiment, tmpl);
  service.metadata.owner_references = {ControllerRefTo(experiment)};
  service.spec.selector = replica_set.metadata.labels;
  return service;
}

api::ExperimentTemplateStatus NextTemplateStatus(const api::Experiment& experiment,
                                                 const api::ExperimentTemplate& tmpl,
                                                 const api::ReplicaSet* replica_set, bool resized,
                                                 api::Time now) {
  const api::ExperimentTemplateStatus* before = FindTemplateStatus(experiment.status, tmpl.name);
  api::ExperimentTemplateStatus next =
      before != nullptr ? *before : api::ExperimentTemplateStatus{.name = tmpl.name};
  if (resized) next.last_transition_time = now;
  if (replica_set != nullptr) {
    next.replicas = replica_set->status.replicas;
    next.updated_replicas = replica_set->status.replicas;
    next.ready_replicas = replica_set->status.ready_replicas;
    next.available_replicas = replica_set->status.available_replicas;
  } else {
    next.replicas = next.updated_replicas = next.ready_replicas = next.available_replicas = 0;
  }
  if (before == nullptr || before->replicas != next.replicas ||
      before->updated_replicas != next.updated_replicas ||
      before->ready_replicas != next.ready_replicas ||
      before->available_replicas != next.available_replicas) {
    next.last_transition_time = now;
  }
  if (IsCompletedTemplateStatus(next.status)) return next;

  const bool terminating = IsTerminating(experiment);
  if (next.available_replicas == DesiredTemplateReplicas(experiment, tmpl)) {
    const std::optional<api::TimePoint> ends = DurationEnd(experiment);
    const bool passed = ends && now.value > *ends;
    next.status = std::string(passed || terminating ? template_status::kSuccessful
                                                    : template_status::kRunning);
    return next;
  }
  const int32_t deadline_seconds = api::ProgressDeadlineSecondsOrDefault(experiment.spec);
  const api::TimePoint from = next.last_transition_time.value_or(now).value;
  if (now.value > from + std::chrono::seconds(deadline_seconds)) {
    next.status = std::string(template_status::kFailed);
    next.message = "Template '" + tmpl.name + "' exceeded its progressDeadlineSeconds (" +
                   std::to_string(deadline_seconds) + ")";
  } else {
    next.status =
        std::string(terminating ? template_status::kSuccessful : template_status::kProgressing);
  }
  return next;
}

}  // namespace devflow::core
