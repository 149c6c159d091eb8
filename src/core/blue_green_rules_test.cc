// Blue/green decisions (§3.2-§3.5, §3.7), one row per rule.
#include "core/blue_green_rules.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "common/json_reader.h"

namespace devflow::core {
namespace {

api::Rollout BlueGreen(const std::string& strategy_extra, const std::string& status,
                       const std::string& spec_extra = "") {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata":{"name":"web"},"spec":{"replicas":4,)" + spec_extra +
      R"("strategy":{"blueGreen":{"activeService":"a",)" + strategy_extra +
      R"("previewService":"p"}}},"status":{)" + status + "}}");
}

api::ReplicaSet Rs(const std::string& name, const std::string& hash, const std::string& meta = "",
                   const std::string& spec_status = R"("replicas":4},"status":{)") {
  return api::testing::DecodeJsonText<api::ReplicaSet>(
      R"({"metadata":{"name":")" + name + R"(","labels":{"rollouts-pod-template-hash":")" + hash +
      R"("})" + meta + R"(},"spec":{)" + spec_status + "}}");
}

TEST(IsSaturatedTest, Table) {
  const std::string desired4 = R"(,"annotations":{"rollout.argoproj.io/desired-replicas":"4"})";
  EXPECT_TRUE(
      IsSaturated(Rs("n", "h", desired4, R"("replicas":4},"status":{"availableReplicas":4)"), 4));
  EXPECT_FALSE(
      IsSaturated(Rs("n", "h", desired4, R"("replicas":4},"status":{"availableReplicas":3)"), 4))
      << "not all available";
  EXPECT_FALSE(IsSaturated(Rs("n", "h", "", R"("replicas":4},"status":{"availableReplicas":4)"), 4))
      << "no desired-replicas annotation";
  EXPECT_FALSE(
      IsSaturated(Rs("n", "h", desired4, R"("replicas":3},"status":{"availableReplicas":4)"), 4))
      << "spec differs";
}

TEST(BlueGreenNewReplicasTest, Table) {
  const api::ReplicaSet new_rs = Rs("web-new", "new");
  const api::ReplicaSet active = Rs("web-old", "old");
  struct Row {
    std::string name;
    api::Rollout rollout;
    const api::ReplicaSet* active;
    int32_t want;
  };
  const std::string preview = R"("previewReplicaCount":1,)";
  const std::vector<Row> rows = {
      {"no previewReplicaCount", BlueGreen("", R"("currentPodHash":"new")"), &active, 4},
      {"previewing", BlueGreen(preview, R"("currentPodHash":"new")"), &active, 1},
      {"first deploy: no active", BlueGreen(preview, R"("currentPodHash":"new")"), nullptr, 4},
      {"the new one is active", BlueGreen(preview, R"("currentPodHash":"new")"), &new_rs, 4},
      {"promote full", BlueGreen(preview, R"("currentPodHash":"new","promoteFull":true)"), &active,
       4},
      {"scaled up after the pause",
       BlueGreen(preview,
                 R"("currentPodHash":"new","blueGreen":{"scaleUpPreviewCheckPoint":true})"),
       &active, 4},
      {"checkpoint but paused again",
       BlueGreen(preview, R"("currentPodHash":"new","blueGreen":{"scaleUpPreviewCheckPoint":true})",
                 R"("paused":true,)"),
       &active, 1},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(BlueGreenNewReplicas(row.rollout, new_rs, row.active), row.want) << row.name;
  }
}

BlueGreenFacts Ready(const std::string& active_selector) {
  return BlueGreenFacts{.new_hash = "new",
                        .active_selector = active_selector,
                        .new_rs_ready = true,
                        .new_rs_saturated = true};
}

TEST(BlueGreenActiveTargetTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    BlueGreenFacts facts;
    std::optional<std::string> want;
  };
  BlueGreenFacts paused_done = Ready("old");
  paused_done.pause_completed = true;
  BlueGreenFacts analysis_running = paused_done;
  analysis_running.pre_promotion_phase = "Running";
  BlueGreenFacts analysis_passed = paused_done;
  analysis_passed.pre_promotion_phase = "Successful";
  BlueGreenFacts not_saturated = Ready("");
  not_saturated.new_rs_saturated = false;
  BlueGreenFacts fast = Ready("old");
  fast.fast_rollback = true;
  const std::vector<Row> rows = {
      {"first deploy is fast-tracked", BlueGreen("", ""), Ready(""), "new"},
      {"not saturated yet", BlueGreen("", ""), not_saturated, std::nullopt},
      {"waiting for the pause", BlueGreen("", R"("stableRS":"old")"), Ready("old"), std::nullopt},
      {"pause done", BlueGreen("", R"("stableRS":"old")"), paused_done, "new"},
      {"pause done, analysis running", BlueGreen("", R"("stableRS":"old")"), analysis_running,
       std::nullopt},
      {"pause done, analysis passed", BlueGreen("", R"("stableRS":"old")"), analysis_passed, "new"},
      {"promote full", BlueGreen("", R"("stableRS":"old","promoteFull":true)"), Ready("old"),
       "new"},
      {"fast rollback", BlueGreen("", R"("stableRS":"old")"), fast, "new"},
      {"aborted: back to stable", BlueGreen("", R"("stableRS":"old","abort":true)"), Ready("new"),
       "old"},
      {"aborted overrides promote full",
       BlueGreen("", R"("stableRS":"old","abort":true,"promoteFull":true)"), Ready("new"), "old"},
      {"halted by spec.paused",
       BlueGreen("", R"("stableRS":"old","abort":true)", R"("paused":true,)"), Ready("new"),
       std::nullopt},
      {"halted by an inconclusive analysis",
       BlueGreen("", R"("stableRS":"old","pauseConditions":[{"reason":"InconclusiveAnalysisRun",)"
                     R"("startTime":"2026-11-23T10:00:00Z"}])"),
       paused_done, std::nullopt},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(BlueGreenActiveTarget(row.rollout, row.facts), row.want) << row.name;
  }
}

TEST(BlueGreenPromotionReasonTest, Table) {
  BlueGreenFacts switched = Ready("new");
  BlueGreenFacts post_running = switched;
  post_running.post_promotion_phase = "Running";
  BlueGreenFacts post_passed = switched;
  post_passed.post_promotion_phase = "Successful";
  BlueGreenFacts fast = switched;
  fast.fast_rollback = true;
  struct Row {
    std::string name;
    api::Rollout rollout;
    BlueGreenFacts facts;
    bool window;
    std::string want;
  };
  const std::string mid = R"("stableRS":"old","currentPodHash":"new")";
  const std::vector<Row> rows = {
      {"no stable yet", BlueGreen("", R"("currentPodHash":"new")"), switched, false,
       "Initial deploy"},
      {"no active selector", BlueGreen("", mid), Ready(""), false, "Initial deploy"},
      {"not switched yet", BlueGreen("", mid), Ready("old"), false, ""},
      {"promote full", BlueGreen("", mid + R"(,"promoteFull":true)"), switched, false,
       "Full promotion requested"},
      {"fast rollback", BlueGreen("", mid), fast, false, "Fast rollback"},
      {"rollback within the window", BlueGreen("", mid), fast, true, "Rollback within window"},
      {"aborted", BlueGreen("", mid + R"(,"abort":true)"), switched, false, ""},
      {"post-promotion analysis running", BlueGreen("", mid), post_running, false, ""},
      {"post-promotion analysis passed", BlueGreen("", mid), post_passed, false,
       "Completed blue-green update"},
      {"no analysis", BlueGreen("", mid), switched, false, "Completed blue-green update"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(BlueGreenPromotionReason(row.rollout, row.facts, row.window), row.want) << row.name;
  }
}

api::ReplicaSet Old(const std::string& name, const std::string& revision, int replicas,
                    const std::string& deadline = "") {
  return api::testing::DecodeJsonText<api::ReplicaSet>(
      R"({"metadata":{"name":")" + name + R"(","labels":{"rollouts-pod-template-hash":")" + name +
      R"("},"annotations":{"rollout.argoproj.io/revision":")" + revision + R"(")" +
      (deadline.empty() ? "" : R"(,"scale-down-deadline":")" + deadline + R"(")") +
      R"(}},"spec":{"replicas":)" + std::to_string(replicas) + "}}");
}

TEST(PlanOldReplicaSetsTest, Table) {
  using Kind = OldReplicaSetAction::Kind;
  const api::Time now{*api::ParseRfc3339("2026-11-23T10:00:00Z")};
  const api::Time in_30s{*api::ParseRfc3339("2026-11-23T10:00:30Z")};
  struct Row {
    std::string name;
    std::vector<api::ReplicaSet> others;
    std::vector<std::string> referenced;
    int64_t delay;
    int32_t limit;
    std::vector<OldReplicaSetAction> want;
  };
  const std::vector<Row> rows = {
      {"a fresh old ReplicaSet gets a deadline",
       {Old("a", "1", 4)},
       {},
       30,
       100,
       {{"a", Kind::kSetDeadline, in_30s}}},
      {"waiting for its deadline",
       {Old("a", "1", 4, "2026-11-23T10:00:10Z")},
       {},
       30,
       100,
       {{"a", Kind::kKeep}}},
      {"deadline passed",
       {Old("a", "1", 4, "2026-11-23T09:59:59Z")},
       {},
       30,
       100,
       {{"a", Kind::kScaleToZero}}},
      {"referenced: kept", {Old("a", "1", 4)}, {"a"}, 30, 100, {{"a", Kind::kKeep}}},
      {"already at zero", {Old("a", "1", 0)}, {}, 30, 100, {{"a", Kind::kKeep}}},
      {"at zero with a leftover deadline",
       {Old("a", "1", 0, "2026-11-23T10:00:10Z")},
       {},
       30,
       100,
       {{"a", Kind::kScaleToZero}}},
      {"beyond the revision limit, newest first",
       {Old("a", "1", 4), Old("c", "3", 4, "2026-11-23T10:00:10Z"), Old("b", "2", 4)},
       {},
       30,
       1,
       {{"c", Kind::kKeep}, {"b", Kind::kScaleToZero}, {"a", Kind::kScaleToZero}}},
      {"no delay: at once", {Old("a", "1", 4)}, {}, 0, 100, {{"a", Kind::kScaleToZero}}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(PlanOldReplicaSets(row.others, row.referenced, std::chrono::seconds(row.delay),
                                 row.limit, now),
              row.want)
        << row.name;
  }
}

}  // namespace
}  // namespace devflow::core
