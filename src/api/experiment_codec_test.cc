#include "api/experiment_codec.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

std::string Render(const FieldErrors& errors) {
  std::string out;
  for (const FieldError& e : errors) out += ToString(e) + "\n";
  return out;
}

constexpr std::string_view kExperimentJson = R"({
  "apiVersion": "argoproj.io/v1alpha1",
  "kind": "Experiment",
  "metadata": {"name": "web-exp", "namespace": "prod", "unknownMeta": 1},
  "spec": {
    "templates": [{
      "name": "baseline",
      "replicas": 0,
      "minReadySeconds": 5,
      "selector": {"matchLabels": {"app": "web", "role": "baseline"}, "unknownSelector": 1},
      "template": {
        "metadata": {"labels": {"app": "web", "role": "baseline"}},
        "spec": {"containers": [{"name": "web", "image": "web:1", "unknownContainer": true}],
                 "unknownPodSpec": {"a": [1]}},
        "unknownTemplate": "t"
      },
      "service": {"name": "baseline-svc", "unknownService": 1},
      "unknownTemplateSpec": 2
    }],
    "duration": "1h",
    "progressDeadlineSeconds": 300,
    "terminate": true,
    "analyses": [{
      "name": "compare", "templateName": "judge", "clusterScope": true,
      "args": [{"name": "hash", "value": "{{templates.baseline.podTemplateHash}}"}],
      "requiredForCompletion": true, "unknownAnalysis": 1
    }],
    "scaleDownDelaySeconds": 0,
    "dryRun": [{"metricName": ".*"}],
    "measurementRetention": [{"metricName": ".*", "limit": 3}],
    "analysisRunMetadata": {"labels": {"a": "b"}, "annotations": {"c": "d"}, "unknownArm": 1},
    "unknownSpec": [1, 2]
  },
  "status": {
    "phase": "Running",
    "message": "m",
    "templateStatuses": [{
      "name": "baseline", "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1,
      "availableReplicas": 1, "collisionCount": 0, "status": "Running", "message": "ok",
      "lastTransitionTime": "2026-11-23T03:16:00Z", "serviceName": "baseline-svc",
      "podTemplateHash": "6f7c9d", "unknownTemplateStatus": 1
    }],
    "availableAt": "2026-11-23T03:17:00Z",
    "conditions": [{"type": "Progressing", "status": "True",
                    "lastUpdateTime": "2026-11-23T03:17:00Z",
                    "lastTransitionTime": "2026-11-23T03:16:00Z",
                    "reason": "NewReplicaSetAvailable", "message": "done", "unknownCond": 1}],
    "analysisRuns": [{"name": "compare", "analysisRun": "web-exp-compare", "phase": "Running",
                      "message": "x", "unknownRun": 1}],
    "unknownStatus": 1
  },
  "unknownTop": {"x": null}
})";

TEST(ExperimentCodecTest, RoundTripsWithUnknownFieldsAtEveryDepth) {
  Result<json::Value> in = json::Parse(kExperimentJson);
  ASSERT_TRUE(in.ok()) << in.error().ToString();
  FieldErrors errors;
  Experiment e = Decode<Experiment>(*in, &errors);
  EXPECT_TRUE(errors.empty()) << Render(errors);
  EXPECT_EQ(Encode(e), *in) << json::WritePretty(Encode(e));

  ASSERT_EQ(e.spec.templates.size(), 1u);
  const ExperimentTemplate& t = e.spec.templates[0];
  EXPECT_EQ(t.replicas, 0);  // an explicit 0 is kept apart from absent
  EXPECT_EQ(t.min_ready_seconds, 5);
  ASSERT_TRUE(t.selector.has_value());
  EXPECT_EQ(t.selector->match_labels.at("role"), "baseline");
  EXPECT_EQ(t.template_.metadata.labels.at("app"), "web");
  EXPECT_TRUE(t.template_.extra.Contains("unknownTemplate"));
  ASSERT_TRUE(t.service.has_value());
  EXPECT_EQ(t.service->name, "baseline-svc");
  EXPECT_EQ(e.spec.duration, "1h");
  EXPECT_EQ(e.spec.progress_deadline_seconds, 300);
  EXPECT_EQ(e.spec.scale_down_delay_seconds, 0);
  ASSERT_EQ(e.spec.analyses.size(), 1u);
  EXPECT_TRUE(e.spec.analyses[0].required_for_completion);
  EXPECT_EQ(e.spec.analyses[0].args[0].value, "{{templates.baseline.podTemplateHash}}");
  EXPECT_EQ(e.spec.analysis_run_metadata.labels.at("a"), "b");
  EXPECT_EQ(e.status.template_statuses[0].collision_count, 0);
  EXPECT_EQ(e.status.analysis_runs[0].analysis_run, "web-exp-compare");
  EXPECT_EQ(e.status.conditions[0].reason, "NewReplicaSetAvailable");
  ASSERT_TRUE(e.status.available_at.has_value());
  EXPECT_EQ(FormatRfc3339(e.status.available_at->value), "2026-11-23T03:17:00Z");
}

TEST(ExperimentCodecTest, WrongTypesAreReportedWithTheirPaths) {
  Result<json::Value> in = json::Parse(R"({"spec": {
    "templates": [{"name": "a", "replicas": "2", "template": {"spec": {"containers": {}}}}],
    "duration": 60, "analyses": [{"name": "x", "requiredForCompletion": "yes"}]}})");
  ASSERT_TRUE(in.ok());
  FieldErrors errors;
  Decode<Experiment>(*in, &errors);
  std::vector<std::string> paths;
  for (const FieldError& e : errors) paths.push_back(e.path.str());
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "spec.templates[0].replicas", "spec.templates[0].template.spec.containers",
                       "spec.duration", "spec.analyses[0].requiredForCompletion"}))
      << Render(errors);
}

}  // namespace
}  // namespace devflow::api
