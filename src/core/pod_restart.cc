#include "core/pod_restart.h"

#include <algorithm>
#include <chrono>

#include "api/defaults.h"
#include "api/rollout_defaults.h"
#include "core/rollout_replica_sets.h"

namespace devflow::core {
namespace {

constexpr std::chrono::seconds kRestartRecheck{30};

const api::ReplicaSet* ControllerOf(const api::Pod& pod,
                                    const std::vector<api::ReplicaSet>& replica_sets) {
  const std::string uid = ControllerUidOf(pod.metadata);
  if (uid.empty()) return nullptr;
  for (const api::ReplicaSet& rs : replica_sets) {
    if (rs.metadata.uid == uid) return &rs;
  }
  return nullptr;
}

// The order of replacement: the stable ReplicaSet's pods, the new one's, then the others'
// (oldest ReplicaSet first); within one, the oldest pod first.
int RankOf(const api::ReplicaSet& rs, const std::string& stable_hash, const std::string& new_hash) {
  const std::string hash = PodTemplateHashOf(rs);
  if (!stable_hash.empty() && hash == stable_hash) return 0;
  if (hash == new_hash) return 1;
  return 2;
}

}  // namespace

bool RestartPending(const api::Rollout& rollout) {
  return rollout.spec.restart_at && rollout.status.restarted_at != rollout.spec.restart_at;
}

PodRestart PlanPodRestart(const api::Rollout& rollout,
                          const std::vector<api::ReplicaSet>& replica_sets,
                          const std::string& stable_hash, const std::string& new_hash,
                          const std::vector<api::Pod>& pods, api::Time now) {
  PodRestart restart;
  if (!RestartPending(rollout)) return restart;
  const api::Time restart_at = *rollout.spec.restart_at;
  if (now < restart_at) {
    restart.requeue_at = restart_at;
    return restart;
  }

  struct Candidate {
    const api::Pod* pod;
    const api::ReplicaSet* rs;
  };
  std::vector<Candidate> stale;
  int32_t deleting = 0;
  for (const api::Pod& pod : pods) {
    const api::ReplicaSet* rs = ControllerOf(pod, replica_sets);
    if (rs == nullptr) continue;
    if (pod.metadata.deletion_timestamp != api::Time{}) {
      ++deleting;
      continue;
    }
    if (pod.metadata.creation_timestamp < restart_at) stale.push_back({&pod, rs});
  }
  if (stale.empty()) {
    if (deleting == 0)
      restart.restarted_at = restart_at;
    else
      restart.requeue_at = api::Time{now.value + kRestartRecheck};
    return restart;
  }
  std::sort(stale.begin(), stale.end(), [&](const Candidate& a, const Candidate& b) {
    const int rank_a = RankOf(*a.rs, stable_hash, new_hash);
    const int rank_b = RankOf(*b.rs, stable_hash, new_hash);
    if (rank_a != rank_b) return rank_a < rank_b;
    if (a.rs != b.rs) return a.rs->metadata.creation_timestamp < b.rs->metadata.creation_timestamp;
    if (a.pod->metadata.creation_timestamp != b.pod->metadata.creation_timestamp) {
      return a.pod->metadata.creation_timestamp < b.pod->metadata.creation_timestamp;
    }
    return a.pod->metadata.name < b.pod->metadata.name;
  });

  const int32_t replicas = rollout.spec.replicas.value_or(api::defaults::kReplicas);
  int32_t available = 0;
  int32_t sized = 0;
  for (const api::ReplicaSet& rs : replica_sets) {
    available += rs.status.available_replicas;
    sized += rs.spec.replicas.value_or(1);
  }
  int32_t max_unavailable = 0;
  if (rollout.spec.strategy.canary) {
    if (Result<api::SurgeAndUnavailable> resolved = api::ResolveSurgeAndUnavailable(rollout);
        resolved.ok()) {
      max_unavailable = resolved->unavailable;
    }
  }
  // A pod being deleted may still be counted available by its ReplicaSet's status.
  const int32_t can_restart =
      available - deleting - (std::max(replicas, sized) - std::max(max_unavailable, 1));
  for (int32_t i = 0; i < can_restart && i < static_cast<int32_t>(stale.size()); ++i) {
    restart.pods.emplace_back(stale[i].pod->metadata.name, stale[i].pod->metadata.uid);
  }
  restart.requeue_at = api::Time{now.value + kRestartRecheck};
  return restart;
}

void AddPodRestart(const RolloutSnapshot& snapshot, const std::string& new_hash,
                   api::RolloutStatus& status, RolloutPlan& plan) {
  const PodRestart restart =
      PlanPodRestart(snapshot.rollout, snapshot.replica_sets, status.stable_rs, new_hash,
                     snapshot.pods, snapshot.now);
  plan.pod_deletions = restart.pods;
  if (restart.restarted_at) status.restarted_at = restart.restarted_at;
  if (restart.requeue_at) RequeueNoLaterThan(plan, *restart.requeue_at);
}

}  // namespace devflow::core
