#include "traffic/traffic_router.h"

#include <algorithm>

namespace devflow::traffic {

int32_t StableWeight(const TrafficTargets& targets) {
  int32_t rest = targets.max_weight - targets.canary_weight;
  for (const WeightDestination& destination : targets.additional) rest -= destination.weight;
  return std::max(rest, 0);
}

}  // namespace devflow::traffic
