#include "api/workloads_codec.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

json::Value ParseJson(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  if (!v.ok()) ADD_FAILURE() << v.error().ToString();
  return v.ok() ? *v : json::Value();
}

constexpr std::string_view kTemplate = R"({
  "metadata": {"labels": {"app": "web", "rollouts-pod-template-hash": "abc"},
               "creationTimestamp": null},
  "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "resources": {},
                           "futureContainer": 1}]}
})";

template <class T>
void ExpectRoundTrip(const char* name, const std::string& text) {
  json::Value in = ParseJson(text);
  FieldErrors errors;
  T obj = Decode<T>(in, &errors);
  EXPECT_TRUE(errors.empty()) << name << ": " << (errors.empty() ? "" : ToString(errors[0]));
  json::Value out = Encode(obj);
  // Empty members the API server writes (creationTimestamp: null, resources: {}) are omitted
  // on encoding, as Go's omitempty does; everything else survives.
  json::Value* tmpl = in["spec"].Find("template");
  if (tmpl != nullptr) {
    (*tmpl)["metadata"].as_object().Erase("creationTimestamp");
    (*tmpl)["spec"]["containers"].as_array()[0].as_object().Erase("resources");
  }
  EXPECT_EQ(out, in) << name << ": " << json::WritePretty(out);
}

TEST(WorkloadsCodecTest, RoundTripsEveryKindKeepingUnknownFields) {
  const std::string tmpl(kTemplate);
  ExpectRoundTrip<ReplicaSet>(
      "ReplicaSet",
      R"({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc"},
          "spec": {"replicas": 0, "minReadySeconds": 5, "selector": {"matchLabels":
          {"app": "web"}}, "template": )" +
          tmpl + R"(, "futureSpec": "x"},
          "status": {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1,
          "availableReplicas": 1, "observedGeneration": 4, "conditions": [{"type":
          "ReplicaFailure", "status": "True", "reason": "FailedCreate", "futureCond": 1}]}})");
  ExpectRoundTrip<Deployment>(
      "Deployment",
      R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": )" +
          tmpl + R"(, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%",
          "maxUnavailable": 0}}, "minReadySeconds": 1, "revisionHistoryLimit": 0,
          "paused": true, "progressDeadlineSeconds": 600},
          "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3,
          "unavailableReplicas": 1, "collisionCount": 0, "conditions": [{"type": "Available",
          "status": "True", "lastUpdateTime": "2026-01-01T00:00:00Z"}], "futureStatus": {}}})");
  ExpectRoundTrip<Job>("Job",
                       R"({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
          "spec": {"parallelism": 1, "completions": 1, "activeDeadlineSeconds": 60,
          "backoffLimit": 0, "manualSelector": false, "suspend": false,
          "ttlSecondsAfterFinished": 0, "completionMode": "NonIndexed", "template": )" +
                           tmpl + R"(},
          "status": {"startTime": "2026-01-01T00:00:00Z", "completionTime":
          "2026-01-01T00:01:00Z", "succeeded": 1, "ready": 0, "conditions": [{"type":
          "Complete", "status": "True"}], "uncountedTerminatedPods": {"succeeded": ["u"]}}})");
}

TEST(WorkloadsCodecTest, DecodesOptionalFieldsAsGoPointers) {
  Deployment d = Decode<Deployment>(ParseJson(R"({"spec": {"revisionHistoryLimit": 0}})"));
  EXPECT_EQ(d.spec.replicas, std::nullopt);
  EXPECT_EQ(d.spec.revision_history_limit, 0);
  EXPECT_EQ(d.spec.progress_deadline_seconds, std::nullopt);

  Job j = Decode<Job>(ParseJson(
      R"({"spec": {"selector": {"matchLabels": {"controller-uid": "u"}}, "backoffLimit": 2}})"));
  ASSERT_TRUE(j.spec.selector.has_value());
  EXPECT_EQ(j.spec.selector->match_labels.at("controller-uid"), "u");
  EXPECT_EQ(j.spec.backoff_limit, 2);
  EXPECT_EQ(j.spec.parallelism, std::nullopt);
}

TEST(WorkloadsCodecTest, ReportsTypeErrorsUnderTheTemplate) {
  FieldErrors errors;
  Decode<Job>(ParseJson(R"({"spec": {"template": {"spec": {"containers": [{"name": "a",
      "env": [{"name": "X", "value": 1}]}]}}, "suspend": "yes"}})"),
              &errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(ToString(errors[0]),
            "spec.template.spec.containers[0].env[0].value: must be a string, got integer");
  EXPECT_EQ(errors[1].path.str(), "spec.suspend");
}

}  // namespace
}  // namespace devflow::api
