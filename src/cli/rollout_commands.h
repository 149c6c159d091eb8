// The rollout action commands: `devflow promote|abort|retry rollout|pause|resume|restart|undo`.
// Each reads the Rollout (and for undo its ReplicaSets), computes the patches with
// rollout_actions.h and sends them as Argo Rollouts' kubectl plugin does: status changes as a
// merge patch of the status subresource (falling back to the main resource when a CRD has no
// status subresource), spec changes as a merge patch of the Rollout, undo as a JSON patch of
// the object holding the template (the Rollout, or its workloadRef).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/kube_flags.h"
#include "cli/rollout_actions.h"

namespace devflow::cli {

enum class RolloutAction { kPromote, kAbort, kRetry, kPause, kResume, kRestart, kUndo };

struct RolloutActionFlags {
  RolloutAction action = RolloutAction::kPromote;
  std::vector<std::string> names;  // one for promote, restart and undo; several for the others
  PromoteOptions promote;
  std::string restart_in = "0s";  // restart --in: a Go-style duration ("30s", "5m", "1h30m")
  int64_t to_revision = 0;        // undo --to-revision
};

// Parses a Go duration ("90s", "1m30s", "2h"; api::ParseGoDuration), rounded up to whole
// seconds. Errors: InvalidArgument naming the text.
Result<std::chrono::seconds> ParseDuration(const std::string& text);

int RunRolloutAction(const KubeFlags& flags, const RolloutActionFlags& action, std::ostream& out,
                     std::ostream& err);

}  // namespace devflow::cli
