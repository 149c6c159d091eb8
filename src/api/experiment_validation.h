// Validation of the Experiment kind: the spec checks Argo Rollouts' experiment controller
// applies (an invalid spec gets condition InvalidSpec), plus the checks Kubernetes would apply to
// the ReplicaSets and AnalysisRuns it creates, so a bad manifest is rejected at admission.
//
// Collects every error, each with its path from the object root and a message saying what is
// wrong and what is allowed. Pure: no I/O. Metadata is checked by object_check.
//
// Rules (paths under spec):
//   templates               at least one
//   templates[].name        required; unique
//   templates[].replicas, minReadySeconds   >= 0
//   templates[].selector    non-empty, well formed, matching template.metadata.labels
//   templates[].template    pod template validation (restartPolicy Always, as in a ReplicaSet)
//   duration                a Go duration >= 0 when set
//   progressDeadlineSeconds > 0;  scaleDownDelaySeconds >= 0
//   analyses[]              name required and unique; templateName required; args as in
//                           AnalysisTemplate args
//   dryRun[], measurementRetention[]   metricName a unique regex that compiles; limit > 0
#pragma once

#include "api/experiment.h"
#include "api/field_error.h"

namespace devflow::api {

FieldErrors Validate(const Experiment& experiment);

}  // namespace devflow::api
