// The rollout actions' patches, row by row from ../shared/spec/argo-rollouts.md §6.3 and §6.6.
#include "cli/rollout_actions.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "common/json_reader.h"

namespace devflow::cli {
namespace {

// A canary Rollout at step `step` of three (setWeight, pause, setWeight), with `status` members.
api::Rollout Canary(const std::string& spec_extra, const std::string& status) {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata":{"name":"web","uid":"u1"},"spec":{)" + spec_extra +
      R"("strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}},{"setWeight":60}]}}},)"
      R"("status":{)" +
      status + "}}");
}

api::Rollout BlueGreen(const std::string& spec_extra, const std::string& status) {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata":{"name":"web","uid":"u1"},"spec":{)" + spec_extra +
      R"("strategy":{"blueGreen":{"activeService":"web"}}},"status":{)" + status + "}}");
}

std::string Text(const std::optional<json::Value>& value) {
  return value ? json::Write(*value) : "-";
}

std::string Describe(const Result<RolloutPatches>& patches) {
  if (!patches.ok()) return "error: " + patches.status().message();
  return "spec " + Text(patches->spec_patch) + " | status " + Text(patches->status_patch) +
         " | template " + Text(patches->template_patch) + " | " + patches->message;
}

constexpr char kPausedAtStep1[] =
    R"("currentStepIndex":1,"controllerPause":true,)"
    R"("pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2026-11-23T10:00:00Z"}])";

TEST(PromotePatchesTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    PromoteOptions options;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"canary paused at a pause step: clear the conditions",
       Canary("", kPausedAtStep1),
       {},
       R"(spec - | status {"status":{"pauseConditions":null}} | template - | rollout 'web' promoted)"},
      {"spec.paused is undone first",
       Canary(R"("paused":true,)", kPausedAtStep1),
       {},
       R"(spec {"spec":{"paused":false}} | status {"status":{"pauseConditions":null}} | )"
       R"(template - | rollout 'web' promoted)"},
      {"inconclusive step analysis: move past the step",
       Canary(
           "",
           std::string(kPausedAtStep1) +
               R"(,"canary":{"currentStepAnalysisRunStatus":{"name":"r","status":"Inconclusive"}})"),
       {},
       R"(spec - | status {"status":{"pauseConditions":null,"controllerPause":false,)"
       R"("currentStepIndex":2}} | template - | rollout 'web' promoted)"},
      {"canary not paused: skip the current step",
       Canary("", R"("currentStepIndex":0)"),
       {},
       R"(spec - | status {"status":{"pauseConditions":null,"currentStepIndex":1}} | template - | )"
       R"(rollout 'web' promoted)"},
      {"canary on its last step: the index is capped",
       Canary("", R"("currentStepIndex":3)"),
       {},
       R"(spec - | status {"status":{"pauseConditions":null,"currentStepIndex":3}} | template - | )"
       R"(rollout 'web' promoted)"},
      {"blue/green not paused: nothing to send",
       BlueGreen("", ""),
       {},
       "spec - | status - | template - | rollout 'web' promoted"},
      {"blue/green paused before the switch",
       BlueGreen("", R"("controllerPause":true,"pauseConditions":[{"reason":"BlueGreenPause",)"
                     R"("startTime":"2026-11-23T10:00:00Z"}])"),
       {},
       R"(spec - | status {"status":{"pauseConditions":null}} | template - | rollout 'web' promoted)"},
      {"full, mid-rollout",
       Canary("", R"("currentPodHash":"new","stableRS":"old")"),
       {.full = true},
       R"(spec - | status {"status":{"promoteFull":true}} | template - | rollout 'web' fully promoted)"},
      {"full, already stable: nothing but an unpause",
       Canary(R"("paused":true,)", R"("currentPodHash":"same","stableRS":"same")"),
       {.full = true},
       R"(spec {"spec":{"paused":false}} | status - | template - | rollout 'web' fully promoted)"},
      {"skip current step",
       Canary("", R"("currentStepIndex":1)"),
       {.skip_current_step = true},
       R"(spec - | status {"status":{"currentStepIndex":2}} | template - | rollout 'web' promoted)"},
      {"skip all steps",
       Canary("", R"("currentStepIndex":0)"),
       {.skip_all_steps = true},
       R"(spec - | status {"status":{"currentStepIndex":3}} | template - | rollout 'web' promoted)"},
      {"both skips",
       Canary("", ""),
       {.skip_current_step = true, .skip_all_steps = true},
       "error: Cannot use skip-current-step and skip-all-steps flags at the same time"},
      {"skip on blue/green",
       BlueGreen("", ""),
       {.skip_current_step = true},
       "error: Skip steps are only valid for canary rollouts with steps"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Describe(PromotePatches(row.rollout, row.options)), row.want) << row.name;
  }
}

TEST(SimpleActionsTest, Table) {
  const api::Rollout rollout = Canary("", "");
  EXPECT_EQ(Describe(AbortPatches(rollout)),
            R"(spec - | status {"status":{"abort":true}} | template - | rollout 'web' aborted)");
  EXPECT_EQ(Describe(RetryPatches(rollout)),
            R"(spec - | status {"status":{"abort":false}} | template - | rollout 'web' retried)");
  EXPECT_EQ(Describe(PausePatches(rollout)),
            R"(spec {"spec":{"paused":true}} | status - | template - | rollout 'web' paused)");
  EXPECT_EQ(Describe(ResumePatches(rollout)),
            R"(spec {"spec":{"paused":false}} | status - | template - | rollout 'web' resumed)");
  const auto now = std::chrono::sys_days(std::chrono::year(2026) / 11 / 23) +
                   std::chrono::hours(10) + std::chrono::milliseconds(1500);
  EXPECT_EQ(Describe(RestartPatches(rollout, now, std::chrono::seconds(30))),
            R"(spec {"spec":{"restartAt":"2026-11-23T10:00:31Z"}} | status - | template - | )"
            R"(rollout 'web' restarts in 30s)");
}

api::ReplicaSet OwnedReplicaSet(const std::string& revision, const std::string& image,
                                const std::string& owner_uid = "u1") {
  return api::testing::DecodeJsonText<api::ReplicaSet>(
      R"({"metadata":{"name":"web-)" + revision +
      R"(","annotations":{"rollout.argoproj.io/revision":")" + revision +
      R"("},"ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",)"
      R"("name":"web","uid":")" +
      owner_uid +
      R"(","controller":true}]},)"
      R"("spec":{"template":{"metadata":{"labels":{"app":"web","rollouts-pod-template-hash":"h)" +
      revision + R"("}},"spec":{"containers":[{"name":"web","image":")" + image + R"("}]}}}})");
}

TEST(UndoPatchesTest, Table) {
  const api::Rollout rollout = api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata":{"name":"web","uid":"u1"},"spec":{"template":{"metadata":{"labels":)"
      R"({"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:3"}]}},)"
      R"("strategy":{"canary":{}}}})");
  const std::vector<api::ReplicaSet> history = {
      OwnedReplicaSet("1", "web:1"), OwnedReplicaSet("2", "web:2"), OwnedReplicaSet("3", "web:3"),
      OwnedReplicaSet("9", "web:9", "someone-else")};
  const std::string to_two =
      R"(spec - | status - | template [{"op":"replace","path":"/spec/template","value":)"
      R"({"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:2"}]}}}])"
      R"( | rollout 'web' undo)";
  struct Row {
    std::string name;
    std::vector<api::ReplicaSet> replica_sets;
    int64_t to_revision;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"default: the second-highest revision", history, 0, to_two},
      {"a named revision", history, 2, to_two},
      {"the current template: skipped", history, 3,
       "spec - | status - | template - | skipped rollback (current template already matches "
       "revision 3)"},
      {"a revision owned by another rollout is not history", history, 9,
       "error: unable to find specified revision 9 in history"},
      {"nothing to go back to",
       {OwnedReplicaSet("1", "web:3")},
       0,
       "error: no revision found for rollout \"web\""},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(Describe(UndoPatches(rollout, row.replica_sets, row.to_revision)), row.want)
        << row.name;
  }
}

}  // namespace
}  // namespace devflow::cli
