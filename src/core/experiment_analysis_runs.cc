#include "core/experiment_analysis_runs.h"

#include <algorithm>

#include "analysis/analysis_arguments.h"
#include "analysis/argument_substitution.h"
#include "analysis/rollout_analysis_run.h"
#include "api/defaults.h"
#include "core/experiment_templates.h"

namespace devflow::core {
namespace {

// `own` followed by the rules of `from_template` for metrics `own` does not name.
template <typename Rule>
std::vector<Rule> LaidOver(const std::vector<Rule>& own, const std::vector<Rule>& from_template) {
  std::vector<Rule> rules = own;
  for (const Rule& rule : from_template) {
    const bool named = std::any_of(own.begin(), own.end(), [&](const Rule& mine) {
      return mine.metric_name == rule.metric_name;
    });
    if (!named) rules.push_back(rule);
  }
  return rules;
}

}  // namespace

std::map<std::string, std::string> ExperimentArgumentTags(
    const api::Experiment& experiment,
    const std::map<std::string, const api::ReplicaSet*>& replica_sets) {
  std::map<std::string, std::string> tags;
  if (experiment.status.available_at) {
    tags["experiment.availableAt"] = api::FormatRfc3339(experiment.status.available_at->value);
    if (std::optional<api::TimePoint> ends = DurationEnd(experiment)) {
      tags["experiment.finishedAt"] = api::FormatRfc3339(*ends);
    }
  }
  for (const auto& [name, rs] : replica_sets) {
    if (rs == nullptr) continue;
    auto hash = rs->metadata.labels.find(std::string(api::defaults::kPodTemplateHashLabel));
    tags["templates." + name + ".podTemplateHash"] =
        hash == rs->metadata.labels.end() ? "" : hash->second;
    tags["templates." + name + ".replicaset.name"] = rs->metadata.name;
  }
  return tags;
}

Result<api::AnalysisRun> NewExperimentAnalysisRun(
    const api::Experiment& experiment, size_t index,
    const std::map<std::string, const api::ReplicaSet*>& replica_sets,
    const analysis::TemplateLookup& lookup) {
  const api::ExperimentAnalysisTemplateRef& ref = experiment.spec.analyses.at(index);
  const FieldPath path = FieldPath("spec").Child("analyses").Index(index);
  DEVFLOW_ASSIGN_OR_RETURN(
      api::AnalysisTemplateSpec flat,
      analysis::FlattenTemplates({analysis::TemplateKey{ref.template_name, ref.cluster_scope}},
                                 lookup, path.Child("templateName")));

  const std::map<std::string, std::string> tags = ExperimentArgumentTags(experiment, replica_sets);
  std::vector<api::Argument> args = ref.args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].value) continue;
    Result<std::string> value = analysis::SubstituteTags(*args[i].value, tags);
    if (!value.ok()) {
      return InvalidArgumentError(value.error().message(),
                                  path.Child("args").Index(i).Child("value").str());
    }
    args[i].value = std::move(value).value();
  }

  api::AnalysisRun run;
  run.api_version = "argoproj.io/v1alpha1";
  run.kind = "AnalysisRun";
  run.metadata.name = experiment.metadata.name + "-" + ref.name;
  run.metadata.namespace_ = experiment.metadata.namespace_;
  const std::string instance_label(analysis::kControllerInstanceIdLabel);
  if (auto id = experiment.metadata.labels.find(instance_label);
      id != experiment.metadata.labels.end()) {
    run.metadata.labels[instance_label] = id->second;
  }
  for (const auto& [key, value] : experiment.spec.analysis_run_metadata.labels) {
    run.metadata.labels[key] = value;
  }
  run.metadata.annotations = experiment.spec.analysis_run_metadata.annotations;
  run.metadata.owner_references.push_back(
      api::ControllerReference("argoproj.io/v1alpha1", "Experiment", experiment.metadata));
  run.spec.metrics = std::move(flat.metrics);
  DEVFLOW_ASSIGN_OR_RETURN(run.spec.args,
                           analysis::MergeArguments(args, flat.args, path.Child("args")));
  run.spec.dry_run = LaidOver(experiment.spec.dry_run, flat.dry_run);
  run.spec.measurement_retention =
      LaidOver(experiment.spec.measurement_retention, flat.measurement_retention);
  return run;
}

}  // namespace devflow::core
