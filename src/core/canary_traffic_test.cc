// The router plan of §4.6 (and the abort weight of §4.9), one row per case.
#include "core/canary_traffic.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/rollout_codec.h"

namespace devflow::core {
namespace {

// 10 replicas; steps: 0 setWeight 10, 1 pause, 2 setWeight 50, 3 setHeaderRoute, 4 pause.
api::Rollout Routed(const std::string& status, const std::string& canary_extra = "") {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"spec":{"replicas":10,"strategy":{"canary":{"canaryService":"c","stableService":"s",)" +
      canary_extra +
      R"("trafficRouting":{"plugins":{"argoproj-labs/gatewayAPI":{"httpRoute":"web"}}},)"
      R"("steps":[{"setWeight":10},{"pause":{}},{"setWeight":50},)"
      R"({"setHeaderRoute":{"name":"h","match":[{"headerName":"X-Canary","headerValue":{"exact":"1"}}]}},)"
      R"({"pause":{}}]}}},"status":{"currentPodHash":"new",)" +
      status + "}}");
}

TrafficFacts Facts(int32_t new_available, int32_t stable_available, bool at_counts = true) {
  return TrafficFacts{.new_hash = "new",
                      .new_available = new_available,
                      .stable_hash = "old",
                      .stable_available = stable_available,
                      .at_desired_counts = at_counts,
                      .recorded_canary_weight = 10,
                      .recorded_canary_hash = "new"};
}

TEST(PlanCanaryTrafficTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    TrafficFacts facts;
    int64_t revision;
    TrafficPlan want;
  };
  TrafficFacts promoted_facts = Facts(10, 10);
  promoted_facts.stable_hash = "new";
  TrafficFacts no_canary_pods = Facts(0, 10);
  TrafficFacts first_deploy = Facts(0, 0);
  first_deploy.stable_hash = "";
  first_deploy.recorded_canary_weight = 0;
  const std::vector<Row> rows = {
      {"first step at its counts",
       Routed(R"("stableRS":"old","currentStepIndex":0)"),
       Facts(1, 10),
       2,
       {.weight = 10, .canary_hash = "new", .stable_hash = "old", .apply_step_routes = true}},
      {"a pause keeps the weight",
       Routed(R"("stableRS":"old","currentStepIndex":1)"),
       Facts(1, 10),
       2,
       {.weight = 10, .canary_hash = "new", .stable_hash = "old", .apply_step_routes = true}},
      {"not at the counts yet: the previous weight",
       Routed(R"("stableRS":"old","currentStepIndex":2)"),
       Facts(1, 10, false),
       2,
       {.weight = 10, .canary_hash = "new", .stable_hash = "old", .apply_step_routes = true}},
      {"at the counts: the new weight",
       Routed(R"("stableRS":"old","currentStepIndex":2)"),
       Facts(5, 10),
       2,
       {.weight = 50, .canary_hash = "new", .stable_hash = "old", .apply_step_routes = true}},
      {"after the last step: everything",
       Routed(R"("stableRS":"old","currentStepIndex":5)"),
       Facts(10, 10),
       2,
       {.weight = 100, .canary_hash = "new", .stable_hash = "old", .apply_step_routes = true}},
      {"revision 1: no managed routes",
       Routed(R"("stableRS":"old","currentStepIndex":0)"),
       Facts(1, 10),
       1,
       {.weight = 10, .canary_hash = "new", .stable_hash = "old"}},
      {"stable cannot carry its share: hold",
       Routed(R"("stableRS":"old","currentStepIndex":2)"),
       Facts(5, 4),
       2,
       {.hold = true,
        .weight = 50,
        .canary_hash = "new",
        .stable_hash = "old",
        .apply_step_routes = true}},
      {"fully promoted",
       Routed(R"("stableRS":"new","currentStepIndex":5)"),
       promoted_facts,
       2,
       {.weight = 0, .canary_hash = "new", .stable_hash = "new", .remove_managed_routes = true}},
      {"aborted",
       Routed(R"("stableRS":"old","currentStepIndex":0,"abort":true)"),
       Facts(5, 10),
       2,
       {.weight = 0, .canary_hash = "new", .stable_hash = "old", .remove_managed_routes = true}},
      {"no canary pod available: weight 0 before the hashes move",
       Routed(R"("stableRS":"old","currentStepIndex":2)"),
       no_canary_pods,
       2,
       {.weight = 0,
        .canary_hash = "new",
        .stable_hash = "old",
        .zero_weight_first = true,
        .remove_managed_routes = true}},
      {"promote full keeps the recorded weight",
       Routed(R"("stableRS":"old","currentStepIndex":2,"promoteFull":true)"),
       Facts(5, 10),
       2,
       {.weight = 10, .canary_hash = "new", .stable_hash = "old", .remove_managed_routes = true}},
      {"promote full under dynamicStableScale follows availability",
       Routed(R"("stableRS":"old","currentStepIndex":2,"promoteFull":true)",
              R"("dynamicStableScale":true,)"),
       Facts(7, 10),
       2,
       {.weight = 70, .canary_hash = "new", .stable_hash = "old", .remove_managed_routes = true}},
      {"first deploy: no stable, hold",
       Routed(R"("currentStepIndex":0)"),
       first_deploy,
       1,
       {.hold = true, .weight = 0, .canary_hash = "new", .remove_managed_routes = true}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(PlanCanaryTraffic(row.rollout, row.facts, row.revision), row.want) << row.name;
  }
}

TEST(AbortWeightTest, Table) {
  const std::string dynamic = R"("dynamicStableScale":true,)";
  const std::string aborted = R"("stableRS":"old","currentStepIndex":0,"abort":true)";
  struct Row {
    std::string name;
    api::Rollout rollout;
    TrafficFacts facts;
    int32_t want;
  };
  // The weight is that of the last setWeight (walking back) whose pod count is below what the
  // canary must still carry: max(N - stable available, canary available).
  TrafficFacts stable_short = Facts(5, 3);  // must carry max(7, 5) = 7 pods: 50% (5) fits
  stable_short.recorded_canary_weight = 50;
  TrafficFacts never_rises = stable_short;
  never_rises.recorded_canary_weight = 10;
  TrafficFacts stable_half = Facts(5, 5);  // max(5, 5) = 5: 50% (5) is not below, 10% (1) is
  stable_half.recorded_canary_weight = 50;
  TrafficFacts one_canary_pod = Facts(1, 10);  // max(0, 1) = 1: no step is below: 0
  one_canary_pod.recorded_canary_weight = 10;
  TrafficFacts explicit_delay = Facts(5, 10);  // with a delay only N - stable counts: 0
  explicit_delay.recorded_canary_weight = 50;
  const std::vector<Row> rows = {
      {"without dynamicStableScale: 0", Routed(aborted), stable_short, 0},
      {"the stable cannot carry much yet: keep 50", Routed(aborted, dynamic), stable_short, 50},
      {"never above the weight recorded", Routed(aborted, dynamic), never_rises, 10},
      {"half the stable back: step down to 10", Routed(aborted, dynamic), stable_half, 10},
      {"one canary pod left: 0", Routed(aborted, dynamic), one_canary_pod, 0},
      {"explicit abort delay: only what the stable cannot carry",
       Routed(aborted, dynamic + R"("abortScaleDownDelaySeconds":30,)"), explicit_delay, 0},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(AbortWeight(row.rollout, row.facts), row.want) << row.name;
  }
}

TEST(StepRoutesInForceTest, TheLastSettingOfEachNameThroughTheCurrentStep) {
  api::Rollout rollout = api::testing::DecodeJsonText<api::Rollout>(R"({"spec": {"strategy":
      {"canary": {"steps": [
        {"setHeaderRoute": {"name": "h", "match": [{"headerName": "x", "headerValue": {"exact": "1"}}]}},
        {"setWeight": 10},
        {"setMirrorRoute": {"name": "m", "match": [{"method": {"exact": "GET"}}]}},
        {"setHeaderRoute": {"name": "h"}},
        {"pause": {}}]}}},
      "status": {"currentStepIndex": 2}})");
  StepRoutes routes = StepRoutesInForce(rollout);
  ASSERT_EQ(routes.header.size(), 1u);
  EXPECT_EQ(routes.header[0].match.size(), 1u);
  ASSERT_EQ(routes.mirror.size(), 1u);
  EXPECT_EQ(routes.mirror[0].name, "m");

  rollout.status.current_step_index = 3;
  routes = StepRoutesInForce(rollout);
  ASSERT_EQ(routes.header.size(), 1u);
  EXPECT_TRUE(routes.header[0].match.empty()) << "the later step without a match removes it";

  rollout.status.current_step_index = 5;
  EXPECT_EQ(StepRoutesInForce(rollout), StepRoutes{}) << "past the last step";
}

}  // namespace
}  // namespace devflow::core
