// Validation of AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun specs: the checks Argo
// Rollouts applies before measuring (analysisutil.ValidateMetrics, the dryRun and
// measurementRetention rules), plus syntax checks of conditions and provider configs, so a
// manifest that would fail at run time is rejected at admission and lint.
//
// Every function collects all errors; each carries its path from the object root and says what
// is wrong and what is allowed. Pure: no I/O. Metadata is checked by object_check's
// ValidateObjectMeta, not here. Values holding "{{...}}" placeholders are resolved only when a
// run is created, so their literal checks are skipped (conditions are parsed with each
// placeholder read as `0`).
//
// Rules (paths under spec):
//   metrics                 at least one (a template may instead include templates[])
//   metrics[].name          required; unique
//   metrics[].provider      exactly one of MetricProviderNames(); unknown keys rejected
//   interval, initialDelay  Go durations >= 0
//   count                   integer >= 0; > 1 needs an interval; >= failureLimit +
//                           consecutiveSuccessLimit (>= consecutiveSuccessLimit when failureLimit
//                           is -1); >= inconclusiveLimit (cross checks only when count > 0)
//   failureLimit            >= 0, or -1 together with consecutiveSuccessLimit > 0
//   inconclusiveLimit, consecutiveErrorLimit, consecutiveSuccessLimit   >= 0
//   successCondition, failureCondition   parse (devflow::expr::CheckSyntax)
//   provider.prometheus     query required; address an http(s) URL when set; timeout >= 0;
//                           headers[].key required
//   provider.web            url required; method GET|POST|PUT; body or jsonBody, not both, and
//                           only with POST/PUT; timeoutSeconds >= 0; headers[].key required
//   provider.job            spec required, decoding as a batch/v1 JobSpec whose template
//                           passes pod validation with restartPolicy OnFailure|Never
//   args[]                  name required and unique; value and valueFrom exclusive; valueFrom
//                           exactly one of secretKeyRef{name,key}, fieldRef{fieldPath}
//   dryRun[], measurementRetention[]   metricName required, a regex that compiles, unique,
//                           matching some metric (when the metrics are all known); limit > 0
//   templates[].templateName (templates)  required
//   ttlStrategy.* (runs)    >= 0
#pragma once

#include <string>
#include <vector>

#include "api/analysis.h"
#include "api/field_error.h"
#include "common/field_path.h"

namespace devflow::api {

FieldErrors Validate(const AnalysisTemplate& tmpl);
FieldErrors Validate(const ClusterAnalysisTemplate& tmpl);
FieldErrors Validate(const AnalysisRun& run);

// The pieces shared with Experiment validation. Each appends to *errors.

// Validates args[] at `path` (e.g. "spec.args"): names, value/valueFrom.
void ValidateArguments(const std::vector<Argument>& args, const FieldPath& path,
                       FieldErrors* errors);

// Validates dryRun[] at `path`. When `metric_names` is not null, each rule must match one of
// them ("Rule didn't match any metric name(s)", as Argo says); pass null when the metrics are
// not all known (templates including others, experiments).
void ValidateDryRun(const std::vector<DryRun>& rules, const FieldPath& path,
                    const std::vector<std::string>* metric_names, FieldErrors* errors);

// Validates measurementRetention[] at `path`, as ValidateDryRun, plus limit > 0.
void ValidateMeasurementRetention(const std::vector<MeasurementRetention>& rules,
                                  const FieldPath& path,
                                  const std::vector<std::string>* metric_names,
                                  FieldErrors* errors);

// Checks that a successCondition/failureCondition at `path` parses. "{{...}}" placeholders are
// read as `0`; the error's value_offset is an offset into `condition` as written.
void ValidateCondition(const std::string& condition, const FieldPath& path, FieldErrors* errors);

}  // namespace devflow::api
