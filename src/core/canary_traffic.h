// What a canary's traffic router should be told this pass (../shared/spec/argo-rollouts.md
// §4.6, with the abort weight of §4.9): the canary weight, which pod-template hashes the canary
// and stable destinations carry, and what happens to the managed (header and mirror) routes.
// Pure: the router plugins (Gateway API, Istio, NGINX, ...) apply the plan.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/rollout.h"

namespace devflow::core {

// What the controller knows about the ReplicaSets and the router's last state.
struct TrafficFacts {
  std::string new_hash;            // the new ReplicaSet's hash ("" when there is none)
  int32_t new_available = 0;       // its available pods
  std::string stable_hash;         // the stable ReplicaSet's hash ("" when there is none)
  int32_t stable_available = 0;    // its available pods
  bool at_desired_counts = false;  // the ReplicaSets are at the step's counts (§4.4)
  // status.canary.weights as last written: the canary's weight and hash.
  int32_t recorded_canary_weight = 0;
  std::string recorded_canary_hash;
  friend bool operator==(const TrafficFacts&, const TrafficFacts&) = default;
};

struct TrafficPlan {
  // The stable availability guard held: change nothing at the router this pass.
  bool hold = false;
  int32_t weight = 0;  // the canary's weight, of maxTrafficWeight
  std::string canary_hash;
  std::string stable_hash;
  // Set the weight to 0 before moving the hashes (the canary has no available pod).
  bool zero_weight_first = false;
  bool remove_managed_routes = false;
  // Apply the current step's setHeaderRoute/setMirrorRoute (never on the first revision).
  bool apply_step_routes = false;
  // Destinations beside canary and stable: the running step Experiment's weighted templates
  // (rollout_experiment.h); the stable side gets what is left.
  std::vector<api::RolloutWeightDestination> additional;
  friend bool operator==(const TrafficPlan&, const TrafficPlan&) = default;
};

// The weight the canary steps down to on an abort (§4.9): 0 without dynamicStableScale; with
// it, the largest setWeight (walking the steps in reverse) whose pod count is below what the
// stable cannot yet carry, and never above the weight already recorded.
int32_t AbortWeight(const api::Rollout& rollout, const TrafficFacts& facts);

// The plan for this pass. `revision` is the Rollout's revision (1 on the first deploy).
TrafficPlan PlanCanaryTraffic(const api::Rollout& rollout, const TrafficFacts& facts,
                              int64_t revision);

// The header and mirror routes the steps up to and including the current one have set: the
// last setHeaderRoute / setMirrorRoute of each name, in step order (one without a match removes
// its route, which the routers do). Empty past the last step and without steps.
struct StepRoutes {
  std::vector<api::SetHeaderRoute> header;
  std::vector<api::SetMirrorRoute> mirror;
  friend bool operator==(const StepRoutes&, const StepRoutes&) = default;
};
StepRoutes StepRoutesInForce(const api::Rollout& rollout);

}  // namespace devflow::core
