// What a reconcile writes for a Rollout whose spec is invalid (../shared/spec/argo-rollouts.md
// §1.6): the InvalidSpec condition naming the first error's field, phase Degraded, and nothing
// else; the controller looks again after a while. Reached on a cluster whose CRD schema lets the
// Rollout in (the embedded server rejects it at admission with the same errors). Pure.
#pragma once

#include "api/field_error.h"
#include "core/rollout_plan.h"

namespace devflow::core {

// REQUIRES: !errors.empty().
RolloutPlan PlanInvalidSpec(const api::Rollout& rollout, const api::FieldErrors& errors,
                            api::Time now);

}  // namespace devflow::core
