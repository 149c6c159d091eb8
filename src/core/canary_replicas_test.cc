// The canary's weight and pod counts (§4.2), row by row.
#include "core/canary_replicas.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "api/rollout_codec.h"
#include "common/json_reader.h"

namespace devflow::core {
namespace {

// Steps: 0 setWeight 20, 1 pause, 2 setCanaryScale{replicas 2}, 3 setWeight 60,
// 4 setCanaryScale{matchTrafficWeight}, 5 pause.
api::Rollout Canary(const std::string& status, bool routed = false,
                    const std::string& canary_extra = "") {
  const std::string routing =
      routed
          ? R"("canaryService":"c","stableService":"s","trafficRouting":{"nginx":{"stableIngress":"i"}},)"
          : "";
  Result<json::Value> value = json::Parse(
      R"({"metadata":{"name":"web"},"spec":{"replicas":10,"strategy":{"canary":{)" + routing +
      canary_extra +
      R"("steps":[{"setWeight":20},{"pause":{}},{"setCanaryScale":{"replicas":2}},)"
      R"({"setWeight":60},{"setCanaryScale":{"matchTrafficWeight":true}},{"pause":{}}]}}},)"
      R"("status":{"currentPodHash":"new","stableRS":"old",)" +
      status + "}}");
  EXPECT_TRUE(value.ok()) << status;
  return api::Decode<api::Rollout>(value.ok() ? *value : json::Value());
}

TEST(DesiredCanaryWeightTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    int32_t want;
  };
  const std::vector<Row> rows = {
      {"first step", Canary(R"("currentStepIndex":0)"), 20},
      {"a pause keeps the last weight", Canary(R"("currentStepIndex":1)"), 20},
      {"later setWeight", Canary(R"("currentStepIndex":3)"), 60},
      {"past the last step", Canary(R"("currentStepIndex":6)"), 100},
      {"aborted", Canary(R"("currentStepIndex":3,"abort":true)"), 0},
      {"promote full", Canary(R"("currentStepIndex":0,"promoteFull":true)"), 100},
      {"promoted: current is stable", Canary(R"("currentStepIndex":0,"stableRS":"new")"), 100},
      {"no stable yet", Canary(R"("currentStepIndex":0,"stableRS":"")"), 100},
  };
  for (const Row& row : rows) EXPECT_EQ(DesiredCanaryWeight(row.rollout), row.want) << row.name;

  const api::Rollout no_weight_yet = api::Decode<api::Rollout>(
      *json::Parse(R"({"spec":{"strategy":{"canary":{"steps":[{"pause":{}},{"setWeight":50}]}}},)"
                   R"("status":{"currentPodHash":"new","stableRS":"old","currentStepIndex":0}})"));
  EXPECT_EQ(DesiredCanaryWeight(no_weight_yet), 0) << "no setWeight at or before the step";

  const api::Rollout per_mille = api::Decode<api::Rollout>(*json::Parse(
      R"({"spec":{"strategy":{"canary":{"trafficRouting":{"maxTrafficWeight":1000},)"
      R"("steps":[{"setWeight":250}]}}},"status":{"currentPodHash":"new","stableRS":"new"}})"));
  EXPECT_EQ(DesiredCanaryWeight(per_mille), 1000) << "promoted: the maximum is maxTrafficWeight";
}

TEST(CanaryScaleInEffectTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    std::optional<int32_t> want_replicas;  // nullopt: no scale in effect
  };
  const std::vector<Row> rows = {
      {"before any scale step", Canary(R"("currentStepIndex":1)", true), std::nullopt},
      {"at the scale step", Canary(R"("currentStepIndex":2)", true), 2},
      {"still in effect after it", Canary(R"("currentStepIndex":3)", true), 2},
      {"matchTrafficWeight cancels it", Canary(R"("currentStepIndex":5)", true), std::nullopt},
      {"without a traffic router", Canary(R"("currentStepIndex":3)", false), std::nullopt},
      {"aborted", Canary(R"("currentStepIndex":3,"abort":true)", true), std::nullopt},
      {"aborted with abortScaleDownDelaySeconds 0",
       Canary(R"("currentStepIndex":3,"abort":true)", true, R"("abortScaleDownDelaySeconds":0,)"),
       2},
  };
  for (const Row& row : rows) {
    std::optional<api::SetCanaryScale> got = CanaryScaleInEffect(row.rollout);
    EXPECT_EQ(got.has_value(), row.want_replicas.has_value()) << row.name;
    if (got && row.want_replicas) EXPECT_EQ(got->replicas, row.want_replicas) << row.name;
  }
}

TEST(BasicCanaryCountsTest, Table) {
  struct Row {
    int32_t replicas, weight, surge;
    CanaryStableCounts want;
  };
  // The spec's worked examples give (1,9), (3,7) and (1,1) as desired counts; the rest pin the
  // tie and the "at least one of each" rules.
  const std::vector<Row> rows = {
      {10, 10, 1, {1, 9}},   {10, 30, 3, {3, 7}}, {10, 30, 0, {3, 7}},
      {1, 5, 1, {1, 1}},     {0, 50, 1, {0, 0}},  // no pods
      {10, 0, 1, {0, 10}},                        // weight 0: all stable
      {10, 100, 1, {10, 0}},                      // weight max: all canary
      {2, 5, 0, {1, 1}},                          // a tiny weight still gets one canary pod
      {2, 95, 0, {1, 1}},                         // and a large one keeps one stable pod
      {4, 50, 0, {2, 2}},    {3, 50, 0, {2, 1}},  // 1.5: the tie goes to the larger count
      {1, 50, 0, {1, 0}},                         // one pod, no surge: it must be one or the other
      {5, 10, 1, {1, 5}},  // 0.5 of a pod: one canary beside all five stable (surge)
  };
  for (const Row& row : rows) {
    EXPECT_EQ(BasicCanaryCounts(row.replicas, row.weight, 100, row.surge), row.want)
        << row.replicas << " pods at " << row.weight << "% with surge " << row.surge;
  }
}

TEST(TrafficRoutedCanaryCountTest, Table) {
  EXPECT_EQ(TrafficRoutedCanaryCount(10, 25, 100, std::nullopt, std::nullopt), 3);  // 2.5 up
  EXPECT_EQ(TrafficRoutedCanaryCount(10, 0, 100, std::nullopt, 2), 0);  // none stays none
  EXPECT_EQ(TrafficRoutedCanaryCount(10, 5, 100, std::nullopt, 2), 2);  // raised to the minimum
  EXPECT_EQ(TrafficRoutedCanaryCount(10, 60, 100, api::SetCanaryScale{.replicas = 1}, 2), 1);
  EXPECT_EQ(TrafficRoutedCanaryCount(10, 60, 100, api::SetCanaryScale{.weight = 15}, std::nullopt),
            2);
  EXPECT_EQ(TrafficRoutedCanaryCount(4, 250, 1000, std::nullopt, std::nullopt), 1);  // max 1000
}

}  // namespace
}  // namespace devflow::core
