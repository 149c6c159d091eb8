#include "core/canary_steps.h"

#include <algorithm>
#include <variant>

#include "api/decode.h"
#include "api/defaults.h"
#include "api/duration.h"
#include "api/pod_template_identity.h"
#include "api/rollout_codec.h"

namespace devflow::core {
namespace {

const api::CanaryStep* CurrentStep(const api::Rollout& rollout) {
  const auto& canary = rollout.spec.strategy.canary;
  if (!canary || !rollout.status.current_step_index) return nullptr;
  const int32_t index = *rollout.status.current_step_index;
  if (index < 0 || index >= static_cast<int32_t>(canary->steps.size())) return nullptr;
  return &canary->steps[static_cast<size_t>(index)];
}

const api::RolloutPauseCondition* CanaryPauseCondition(const api::Rollout& rollout) {
  for (const api::RolloutPauseCondition& condition : rollout.status.pause_conditions) {
    if (condition.reason == "CanaryPauseStep") return &condition;
  }
  return nullptr;
}

std::string IntOrStringText(const api::IntOrString& value) {
  if (const auto* number = std::get_if<int64_t>(&value.value)) return std::to_string(*number);
  return std::get<std::string>(value.value);
}

}  // namespace

std::string StepDescription(const api::CanaryStep& step) {
  if (step.set_weight) return "setWeight: " + std::to_string(*step.set_weight);
  if (step.pause) {
    return step.pause->duration ? "pause: " + IntOrStringText(*step.pause->duration) : "pause";
  }
  if (step.experiment) return "experiment";
  if (step.analysis) return "analysis";
  if (step.set_canary_scale) {
    const api::SetCanaryScale& scale = *step.set_canary_scale;
    if (scale.weight) return "setCanaryScale{weight: " + std::to_string(*scale.weight) + "}";
    if (scale.replicas) return "setCanaryScale{replicas: " + std::to_string(*scale.replicas) + "}";
    return "setCanaryScale{matchTrafficWeight: true}";
  }
  if (step.plugin) return "plugin: " + step.plugin->name;
  if (step.set_header_route) return "setHeaderRoute: " + step.set_header_route->name;
  if (step.set_mirror_route) return "setMirrorRoute: " + step.set_mirror_route->name;
  return "";
}

std::optional<api::Time> CanaryPauseEnds(const api::Rollout& rollout) {
  const api::CanaryStep* step = CurrentStep(rollout);
  if (step == nullptr || !step->pause || !step->pause->duration) return std::nullopt;
  const api::RolloutPauseCondition* condition = CanaryPauseCondition(rollout);
  if (condition == nullptr) return std::nullopt;
  Result<std::chrono::nanoseconds> duration = api::ParsePauseDuration(*step->pause->duration);
  if (!duration.ok()) return std::nullopt;
  return api::Time{condition->start_time.value +
                   std::chrono::duration_cast<std::chrono::microseconds>(*duration)};
}

bool CanaryStepComplete(const api::Rollout& rollout, const CanaryStepFacts& facts, api::Time now) {
  if (rollout.spec.paused) return false;
  const api::CanaryStep* step = CurrentStep(rollout);
  if (step == nullptr) return false;
  if (step->pause) {
    const bool resumed =
        rollout.status.controller_pause && CanaryPauseCondition(rollout) == nullptr;
    const std::optional<api::Time> ends = CanaryPauseEnds(rollout);
    return resumed || (ends && now.value > ends->value);
  }
  if (step->set_weight) return facts.at_desired_counts && facts.weights_verified != false;
  if (step->set_canary_scale) return facts.at_desired_counts;
  if (step->experiment) return facts.experiment_phase == "Successful";
  if (step->analysis) return facts.analysis_phase == "Successful";
  if (step->set_header_route || step->set_mirror_route) return true;
  if (step->plugin) return facts.plugin_done;
  return false;
}

bool ShouldAddCanaryPause(const api::Rollout& rollout) {
  if (rollout.spec.paused || rollout.status.promote_full) return false;
  const api::CanaryStep* step = CurrentStep(rollout);
  if (step == nullptr || !step->pause) return false;
  return CanaryPauseCondition(rollout) == nullptr && !rollout.status.controller_pause;
}

std::string CanaryPromotionReason(const api::Rollout& rollout, int32_t new_available,
                                  bool progress_met, bool rollback, bool within_rollback_window) {
  const api::RolloutStatus& status = rollout.status;
  if (status.stable_rs.empty()) return "Initial deploy";
  if (status.abort) return "";
  const int32_t replicas = rollout.spec.replicas.value_or(api::defaults::kReplicas);
  if (new_available < replicas && !progress_met) return "";
  if (status.promote_full) return "Full promotion requested";
  if (rollback) return within_rollback_window ? "Rollback within window" : "Fast rollback";
  const size_t steps =
      rollout.spec.strategy.canary ? rollout.spec.strategy.canary->steps.size() : 0;
  if (steps == 0 || status.current_step_index.value_or(0) == static_cast<int32_t>(steps)) {
    return "Completed all " + std::to_string(steps) + " canary steps";
  }
  return "";
}

std::string CanaryStepsHash(const api::Rollout& rollout) {
  if (!rollout.spec.strategy.canary) return "";
  const json::Value spec = api::Encode(rollout.spec);
  const json::Value* strategy = spec.Find("strategy");
  const json::Value* canary = strategy != nullptr ? strategy->Find("canary") : nullptr;
  const json::Value* steps = canary != nullptr ? canary->Find("steps") : nullptr;
  // Go marshals a nil slice as null, and escapes <, > and & inside strings (HTML-safe JSON);
  // they can only occur inside strings, so replacing them everywhere is exact.
  std::string text;
  for (char c : steps != nullptr ? json::Write(*steps) : std::string("null")) {
    if (c == '<') {
      text += "\\u003c";
    } else if (c == '>') {
      text += "\\u003e";
    } else if (c == '&') {
      text += "\\u0026";
    } else {
      text += c;
    }
  }
  uint32_t hash = 2166136261u;  // FNV-32a
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return api::SafeEncodeString(std::to_string(hash));
}

}  // namespace devflow::core
