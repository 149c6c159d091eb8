#include "node/replica_set_rules.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace devflow::node {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const api::TimePoint kNow = api::ParseRfc3339("2026-11-23T10:00:00Z").value();

api::Time At(seconds offset) { return api::Time{kNow + offset}; }

api::ReplicaSet MakeRs(std::optional<int32_t> replicas = 3) {
  api::ReplicaSet rs;
  rs.api_version = "apps/v1";
  rs.kind = "ReplicaSet";
  rs.metadata.name = "web";
  rs.metadata.namespace_ = "shop";
  rs.metadata.uid = "rs-uid";
  rs.metadata.generation = 2;
  rs.spec.replicas = replicas;
  rs.spec.selector.match_labels = {{"app", "web"}};
  rs.spec.template_.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  rs.spec.template_.metadata.annotations = {{"note", "hello"}};
  api::Container container;
  container.name = "web";
  container.image = "web:v1";
  rs.spec.template_.spec.containers = {container};
  return rs;
}

using Edit = std::function<void(api::Pod&)>;

// A pod of MakeRs() in "shop", fully labelled, created at kNow - 100 s, with `edits` applied.
api::Pod MakePod(const std::string& name, const std::vector<Edit>& edits = {}) {
  api::Pod pod;
  pod.api_version = "v1";
  pod.kind = "Pod";
  pod.metadata.name = name;
  pod.metadata.namespace_ = "shop";
  pod.metadata.uid = name + "-uid";
  pod.metadata.resource_version = "7";
  pod.metadata.creation_timestamp = At(seconds(-100));
  pod.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  pod.metadata.owner_references = {ControllerRefFor(MakeRs())};
  for (const Edit& edit : edits) edit(pod);
  return pod;
}

Edit Orphan() {
  return [](api::Pod& p) { p.metadata.owner_references.clear(); };
}
Edit OwnedBy(const std::string& uid) {
  return [uid](api::Pod& p) { p.metadata.owner_references[0].uid = uid; };
}
Edit Labels(std::map<std::string, std::string> labels) {
  return [labels](api::Pod& p) { p.metadata.labels = labels; };
}
Edit Phase(const std::string& phase) {
  return [phase](api::Pod& p) { p.status.phase = phase; };
}
Edit Node(const std::string& node) {
  return [node](api::Pod& p) { p.spec.node_name = node; };
}
Edit Terminating() {
  return [](api::Pod& p) { p.metadata.deletion_timestamp = At(seconds(-1)); };
}
// Running and Ready since kNow + offset.
Edit ReadySince(seconds offset) {
  return [offset](api::Pod& p) {
    p.status.phase = "Running";
    p.status.conditions.push_back(
        api::PodCondition{.type = "Ready", .status = "True", .last_transition_time = At(offset)});
  };
}
Edit ReadyUnknownSince() {
  return [](api::Pod& p) {
    p.status.phase = "Running";
    p.status.conditions.push_back(api::PodCondition{.type = "Ready", .status = "True"});
  };
}
Edit NotReady() {
  return [](api::Pod& p) {
    p.status.phase = "Running";
    p.status.conditions.push_back(
        api::PodCondition{.type = "Ready", .status = "False", .last_transition_time = At({})});
  };
}
Edit Restarts(int32_t count) {
  return [count](api::Pod& p) {
    p.status.container_statuses.push_back(
        api::ContainerStatus{.name = "web", .restart_count = count});
  };
}
Edit Created(seconds offset) {
  return [offset](api::Pod& p) { p.metadata.creation_timestamp = At(offset); };
}
Edit CreatedUnknown() {
  return [](api::Pod& p) { p.metadata.creation_timestamp = {}; };
}
Edit DeletionCost(const std::string& cost) {
  return [cost](api::Pod& p) {
    p.metadata.annotations[std::string(kPodDeletionCostAnnotation)] = cost;
  };
}

std::vector<std::string> Names(const std::vector<api::Pod>& pods) {
  std::vector<std::string> names;
  for (const api::Pod& p : pods) names.push_back(p.metadata.name);
  return names;
}
std::vector<std::string> Names(const std::vector<PodRef>& refs) {
  std::vector<std::string> names;
  for (const PodRef& r : refs) names.push_back(r.name);
  return names;
}

// Suffixes "aaaa1", "aaaa2", ... (not the real alphabet, so tests see where names come from).
NameSuffixSource CountingSuffixes() {
  auto next = std::make_shared<int>(0);
  return [next] { return "aaaa" + std::to_string(++*next); };
}

TEST(ReplicaSetRulesTest, SlowStartBatches) {
  struct Row {
    const char* name;
    int count;
    int initial;
    std::vector<int> want;
  };
  const Row rows[] = {
      {"nothing", 0, 1, {}},
      {"one", 1, 1, {1}},
      {"two", 2, 1, {1, 1}},
      {"three", 3, 1, {1, 2}},
      {"ten: the last batch takes what remains", 10, 1, {1, 2, 4, 3}},
      {"fifteen: whole doublings", 15, 1, {1, 2, 4, 8}},
      {"burst", 500, 1, {1, 2, 4, 8, 16, 32, 64, 128, 245}},
      {"larger first batch", 5, 2, {2, 3}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(SlowStartBatches(row.count, row.initial), row.want) << row.name;
  }
}

TEST(ReplicaSetRulesTest, GeneratedPodNames) {
  EXPECT_EQ(GeneratedPodName("web", "x2z4b"), "web-x2z4b");
  const std::string long_name(70, 'a');
  const std::string name = GeneratedPodName(long_name, "x2z4b");
  EXPECT_EQ(name, std::string(58, 'a') + "x2z4b") << "the prefix is cut to 58 characters";
  EXPECT_EQ(GeneratedPodName(std::string(57, 'a'), "bcdfg"), std::string(57, 'a') + "-bcdfg")
      << "a 58-character prefix is kept whole";
}

TEST(ReplicaSetRulesTest, RandomSuffixesUseTheAlphabet) {
  NameSuffixSource names = RandomNameSuffixSource();
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string suffix = names();
    ASSERT_EQ(suffix.size(), kNameSuffixLength) << suffix;
    for (char c : suffix) {
      ASSERT_NE(kNameSuffixAlphabet.find(c), std::string_view::npos) << suffix;
    }
    seen.insert(suffix);
  }
  EXPECT_GT(seen.size(), 190u) << "suffixes should rarely repeat";
}

TEST(ReplicaSetRulesTest, PodFromTemplate) {
  api::ReplicaSet rs = MakeRs();
  rs.spec.template_.metadata.finalizers = {"example.com/keep"};
  rs.spec.template_.metadata.name = "ignored";
  api::Pod want;
  want.api_version = "v1";
  want.kind = "Pod";
  want.metadata.name = "web-bcdfg";
  want.metadata.namespace_ = "shop";
  want.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  want.metadata.annotations = {{"note", "hello"}};
  want.metadata.finalizers = {"example.com/keep"};
  want.metadata.owner_references = {api::OwnerReference{.api_version = "apps/v1",
                                                        .kind = "ReplicaSet",
                                                        .name = "web",
                                                        .uid = "rs-uid",
                                                        .controller = true,
                                                        .block_owner_deletion = true}};
  want.spec = rs.spec.template_.spec;
  EXPECT_EQ(PodFromTemplate(rs, "web-bcdfg"), want);
}

TEST(ReplicaSetRulesTest, PodFacts) {
  struct Row {
    const char* name;
    api::Pod pod;
    int32_t min_ready_seconds;
    bool active;
    bool ready;
    bool available;
  };
  const Row rows[] = {
      {"new pod", MakePod("p"), 0, true, false, false},
      {"running, not ready", MakePod("p", {NotReady()}), 0, true, false, false},
      {"ready, no minReadySeconds", MakePod("p", {ReadySince(seconds(0))}), 0, true, true, true},
      {"ready for less than minReadySeconds", MakePod("p", {ReadySince(seconds(-5))}), 10, true,
       true, false},
      {"ready for exactly minReadySeconds", MakePod("p", {ReadySince(seconds(-10))}), 10, true,
       true, false},
      {"ready for more than minReadySeconds", MakePod("p", {ReadySince(seconds(-11))}), 10, true,
       true, true},
      {"ready since an unknown time", MakePod("p", {ReadyUnknownSince()}), 10, true, true, false},
      {"terminating", MakePod("p", {ReadySince(seconds(-60)), Terminating()}), 0, false, true,
       true},
      {"succeeded", MakePod("p", {Phase("Succeeded")}), 0, false, false, false},
      {"failed", MakePod("p", {Phase("Failed")}), 0, false, false, false},
      {"unknown phase is active", MakePod("p", {Phase("Unknown")}), 0, true, false, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(IsPodActive(row.pod), row.active) << row.name;
    EXPECT_EQ(IsPodReady(row.pod), row.ready) << row.name;
    EXPECT_EQ(IsPodAvailable(row.pod, row.min_ready_seconds, kNow), row.available) << row.name;
  }
}

TEST(ReplicaSetRulesTest, DeletionPreferences) {
  struct Row {
    const char* name;
    api::Pod first;   // deleted first
    api::Pod second;  // kept longer
  };
  const Row rows[] = {
      {"unscheduled before scheduled", MakePod("a", {ReadySince(seconds(-50))}),
       MakePod("b", {Node("n1"), Phase("Pending")})},
      {"pending before unknown", MakePod("a", {Node("n1"), Phase("Pending")}),
       MakePod("b", {Node("n1"), Phase("Unknown")})},
      {"unset phase counts as pending", MakePod("a", {Node("n1")}),
       MakePod("b", {Node("n1"), Phase("Unknown")})},
      {"unknown before running", MakePod("a", {Node("n1"), Phase("Unknown")}),
       MakePod("b", {Node("n1"), NotReady()})},
      {"not ready before ready", MakePod("a", {Node("n1"), NotReady(), Created(seconds(-500))}),
       MakePod("b", {Node("n1"), ReadySince(seconds(-1))})},
      {"lower deletion cost first", MakePod("a", {ReadySince(seconds(-500)), DeletionCost("-5")}),
       MakePod("b", {ReadySince(seconds(-1))})},
      {"malformed deletion cost is 0", MakePod("a", {DeletionCost("+10"), Restarts(1)}),
       MakePod("b", {DeletionCost("007")})},
      {"ready for less time before more", MakePod("a", {ReadySince(seconds(-10))}),
       MakePod("b", {ReadySince(seconds(-20))})},
      {"ready since unknown before known", MakePod("a", {ReadyUnknownSince()}),
       MakePod("b", {ReadySince(seconds(0))})},
      {"more restarts before fewer", MakePod("a", {Restarts(3), Created(seconds(-500))}),
       MakePod("b", {Restarts(1)})},
      {"restarts rank before creation", MakePod("a", {Restarts(1)}),
       MakePod("b", {Created(seconds(-1))})},
      {"newer before older", MakePod("a", {Created(seconds(-10))}),
       MakePod("b", {Created(seconds(-20))})},
      {"unknown creation before known", MakePod("a", {CreatedUnknown()}),
       MakePod("b", {Created(seconds(0))})},
  };
  for (const Row& row : rows) {
    EXPECT_TRUE(PreferForDeletion(row.first, row.second)) << row.name;
    EXPECT_FALSE(PreferForDeletion(row.second, row.first)) << row.name << " (reversed)";
  }
  EXPECT_FALSE(PreferForDeletion(MakePod("a"), MakePod("b"))) << "equal pods";
}

TEST(ReplicaSetRulesTest, RankPodsForDeletion) {
  std::vector<api::Pod> pods = {
      MakePod("ready-long", {Node("n1"), ReadySince(seconds(-300))}),
      MakePod("ready-short", {Node("n1"), ReadySince(seconds(-30))}),
      MakePod("running-not-ready", {Node("n1"), NotReady()}),
      MakePod("pending", {Node("n1"), Phase("Pending")}),
      MakePod("unscheduled", {}),
      MakePod("twin-1", {Node("n1"), ReadySince(seconds(-300))}),
  };
  EXPECT_EQ(Names(RankPodsForDeletion(pods)),
            (std::vector<std::string>{"unscheduled", "pending", "running-not-ready", "ready-short",
                                      "ready-long", "twin-1"}))
      << "pods it cannot tell apart keep their order";
}

TEST(ReplicaSetRulesTest, ClaimPods) {
  api::ReplicaSet deleting = MakeRs();
  deleting.metadata.deletion_timestamp = At(seconds(-1));
  api::Pod other_ns = MakePod("elsewhere", {Orphan()});
  other_ns.metadata.namespace_ = "other";
  api::Pod non_controller = MakePod("shared", {});
  non_controller.metadata.owner_references[0].controller = false;
  non_controller.metadata.owner_references[0].uid = "someone";

  struct Row {
    const char* name;
    api::ReplicaSet rs;
    api::Pod pod;
    std::vector<std::string> owned;
    std::vector<std::string> adopt;
    std::vector<std::string> release;
  };
  const Row rows[] = {
      {"ours and selected: owned", MakeRs(), MakePod("p"), {"p"}, {}, {}},
      {"ours but no longer selected: released",
       MakeRs(),
       MakePod("p", {Labels({{"app", "db"}})}),
       {},
       {},
       {"p"}},
      {"orphan selected: adopted", MakeRs(), MakePod("p", {Orphan()}), {"p"}, {"p"}, {}},
      {"orphan not selected: ignored",
       MakeRs(),
       MakePod("p", {Orphan(), Labels({{"a", "b"}})}),
       {},
       {},
       {}},
      {"orphan being deleted: not adopted",
       MakeRs(),
       MakePod("p", {Orphan(), Terminating()}),
       {},
       {},
       {}},
      {"owned by another controller: ignored",
       MakeRs(),
       MakePod("p", {OwnedBy("other")}),
       {},
       {},
       {}},
      {"a non-controller owner does not count: adopted",
       MakeRs(),
       non_controller,
       {"shared"},
       {"shared"},
       {}},
      {"other namespace: ignored", MakeRs(), other_ns, {}, {}, {}},
      {"terminating: not counted", MakeRs(), MakePod("p", {Terminating()}), {}, {}, {}},
      {"succeeded: not counted", MakeRs(), MakePod("p", {Phase("Succeeded")}), {}, {}, {}},
      {"failed: not counted", MakeRs(), MakePod("p", {Phase("Failed")}), {}, {}, {}},
      {"failed and unselected: not released",
       MakeRs(),
       MakePod("p", {Phase("Failed"), Labels({{"app", "db"}})}),
       {},
       {},
       {}},
      {"rs being deleted adopts nothing", deleting, MakePod("p", {Orphan()}), {}, {}, {}},
      {"rs being deleted releases nothing",
       deleting,
       MakePod("p", {Labels({{"app", "db"}})}),
       {},
       {},
       {}},
      {"rs being deleted still owns its pods", deleting, MakePod("p"), {"p"}, {}, {}},
  };
  for (const Row& row : rows) {
    PodClaims claims = ClaimPods(row.rs, {row.pod});
    EXPECT_EQ(Names(claims.owned), row.owned) << row.name;
    EXPECT_EQ(Names(claims.adopt), row.adopt) << row.name;
    EXPECT_EQ(Names(claims.release), row.release) << row.name;
  }

  // An adopted pod counts with our ownerReference added, and the adoption carries the
  // preconditions of the version seen.
  PodClaims adopted = ClaimPods(MakeRs(), {MakePod("p", {Orphan()})});
  ASSERT_EQ(adopted.owned.size(), 1u);
  EXPECT_EQ(adopted.owned[0].metadata.owner_references,
            std::vector<api::OwnerReference>{ControllerRefFor(MakeRs())});
  EXPECT_EQ(adopted.adopt, (std::vector<PodRef>{{"p", "p-uid", "7"}}));
}

TEST(ReplicaSetRulesTest, PlanCreatesAndDeletes) {
  api::ReplicaSet deleting = MakeRs(1);
  deleting.metadata.deletion_timestamp = At(seconds(-1));
  std::vector<api::Pod> three = {MakePod("old", {ReadySince(seconds(-300))}),
                                 MakePod("new", {ReadySince(seconds(-30))}),
                                 MakePod("starting", {NotReady()})};
  std::vector<api::Pod> many;
  for (int i = 0; i < 700; ++i) many.push_back(MakePod("p" + std::to_string(1000 + i)));

  struct Row {
    const char* name;
    api::ReplicaSet rs;
    std::vector<api::Pod> pods;
    bool satisfied;
    std::vector<std::string> create;
    std::vector<std::string> remove;
  };
  const Row rows[] = {
      {"none yet: create all", MakeRs(3), {}, true, {"web-aaaa1", "web-aaaa2", "web-aaaa3"}, {}},
      {"replicas absent means 1", MakeRs(std::nullopt), {}, true, {"web-aaaa1"}, {}},
      {"enough: nothing", MakeRs(3), three, true, {}, {}},
      {"one short", MakeRs(4), three, true, {"web-aaaa1"}, {}},
      {"scale to zero: delete all", MakeRs(0), three, true, {}, {"starting", "new", "old"}},
      {"scale to one: not ready, then ready for less time",
       MakeRs(1),
       three,
       true,
       {},
       {"starting", "new"}},
      {"terminating pods are replaced",
       MakeRs(2),
       {MakePod("a", {Terminating()}), MakePod("b", {Phase("Failed")}), MakePod("c")},
       true,
       {"web-aaaa1"},
       {}},
      {"an orphan adopted counts", MakeRs(1), {MakePod("o", {Orphan()})}, true, {}, {}},
      {"a released pod does not count",
       MakeRs(1),
       {MakePod("r", {Labels({{"x", "y"}})})},
       true,
       {"web-aaaa1"},
       {}},
      {"expectations pending: nothing", MakeRs(5), three, false, {}, {}},
      {"expectations pending: no deletes either", MakeRs(0), three, false, {}, {}},
      {"rs being deleted: nothing", deleting, {}, true, {}, {}},
  };
  for (const Row& row : rows) {
    ReplicaSetPlan plan = PlanReplicaSet(row.rs, row.pods, row.satisfied, kNow, CountingSuffixes());
    EXPECT_EQ(Names(plan.create), row.create) << row.name;
    EXPECT_EQ(Names(plan.delete_pods), row.remove) << row.name;
  }

  // At most kBurstReplicas per sync, both ways.
  ReplicaSetPlan up = PlanReplicaSet(MakeRs(600), {}, true, kNow, CountingSuffixes());
  EXPECT_EQ(up.create.size(), 500u) << "burst of creations";
  ReplicaSetPlan down = PlanReplicaSet(MakeRs(0), many, true, kNow, CountingSuffixes());
  EXPECT_EQ(down.delete_pods.size(), 500u) << "burst of deletions";

  // New pods are the template's, and the deletions name the versions seen.
  ReplicaSetPlan one = PlanReplicaSet(MakeRs(1), {}, true, kNow, CountingSuffixes());
  ASSERT_EQ(one.create.size(), 1u);
  EXPECT_EQ(one.create[0], PodFromTemplate(MakeRs(1), "web-aaaa1"));
  ReplicaSetPlan zero = PlanReplicaSet(MakeRs(0), {MakePod("x")}, true, kNow, CountingSuffixes());
  EXPECT_EQ(zero.delete_pods, (std::vector<PodRef>{{"x", "x-uid", "7"}}));
}

TEST(ReplicaSetRulesTest, PlanRequeuesForAvailability) {
  auto with_min_ready = [](int32_t s) {
    api::ReplicaSet rs = MakeRs(2);
    rs.spec.min_ready_seconds = s;
    return rs;
  };
  struct Row {
    const char* name;
    api::ReplicaSet rs;
    std::vector<api::Pod> pods;
    std::optional<milliseconds> want;
  };
  const Row rows[] = {
      {"no minReadySeconds", with_min_ready(0), {MakePod("a", {ReadySince(seconds(0))})}, {}},
      {"ready just now",
       with_min_ready(30),
       {MakePod("a", {ReadySince(seconds(0))})},
       milliseconds(30001)},
      {"the first to become available decides",
       with_min_ready(30),
       {MakePod("a", {ReadySince(seconds(-5))}), MakePod("b", {ReadySince(seconds(-20))})},
       milliseconds(10001)},
      {"available already", with_min_ready(30), {MakePod("a", {ReadySince(seconds(-31))})}, {}},
      {"at the boundary: still waits a moment",
       with_min_ready(30),
       {MakePod("a", {ReadySince(seconds(-30))})},
       milliseconds(1)},
      {"not ready", with_min_ready(30), {MakePod("a", {NotReady()})}, {}},
      {"ready since unknown: never available",
       with_min_ready(30),
       {MakePod("a", {ReadyUnknownSince()})},
       {}},
      {"terminating pods are not waited for",
       with_min_ready(30),
       {MakePod("a", {ReadySince(seconds(0)), Terminating()})},
       {}},
  };
  for (const Row& row : rows) {
    ReplicaSetPlan plan = PlanReplicaSet(row.rs, row.pods, true, kNow, CountingSuffixes());
    EXPECT_EQ(plan.requeue_after, row.want) << row.name;
  }
}

TEST(ReplicaSetRulesTest, ComputeStatus) {
  const api::ReplicaSetCondition kOtherCondition{.type = "Custom", .status = "True"};
  const api::ReplicaSetCondition kOldFailure{.type = "ReplicaFailure",
                                             .status = "True",
                                             .last_transition_time = At(seconds(-600)),
                                             .reason = "FailedCreate",
                                             .message = "earlier"};
  auto rs_with = [](int32_t replicas, int32_t min_ready,
                    std::vector<api::ReplicaSetCondition> conditions) {
    api::ReplicaSet rs = MakeRs(replicas);
    rs.spec.min_ready_seconds = min_ready;
    rs.status.conditions = std::move(conditions);
    rs.status.observed_generation = 1;
    return rs;
  };
  auto status = [](int32_t replicas, int32_t fully_labeled, int32_t ready, int32_t available,
                   std::vector<api::ReplicaSetCondition> conditions) {
    return api::ReplicaSetStatus{.replicas = replicas,
                                 .fully_labeled_replicas = fully_labeled,
                                 .ready_replicas = ready,
                                 .available_replicas = available,
                                 .observed_generation = 2,
                                 .conditions = std::move(conditions)};
  };
  const std::vector<api::Pod> mixed = {
      MakePod("ready-long", {ReadySince(seconds(-60))}),
      MakePod("ready-short", {ReadySince(seconds(-5))}),
      MakePod("partly-labelled", {Labels({{"app", "web"}}), NotReady()}),
  };

  struct Row {
    const char* name;
    api::ReplicaSet rs;
    std::vector<api::Pod> owned;
    std::optional<ManageFailure> failure;
    api::ReplicaSetStatus want;
  };
  const Row rows[] = {
      {"nothing yet", rs_with(3, 0, {}), {}, {}, status(0, 0, 0, 0, {})},
      {"counts without minReadySeconds", rs_with(3, 0, {}), mixed, {}, status(3, 2, 2, 2, {})},
      {"minReadySeconds: only the long-ready pod is available",
       rs_with(3, 10, {}),
       mixed,
       {},
       status(3, 2, 2, 1, {})},
      {"failed create", rs_with(5, 0, {kOtherCondition}), mixed,
       ManageFailure{"pods \"web-x\" already exists"},
       status(3, 2, 2, 2,
              {kOtherCondition, api::ReplicaSetCondition{.type = "ReplicaFailure",
                                                         .status = "True",
                                                         .last_transition_time = At(seconds(0)),
                                                         .reason = "FailedCreate",
                                                         .message = "pods \"web-x\" already "
                                                                    "exists"}})},
      {"failed delete", rs_with(1, 0, {}), mixed, ManageFailure{"boom"},
       status(3, 2, 2, 2,
              {api::ReplicaSetCondition{.type = "ReplicaFailure",
                                        .status = "True",
                                        .last_transition_time = At(seconds(0)),
                                        .reason = "FailedDelete",
                                        .message = "boom"}})},
      {"the same failure again keeps the condition", rs_with(5, 0, {kOldFailure}), mixed,
       ManageFailure{"later"}, status(3, 2, 2, 2, {kOldFailure})},
      {"success removes the failure",
       rs_with(3, 0, {kOldFailure, kOtherCondition}),
       mixed,
       {},
       status(3, 2, 2, 2, {kOtherCondition})},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ComputeStatus(row.rs, row.owned, row.failure, kNow + milliseconds(700)), row.want)
        << row.name;
  }
}

TEST(ReplicaSetRulesTest, Expectations) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point t0{std::chrono::hours(1)};
  enum class Op { kExpectCreations, kExpectDeletions, kCreated, kDeleted, kForget };
  struct Step {
    Op op;
    int count = 0;
    std::vector<std::string> keys;
  };
  struct Row {
    const char* name;
    std::vector<Step> steps;
    std::chrono::seconds check_at;
    bool satisfied;
  };
  const Row rows[] = {
      {"nothing expected", {}, seconds(0), true},
      {"creations pending", {{Op::kExpectCreations, 3}, {Op::kCreated}}, seconds(0), false},
      {"creations all seen",
       {{Op::kExpectCreations, 2}, {Op::kCreated}, {Op::kCreated}},
       seconds(0),
       true},
      {"creations pending past the timeout", {{Op::kExpectCreations, 3}}, seconds(301), true},
      {"creations pending at the timeout", {{Op::kExpectCreations, 3}}, seconds(300), false},
      {"deletions pending",
       {{Op::kExpectDeletions, 0, {"shop/a", "shop/b"}}, {Op::kDeleted, 0, {"shop/a"}}},
       seconds(0),
       false},
      {"one deletion seen twice counts once",
       {{Op::kExpectDeletions, 0, {"shop/a", "shop/b"}},
        {Op::kDeleted, 0, {"shop/a"}},
        {Op::kDeleted, 0, {"shop/a"}}},
       seconds(0),
       false},
      {"deletions all seen",
       {{Op::kExpectDeletions, 0, {"shop/a", "shop/b"}},
        {Op::kDeleted, 0, {"shop/b"}},
        {Op::kDeleted, 0, {"shop/a"}}},
       seconds(0),
       true},
      {"an unexpected deletion does not count",
       {{Op::kExpectDeletions, 0, {"shop/a"}}, {Op::kDeleted, 0, {"shop/z"}}},
       seconds(0),
       false},
      {"new expectations replace old ones",
       {{Op::kExpectDeletions, 0, {"shop/a"}}, {Op::kExpectCreations, 1}, {Op::kCreated}},
       seconds(0),
       true},
      {"forgotten", {{Op::kExpectCreations, 3}, {Op::kForget}}, seconds(0), true},
  };
  for (const Row& row : rows) {
    ReplicaSetExpectations expectations;
    for (const Step& step : row.steps) {
      switch (step.op) {
        case Op::kExpectCreations:
          expectations.ExpectCreations("shop/web", step.count, t0);
          break;
        case Op::kExpectDeletions:
          expectations.ExpectDeletions("shop/web", step.keys, t0);
          break;
        case Op::kCreated:
          expectations.CreationObserved("shop/web");
          break;
        case Op::kDeleted:
          expectations.DeletionObserved("shop/web", step.keys[0]);
          break;
        case Op::kForget:
          expectations.Forget("shop/web");
          break;
      }
    }
    EXPECT_EQ(expectations.Satisfied("shop/web", t0 + row.check_at), row.satisfied) << row.name;
    EXPECT_TRUE(expectations.Satisfied("shop/other", t0)) << row.name << ": other keys";
  }
}

}  // namespace
}  // namespace devflow::node
