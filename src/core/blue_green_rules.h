// Blue/green decisions (../shared/spec/argo-rollouts.md §3.2-§3.5, §3.7): how many pods the new
// (preview) ReplicaSet gets, when the active Service switches and to what, when the new version
// becomes stable, and what happens to old ReplicaSets. Pure functions of the facts the
// controller has gathered (the objects as read, analysis phases, the time).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/time.h"
#include "api/workloads.h"

namespace devflow::core {

// A ReplicaSet is saturated for `replicas` when its spec, its desired-replicas annotation and
// its available count all equal it.
bool IsSaturated(const api::ReplicaSet& replica_set, int32_t replicas);

// The replicas the new ReplicaSet should have (§3.2 6c): spec.replicas, or previewReplicaCount
// while previewing (there is an active ReplicaSet other than the new one, no promoteFull, and
// the preview has not been scaled up after its pause and analysis).
int32_t BlueGreenNewReplicas(const api::Rollout& rollout, const api::ReplicaSet& new_rs,
                             const api::ReplicaSet* active_rs);

// What the reconcile knows about promotion, gathered by the controller.
struct BlueGreenFacts {
  std::string new_hash;           // the new ReplicaSet's pod-template hash
  std::string active_selector;    // the hash the active Service selects now ("" none)
  bool new_rs_ready = false;      // ready for pause: the desired replicas all available
  bool new_rs_saturated = false;  // IsSaturated(new, spec.replicas)
  bool fast_rollback = false;     // §3.8
  bool pause_completed = false;   // CompletedBlueGreenPause (§3.3)
  // Phases of the current runs; nullopt when the analysis is not configured. "" = not created.
  std::optional<std::string> pre_promotion_phase;
  std::optional<std::string> post_promotion_phase;
  friend bool operator==(const BlueGreenFacts&, const BlueGreenFacts&) = default;
};

// Halted: spec.paused, or an InconclusiveAnalysisRun pause. The Services are left as they are.
bool BlueGreenHalted(const api::Rollout& rollout);

// The hash the active Service should select (§3.5), or nullopt to leave it: stableRS when
// aborted; the new hash when fast-tracked (fast rollback, promoteFull, first deploy, already
// there) or when the pause and pre-promotion analysis are complete; else the current one.
std::optional<std::string> BlueGreenActiveTarget(const api::Rollout& rollout,
                                                 const BlueGreenFacts& facts);

// Why the new version becomes stable now (§3.5 shouldFullPromote), or "" to wait:
// "Initial deploy", "Full promotion requested", "Rollback within window", "Fast rollback",
// "Completed blue-green update".
std::string BlueGreenPromotionReason(const api::Rollout& rollout, const BlueGreenFacts& facts,
                                     bool within_rollback_window);

// What happens to an old ReplicaSet this pass (§3.7).
struct OldReplicaSetAction {
  enum class Kind {
    kKeep,         // referenced, already at 0, or waiting for its deadline
    kSetDeadline,  // annotate scale-down-deadline = `deadline`, keep the size
    kScaleToZero,  // scale to 0 and remove the annotation
  };
  std::string name;
  Kind kind = Kind::kKeep;
  api::Time deadline;  // for kSetDeadline
  friend bool operator==(const OldReplicaSetAction&, const OldReplicaSetAction&) = default;
};

// The old ("other") ReplicaSets' fate: newest revision first; a ReplicaSet whose hash is in
// `referenced` (stable, current, active, preview, a Service's selector) is kept; the others get
// a scale-down deadline `delay` from `now` while fewer than `revision_limit` carry one, are
// scaled to 0 beyond that limit or once their deadline passed. A delay of 0 scales to 0 at once
// (devflow's choice where Argo's code would keep them: documented in docs/architecture.md).
std::vector<OldReplicaSetAction> PlanOldReplicaSets(const std::vector<api::ReplicaSet>& others,
                                                    const std::vector<std::string>& referenced,
                                                    std::chrono::seconds delay,
                                                    int32_t revision_limit, api::Time now);

}  // namespace devflow::core
