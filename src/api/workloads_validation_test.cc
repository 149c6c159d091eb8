#include "api/workloads_validation.h"

#include <gtest/gtest.h>

#include <functional>

namespace devflow::api {
namespace {

PodTemplateSpec ValidTemplate() {
  PodTemplateSpec t;
  t.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  Container c;
  c.name = "web";
  c.image = "nginx:1.25";
  t.spec.containers = {c};
  return t;
}

ReplicaSet ValidReplicaSet() {
  ReplicaSet rs;
  rs.spec.replicas = 3;
  rs.spec.selector.match_labels = {{"app", "web"}};
  rs.spec.template_ = ValidTemplate();
  return rs;
}

Deployment ValidDeployment() {
  Deployment d;
  d.spec.replicas = 2;
  d.spec.selector.match_labels = {{"app", "web"}};
  d.spec.template_ = ValidTemplate();
  d.spec.strategy = json::Value(
      json::Object{{"type", "RollingUpdate"},
                   {"rollingUpdate", json::Object{{"maxSurge", "25%"}, {"maxUnavailable", 0}}}});
  d.spec.progress_deadline_seconds = 600;
  d.spec.revision_history_limit = 0;
  return d;
}

Job ValidJob() {
  Job j;
  j.spec.template_ = ValidTemplate();
  j.spec.template_.spec.restart_policy = "Never";
  j.spec.backoff_limit = 0;
  j.spec.completions = 1;
  return j;
}

template <class T>
struct Row {
  const char* name;
  std::function<void(T&)> mutate;
  const char* path;
  const char* message;
};

template <class T>
void RunRows(const char* suite, T (*valid)(), const std::vector<Row<T>>& rows) {
  FieldErrors base = Validate(valid());
  EXPECT_TRUE(base.empty()) << suite << " valid example: " << ToString(base.at(0));
  for (const Row<T>& row : rows) {
    T obj = valid();
    row.mutate(obj);
    FieldErrors errors = Validate(obj);
    ASSERT_EQ(errors.size(), 1u) << suite << "/" << row.name
                                 << (errors.empty() ? "" : ": " + ToString(errors[0]));
    EXPECT_EQ(errors[0].path.str(), row.path) << suite << "/" << row.name;
    EXPECT_NE(errors[0].message.find(row.message), std::string::npos)
        << suite << "/" << row.name << ": " << errors[0].message;
  }
}

TEST(WorkloadsValidationTest, ReplicaSetRules) {
  RunRows<ReplicaSet>(
      "ReplicaSet", ValidReplicaSet,
      {
          {"negative replicas", [](ReplicaSet& rs) { rs.spec.replicas = -1; }, "spec.replicas",
           "must be >= 0, got -1"},
          {"negative minReadySeconds", [](ReplicaSet& rs) { rs.spec.min_ready_seconds = -3; },
           "spec.minReadySeconds", "must be >= 0"},
          {"empty selector", [](ReplicaSet& rs) { rs.spec.selector = {}; }, "spec.selector",
           "must not be empty"},
          {"selector does not match",
           [](ReplicaSet& rs) { rs.spec.selector.match_labels["app"] = "api"; },
           "spec.template.metadata.labels", "must match the selector spec.selector (app=api)"},
          {"expression does not match",
           [](ReplicaSet& rs) {
             rs.spec.selector.match_expressions = {LabelSelectorRequirement{
                 .key = "tier", .operator_ = "NotIn", .values = {"front"}}};
           },
           "spec.template.metadata.labels", "must match the selector"},
          {"bad operator",
           [](ReplicaSet& rs) {
             rs.spec.selector.match_expressions = {
                 LabelSelectorRequirement{.key = "tier", .operator_ = "Equals"}};
           },
           "spec.selector.matchExpressions[0].operator", "must be In, NotIn, Exists or"},
          {"In without values",
           [](ReplicaSet& rs) {
             rs.spec.selector.match_expressions = {
                 LabelSelectorRequirement{.key = "tier", .operator_ = "In"}};
           },
           "spec.selector.matchExpressions[0].values", "must not be empty when operator is In"},
          {"Exists with values",
           [](ReplicaSet& rs) {
             rs.spec.selector.match_expressions = {
                 LabelSelectorRequirement{.key = "tier", .operator_ = "Exists", .values = {"x"}}};
           },
           "spec.selector.matchExpressions[0].values", "must be empty"},
          {"bad selector value",
           [](ReplicaSet& rs) { rs.spec.selector.match_labels["app"] = "web!"; },
           "spec.selector.matchLabels.app", "starting and ending"},
          {"template restartPolicy",
           [](ReplicaSet& rs) { rs.spec.template_.spec.restart_policy = "OnFailure"; },
           "spec.template.spec.restartPolicy", "must be Always"},
          {"template container invalid",
           [](ReplicaSet& rs) { rs.spec.template_.spec.containers[0].image = ""; },
           "spec.template.spec.containers[0].image", "must not be empty"},
      });
}

TEST(WorkloadsValidationTest, DeploymentRules) {
  auto strategy = [](json::Object o) { return json::Value(std::move(o)); };
  RunRows<Deployment>(
      "Deployment", ValidDeployment,
      {
          {"negative replicas", [](Deployment& d) { d.spec.replicas = -2; }, "spec.replicas",
           "must be >= 0"},
          {"negative minReadySeconds", [](Deployment& d) { d.spec.min_ready_seconds = -1; },
           "spec.minReadySeconds", "must be >= 0"},
          {"negative revisionHistoryLimit",
           [](Deployment& d) { d.spec.revision_history_limit = -1; }, "spec.revisionHistoryLimit",
           "must be >= 0"},
          {"deadline not above minReadySeconds",
           [](Deployment& d) {
             d.spec.min_ready_seconds = 30;
             d.spec.progress_deadline_seconds = 30;
           },
           "spec.progressDeadlineSeconds", "must be greater than minReadySeconds (30), got 30"},
          {"unknown strategy type",
           [&](Deployment& d) {
             d.spec.strategy = strategy({{"type", "BlueGreen"}});
           },
           "spec.strategy.type", "must be RollingUpdate or Recreate, got \"BlueGreen\""},
          {"rollingUpdate with Recreate",
           [&](Deployment& d) { d.spec.strategy["type"] = "Recreate"; },
           "spec.strategy.rollingUpdate", "must not be set when type is Recreate"},
          {"both zero", [&](Deployment& d) { d.spec.strategy["rollingUpdate"]["maxSurge"] = 0; },
           "spec.strategy.rollingUpdate.maxUnavailable", "must not be 0 when maxSurge is 0"},
          {"both zero percent",
           [&](Deployment& d) {
             d.spec.strategy["rollingUpdate"]["maxSurge"] = "0%";
             d.spec.strategy["rollingUpdate"]["maxUnavailable"] = "0%";
           },
           "spec.strategy.rollingUpdate.maxUnavailable", "must not be 0 when maxSurge is 0"},
          {"negative surge",
           [&](Deployment& d) { d.spec.strategy["rollingUpdate"]["maxSurge"] = -1; },
           "spec.strategy.rollingUpdate.maxSurge", "must be >= 0"},
          {"surge not a percentage",
           [&](Deployment& d) { d.spec.strategy["rollingUpdate"]["maxSurge"] = "25"; },
           "spec.strategy.rollingUpdate.maxSurge", "a percentage such as \"25%\", got \"25\""},
          {"unavailable above 100%",
           [&](Deployment& d) { d.spec.strategy["rollingUpdate"]["maxUnavailable"] = "150%"; },
           "spec.strategy.rollingUpdate.maxUnavailable", "at most 100%"},
          {"empty selector", [](Deployment& d) { d.spec.selector = {}; }, "spec.selector",
           "must not be empty"},
          {"selector does not match",
           [](Deployment& d) { d.spec.selector.match_labels["track"] = "canary"; },
           "spec.template.metadata.labels", "must match the selector"},
          {"template restartPolicy",
           [](Deployment& d) { d.spec.template_.spec.restart_policy = "Never"; },
           "spec.template.spec.restartPolicy", "must be Always"},
      });
}

TEST(WorkloadsValidationTest, JobRules) {
  RunRows<Job>(
      "Job", ValidJob,
      {
          {"negative parallelism", [](Job& j) { j.spec.parallelism = -1; }, "spec.parallelism",
           "must be >= 0"},
          {"negative completions", [](Job& j) { j.spec.completions = -1; }, "spec.completions",
           "must be >= 0"},
          {"zero active deadline", [](Job& j) { j.spec.active_deadline_seconds = 0; },
           "spec.activeDeadlineSeconds", "must be >= 1, got 0"},
          {"negative backoffLimit", [](Job& j) { j.spec.backoff_limit = -1; }, "spec.backoffLimit",
           "must be >= 0"},
          {"negative ttl", [](Job& j) { j.spec.ttl_seconds_after_finished = -1; },
           "spec.ttlSecondsAfterFinished", "must be >= 0"},
          {"restartPolicy unset", [](Job& j) { j.spec.template_.spec.restart_policy = ""; },
           "spec.template.spec.restartPolicy", "must be OnFailure or Never"},
          {"restartPolicy Always", [](Job& j) { j.spec.template_.spec.restart_policy = "Always"; },
           "spec.template.spec.restartPolicy", "must be OnFailure or Never"},
          {"manual selector missing", [](Job& j) { j.spec.manual_selector = true; },
           "spec.selector", "must not be empty"},
          {"manual selector does not match",
           [](Job& j) {
             j.spec.manual_selector = true;
             j.spec.selector = LabelSelector{.match_labels = {{"app", "other"}}};
           },
           "spec.template.metadata.labels", "must match the selector"},
          {"template container invalid",
           [](Job& j) { j.spec.template_.spec.containers[0].name = ""; },
           "spec.template.spec.containers[0].name", "must not be empty"},
      });
}

TEST(WorkloadsValidationTest, ValidVariantsPass) {
  Job j = ValidJob();
  j.spec.manual_selector = true;
  j.spec.selector = LabelSelector{.match_labels = {{"app", "web"}}};
  j.spec.template_.spec.restart_policy = "OnFailure";
  EXPECT_TRUE(Validate(j).empty());

  Job generated = ValidJob();
  generated.spec.selector = LabelSelector{.match_labels = {{"controller-uid", "u"}}};
  EXPECT_TRUE(Validate(generated).empty()) << "a server-generated selector is not checked";

  Deployment d = ValidDeployment();
  d.spec.strategy = json::Value(json::Object{{"type", "Recreate"}});
  d.spec.selector = LabelSelector{.match_expressions = {LabelSelectorRequirement{
                                      .key = "tier", .operator_ = "In", .values = {"front"}}}};
  EXPECT_TRUE(Validate(d).empty());

  ReplicaSet rs = ValidReplicaSet();
  rs.spec.replicas = 0;
  EXPECT_TRUE(Validate(rs).empty());
}

}  // namespace
}  // namespace devflow::api
