#include "analysis/rollout_analysis_run.h"

#include <map>
#include <utility>

#include "api/defaults.h"

namespace devflow::analysis {
namespace {

const std::string kHashLabel(api::defaults::kPodTemplateHashLabel);
const std::string kRevision(api::defaults::kRevisionAnnotation);

// The analysis' rules (converted to the run's type) followed by the templates', rejecting a
// metricName given twice. The analysis' rules are checked against every rule before them; the
// templates' among themselves were checked by FlattenTemplates.
template <class RolloutRule, class Rule, class Convert>
Result<std::vector<Rule>> MergeRules(const std::vector<RolloutRule>& own,
                                     const std::vector<Rule>& from_templates,
                                     std::string_view list_name, const FieldPath& own_path,
                                     Convert convert) {
  std::vector<Rule> merged;
  for (const RolloutRule& rule : own) merged.push_back(convert(rule));
  merged.insert(merged.end(), from_templates.begin(), from_templates.end());
  for (size_t i = 0; i < own.size(); ++i) {
    for (size_t j = 0; j < merged.size(); ++j) {
      if (j == i || merged[j].metric_name != own[i].metric_name) continue;
      const bool in_template = j >= own.size();
      if (!in_template && j < i) continue;  // reported at the later of the two
      return InvalidArgumentError("two " + std::string(list_name) +
                                      " rules have the same metricName \"" + own[i].metric_name +
                                      "\"" + (in_template ? " (here and in a template)" : ""),
                                  own_path.Index(in_template ? i : j).str());
    }
  }
  return merged;
}

std::map<std::string, std::string> RunLabels(const api::Rollout& rollout,
                                             const api::RolloutAnalysis& analysis,
                                             const RolloutAnalysisRunRequest& request) {
  std::map<std::string, std::string> labels;
  labels[std::string(kRolloutTypeLabel)] = std::string(RolloutTypeName(request.type));
  if (request.type == RolloutAnalysisType::kStep) {
    labels[std::string(kStepIndexLabel)] = std::to_string(request.step_index);
  }
  labels[kHashLabel] = request.hashes.latest;
  auto instance = rollout.metadata.labels.find(std::string(kControllerInstanceIdLabel));
  if (instance != rollout.metadata.labels.end()) labels[instance->first] = instance->second;
  if (analysis.analysis_run_metadata) {
    for (const auto& [key, value] : analysis.analysis_run_metadata->labels) labels[key] = value;
  }
  if (rollout.spec.selector) {
    for (const auto& [key, value] : rollout.spec.selector->match_labels) labels[key] = value;
  }
  return labels;
}

std::map<std::string, std::string> RunAnnotations(const api::RolloutAnalysis& analysis,
                                                  const RolloutAnalysisRunRequest& request) {
  std::map<std::string, std::string> annotations;
  annotations[kRevision] = std::to_string(request.revision);
  if (analysis.analysis_run_metadata) {
    for (const auto& [key, value] : analysis.analysis_run_metadata->annotations) {
      annotations[key] = value;
    }
  }
  return annotations;
}

const api::OwnerReference* ControllerOf(const api::ObjectMeta& meta) {
  for (const api::OwnerReference& ref : meta.owner_references) {
    if (ref.controller.value_or(false)) return &ref;
  }
  return nullptr;
}

}  // namespace

std::string_view RolloutTypeName(RolloutAnalysisType type) {
  switch (type) {
    case RolloutAnalysisType::kStep:
      return "Step";
    case RolloutAnalysisType::kBackground:
      return "Background";
    case RolloutAnalysisType::kPrePromotion:
      return "PrePromotion";
    case RolloutAnalysisType::kPostPromotion:
      return "PostPromotion";
  }
  return "";
}

FieldPath RolloutAnalysisPath(const RolloutAnalysisRunRequest& request) {
  const FieldPath strategy = FieldPath("spec").Child("strategy");
  switch (request.type) {
    case RolloutAnalysisType::kStep:
      return strategy.Child("canary")
          .Child("steps")
          .Index(static_cast<size_t>(request.step_index))
          .Child("analysis");
    case RolloutAnalysisType::kBackground:
      return strategy.Child("canary").Child("analysis");
    case RolloutAnalysisType::kPrePromotion:
      return strategy.Child("blueGreen").Child("prePromotionAnalysis");
    case RolloutAnalysisType::kPostPromotion:
      return strategy.Child("blueGreen").Child("postPromotionAnalysis");
  }
  return strategy;
}

const api::RolloutAnalysis* FindRolloutAnalysis(const api::Rollout& rollout,
                                                const RolloutAnalysisRunRequest& request) {
  const auto& canary = rollout.spec.strategy.canary;
  const auto& blue_green = rollout.spec.strategy.blue_green;
  switch (request.type) {
    case RolloutAnalysisType::kStep:
      if (!canary || request.step_index < 0 ||
          static_cast<size_t>(request.step_index) >= canary->steps.size()) {
        return nullptr;
      }
      if (const auto& step = canary->steps[static_cast<size_t>(request.step_index)];
          step.analysis) {
        return &*step.analysis;
      }
      return nullptr;
    case RolloutAnalysisType::kBackground:
      return canary && canary->analysis ? &*canary->analysis : nullptr;
    case RolloutAnalysisType::kPrePromotion:
      return blue_green && blue_green->pre_promotion_analysis ? &*blue_green->pre_promotion_analysis
                                                              : nullptr;
    case RolloutAnalysisType::kPostPromotion:
      return blue_green && blue_green->post_promotion_analysis
                 ? &*blue_green->post_promotion_analysis
                 : nullptr;
  }
  return nullptr;
}

std::string RolloutAnalysisRunName(const api::Rollout& rollout,
                                   const RolloutAnalysisRunRequest& request) {
  std::string name =
      rollout.metadata.name + "-" + request.hashes.latest + "-" + std::to_string(request.revision);
  switch (request.type) {
    case RolloutAnalysisType::kStep:
      return name + "-" + std::to_string(request.step_index);
    case RolloutAnalysisType::kBackground:
      return name;
    case RolloutAnalysisType::kPrePromotion:
      return name + "-pre";
    case RolloutAnalysisType::kPostPromotion:
      return name + "-post";
  }
  return name;
}

Result<api::AnalysisRun> NewRolloutAnalysisRun(const api::Rollout& rollout,
                                               const RolloutAnalysisRunRequest& request,
                                               const TemplateLookup& lookup) {
  const FieldPath path = RolloutAnalysisPath(request);
  const api::RolloutAnalysis* analysis = FindRolloutAnalysis(rollout, request);
  if (analysis == nullptr) {
    return Status(
        StatusCode::kFailedPrecondition,
        "the Rollout has no " + std::string(RolloutTypeName(request.type)) + " analysis here",
        path.str());
  }
  if (request.hashes.latest.empty()) {
    return FailedPreconditionError("no pod-template hash for the new ReplicaSet of rollouts/" +
                                   rollout.metadata.namespace_ + "/" + rollout.metadata.name +
                                   ": the run's name needs it");
  }
  DEVFLOW_ASSIGN_OR_RETURN(
      api::AnalysisTemplateSpec flat,
      FlattenTemplates(TemplateKeysOf(*analysis), lookup, path.Child("templates")));
  DEVFLOW_ASSIGN_OR_RETURN(
      std::vector<api::Argument> rollout_args,
      ResolveRolloutArguments(rollout, analysis->args, request.hashes, path.Child("args")));

  api::AnalysisRun run;
  run.api_version = "argoproj.io/v1alpha1";
  run.kind = "AnalysisRun";
  run.metadata.name = RolloutAnalysisRunName(rollout, request);
  run.metadata.namespace_ = rollout.metadata.namespace_;
  run.metadata.labels = RunLabels(rollout, *analysis, request);
  run.metadata.annotations = RunAnnotations(*analysis, request);
  run.metadata.owner_references.push_back(
      api::ControllerReference("argoproj.io/v1alpha1", "Rollout", rollout.metadata));
  run.spec.metrics = std::move(flat.metrics);
  DEVFLOW_ASSIGN_OR_RETURN(run.spec.args,
                           MergeArguments(rollout_args, flat.args, path.Child("args")));
  DEVFLOW_ASSIGN_OR_RETURN(
      run.spec.dry_run, MergeRules(analysis->dry_run, flat.dry_run, "dryRun", path.Child("dryRun"),
                                   [](const api::RolloutDryRun& rule) {
                                     return api::DryRun{.metric_name = rule.metric_name};
                                   }));
  DEVFLOW_ASSIGN_OR_RETURN(run.spec.measurement_retention,
                           MergeRules(analysis->measurement_retention, flat.measurement_retention,
                                      "measurementRetention", path.Child("measurementRetention"),
                                      [](const api::RolloutMeasurementRetention& rule) {
                                        return api::MeasurementRetention{
                                            .metric_name = rule.metric_name, .limit = rule.limit};
                                      }));
  return run;
}

bool IsSemanticallyEqual(const api::AnalysisRunSpec& a, const api::AnalysisRunSpec& b) {
  return a.metrics == b.metrics && a.args == b.args && a.dry_run == b.dry_run &&
         a.measurement_retention == b.measurement_retention;
}

AnalysisRunNameChoice ChooseAnalysisRunName(const api::AnalysisRun& desired,
                                            const std::vector<api::AnalysisRun>& existing) {
  const api::OwnerReference* owner = ControllerOf(desired.metadata);
  for (int collisions = 0;; ++collisions) {
    std::string name = desired.metadata.name;
    if (collisions > 0) name += "." + std::to_string(collisions);
    const api::AnalysisRun* taken = nullptr;
    for (const api::AnalysisRun& run : existing) {
      if (run.metadata.name == name) taken = &run;
    }
    if (taken == nullptr) return AnalysisRunNameChoice{std::move(name), false};
    const api::OwnerReference* taken_owner = ControllerOf(taken->metadata);
    const bool same_owner =
        owner != nullptr && taken_owner != nullptr && taken_owner->uid == owner->uid;
    if (!api::IsCompletedPhase(taken->status.phase) && same_owner &&
        IsSemanticallyEqual(taken->spec, desired.spec)) {
      return AnalysisRunNameChoice{std::move(name), true};
    }
  }
}

}  // namespace devflow::analysis
