// The CPU one reconcile's decision takes (issue 5 aims at under 1 ms per reconcile): the pure
// planners on realistic snapshots, beside the baseline every reconcile also pays before it can
// decide anything, decoding the Rollout from the informer cache's JSON text.
//   - PlanCanary on the sample Rollout (bench/sample_rollout.h: traffic routing, analysis, six
//     steps) paused mid-release with its stable and canary ReplicaSets and Services;
//   - PlanBlueGreen on a blue/green release paused before promotion;
//   - the same snapshot settled (nothing to write), the most common reconcile.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/manifest_reader.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "common/json_reader.h"
#include "core/blue_green_plan.h"
#include "core/canary_plan.h"
#include "core/rollout_replica_sets.h"
#include "sample_rollout.h"

namespace {

using devflow::api::Decode;

devflow::json::Value SampleRollout() {
  auto manifests = devflow::api::ReadManifests(devflow::bench::kRolloutYaml, "bench.yaml");
  if (!manifests.ok()) std::abort();
  return (*manifests)[0].object;
}

devflow::api::ReplicaSet ReplicaSetFor(const devflow::api::Rollout& rollout, int64_t revision,
                                       int32_t replicas) {
  devflow::api::ReplicaSet rs = devflow::core::NewReplicaSetFor(rollout, revision);
  rs.metadata.uid = rs.metadata.name + "-uid";
  rs.spec.replicas = replicas;
  rs.metadata.annotations["rollout.argoproj.io/desired-replicas"] =
      std::to_string(*rollout.spec.replicas);
  rs.status.replicas = rs.status.ready_replicas = rs.status.available_replicas = replicas;
  return rs;
}

devflow::api::Service ServiceNamed(const std::string& name, const std::string& hash) {
  devflow::api::Service service;
  service.metadata.name = name;
  service.metadata.uid = name + "-uid";
  service.metadata.annotations["argo-rollouts.argoproj.io/managed-by-rollouts"] = "checkout";
  service.spec.selector = {{"app", "checkout"}, {"rollouts-pod-template-hash", hash}};
  return service;
}

// The sample canary mid-release: the stable ReplicaSet (the previous image) and the canary.
devflow::core::RolloutSnapshot CanarySnapshot() {
  devflow::core::RolloutSnapshot snapshot;
  snapshot.rollout = Decode<devflow::api::Rollout>(SampleRollout());
  devflow::api::Rollout previous = snapshot.rollout;
  previous.spec.template_.spec.containers[0].image = "registry.example.com/shop/checkout:v6";
  devflow::api::ReplicaSet stable = ReplicaSetFor(previous, 6, 5);
  devflow::api::ReplicaSet canary = ReplicaSetFor(snapshot.rollout, 7, 2);
  snapshot.rollout.status.stable_rs = devflow::core::PodTemplateHashOf(stable);
  snapshot.rollout.status.current_pod_hash = devflow::core::PodTemplateHashOf(canary);
  snapshot.replica_sets = {stable, canary};
  snapshot.services["checkout-stable"] =
      ServiceNamed("checkout-stable", snapshot.rollout.status.stable_rs);
  snapshot.services["checkout-canary"] =
      ServiceNamed("checkout-canary", snapshot.rollout.status.current_pod_hash);
  snapshot.now = devflow::api::Time{devflow::api::TimePoint{std::chrono::seconds(1'795'000'000)}};
  return snapshot;
}

// Reconciles `snapshot` until its plans change nothing more, applying each status.
devflow::core::RolloutSnapshot Settled(devflow::core::RolloutSnapshot snapshot, bool blue_green) {
  for (int i = 0; i < 10; ++i) {
    devflow::core::RolloutPlan plan =
        blue_green ? devflow::core::PlanBlueGreen(snapshot) : devflow::core::PlanCanary(snapshot);
    if (!plan.status) break;
    snapshot.rollout.status = *plan.status;
  }
  return snapshot;
}

devflow::core::RolloutSnapshot BlueGreenSnapshot() {
  devflow::core::RolloutSnapshot snapshot = CanarySnapshot();
  devflow::api::BlueGreenStrategy blue_green;
  blue_green.active_service = "checkout-active";
  blue_green.preview_service = "checkout-preview";
  blue_green.auto_promotion_enabled = false;
  snapshot.rollout.spec.strategy.canary.reset();
  snapshot.rollout.spec.strategy.blue_green = blue_green;
  snapshot.rollout.status = {};
  snapshot.rollout.status.stable_rs = devflow::core::PodTemplateHashOf(snapshot.replica_sets[0]);
  snapshot.rollout.status.current_pod_hash =
      devflow::core::PodTemplateHashOf(snapshot.replica_sets[1]);
  snapshot.replica_sets[1].spec.replicas = 5;
  snapshot.replica_sets[1].status.available_replicas = 5;
  snapshot.services.clear();
  snapshot.services["checkout-active"] =
      ServiceNamed("checkout-active", snapshot.rollout.status.stable_rs);
  snapshot.services["checkout-preview"] =
      ServiceNamed("checkout-preview", snapshot.rollout.status.current_pod_hash);
  return snapshot;
}

void BM_DecodeRolloutFromCache(benchmark::State& state) {  // baseline
  const std::string text = devflow::json::Write(SampleRollout());
  for (auto _ : state) {
    auto value = devflow::json::Parse(text);
    benchmark::DoNotOptimize(Decode<devflow::api::Rollout>(*value));
  }
}
BENCHMARK(BM_DecodeRolloutFromCache);

void BM_PlanCanaryMidRelease(benchmark::State& state) {
  const devflow::core::RolloutSnapshot snapshot = CanarySnapshot();
  for (auto _ : state) benchmark::DoNotOptimize(devflow::core::PlanCanary(snapshot));
}
BENCHMARK(BM_PlanCanaryMidRelease);

void BM_PlanCanarySettled(benchmark::State& state) {
  const devflow::core::RolloutSnapshot snapshot = Settled(CanarySnapshot(), false);
  for (auto _ : state) benchmark::DoNotOptimize(devflow::core::PlanCanary(snapshot));
}
BENCHMARK(BM_PlanCanarySettled);

void BM_PlanBlueGreenPaused(benchmark::State& state) {
  const devflow::core::RolloutSnapshot snapshot = Settled(BlueGreenSnapshot(), true);
  for (auto _ : state) benchmark::DoNotOptimize(devflow::core::PlanBlueGreen(snapshot));
}
BENCHMARK(BM_PlanBlueGreenPaused);

}  // namespace

BENCHMARK_MAIN();
