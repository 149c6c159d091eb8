// Canary step progression (§4.4), one row per rule.
#include "core/canary_steps.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/pod_template_identity.h"
#include "api/rollout_codec.h"
#include "common/json_reader.h"

namespace devflow::core {
namespace {

// Steps: 0 setWeight 20, 1 pause, 2 pause 30s, 3 analysis, 4 experiment, 5 setCanaryScale,
// 6 setHeaderRoute, 7 plugin.
api::Rollout Canary(const std::string& status, const std::string& spec_extra = "") {
  Result<json::Value> value = json::Parse(
      R"({"metadata":{"name":"web"},"spec":{"replicas":4,)" + spec_extra +
      R"("strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}},{"pause":{"duration":"30s"}},)"
      R"({"analysis":{"templates":[{"templateName":"t"}]}},)"
      R"({"experiment":{"templates":[{"name":"e","specRef":"canary"}]}},)"
      R"({"setCanaryScale":{"replicas":2}},{"setHeaderRoute":{"name":"h"}},)"
      R"({"plugin":{"name":"p"}}]}}},"status":{"currentPodHash":"new","stableRS":"old",)" +
      status + "}}");
  EXPECT_TRUE(value.ok()) << status;
  return api::Decode<api::Rollout>(value.ok() ? *value : json::Value());
}

const api::Time kNow{*api::ParseRfc3339("2026-11-23T10:01:00Z")};

TEST(StepDescriptionTest, Table) {
  const api::Rollout rollout = Canary(R"("currentStepIndex":0)");
  const std::vector<std::string> want = {"setWeight: 20",     "pause",
                                         "pause: 30s",        "analysis",
                                         "experiment",        "setCanaryScale{replicas: 2}",
                                         "setHeaderRoute: h", "plugin: p"};
  const auto& steps = rollout.spec.strategy.canary->steps;
  ASSERT_EQ(steps.size(), want.size());
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(StepDescription(steps[i]), want[i]) << i;
}

TEST(CanaryStepCompleteTest, Table) {
  const std::string paused_at = R"(,"pauseConditions":[{"reason":"CanaryPauseStep",)"
                                R"("startTime":"2026-11-23T10:00:00Z"}],"controllerPause":true)";
  const std::string paused_recently =
      R"(,"pauseConditions":[{"reason":"CanaryPauseStep",)"
      R"("startTime":"2026-11-23T10:00:45Z"}],"controllerPause":true)";
  CanaryStepFacts at_counts{.at_desired_counts = true};
  CanaryStepFacts unverified{.at_desired_counts = true, .weights_verified = false};
  struct Row {
    std::string name;
    api::Rollout rollout;
    CanaryStepFacts facts;
    bool want;
  };
  const std::vector<Row> rows = {
      {"setWeight at its counts", Canary(R"("currentStepIndex":0)"), at_counts, true},
      {"setWeight still scaling", Canary(R"("currentStepIndex":0)"), {}, false},
      {"setWeight not verified by the router", Canary(R"("currentStepIndex":0)"), unverified,
       false},
      {"nothing completes under spec.paused",
       Canary(R"("currentStepIndex":0)", R"("paused":true,)"), at_counts, false},
      {"untimed pause waiting", Canary(R"("currentStepIndex":1)" + paused_at), {}, false},
      {"untimed pause resumed by the user",
       Canary(R"("currentStepIndex":1,"controllerPause":true)"),
       {},
       true},
      {"timed pause over", Canary(R"("currentStepIndex":2)" + paused_at), {}, true},
      {"timed pause not over", Canary(R"("currentStepIndex":2)" + paused_recently), {}, false},
      {"analysis running", Canary(R"("currentStepIndex":3)"), {.analysis_phase = "Running"}, false},
      {"analysis passed",
       Canary(R"("currentStepIndex":3)"),
       {.analysis_phase = "Successful"},
       true},
      {"experiment passed",
       Canary(R"("currentStepIndex":4)"),
       {.experiment_phase = "Successful"},
       true},
      {"setCanaryScale at its counts", Canary(R"("currentStepIndex":5)"), at_counts, true},
      {"header route: at once", Canary(R"("currentStepIndex":6)"), {}, true},
      {"plugin done", Canary(R"("currentStepIndex":7)"), {.plugin_done = true}, true},
      {"past the last step", Canary(R"("currentStepIndex":8)"), at_counts, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CanaryStepComplete(row.rollout, row.facts, kNow), row.want) << row.name;
  }
}

TEST(ShouldAddCanaryPauseTest, Table) {
  EXPECT_TRUE(ShouldAddCanaryPause(Canary(R"("currentStepIndex":1)")));
  EXPECT_FALSE(ShouldAddCanaryPause(Canary(R"("currentStepIndex":0)"))) << "not a pause";
  EXPECT_FALSE(ShouldAddCanaryPause(Canary(R"("currentStepIndex":1,"controllerPause":true)")))
      << "the user already resumed";
  EXPECT_FALSE(ShouldAddCanaryPause(Canary(
      R"("currentStepIndex":1,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2026-11-23T10:00:00Z"}])")))
      << "already there";
  EXPECT_FALSE(ShouldAddCanaryPause(Canary(R"("currentStepIndex":1,"promoteFull":true)")));
  EXPECT_FALSE(ShouldAddCanaryPause(Canary(R"("currentStepIndex":1)", R"("paused":true,)")));
}

TEST(CanaryPauseEndsTest, Table) {
  EXPECT_EQ(
      CanaryPauseEnds(Canary(
          R"("currentStepIndex":2,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2026-11-23T10:00:00Z"}])")),
      api::Time{*api::ParseRfc3339("2026-11-23T10:00:30Z")});
  EXPECT_EQ(CanaryPauseEnds(Canary(R"("currentStepIndex":2)")), std::nullopt) << "not paused yet";
  EXPECT_EQ(
      CanaryPauseEnds(Canary(
          R"("currentStepIndex":1,"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2026-11-23T10:00:00Z"}])")),
      std::nullopt)
      << "untimed";
}

TEST(CanaryPromotionReasonTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    int32_t available;
    bool rollback, window;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"no stable", Canary(R"("currentStepIndex":0,"stableRS":"")"), 0, false, false,
       "Initial deploy"},
      {"aborted", Canary(R"("currentStepIndex":8,"abort":true)"), 4, false, false, ""},
      {"not all available", Canary(R"("currentStepIndex":8)"), 3, false, false, ""},
      {"promote full", Canary(R"("currentStepIndex":1,"promoteFull":true)"), 4, false, false,
       "Full promotion requested"},
      {"rollback", Canary(R"("currentStepIndex":1)"), 4, true, false, "Fast rollback"},
      {"rollback in window", Canary(R"("currentStepIndex":1)"), 4, true, true,
       "Rollback within window"},
      {"all steps done", Canary(R"("currentStepIndex":8)"), 4, false, false,
       "Completed all 8 canary steps"},
      {"mid-steps", Canary(R"("currentStepIndex":3)"), 4, false, false, ""},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CanaryPromotionReason(row.rollout, row.available, false, row.rollback, row.window),
              row.want)
        << row.name;
  }
}

TEST(CanaryStepsHashTest, ChangesWithTheStepsAndOnlyWithThem) {
  const auto rollout = [](const std::string& steps) {
    return api::testing::DecodeJsonText<api::Rollout>(
        R"({"spec": {"replicas": 3, "strategy": {"canary": {"steps": )" + steps + "}}}}");
  };
  const std::string seed = CanaryStepsHash(rollout(
      R"([{"setWeight": 25}, {"pause": {}}, {"setWeight": 75}, {"pause": {"duration": 10}}])"));
  EXPECT_FALSE(seed.empty());
  EXPECT_EQ(
      seed,
      CanaryStepsHash(rollout(
          R"([{"setWeight": 25}, {"pause": {}}, {"setWeight": 75}, {"pause": {"duration": 10}}])")))
      << "deterministic";
  EXPECT_NE(
      seed,
      CanaryStepsHash(rollout(
          R"([{"setWeight": 25}, {"pause": {}}, {"setWeight": 80}, {"pause": {"duration": 10}}])")));
  EXPECT_NE(CanaryStepsHash(rollout(R"([{"setWeight": 25}])")),
            CanaryStepsHash(rollout(R"([{"setWeight": 25}, {"pause": {}}])")));
  EXPECT_EQ(CanaryStepsHash(api::testing::DecodeJsonText<api::Rollout>(
                R"({"spec": {"strategy": {"blueGreen": {"activeService": "a"}}}})")),
            "")
      << "blue/green has no step hash";
  // The safe encoding keeps it a valid label value: Argo's alphabet only.
  EXPECT_EQ(seed.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << seed;
}

// What Go's json.Marshal writes for these steps (HTML-escaped &, < and >), hashed as Argo does.
TEST(CanaryStepsHashTest, HashesTheStepsAsGoEncodesThem) {
  const api::Rollout rollout = api::testing::DecodeJsonText<api::Rollout>(
      R"({"spec": {"strategy": {"canary": {"steps": [{"setWeight": 5},
          {"setHeaderRoute": {"name": "h", "match": [{"headerName": "x",
                              "headerValue": {"regex": "a&b<c>"}}]}}]}}}})");
  const std::string go_json =
      R"([{"setWeight":5},{"setHeaderRoute":{"name":"h","match":[{"headerName":"x",)"
      R"("headerValue":{"regex":"a\u0026b\u003cc\u003e"}}]}}])";
  uint32_t hash = 2166136261u;
  for (unsigned char c : go_json) {
    hash ^= c;
    hash *= 16777619u;
  }
  EXPECT_EQ(CanaryStepsHash(rollout), api::SafeEncodeString(std::to_string(hash)));
}

}  // namespace
}  // namespace devflow::core
