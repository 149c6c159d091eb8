#include "core/canary_replicas.h"

#include <cmath>
#include <vector>

#include "api/rollout_defaults.h"

namespace devflow::core {
namespace {

std::optional<int32_t> CurrentStepIndex(const api::Rollout& rollout) {
  const auto& canary = rollout.spec.strategy.canary;
  if (!canary || canary->steps.empty()) return std::nullopt;
  const int32_t index = rollout.status.current_step_index.value_or(0);
  if (index < 0 || index >= static_cast<int32_t>(canary->steps.size())) return std::nullopt;
  return index;
}

}  // namespace

int32_t DesiredCanaryWeight(const api::Rollout& rollout) {
  const int32_t max = api::MaxTrafficWeightOrDefault(rollout);
  const api::RolloutStatus& status = rollout.status;
  if (status.promote_full || status.stable_rs.empty() ||
      status.current_pod_hash == status.stable_rs) {
    return max;
  }
  if (status.abort) return 0;
  const std::optional<int32_t> current = CurrentStepIndex(rollout);
  if (!current) return max;
  for (int32_t i = *current; i >= 0; --i) {
    const api::CanaryStep& step = rollout.spec.strategy.canary->steps[static_cast<size_t>(i)];
    if (step.set_weight) return *step.set_weight;
  }
  return 0;
}

std::optional<api::SetCanaryScale> CanaryScaleInEffect(const api::Rollout& rollout) {
  const auto& canary = rollout.spec.strategy.canary;
  if (!canary || !canary->traffic_routing) return std::nullopt;
  if (rollout.status.abort && canary->abort_scale_down_delay_seconds.value_or(-1) != 0) {
    return std::nullopt;
  }
  const std::optional<int32_t> current = CurrentStepIndex(rollout);
  if (!current) return std::nullopt;
  for (int32_t i = *current; i >= 0; --i) {
    const api::CanaryStep& step = canary->steps[static_cast<size_t>(i)];
    if (!step.set_canary_scale) continue;
    if (step.set_canary_scale->match_traffic_weight) return std::nullopt;
    return step.set_canary_scale;
  }
  return std::nullopt;
}

CanaryStableCounts BasicCanaryCounts(int32_t replicas, int32_t weight, int32_t max_weight,
                                     int32_t max_surge) {
  if (replicas <= 0) return {};
  const double exact = static_cast<double>(replicas) * weight / max_weight;
  const int32_t up = static_cast<int32_t>(std::ceil(exact));
  const int32_t down = static_cast<int32_t>(std::floor(exact));
  // A tie at .5 goes to the larger count.
  const bool half = exact - down == 0.5;
  // Keep at least one of each while the weight is strictly between 0 and the maximum.
  const bool keep_both =
      !(weight == 0 || weight == max_weight || (replicas == 1 && max_surge == 0));
  struct Candidate {
    int32_t canary;
    int32_t total;
  };
  std::vector<Candidate> candidates;
  auto consider = [&](int32_t canary, int32_t total, bool is_floor) {
    if (is_floor && half) return;
    if (keep_both && !is_floor && total == replicas && canary == replicas) return;
    if (keep_both && is_floor && canary == 0) return;
    candidates.push_back({canary, total});
  };
  consider(up, replicas, false);
  consider(down, replicas, true);
  if (max_surge > 0) {
    consider(up, replicas + 1, false);
    consider(down, replicas + 1, true);
  }
  if (candidates.empty()) candidates.push_back({up, replicas});
  // The closest share of pods to the weight; the first candidate wins a tie.
  const Candidate* best = nullptr;
  double best_distance = 0;
  for (const Candidate& candidate : candidates) {
    const double share = static_cast<double>(candidate.canary) * max_weight / candidate.total;
    const double distance = std::abs(share - weight);
    if (best == nullptr || distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return {best->canary, best->total - best->canary};
}

int32_t TrafficRoutedCanaryCount(int32_t replicas, int32_t weight, int32_t max_weight,
                                 const std::optional<api::SetCanaryScale>& scale,
                                 std::optional<int32_t> min_pods_per_replica_set) {
  if (scale && scale->replicas) return *scale->replicas;
  int32_t count = 0;
  if (scale && scale->weight) {
    count = static_cast<int32_t>(std::ceil(static_cast<double>(replicas) * *scale->weight / 100.0));
  } else {
    count = static_cast<int32_t>(std::ceil(static_cast<double>(replicas) * weight / max_weight));
  }
  if (count > 0 && min_pods_per_replica_set && count < *min_pods_per_replica_set) {
    count = *min_pods_per_replica_set;
  }
  return count;
}

}  // namespace devflow::core
