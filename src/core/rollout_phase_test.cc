// Every rule of §2.1, in order: each row is the first rule that matches, so removing or
// reordering a rule fails a row.
#include "core/rollout_phase.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "api/rollout_codec.h"
#include "common/json_reader.h"

namespace devflow::core {
namespace {

api::Rollout Make(const std::string& strategy, const std::string& spec_extra,
                  const std::string& status, const std::string& meta = "") {
  Result<json::Value> value =
      json::Parse(R"({"metadata":{"name":"web","generation":2)" + meta +
                  R"(},"spec":{"replicas":3,)" + spec_extra + R"("strategy":)" + strategy +
                  R"(},"status":{"observedGeneration":"2",)" + status + "}}");
  EXPECT_TRUE(value.ok()) << spec_extra << status;
  return api::Decode<api::Rollout>(value.ok() ? *value : json::Value());
}

constexpr char kCanary[] = R"({"canary":{"steps":[{"setWeight":50}]}})";
constexpr char kRoutedCanary[] =
    R"({"canary":{"canaryService":"c","stableService":"s","trafficRouting":{"nginx":)"
    R"({"stableIngress":"i"}},"steps":[{"setWeight":50}]}})";
constexpr char kBlueGreen[] = R"({"blueGreen":{"activeService":"a"}})";
constexpr char kBlueGreenPostAnalysis[] =
    R"({"blueGreen":{"activeService":"a","postPromotionAnalysis":{"templates":[{"templateName":"t"}]}}})";
// Everything scaled and available: only the strategy's own rules remain.
constexpr char kSettled[] =
    R"("replicas":3,"updatedReplicas":3,"availableReplicas":3,"currentPodHash":"new")";

TEST(CalculateRolloutPhaseTest, FirstMatchingRuleWins) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    RolloutPhase want;
  };
  const std::string settled = kSettled;
  const std::vector<Row> rows = {
      {"invalid spec beats everything",
       Make(kCanary, R"("paused":true,)",
            R"("conditions":[{"type":"Progressing","status":"False","reason":"RolloutAborted",)"
            R"("message":"x"},{"type":"InvalidSpec","status":"True","reason":"InvalidSpec",)"
            R"("message":"spec.replicas: must be >= 0"}])"),
       {"Degraded", "InvalidSpec: spec.replicas: must be >= 0"}},
      {"aborted",
       Make(kCanary, R"("paused":true,)",
            R"("conditions":[{"type":"Progressing","status":"False","reason":"RolloutAborted",)"
            R"("message":"Rollout aborted update to revision 3"}])"),
       {"Degraded", "RolloutAborted: Rollout aborted update to revision 3"}},
      {"progress deadline",
       Make(kCanary, "",
            R"("conditions":[{"type":"Progressing","status":"False",)"
            R"("reason":"ProgressDeadlineExceeded","message":"ReplicaSet \"web-1\" has timed out )"
            R"(progressing."}])"),
       {"Degraded", "ProgressDeadlineExceeded: ReplicaSet \"web-1\" has timed out progressing."}},
      {"manually paused beats pause conditions",
       Make(
           kCanary, R"("paused":true,)",
           R"("pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2026-11-23T10:00:00Z"}])"),
       {"Paused", "manually paused"}},
      {"pause condition",
       Make(
           kCanary, "",
           R"("pauseConditions":[{"reason":"InconclusiveAnalysisRun","startTime":"2026-11-23T10:00:00Z"}])"),
       {"Paused", "InconclusiveAnalysisRun"}},
      {"restarting",
       Make(kCanary, R"("restartAt":"2026-11-23T10:00:00Z",)", settled),
       {"Progressing", "rollout is restarting"}},
      {"restart done",
       Make(kCanary, R"("restartAt":"2026-11-23T10:00:00Z",)",
            settled + R"(,"restartedAt":"2026-11-23T10:00:00Z","stableRS":"new")"),
       {"Healthy", ""}},
      {"more replicas to update",
       Make(kCanary, "", R"("updatedReplicas":2)"),
       {"Progressing", "more replicas need to be updated"}},
      {"becoming available",
       Make(kCanary, "", R"("updatedReplicas":3,"availableReplicas":2)"),
       {"Progressing", "updated replicas are still becoming available"}},
      {"blue/green before the switch",
       Make(kBlueGreen, "", settled + R"(,"blueGreen":{"activeSelector":"old"})"),
       {"Progressing", "active service cutover pending"}},
      {"blue/green with no active selector",
       Make(kBlueGreen, "", settled),
       {"Progressing", "active service cutover pending"}},
      {"blue/green switched, post-promotion analysis running",
       Make(kBlueGreenPostAnalysis, "",
            settled + R"(,"stableRS":"old","blueGreen":{"activeSelector":"new",)"
                      R"("postPromotionAnalysisRunStatus":{"name":"r","status":"Running"}})"),
       {"Progressing", "waiting for analysis to complete"}},
      {"blue/green switched, analysis done but not yet promoted",
       Make(kBlueGreenPostAnalysis, "",
            settled + R"(,"stableRS":"old","blueGreen":{"activeSelector":"new",)"
                      R"("postPromotionAnalysisRunStatus":{"name":"r","status":"Successful"}})"),
       {"Progressing", "waiting for post-promotion verification to complete"}},
      {"blue/green switched without analysis",
       Make(kBlueGreen, "", settled + R"(,"stableRS":"old","blueGreen":{"activeSelector":"new"})"),
       {"Progressing", "waiting for post-promotion verification to complete"}},
      {"blue/green healthy",
       Make(kBlueGreen, "", settled + R"(,"stableRS":"new","blueGreen":{"activeSelector":"new"})"),
       {"Healthy", ""}},
      {"canary with old pods left",
       Make(kCanary, "", R"("replicas":5,"updatedReplicas":3,"availableReplicas":3)"),
       {"Progressing", "old replicas are pending termination"}},
      {"routed canary ignores old pods",
       Make(kRoutedCanary, "",
            R"("replicas":5,"updatedReplicas":3,"availableReplicas":3,)"
            R"("currentPodHash":"new","stableRS":"new")"),
       {"Healthy", ""}},
      {"canary mid-steps",
       Make(kCanary, "", settled + R"(,"stableRS":"old")"),
       {"Progressing", "waiting for all steps to complete"}},
      {"canary without a stable yet",
       Make(kCanary, "", settled),
       {"Progressing", "waiting for all steps to complete"}},
      {"canary healthy", Make(kCanary, "", settled + R"(,"stableRS":"new")"), {"Healthy", ""}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(CalculateRolloutPhase(row.rollout.spec, row.rollout.status), row.want) << row.name;
  }
}

TEST(DisplayedRolloutPhaseTest, Table) {
  const std::string stored = R"("phase":"Healthy","message":"")";
  struct Row {
    std::string name;
    api::Rollout rollout;
    RolloutPhase want;
  };
  const std::vector<Row> rows = {
      {"stored phase", Make(kCanary, "", stored), {"Healthy", ""}},
      {"generation not observed",
       Make(kCanary, "", stored, R"(,"generation":3)"),
       {"Progressing", "waiting for rollout spec update to be observed"}},
      {"resumed by the user, not yet by the controller",
       Make(kCanary, "", stored + R"(,"controllerPause":true)"),
       {"Progressing", "waiting for rollout to unpause"}},
      {"workload generation not observed",
       Make(kCanary, R"("workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},)",
            stored + R"(,"workloadObservedGeneration":"4")",
            R"(,"annotations":{"rollout.argoproj.io/workload-generation":"5"})"),
       {"Progressing",
        "waiting for rollout spec update to be observed for the reference workload"}},
      {"workload generation observed",
       Make(kCanary, R"("workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},)",
            stored + R"(,"workloadObservedGeneration":"5")",
            R"(,"annotations":{"rollout.argoproj.io/workload-generation":"5"})"),
       {"Healthy", ""}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(DisplayedRolloutPhase(row.rollout), row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::core
