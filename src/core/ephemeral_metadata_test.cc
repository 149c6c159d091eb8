#include "core/ephemeral_metadata.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/pod_codec.h"
#include "api/rollout_codec.h"
#include "api/workloads_codec.h"

namespace devflow::core {
namespace {

using Delta = std::map<std::string, std::optional<std::string>>;

api::Rollout RolloutWith(const std::string& strategy) {
  return api::testing::DecodeJsonText<api::Rollout>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
    "metadata": {"name": "web", "namespace": "default", "uid": "rollout-uid"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
      "template": {"metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}},
      "strategy": )" + strategy + "}}");
}

const char kCanary[] = R"({"canary": {"canaryMetadata": {"labels": {"role": "canary"},
                                                        "annotations": {"note": "new"}},
                                      "stableMetadata": {"labels": {"role": "stable"}}}})";

// A ReplicaSet of `rollout`'s template carrying `injected` (recorded as Argo records it).
api::ReplicaSet ReplicaSetOf(const api::Rollout& rollout, const std::string& record,
                             std::map<std::string, std::string> extra_labels = {},
                             int replicas = 2) {
  api::ReplicaSet rs;
  rs.metadata.name = "web-abc";
  rs.metadata.uid = "rs-uid";
  rs.spec.replicas = replicas;
  rs.spec.template_ = rollout.spec.template_;
  rs.spec.template_.metadata.labels["rollouts-pod-template-hash"] = "abc";
  for (const auto& [key, value] : extra_labels) rs.spec.template_.metadata.labels[key] = value;
  if (!record.empty()) rs.metadata.annotations[std::string(kEphemeralMetadataAnnotation)] = record;
  return rs;
}

api::Pod PodOf(const std::string& name, const std::string& owner_uid,
               std::map<std::string, std::string> labels, bool deleting = false) {
  api::Pod pod;
  pod.metadata.name = name;
  pod.metadata.uid = name + "-uid";
  pod.metadata.labels = std::move(labels);
  pod.metadata.owner_references.push_back(
      {.kind = "ReplicaSet", .name = "web-abc", .uid = owner_uid, .controller = true});
  if (deleting)
    pod.metadata.deletion_timestamp = api::Time{api::TimePoint{std::chrono::seconds(1)}};
  return pod;
}

TEST(EphemeralMetadataTest, GivenARoleThenTheStrategysMetadataForItIsChosen) {
  const api::Rollout canary = RolloutWith(kCanary);
  EXPECT_EQ(EphemeralMetadataFor(canary, EphemeralRole::kUpdating).labels.at("role"), "canary");
  EXPECT_EQ(EphemeralMetadataFor(canary, EphemeralRole::kStable).labels.at("role"), "stable");
  EXPECT_TRUE(EphemeralMetadataFor(canary, EphemeralRole::kNone).labels.empty());
  const api::Rollout blue_green = RolloutWith(R"({"blueGreen": {"activeService": "a",
      "previewMetadata": {"labels": {"role": "preview"}},
      "activeMetadata": {"labels": {"role": "active"}}}})");
  EXPECT_EQ(EphemeralMetadataFor(blue_green, EphemeralRole::kUpdating).labels.at("role"),
            "preview");
  EXPECT_EQ(EphemeralMetadataFor(blue_green, EphemeralRole::kStable).labels.at("role"), "active");
  EXPECT_FALSE(UsesEphemeralMetadata(RolloutWith(R"({"canary": {}})"), {}));
  EXPECT_TRUE(UsesEphemeralMetadata(canary, {}));
  EXPECT_TRUE(UsesEphemeralMetadata(RolloutWith(R"({"canary": {}})"),
                                    {ReplicaSetOf(canary, R"({"labels":{"role":"x"}})")}))
      << "a record left behind must still be removed";
}

TEST(EphemeralMetadataTest, GivenInjectedMetadataThenTheTemplateIsStillTheRollouts) {
  const api::Rollout rollout = RolloutWith(kCanary);
  const api::ReplicaSet injected =
      ReplicaSetOf(rollout, R"({"labels":{"role":"canary"}})", {{"role", "canary"}});
  EXPECT_TRUE(RunsRolloutTemplate(rollout, injected));
  EXPECT_EQ(InjectedMetadataOf(injected).labels.at("role"), "canary");
  const api::ReplicaSet unrecorded = ReplicaSetOf(rollout, "", {{"role", "canary"}});
  EXPECT_FALSE(RunsRolloutTemplate(rollout, unrecorded))
      << "a label nobody recorded as injected is part of the template";
  EXPECT_TRUE(InjectedMetadataOf(ReplicaSetOf(rollout, "not json")).labels.empty());
}

TEST(EphemeralMetadataTest, GivenACreatedReplicaSetThenItCarriesAndRecordsTheMetadata) {
  const api::Rollout rollout = RolloutWith(kCanary);
  api::ReplicaSet rs = ReplicaSetOf(rollout, "");
  InjectEphemeralMetadata(EphemeralMetadataFor(rollout, EphemeralRole::kUpdating), rs);
  EXPECT_EQ(rs.spec.template_.metadata.labels.at("role"), "canary");
  EXPECT_EQ(rs.spec.template_.metadata.annotations.at("note"), "new");
  EXPECT_EQ(rs.metadata.annotations.at(std::string(kEphemeralMetadataAnnotation)),
            R"({"labels":{"role":"canary"},"annotations":{"note":"new"}})");
  EXPECT_TRUE(RunsRolloutTemplate(rollout, rs));
  api::ReplicaSet none = ReplicaSetOf(rollout, "");
  InjectEphemeralMetadata({}, none);
  EXPECT_FALSE(none.metadata.annotations.contains(std::string(kEphemeralMetadataAnnotation)));
}

struct SyncRow {
  std::string name;
  std::string record;                           // what the ReplicaSet records as injected
  std::map<std::string, std::string> rs_extra;  // labels in its template besides the Rollout's
  EphemeralRole role;
  Delta want_template_labels;
  std::optional<std::optional<std::string>> want_record;  // unset: unchanged
};

TEST(EphemeralMetadataTest, GivenARoleChangeThenTheTemplateAndRecordFollow) {
  const std::vector<SyncRow> rows = {
      {"canary to stable: the label changes",
       R"({"labels":{"role":"canary"},"annotations":{"note":"new"}})",
       {{"role", "canary"}},
       EphemeralRole::kStable,
       {{"role", "stable"}},
       std::optional<std::string>(R"({"labels":{"role":"stable"}})")},
      {"to no role: only what was injected goes",
       R"({"labels":{"role":"stable"}})",
       {{"role", "stable"}, {"team", "a"}},
       EphemeralRole::kNone,
       {{"role", std::nullopt}},
       std::optional<std::string>()},
      {"already in step: nothing",
       R"({"labels":{"role":"stable"}})",
       {{"role", "stable"}},
       EphemeralRole::kStable,
       {},
       std::nullopt},
      {"nothing injected and no role: nothing", "", {}, EphemeralRole::kNone, {}, std::nullopt},
  };
  const api::Rollout rollout = RolloutWith(kCanary);
  for (const SyncRow& row : rows) {
    SCOPED_TRACE(row.name);
    ReplicaSetChange change;
    std::vector<PodMetadataChange> pods;
    SyncEphemeralMetadata(rollout, ReplicaSetOf(rollout, row.record, row.rs_extra),
                          EphemeralMetadataFor(rollout, row.role), {}, change, pods);
    EXPECT_EQ(change.template_labels, row.want_template_labels);
    const std::string key(kEphemeralMetadataAnnotation);
    if (row.want_record) {
      ASSERT_TRUE(change.annotations.contains(key));
      EXPECT_EQ(change.annotations.at(key), *row.want_record);
    } else {
      EXPECT_FALSE(change.annotations.contains(key));
    }
  }
}

TEST(EphemeralMetadataTest, GivenLivePodsThenTheyAreConvergedOnEveryEphemeralKeyOnly) {
  const api::Rollout rollout = RolloutWith(kCanary);
  // The ReplicaSet already moved from canary to stable (a crash left its pods behind).
  const api::ReplicaSet rs =
      ReplicaSetOf(rollout, R"({"labels":{"role":"stable"}})", {{"role", "stable"}});
  const std::vector<api::Pod> pods = {
      PodOf("behind", "rs-uid", {{"app", "web"}, {"role", "canary"}, {"extra", "kept"}}),
      PodOf("in-step", "rs-uid", {{"app", "web"}, {"role", "stable"}}),
      PodOf("unlabelled", "rs-uid", {{"app", "web"}}),
      PodOf("someone-elses", "other-uid", {{"role", "canary"}}),
      PodOf("going", "rs-uid", {{"role", "canary"}}, /*deleting=*/true),
  };
  ReplicaSetChange change;
  std::vector<PodMetadataChange> changes;
  SyncEphemeralMetadata(rollout, rs, EphemeralMetadataFor(rollout, EphemeralRole::kStable), pods,
                        change, changes);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].name, "behind");
  EXPECT_EQ(changes[0].uid, "behind-uid");
  EXPECT_EQ(changes[0].labels, (Delta{{"role", "stable"}})) << "app and extra are not ours";
  EXPECT_TRUE(changes[0].annotations.empty()) << "note is not on the pod: nothing to remove";
  EXPECT_EQ(changes[1].name, "unlabelled");
  EXPECT_EQ(changes[1].labels, (Delta{{"role", "stable"}}));

  std::vector<PodMetadataChange> scaled_to_zero;
  ReplicaSetChange ignored;
  SyncEphemeralMetadata(rollout,
                        ReplicaSetOf(rollout, R"({"labels":{"role":"stable"}})",
                                     {{"role", "stable"}}, /*replicas=*/0),
                        EphemeralMetadataFor(rollout, EphemeralRole::kStable), pods, ignored,
                        scaled_to_zero);
  EXPECT_TRUE(scaled_to_zero.empty()) << "pods of a ReplicaSet at 0 are going away";
}

TEST(EphemeralMetadataTest, GivenAnAnnotationOnAPodThatIsNoLongerWantedThenItIsRemoved) {
  const api::Rollout rollout = RolloutWith(kCanary);
  api::ReplicaSet rs =
      ReplicaSetOf(rollout, R"({"labels":{"role":"canary"},"annotations":{"note":"new"}})",
                   {{"role", "canary"}});
  rs.spec.template_.metadata.annotations["note"] = "new";
  api::Pod pod = PodOf("p", "rs-uid", {{"role", "canary"}});
  pod.metadata.annotations["note"] = "new";
  ReplicaSetChange change;
  std::vector<PodMetadataChange> changes;
  SyncEphemeralMetadata(rollout, rs, EphemeralMetadataFor(rollout, EphemeralRole::kStable), {pod},
                        change, changes);
  EXPECT_EQ(change.template_annotations, (Delta{{"note", std::nullopt}}));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].labels, (Delta{{"role", "stable"}}));
  EXPECT_EQ(changes[0].annotations, (Delta{{"note", std::nullopt}}));
}

}  // namespace
}  // namespace devflow::core
