#include "api/pod_template_identity.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "api/decode.h"
#include "api/defaults.h"
#include "api/pod_codec.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

// A template as a user writes it: no defaults.
PodTemplateSpec Desired() {
  Result<json::Value> v = json::Parse(R"({
    "metadata": {"labels": {"app": "web"}},
    "spec": {
      "containers": [{
        "name": "web", "image": "nginx:1.25",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"},
                {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "volumeMounts": [{"name": "cfg", "mountPath": "/etc/web"}]
      }],
      "volumes": [{"name": "cfg", "configMap": {"name": "web"}}, {"name": "tmp"}],
      "serviceAccountName": "web"
    }
  })");
  EXPECT_TRUE(v.ok());
  return Decode<PodTemplateSpec>(*v);
}

// The same template as the API server stores it in a ReplicaSet: defaults written, hash label
// added, empty members the server emits.
PodTemplateSpec LiveFromServer() {
  Result<json::Value> v = json::Parse(R"({
    "metadata": {"labels": {"app": "web", "rollouts-pod-template-hash": "6d4f8b9c7"},
                 "creationTimestamp": null, "annotations": {}},
    "spec": {
      "containers": [{
        "name": "web", "image": "nginx:1.25",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"},
                {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                            "fieldPath": "metadata.name"}}}],
        "resources": {"limits": {"cpu": "0.5", "memory": "1024Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                           "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
                           "failureThreshold": 3},
        "volumeMounts": [{"name": "cfg", "mountPath": "/etc/web"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"
      }],
      "volumes": [{"name": "cfg", "configMap": {"name": "web", "defaultMode": 420}},
                  {"name": "tmp", "emptyDir": {}}],
      "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
      "dnsPolicy": "ClusterFirst", "securityContext": {}, "schedulerName": "default-scheduler",
      "enableServiceLinks": true, "serviceAccount": "web", "serviceAccountName": "web",
      "initContainers": [], "tolerations": null
    }
  })");
  EXPECT_TRUE(v.ok());
  return Decode<PodTemplateSpec>(*v);
}

struct Row {
  const char* name;
  std::function<void(PodTemplateSpec&)> change;  // applied to a copy of Desired()
  bool equal;
};

TEST(PodTemplateIdentityTest, EqualityTable) {
  const Row rows[] = {
      {"identical", [](PodTemplateSpec&) {}, true},
      {"hash label only on one side",
       [](PodTemplateSpec& t) {
         t.metadata.labels[std::string(defaults::kPodTemplateHashLabel)] = "abc";
       },
       true},
      {"defaults written explicitly",
       [](PodTemplateSpec& t) {
         t.spec.restart_policy = "Always";
         t.spec.termination_grace_period_seconds = 30;
         t.spec.dns_policy = "ClusterFirst";
         t.spec.scheduler_name = "default-scheduler";
         t.spec.security_context = json::Value(json::Object{});
         Container& c = t.spec.containers[0];
         c.termination_message_path = "/dev/termination-log";
         c.termination_message_policy = "File";
         c.image_pull_policy = "IfNotPresent";
         c.ports[0].protocol = "TCP";
         c.readiness_probe->timeout_seconds = 1;
         c.readiness_probe->period_seconds = 10;
         c.readiness_probe->success_threshold = 1;
         c.readiness_probe->failure_threshold = 3;
         c.readiness_probe->http_get->scheme = "HTTP";
       },
       true},
      {"explicit zero probe numbers mean defaults",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->period_seconds = 0; }, true},
      {"cpu 500m vs 0.5",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].resources.limits["cpu"] = Quantity::MustParse("0.5");
       },
       true},
      {"memory 1Gi vs bytes",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].resources.limits["memory"] = Quantity::MustParse("1073741824");
       },
       true},
      {"empty list vs absent",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].command.clear();
         t.spec.tolerations = json::Value(json::Array{});
         t.spec.extra.Set("futureList", json::Array{});
       },
       true},
      {"empty map vs absent",
       [](PodTemplateSpec& t) { t.spec.affinity = json::Value(json::Object{}); }, true},
      {"image change", [](PodTemplateSpec& t) { t.spec.containers[0].image = "nginx:1.26"; },
       false},
      {"env order change",
       [](PodTemplateSpec& t) {
         std::swap(t.spec.containers[0].env[0], t.spec.containers[0].env[1]);
       },
       false},
      {"unknown field change",
       [](PodTemplateSpec& t) { t.spec.containers[0].extra.Set("stdin", true); }, false},
      {"unknown nested field change",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].readiness_probe->http_get->extra.Set("futureHttp", 1);
       },
       false},
      {"cpu value change",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].resources.limits["cpu"] = Quantity::MustParse("501m");
       },
       false},
      {"other label change", [](PodTemplateSpec& t) { t.metadata.labels["app"] = "api"; }, false},
      {"annotation added",
       [](PodTemplateSpec& t) { t.metadata.annotations["restartedAt"] = "now"; }, false},
      {"non-default grace period",
       [](PodTemplateSpec& t) { t.spec.termination_grace_period_seconds = 0; }, false},
      {"latest tag pulls Always",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].image = "nginx";
         t.spec.containers[0].image_pull_policy = "IfNotPresent";
       },
       false},
  };
  const PodTemplateSpec desired = Desired();
  for (const Row& row : rows) {
    PodTemplateSpec other = desired;
    row.change(other);
    EXPECT_EQ(SemanticallyEqual(desired, other), row.equal) << row.name;
    EXPECT_EQ(SemanticallyEqual(other, desired), row.equal) << row.name << " (reversed)";
  }
}

TEST(PodTemplateIdentityTest, AdoptsTheTemplateTheServerStored) {
  EXPECT_TRUE(SemanticallyEqual(Desired(), LiveFromServer()))
      << json::WritePretty(CanonicalPodTemplate(Desired())) << "\n"
      << json::WritePretty(CanonicalPodTemplate(LiveFromServer()));
  EXPECT_EQ(PodTemplateHash(Desired(), std::nullopt),
            PodTemplateHash(LiveFromServer(), std::nullopt));
}

TEST(PodTemplateIdentityTest, ImagePullPolicyDefaultFollowsTheTag) {
  struct PullRow {
    const char* image;
    const char* policy;
  };
  const PullRow rows[] = {
      {"nginx", "Always"},
      {"nginx:latest", "Always"},
      {"nginx:1.25", "IfNotPresent"},
      {"localhost:5000/nginx", "Always"},
      {"localhost:5000/nginx:2", "IfNotPresent"},
      {"nginx@sha256:abcd", "IfNotPresent"},
      {"nginx:latest@sha256:abcd", "Always"},
  };
  for (const PullRow& row : rows) {
    PodTemplateSpec t;
    t.spec.containers = {Container{.name = "c", .image = row.image}};
    json::Value canonical = CanonicalPodTemplate(t);
    const json::Value& c = canonical["spec"]["containers"].as_array().at(0);
    EXPECT_EQ(*c.Find("imagePullPolicy"), json::Value(row.policy)) << row.image;
  }
}

TEST(PodTemplateIdentityTest, HashIsStableAndSensitive) {
  const PodTemplateSpec t = Desired();
  const std::string hash = PodTemplateHash(t, std::nullopt);
  // Golden value: the hash names ReplicaSets, so it must not change between runs or releases.
  // Cross-checked with an independent FNV-32a over json::Write(CanonicalPodTemplate(t)).
  EXPECT_EQ(hash, "bd4476d56");
  EXPECT_EQ(PodTemplateHash(t, 1), "65fc95c449");
  EXPECT_EQ(PodTemplateHash(t, std::nullopt), hash);

  PodTemplateSpec labelled = t;
  labelled.metadata.labels[std::string(defaults::kPodTemplateHashLabel)] = hash;
  EXPECT_EQ(PodTemplateHash(labelled, std::nullopt), hash) << "the hash label is ignored";

  PodTemplateSpec changed = t;
  changed.spec.containers[0].image = "nginx:1.26";
  std::set<std::string> hashes = {hash, PodTemplateHash(changed, std::nullopt),
                                  PodTemplateHash(t, 0), PodTemplateHash(t, 1),
                                  PodTemplateHash(t, 2)};
  EXPECT_EQ(hashes.size(), 5u) << "template and collision count both change the hash";

  for (const std::string& h : hashes) {
    EXPECT_FALSE(h.empty());
    EXPECT_LE(h.size(), 10u);
    EXPECT_EQ(h.find_first_not_of("bcdfghjklmnpqrstvwxz2456789"), std::string::npos) << h;
  }
}

TEST(PodTemplateIdentityTest, SafeEncodeStringMapsCharacterCodes) {
  // '0' is 48 -> 48 % 27 = 21 -> '4'; '9' is 57 -> 3 -> 'f'.
  EXPECT_EQ(SafeEncodeString("0"), "4");
  EXPECT_EQ(SafeEncodeString("9"), "f");
  EXPECT_EQ(SafeEncodeString("0123456789"), "456789bcdf");
}

}  // namespace
}  // namespace devflow::api
