#include "core/rollout_plan.h"

namespace devflow::core {

void RequeueNoLaterThan(RolloutPlan& plan, api::Time at) {
  if (!plan.requeue_at || at < *plan.requeue_at) plan.requeue_at = at;
}

}  // namespace devflow::core
