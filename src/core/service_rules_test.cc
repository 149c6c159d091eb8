#include "core/service_rules.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/rollout_codec.h"

namespace devflow::core {
namespace {

api::Rollout Canary(const std::string& status, bool routed) {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"spec":{"strategy":{"canary":{"canaryService":"c","stableService":"s",)" +
      std::string(routed ? R"("trafficRouting":{"nginx":{"stableIngress":"i"}},)" : "") +
      R"("steps":[{"setWeight":50}]}}},"status":{"currentPodHash":"new",)" + status + "}}");
}

TEST(CanaryServicesTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    int32_t abort_weight;
    CanaryServiceTargets want;
  };
  const std::vector<Row> rows = {
      {"mid-update", Canary(R"("stableRS":"old")", false), 0, {"old", "new"}},
      {"promoted: both on the new", Canary(R"("stableRS":"new")", false), 0, {"new", "new"}},
      {"no stable yet", Canary(R"("stableRS":"")", false), 0, {"new", "new"}},
      {"aborted, basic canary: canary to stable",
       Canary(R"("stableRS":"old","abort":true)", false),
       0,
       {"old", "old"}},
      {"aborted, routed, weight still on the canary",
       Canary(R"("stableRS":"old","abort":true)", true),
       20,
       {"old", "new"}},
      {"aborted, routed, weight back to 0",
       Canary(R"("stableRS":"old","abort":true)", true),
       0,
       {"old", "old"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CanaryServices(row.rollout, "new", row.abort_weight), row.want) << row.name;
  }
}

TEST(PreviewServiceTargetTest, Table) {
  auto blue_green = [](const std::string& spec, const std::string& status) {
    return api::testing::DecodeJsonText<api::Rollout>(
        R"({"spec":{)" + spec +
        R"("strategy":{"blueGreen":{"activeService":"a","previewService":"p"}}},"status":{)" +
        status + "}}");
  };
  EXPECT_EQ(PreviewServiceTarget(blue_green("", ""), "new"), "new");
  EXPECT_EQ(PreviewServiceTarget(blue_green(R"("paused":true,)", ""), "new"), "");
  EXPECT_EQ(PreviewServiceTarget(
                blue_green("", R"("pauseConditions":[{"reason":"InconclusiveAnalysisRun",)"
                               R"("startTime":"2026-11-23T10:00:00Z"}])"),
                "new"),
            "");
  EXPECT_EQ(PreviewServiceTarget(blue_green("", R"("pauseConditions":[{"reason":"BlueGreenPause",)"
                                                R"("startTime":"2026-11-23T10:00:00Z"}])"),
                                 "new"),
            "new")
      << "the blue/green pause itself does not halt the preview";
}

TEST(MaySwitchServiceTest, Table) {
  EXPECT_TRUE(MaySwitchService(true, 1, 4));
  EXPECT_FALSE(MaySwitchService(true, 0, 4));
  EXPECT_FALSE(MaySwitchService(false, 3, 4)) << "adopting waits for full availability";
  EXPECT_TRUE(MaySwitchService(false, 4, 4));
}

TEST(SelectedHashTest, Table) {
  api::Service service;
  EXPECT_EQ(SelectedHash(service), "") << "no selector";
  service.spec.selector = {{"app", "web"}};
  EXPECT_EQ(SelectedHash(service), "") << "not pinned to a ReplicaSet";
  service.spec.selector["rollouts-pod-template-hash"] = "abc";
  EXPECT_EQ(SelectedHash(service), "abc");
}

}  // namespace
}  // namespace devflow::core
