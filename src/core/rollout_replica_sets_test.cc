// Table tests of the ReplicaSet rules (../shared/spec/argo-rollouts.md §3.1, §3.8, §3.9).
#include "core/rollout_replica_sets.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/pod_template_identity.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"
#include "common/json_reader.h"

namespace devflow::core {
namespace {

api::Rollout RolloutWithImage(const std::string& image, const std::string& extra_status = "",
                              const std::string& annotations = "{}") {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata":{"name":"web","namespace":"prod","uid":"u1","annotations":)" + annotations +
      R"(},"spec":{"replicas":3,"minReadySeconds":5,"selector":{"matchLabels":{"app":"web"}},)"
      R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web",)"
      R"("image":")" +
      image + R"("}]}},"strategy":{"canary":{}}},"status":{)" + extra_status + "}}");
}

// A ReplicaSet created at second `created` of the day, running `image`, labelled with `hash`.
api::ReplicaSet Owned(const std::string& name, const std::string& image, const std::string& hash,
                      int created, const std::string& revision = "",
                      const std::string& extra_meta = "", const std::string& spec_status = "") {
  const std::string created_at =
      "2026-11-23T10:00:" + std::string(created < 10 ? "0" : "") + std::to_string(created) + "Z";
  return api::testing::DecodeJsonText<api::ReplicaSet>(
      R"({"metadata":{"name":")" + name + R"(","creationTimestamp":")" + created_at +
      R"(","labels":{"app":"web","rollouts-pod-template-hash":")" + hash + R"("},)" +
      R"("annotations":{)" +
      (revision.empty() ? "" : R"("rollout.argoproj.io/revision":")" + revision + R"(")") + "}" +
      extra_meta +
      R"(},"spec":{"template":{"metadata":{"labels":{"app":"web",)"
      R"("rollouts-pod-template-hash":")" +
      hash +
      R"("}},"spec":{"containers":[{"name":"web",)"
      R"("image":")" +
      image + R"("}]}})" + spec_status + "}}");
}

TEST(GroupReplicaSetsTest, Table) {
  const std::vector<api::ReplicaSet> sets = {
      Owned("web-a", "web:1", "a", 1), Owned("web-b", "web:2", "b", 2),
      Owned("web-c", "web:3", "c", 3), Owned("web-c2", "web:3", "c2", 4)};
  struct Row {
    std::string name;
    api::Rollout rollout;
    ReplicaSetGroups want;
  };
  const std::vector<Row> rows = {
      {"template matches one, stable another",
       RolloutWithImage("web:2", R"("stableRS":"a")"),
       {.new_rs = 1, .stable_rs = 0, .others = {2, 3}}},
      {"new is stable",
       RolloutWithImage("web:1", R"("stableRS":"a")"),
       {.new_rs = 0, .stable_rs = 0, .others = {1, 2, 3}}},
      {"two match: the oldest is new",
       RolloutWithImage("web:3", R"("stableRS":"a")"),
       {.new_rs = 2, .stable_rs = 0, .others = {1, 3}}},
      {"no match, no stable yet", RolloutWithImage("web:9"), {.others = {0, 1, 2, 3}}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(GroupReplicaSets(row.rollout, sets), row.want) << row.name;
  }
}

TEST(NextRevisionTest, Table) {
  EXPECT_EQ(NextRevision({}), 1);
  EXPECT_EQ(NextRevision({Owned("a", "x", "a", 1, "3"), Owned("b", "x", "b", 2, "7")}), 8);
  EXPECT_EQ(NextRevision({Owned("a", "x", "a", 1, "not-a-number")}), 1);
}

TEST(NewReplicaSetForTest, NamesLabelsOwnsAndAnnotates) {
  const api::Rollout rollout = RolloutWithImage(
      "web:2", R"("collisionCount":1)",
      R"({"team":"payments","kubectl.kubernetes.io/last-applied-configuration":"{}",)"
      R"("rollout.argoproj.io/revision":"4","notified.notifications.argoproj.io":"x"})");
  const api::ReplicaSet made = NewReplicaSetFor(rollout, 5);
  const std::string hash = api::PodTemplateHash(rollout.spec.template_, 1);
  EXPECT_NE(hash, api::PodTemplateHash(rollout.spec.template_, std::nullopt))
      << "the collision count must change the hash";
  EXPECT_EQ(made.metadata.name, "web-" + hash);
  EXPECT_EQ(made.metadata.namespace_, "prod");
  EXPECT_EQ(made.metadata.labels, (std::map<std::string, std::string>{
                                      {"app", "web"}, {"rollouts-pod-template-hash", hash}}));
  EXPECT_EQ(made.spec.selector.match_labels, made.metadata.labels);
  EXPECT_EQ(made.spec.template_.metadata.labels, made.metadata.labels);
  EXPECT_EQ(made.metadata.annotations,
            (std::map<std::string, std::string>{{"team", "payments"},
                                                {"rollout.argoproj.io/revision", "5"},
                                                {"rollout.argoproj.io/desired-replicas", "3"}}));
  EXPECT_EQ(made.spec.replicas, 0);
  EXPECT_EQ(made.spec.min_ready_seconds, 5);
  ASSERT_EQ(made.metadata.owner_references.size(), 1u);
  EXPECT_EQ(made.metadata.owner_references[0].uid, "u1");
  EXPECT_EQ(made.metadata.owner_references[0].controller, true);
  EXPECT_EQ(made.metadata.owner_references[0].block_owner_deletion, true);
  // The template is still the Rollout's: a later pass finds it as the new ReplicaSet.
  EXPECT_TRUE(api::SemanticallyEqual(rollout.spec.template_, made.spec.template_));
}

TEST(SyncedAnnotationsTest, Table) {
  const api::Rollout rollout = RolloutWithImage("web:2", "", R"({"team":"payments"})");
  struct Row {
    std::string name;
    api::ReplicaSet new_rs;
    int64_t max_other;
    std::optional<std::map<std::string, std::string>> want;
  };
  const std::vector<Row> rows = {
      {"in step: nothing to do",
       api::testing::DecodeJsonText<api::ReplicaSet>(
           R"({"metadata":{"annotations":{"team":"payments",)"
           R"("rollout.argoproj.io/revision":"5"}}})"),
       4, std::nullopt},
      {"a re-used old ReplicaSet gets the next revision and remembers its old one",
       api::testing::DecodeJsonText<api::ReplicaSet>(
           R"({"metadata":{"annotations":{"team":"payments",)"
           R"("rollout.argoproj.io/revision":"2"}}})"),
       4,
       std::map<std::string, std::string>{{"team", "payments"},
                                          {"rollout.argoproj.io/revision", "5"},
                                          {"rollout.argoproj.io/revision-history", "2"}}},
      {"history grows",
       api::testing::DecodeJsonText<api::ReplicaSet>(
           R"({"metadata":{"annotations":{"team":"payments",)"
           R"("rollout.argoproj.io/revision":"5",)"
           R"("rollout.argoproj.io/revision-history":"2"}}})"),
       7,
       std::map<std::string, std::string>{{"team", "payments"},
                                          {"rollout.argoproj.io/revision", "8"},
                                          {"rollout.argoproj.io/revision-history", "2,5"}}},
      {"a Rollout annotation added since",
       api::testing::DecodeJsonText<api::ReplicaSet>(R"({"metadata":{"annotations":{)"
                                                     R"("rollout.argoproj.io/revision":"5"}}})"),
       4,
       std::map<std::string, std::string>{{"team", "payments"},
                                          {"rollout.argoproj.io/revision", "5"}}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(SyncedAnnotations(rollout, row.new_rs, row.max_other), row.want) << row.name;
  }
}

TEST(ReplicaSetsBeyondHistoryLimitTest, Table) {
  const std::string down = R"(,"replicas":0},"status":{"replicas":0,"observedGeneration":1)";
  const std::string up = R"(,"replicas":2},"status":{"replicas":2,"observedGeneration":1)";
  const std::string stale = R"(,"replicas":0},"status":{"replicas":0,"observedGeneration":1)";
  auto rs = [&](const std::string& name, int created, const std::string& spec_status,
                const std::string& meta = R"(,"generation":1)") {
    return Owned(name, "x", name, created, "", meta, spec_status);
  };
  struct Row {
    std::string name;
    std::vector<api::ReplicaSet> others;
    int32_t limit;
    std::vector<std::string> want;
  };
  const std::vector<Row> rows = {
      {"within the limit", {rs("a", 1, down), rs("b", 2, down)}, 2, {}},
      {"oldest first, up to the excess",
       {rs("c", 3, down), rs("a", 1, down), rs("b", 2, down)},
       1,
       {"a", "b"}},
      {"still scaled up: kept",
       {rs("a", 1, up), rs("b", 2, down), rs("c", 3, down)},
       1,
       {"b", "c"}},
      {"status not caught up: kept",
       {rs("a", 1, stale, R"(,"generation":2)"), rs("b", 2, down)},
       1,
       {"b"}},
      {"being deleted: not counted",
       {rs("a", 1, down, R"(,"generation":1,"deletionTimestamp":"2026-11-23T11:00:00Z")"),
        rs("b", 2, down)},
       1,
       {}},
      {"limit zero", {rs("a", 1, down)}, 0, {"a"}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ReplicaSetsBeyondHistoryLimit(row.others, row.limit), row.want) << row.name;
  }
}

TEST(IsRollbackTest, Table) {
  const api::ReplicaSet old_rs = Owned("web-a", "web:1", "a", 1);
  const api::ReplicaSet stable = Owned("web-b", "web:2", "b", 2);
  const api::ReplicaSet newer = Owned("web-c", "web:3", "c", 3);
  EXPECT_TRUE(IsRollback(old_rs, &stable, "b")) << "older than stable";
  EXPECT_FALSE(IsRollback(newer, &stable, "b")) << "a new version";
  EXPECT_TRUE(IsRollback(stable, &stable, "b")) << "the stable hash itself";
  EXPECT_FALSE(IsRollback(newer, nullptr, "")) << "no stable yet";
  // Created within the same second: the revision each was created with decides.
  const api::ReplicaSet first = Owned("web-d", "web:4", "d", 5, "1");
  const api::ReplicaSet second = Owned("web-e", "web:5", "e", 5, "2");
  EXPECT_TRUE(IsRollback(first, &second, "e")) << "same second, lower revision";
  EXPECT_FALSE(IsRollback(second, &first, "d")) << "same second, higher revision";
  api::ReplicaSet undone = first;
  undone.metadata.annotations["rollout.argoproj.io/revision"] = "3";
  undone.metadata.annotations["rollout.argoproj.io/revision-history"] = "1";
  EXPECT_TRUE(IsRollback(undone, &second, "e"))
      << "re-used by an undo: its revision is bumped, its history keeps where it began";
}

TEST(WithinRollbackWindowTest, Table) {
  const api::ReplicaSet v1 = Owned("web-1", "web:1", "h1", 1);
  const api::ReplicaSet v2 = Owned("web-2", "web:2", "h2", 2);
  const api::ReplicaSet v3 = Owned("web-3", "web:3", "h3", 3);
  const std::vector<api::ReplicaSet> all = {v1, v2, v3};
  api::Rollout windowed = RolloutWithImage("web:1");
  windowed.spec.rollback_window = api::RolloutRollbackWindow{.revisions = 2};
  EXPECT_TRUE(WithinRollbackWindow(windowed, v2, &v3, all)) << "one revision back";
  EXPECT_TRUE(WithinRollbackWindow(windowed, v1, &v3, all)) << "two back: the window's edge";
  windowed.spec.rollback_window->revisions = 1;
  EXPECT_FALSE(WithinRollbackWindow(windowed, v1, &v3, all)) << "beyond the window";
  EXPECT_FALSE(WithinRollbackWindow(RolloutWithImage("web:1"), v2, &v3, all)) << "no window";
  EXPECT_FALSE(WithinRollbackWindow(windowed, v2, nullptr, all)) << "no stable";
}

TEST(LabelSelectorStringTest, RendersAsKubernetes) {
  api::LabelSelector selector;
  selector.match_labels = {{"rollouts-pod-template-hash", "abc"}, {"app", "web"}};
  EXPECT_EQ(LabelSelectorString(selector), "app=web,rollouts-pod-template-hash=abc");
  EXPECT_EQ(LabelSelectorString(api::LabelSelector{}), "");
}

}  // namespace
}  // namespace devflow::core
