// `devflow status NAME [--watch=false] [-t DURATION]`: a Rollout's phase, as Argo Rollouts'
// kubectl plugin prints it (../shared/spec/argo-rollouts.md §6.5), for scripts and CI: exit 0 at
// Healthy, 1 at Degraded or when the timeout passes. Without --watch it prints once (`Healthy`,
// `Degraded`, or `<Phase> - <Message>`).
#pragma once

#include <ostream>
#include <string>

#include "cli/kube_flags.h"
#include "core/rollout_phase.h"

namespace devflow::cli {

struct StatusFlags {
  std::string name;
  bool watch = true;
  std::string timeout = "0s";  // 0: wait forever
};

// The line printed for a phase: "Healthy", "Degraded", or "<Phase> - <Message>".
std::string StatusLine(const core::RolloutPhase& phase);

int RunStatus(const KubeFlags& flags, const StatusFlags& status, std::ostream& out,
              std::ostream& err);

}  // namespace devflow::cli
