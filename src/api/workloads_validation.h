// Validation of the workload kinds of workloads.h, following Kubernetes' rules for them.
//
// Every function collects all errors, each with its path from the object root and a message
// saying what is wrong and what is allowed. Pure: no I/O. Metadata (name, labels) is checked by
// object_check's ValidateObjectMeta, not here.
//
// ReplicaSet   spec.replicas >= 0; spec.minReadySeconds >= 0; spec.selector non-empty, well
//              formed and matching spec.template.metadata.labels; template restartPolicy Always.
// Deployment   as ReplicaSet, plus revisionHistoryLimit >= 0, progressDeadlineSeconds >
//              minReadySeconds, strategy.type RollingUpdate|Recreate, rollingUpdate only with
//              RollingUpdate, maxSurge/maxUnavailable an integer >= 0 or "N%" and not both 0.
// Job          parallelism, completions, backoffLimit, ttlSecondsAfterFinished >= 0;
//              activeDeadlineSeconds >= 1; template restartPolicy OnFailure|Never; with
//              manualSelector: true, the selector is required, non-empty and matches the
//              template labels.
#pragma once

#include "api/field_error.h"
#include "api/meta.h"
#include "api/workloads.h"
#include "common/field_path.h"

namespace devflow::api {

FieldErrors Validate(const ReplicaSet& rs);
FieldErrors Validate(const Deployment& deployment);
FieldErrors Validate(const Job& job);

// Checks that `selector` (at `path`) is non-empty and well formed (label keys and values,
// operators In/NotIn/Exists/DoesNotExist, values present exactly for In/NotIn), and that it
// selects `template_labels` (reported at `labels_path`). Appends to *errors.
void ValidateSelectorForTemplate(const LabelSelector& selector, const FieldPath& path,
                                 const std::map<std::string, std::string>& template_labels,
                                 const FieldPath& labels_path, FieldErrors* errors);

}  // namespace devflow::api
