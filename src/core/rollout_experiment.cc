#include "core/rollout_experiment.h"

#include <algorithm>

#include "analysis/analysis_arguments.h"
#include "analysis/rollout_analysis_run.h"
#include "api/defaults.h"
#include "core/rollout_replica_sets.h"
#include "core/rollout_status_rules.h"

namespace devflow::core {
namespace {

const api::RolloutExperimentStep* ExperimentStepAt(const api::Rollout& rollout,
                                                   std::optional<int32_t> index) {
  const auto& canary = rollout.spec.strategy.canary;
  if (!canary || !index || *index < 0 || static_cast<size_t>(*index) >= canary->steps.size()) {
    return nullptr;
  }
  const auto& step = canary->steps[static_cast<size_t>(*index)].experiment;
  return step ? &*step : nullptr;
}

const api::Experiment* ExperimentNamed(const RolloutSnapshot& snapshot, const std::string& name) {
  if (name.empty()) return nullptr;
  for (const api::Experiment& experiment : snapshot.experiments) {
    if (experiment.metadata.name == name) return &experiment;
  }
  return nullptr;
}

bool Running(const api::Experiment& experiment) {
  return !experiment.spec.terminate && !api::IsCompletedPhase(experiment.status.phase);
}

// Argo's IsSemanticallyEqual: the specs without terminate.
bool SameSpec(api::ExperimentSpec a, api::ExperimentSpec b) {
  a.terminate = b.terminate = false;
  return a == b;
}

// The name the step's Experiment takes: its own, or "-1", "-2", ... past experiments that are
// completed, different or not the Rollout's; a running equal one of the Rollout's is reused.
struct ExperimentNameChoice {
  std::string name;
  bool reuse = false;
};
ExperimentNameChoice ChooseExperimentName(const api::Experiment& desired,
                                          const std::vector<api::Experiment>& existing,
                                          const std::string& rollout_uid) {
  for (int collisions = 0;; ++collisions) {
    std::string name = desired.metadata.name;
    if (collisions > 0) name += "-" + std::to_string(collisions);
    const auto taken =
        std::find_if(existing.begin(), existing.end(),
                     [&](const api::Experiment& e) { return e.metadata.name == name; });
    if (taken == existing.end()) return {std::move(name), false};
    if (Running(*taken) && ControllerUidOf(taken->metadata) == rollout_uid &&
        SameSpec(taken->spec, desired.spec)) {
      return {std::move(name), true};
    }
  }
}

}  // namespace

Result<api::Experiment> NewStepExperiment(const api::Rollout& rollout, int32_t step_index,
                                          const api::ReplicaSet& new_rs,
                                          const api::ReplicaSet& stable_rs, int64_t revision) {
  const api::RolloutExperimentStep* step = ExperimentStepAt(rollout, step_index);
  const FieldPath path = FieldPath("spec")
                             .Child("strategy")
                             .Child("canary")
                             .Child("steps")
                             .Index(static_cast<size_t>(step_index))
                             .Child("experiment");
  if (step == nullptr) {
    return Status(StatusCode::kFailedPrecondition, "the Rollout has no experiment step here",
                  path.str());
  }
  const std::string new_hash = PodTemplateHashOf(new_rs);
  api::Experiment experiment;
  experiment.api_version = "argoproj.io/v1alpha1";
  experiment.kind = "Experiment";
  experiment.metadata.name = rollout.metadata.name + "-" + new_hash + "-" +
                             std::to_string(revision) + "-" + std::to_string(step_index);
  experiment.metadata.namespace_ = rollout.metadata.namespace_;
  experiment.metadata.labels = rollout.metadata.labels;
  experiment.metadata.labels[std::string(api::defaults::kPodTemplateHashLabel)] = new_hash;
  experiment.metadata.annotations[std::string(api::defaults::kRevisionAnnotation)] =
      std::to_string(revision);
  experiment.metadata.owner_references.push_back(
      api::ControllerReference("argoproj.io/v1alpha1", "Rollout", rollout.metadata));
  experiment.spec.duration = step->duration;
  experiment.spec.progress_deadline_seconds = rollout.spec.progress_deadline_seconds;
  for (const api::RolloutDryRun& rule : step->dry_run) {
    experiment.spec.dry_run.push_back(api::DryRun{.metric_name = rule.metric_name});
  }
  experiment.spec.analysis_run_metadata.labels = step->analysis_run_metadata.labels;
  experiment.spec.analysis_run_metadata.annotations = step->analysis_run_metadata.annotations;
  experiment.spec.scale_down_delay_seconds = step->scale_down_delay_seconds;

  for (size_t i = 0; i < step->templates.size(); ++i) {
    const api::RolloutExperimentTemplate& from = step->templates[i];
    const api::ReplicaSet* rs = from.spec_ref == "canary"   ? &new_rs
                                : from.spec_ref == "stable" ? &stable_rs
                                                            : nullptr;
    if (rs == nullptr) {
      return InvalidArgumentError("must be canary or stable",
                                  path.Child("templates").Index(i).Child("specRef").str());
    }
    api::ExperimentTemplate tmpl;
    tmpl.name = from.name;
    tmpl.replicas = from.replicas;
    tmpl.template_ = rs->spec.template_;
    tmpl.min_ready_seconds = rs->spec.min_ready_seconds;
    tmpl.selector = from.selector.value_or(rs->spec.selector);
    for (const auto& [key, value] : from.metadata.labels) {
      tmpl.template_.metadata.labels[key] = value;
      tmpl.selector->match_labels[key] = value;
    }
    for (const auto& [key, value] : from.metadata.annotations) {
      tmpl.template_.metadata.annotations[key] = value;
    }
    if (from.weight || from.service) {
      tmpl.service = api::ExperimentTemplateService{.name = from.service ? from.service->name : ""};
    }
    experiment.spec.templates.push_back(std::move(tmpl));
  }
  const analysis::PodTemplateHashes hashes{.latest = new_hash,
                                           .stable = PodTemplateHashOf(stable_rs)};
  for (size_t i = 0; i < step->analyses.size(); ++i) {
    const api::RolloutExperimentAnalysis& from = step->analyses[i];
    DEVFLOW_ASSIGN_OR_RETURN(
        std::vector<api::Argument> args,
        analysis::ResolveRolloutArguments(rollout, from.args, hashes,
                                          path.Child("analyses").Index(i).Child("args")));
    experiment.spec.analyses.push_back(api::ExperimentAnalysisTemplateRef{
        .name = from.name,
        .template_name = from.template_name,
        .cluster_scope = from.cluster_scope.value_or(false),
        .args = std::move(args),
        .required_for_completion = from.required_for_completion,
    });
  }
  return experiment;
}

std::string CurrentExperimentPhase(const RolloutSnapshot& snapshot,
                                   const api::RolloutStatus& status) {
  const api::Experiment* current = ExperimentNamed(snapshot, status.canary.current_experiment);
  return current != nullptr ? current->status.phase : "";
}

std::vector<api::RolloutWeightDestination> ExperimentDestinations(
    const RolloutSnapshot& snapshot, const api::RolloutStatus& status) {
  std::vector<api::RolloutWeightDestination> destinations;
  const api::RolloutExperimentStep* step =
      ExperimentStepAt(snapshot.rollout, status.current_step_index);
  const api::Experiment* current = ExperimentNamed(snapshot, status.canary.current_experiment);
  if (step == nullptr || current == nullptr ||
      current->status.phase != api::analysis_phase::kRunning) {
    return destinations;
  }
  for (const api::ExperimentTemplateStatus& template_status : current->status.template_statuses) {
    for (const api::RolloutExperimentTemplate& tmpl : step->templates) {
      if (tmpl.name != template_status.name || !tmpl.weight) continue;
      destinations.push_back(api::RolloutWeightDestination{
          .weight = *tmpl.weight,
          .service_name = template_status.service_name,
          .pod_template_hash = template_status.pod_template_hash,
      });
    }
  }
  return destinations;
}

void ReconcileCanaryExperiment(const RolloutSnapshot& snapshot, const OwnedReplicaSets& sets,
                               api::RolloutStatus& status, RolloutPlan& plan,
                               std::string& abort_message) {
  const api::Rollout& rollout = snapshot.rollout;
  std::string keep;  // the experiment not to terminate
  const api::RolloutExperimentStep* step = ExperimentStepAt(rollout, status.current_step_index);
  const bool stopping = status.abort || status.promote_full;
  if (stopping) status.canary.current_experiment.clear();

  if (!stopping && step != nullptr && !HasPauseCondition(status, kInconclusiveExperiment)) {
    const api::Experiment* current = ExperimentNamed(snapshot, status.canary.current_experiment);
    if (current == nullptr) {
      if (sets.stable_rs == nullptr || sets.stable_rs == sets.new_rs) {
        return;  // created only once a stable ReplicaSet exists
      }
      Result<api::Experiment> desired =
          NewStepExperiment(rollout, status.current_step_index.value_or(0), *sets.new_rs,
                            *sets.stable_rs, sets.new_revision);
      if (!desired.ok()) {
        status.abort = true;
        abort_message = "Experiment could not start: " +
                        (desired.error().field_path().empty()
                             ? desired.error().message()
                             : desired.error().field_path() + ": " + desired.error().message());
        return;
      }
      const ExperimentNameChoice choice =
          ChooseExperimentName(*desired, snapshot.experiments, rollout.metadata.uid);
      desired->metadata.name = choice.name;
      // Made by an earlier pass the cache has not shown yet: created again (AlreadyExists is
      // done) without a second event.
      const bool announced = status.canary.current_experiment == choice.name;
      status.canary.current_experiment = choice.name;
      keep = choice.name;
      if (!choice.reuse) {
        plan.create_experiments.push_back(std::move(*desired));
        if (!announced) {
          plan.events.push_back(
              {"Normal", "ExperimentCreated", "Created Experiment '" + choice.name + "'"});
        }
      }
    } else {
      keep = current->metadata.name;
      const std::string& phase = current->status.phase;
      if (phase == api::analysis_phase::kInconclusive) {
        ApplyPauseChanges(status, PauseChanges{.add = {kInconclusiveExperiment}}, snapshot.now);
      } else if (phase == api::analysis_phase::kFailed || phase == api::analysis_phase::kError) {
        status.abort = true;
        abort_message = std::string("Experiment analysis phase is ") +
                        (phase == api::analysis_phase::kError ? "error" : "failed") +
                        (current->status.message.empty() ? "" : ": " + current->status.message);
        status.canary.current_experiment.clear();
        keep.clear();
      }
    }
  } else if (!stopping && step != nullptr) {
    keep = status.canary.current_experiment;  // paused on an inconclusive one
  } else if (step == nullptr) {
    status.canary.current_experiment.clear();
  }

  for (const api::Experiment& experiment : snapshot.experiments) {
    if (experiment.metadata.name == keep || !Running(experiment) ||
        ControllerUidOf(experiment.metadata) != rollout.metadata.uid) {
      continue;
    }
    plan.terminate_experiments.emplace_back(experiment.metadata.name, experiment.metadata.uid);
  }
}

}  // namespace devflow::core
