#include "core/basic_canary_scaling.h"

#include <algorithm>

namespace devflow::core {
namespace {

// The pods of `rs` that scaling down may take away without losing availability: all of them
// when availability is ignored (the side being drained) or when fewer are scheduled than
// available, else only the available ones.
int32_t CountedForScaleDown(const ReplicaSetCounts& rs, bool ignore_availability) {
  return (ignore_availability || rs.spec < rs.available) ? rs.spec : rs.available;
}

}  // namespace

CanaryStableCounts BasicCanaryPass(const ScalingBudget& budget,
                                   const CanaryStableCounts& desired_in,
                                   const ReplicaSetCounts& canary,
                                   const std::optional<ReplicaSetCounts>& stable,
                                   int32_t others_spec) {
  CanaryStableCounts desired = desired_in;
  if (!stable) desired = {budget.replicas, 0};
  const ReplicaSetCounts stable_rs = stable.value_or(ReplicaSetCounts{});
  CanaryStableCounts next{canary.spec, stable_rs.spec};

  // Scale up within the surge budget, stable first.
  int32_t room = budget.replicas + budget.surge - (others_spec + canary.spec + stable_rs.spec);
  if (room > 0 && stable && next.stable < desired.stable) {
    const int32_t add = std::min(room, desired.stable - next.stable);
    next.stable += add;
    room -= add;
  }
  if (room > 0 && next.canary < desired.canary) {
    next.canary += std::min(room, desired.canary - next.canary);
  }
  if (others_spec > 0) return next;  // old ReplicaSets drain first

  // Scale down within the availability budget.
  const int32_t min_available = budget.replicas - budget.unavailable;
  const bool increasing = desired.canary >= canary.spec;
  const int32_t counted = CountedForScaleDown(canary, !increasing) +
                          (stable ? CountedForScaleDown(stable_rs, increasing) : 0);
  if (counted <= min_available) return next;
  const int32_t excess = counted - min_available;
  int32_t& drained = increasing ? next.stable : next.canary;
  int32_t& adjusted = increasing ? next.canary : next.stable;
  const ReplicaSetCounts& drained_rs = increasing ? stable_rs : canary;
  const ReplicaSetCounts& adjusted_rs = increasing ? canary : stable_rs;
  const int32_t drained_floor = increasing ? desired.stable : desired.canary;
  if (drained_rs.spec > drained_floor) {
    drained = std::max(drained_floor, drained_rs.spec - excess);
  }

  // Keep the total within N + surge, taking from the other side only what availability allows.
  const int32_t over = std::max(0, drained + adjusted - (budget.replicas + budget.surge));
  if (over > 0) {
    const int32_t available_kept =
        std::min(drained_rs.available, drained) + std::min(adjusted_rs.available, adjusted - over);
    const int32_t short_of = std::max(0, min_available - available_kept);
    adjusted = adjusted - over + std::min(over, short_of);
  }
  return next;
}

std::vector<int32_t> BasicCanaryOldPass(const ScalingBudget& budget, int32_t all_available,
                                        const std::vector<ReplicaSetCounts>& others_newest_first) {
  std::vector<int32_t> sizes;
  int32_t may_remove = all_available - (budget.replicas - budget.unavailable);
  for (const ReplicaSetCounts& rs : others_newest_first) {
    int32_t size = std::min(rs.spec, rs.available);  // unavailable pods go first, freely
    if (may_remove > 0 && size > 0) {
      const int32_t removed = std::min(size, may_remove);
      size -= removed;
      may_remove -= removed;
    }
    sizes.push_back(size);
  }
  return sizes;
}

}  // namespace devflow::core
