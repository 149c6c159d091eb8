#include "api/experiment_validation.h"

#include <set>
#include <string>

#include "api/analysis_validation.h"
#include "api/duration.h"
#include "api/pod_validation.h"
#include "api/validation_util.h"
#include "api/workloads_validation.h"

namespace devflow::api {
namespace {

void ValidateTemplates(const std::vector<ExperimentTemplate>& templates, const FieldPath& path,
                       FieldErrors* errors) {
  if (templates.empty()) {
    AddFieldError(errors, path, "must list at least one template (a pod template to run)");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < templates.size(); ++i) {
    const ExperimentTemplate& t = templates[i];
    FieldPath p = path.Index(i);
    if (t.name.empty()) {
      AddFieldError(errors, p.Child("name"), "is required");
    } else if (!seen.insert(t.name).second) {
      AddFieldError(errors, p.Child("name"), "duplicate template name " + Quoted(t.name));
    }
    if (t.replicas && *t.replicas < 0) {
      AddFieldError(errors, p.Child("replicas"), "must be >= 0, got " + std::to_string(*t.replicas));
    }
    if (t.min_ready_seconds < 0) {
      AddFieldError(errors, p.Child("minReadySeconds"),
          "must be >= 0, got " + std::to_string(t.min_ready_seconds));
    }
    FieldPath tp = p.Child("template");
    ValidateSelectorForTemplate(t.selector.value_or(LabelSelector{}), p.Child("selector"),
                                t.template_.metadata.labels, tp.Child("metadata").Child("labels"),
                                errors);
    ValidatePodTemplate(t.template_, tp, errors, RestartPolicyRule::kAlwaysOnly);
  }
}

void ValidateAnalyses(const std::vector<ExperimentAnalysisTemplateRef>& analyses,
                      const FieldPath& path, FieldErrors* errors) {
  std::set<std::string> seen;
  for (size_t i = 0; i < analyses.size(); ++i) {
    const ExperimentAnalysisTemplateRef& a = analyses[i];
    FieldPath p = path.Index(i);
    if (a.name.empty()) {
      AddFieldError(errors, p.Child("name"), "is required");
    } else if (!seen.insert(a.name).second) {
      AddFieldError(errors, p.Child("name"), "duplicate analysis name " + Quoted(a.name));
    }
    if (a.template_name.empty()) {
      AddFieldError(errors, p.Child("templateName"),
          "is required: the name of the AnalysisTemplate (or ClusterAnalysisTemplate) to run");
    }
    ValidateArguments(a.args, p.Child("args"), errors);
  }
}

}  // namespace

FieldErrors Validate(const Experiment& experiment) {
  FieldErrors errors;
  const ExperimentSpec& spec = experiment.spec;
  FieldPath path("spec");
  ValidateTemplates(spec.templates, path.Child("templates"), &errors);
  if (!spec.duration.empty()) {
    Result<std::chrono::nanoseconds> d = ParseGoDuration(spec.duration);
    if (!d.ok()) {
      AddFieldError(&errors, path.Child("duration"), d.error().message());
    } else if (d->count() < 0) {
      AddFieldError(&errors, path.Child("duration"), "must not be negative, got " + Quoted(spec.duration));
    }
  }
  if (spec.progress_deadline_seconds && *spec.progress_deadline_seconds <= 0) {
    AddFieldError(&errors, path.Child("progressDeadlineSeconds"),
        "must be > 0, got " + std::to_string(*spec.progress_deadline_seconds));
  }
  if (spec.scale_down_delay_seconds && *spec.scale_down_delay_seconds < 0) {
    AddFieldError(&errors, path.Child("scaleDownDelaySeconds"),
        "must be >= 0, got " + std::to_string(*spec.scale_down_delay_seconds));
  }
  ValidateAnalyses(spec.analyses, path.Child("analyses"), &errors);
  // The analyses' metrics live in their templates, unknown here.
  ValidateDryRun(spec.dry_run, path.Child("dryRun"), nullptr, &errors);
  ValidateMeasurementRetention(spec.measurement_retention, path.Child("measurementRetention"),
                               nullptr, &errors);
  return errors;
}

}  // namespace devflow::api
