// A Rollout's status.phase and status.message, computed as Argo Rollouts computes them on every
// status write (../shared/spec/argo-rollouts.md §2.1), so Argo CD's health check and existing
// tooling read devflow's Rollouts as Argo's. Pure.
#pragma once

#include <string>

#include "api/rollout.h"

namespace devflow::core {

struct RolloutPhase {
  std::string phase;    // Healthy, Progressing, Paused or Degraded
  std::string message;  // "" when Healthy
  friend bool operator==(const RolloutPhase&, const RolloutPhase&) = default;
};

// The controller's phase, from the Rollout's spec and the status it is about to write (the
// first matching rule of §2.1 wins).
RolloutPhase CalculateRolloutPhase(const api::RolloutSpec& spec, const api::RolloutStatus& status);

// What a client shows (§2.1, GetRolloutPhase): Progressing while the controller has not seen the
// latest generation or the user's resume, else the stored phase and message.
RolloutPhase DisplayedRolloutPhase(const api::Rollout& rollout);

// An AnalysisRun phase that will not change any more (Successful, Failed, Error, Inconclusive).
bool AnalysisPhaseCompleted(const std::string& phase);

}  // namespace devflow::core
