// The patches of the rollout actions (`devflow promote|abort|retry|pause|resume|restart|undo`),
// the same patches Argo Rollouts' kubectl plugin sends, so either tool can drive either
// controller (../shared/spec/argo-rollouts.md §6). Pure: each takes the objects as read and
// returns what to send; rollout_commands.cc does the I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/rollout.h"
#include "api/workloads.h"
#include "common/json_value.h"
#include "common/result.h"

namespace devflow::cli {

// What an action sends: a merge patch of the Rollout's spec (main resource) and/or of its status
// (status subresource), or a JSON patch of the object holding the template (undo), and what it
// prints.
struct RolloutPatches {
  std::optional<json::Value> spec_patch;      // application/merge-patch+json
  std::optional<json::Value> status_patch;    // application/merge-patch+json, status subresource
  std::optional<json::Value> template_patch;  // application/json-patch+json (undo)
  std::string message;                        // "rollout 'web' promoted"
  friend bool operator==(const RolloutPatches&, const RolloutPatches&) = default;
};

struct PromoteOptions {
  bool full = false;               // --full
  bool skip_current_step = false;  // -c, --skip-current-step (deprecated in Argo)
  bool skip_all_steps = false;     // -a, --skip-all-steps (deprecated in Argo)
};

// promote, as §6.3: unpause, then clear pause conditions / move past the current step; --full
// sets status.promoteFull. Errors: InvalidArgument for -c with -a, or -c on a Rollout without
// canary steps.
Result<RolloutPatches> PromotePatches(const api::Rollout& rollout, const PromoteOptions& options);

// abort: status.abort=true. retry: status.abort=false. pause: spec.paused=true.
RolloutPatches AbortPatches(const api::Rollout& rollout);
RolloutPatches RetryPatches(const api::Rollout& rollout);
RolloutPatches PausePatches(const api::Rollout& rollout);
// resume: spec.paused=false, the inverse of pause (Argo's plugin has no resume; its promote
// also unpauses, and more).
RolloutPatches ResumePatches(const api::Rollout& rollout);
// restart: spec.restartAt = now + in (RFC 3339, UTC, whole seconds).
RolloutPatches RestartPatches(const api::Rollout& rollout,
                              std::chrono::system_clock::time_point now, std::chrono::seconds in);

// undo, as §6.6: among `replica_sets` those the Rollout controls (ownerReference with
// controller=true and its uid), the one with revision annotation `to_revision`, or with 0 the
// second-highest revision; the patch replaces the template with that ReplicaSet's, without the
// rollouts-pod-template-hash label. When the Rollout's template is already that one, only a
// message ("skipped rollback ..."). Errors: NotFound `unable to find specified revision N in
// history` / `no revision found for rollout "NAME"`.
Result<RolloutPatches> UndoPatches(const api::Rollout& rollout,
                                   const std::vector<api::ReplicaSet>& replica_sets,
                                   int64_t to_revision);

}  // namespace devflow::cli
