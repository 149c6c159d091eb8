#include "api/pod_codec.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "api/workloads_codec.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

json::Value ParseJson(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  if (!v.ok()) ADD_FAILURE() << v.error().ToString();
  return v.ok() ? *v : json::Value();
}

constexpr std::string_view kPod = R"({
  "apiVersion": "v1", "kind": "Pod", "futureTopLevel": {"x": 1},
  "metadata": {"name": "web-1", "namespace": "prod", "labels": {"app": "web"},
               "managedFields": [{"manager": "kubectl"}]},
  "spec": {
    "volumes": [{"name": "cfg", "configMap": {"name": "web"}}],
    "containers": [{
      "name": "web", "image": "nginx:1.25", "command": ["nginx"], "args": ["-g", "daemon off;"],
      "workingDir": "/srv", "stdin": true,
      "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP", "appProtocol": "h2c"}],
      "env": [{"name": "A", "value": "1"},
              {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name",
                                                          "futureRef": true}}},
              {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k",
                                                            "optional": false}}}],
      "envFrom": [{"configMapRef": {"name": "env"}}],
      "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": 0.25},
                    "claims": [{"name": "gpu"}]},
      "volumeMounts": [{"name": "cfg", "mountPath": "/etc/web"}],
      "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP",
                                     "httpHeaders": [{"name": "X", "value": "y"}],
                                     "futureHttp": 3},
                         "periodSeconds": 5, "failureThreshold": 0},
      "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 3},
      "startupProbe": {"exec": {"command": ["true"]}, "terminationGracePeriodSeconds": 9},
      "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
      "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
      "imagePullPolicy": "IfNotPresent", "securityContext": {"runAsUser": 0}
    }],
    "restartPolicy": "Always", "terminationGracePeriodSeconds": 0, "dnsPolicy": "ClusterFirst",
    "nodeSelector": {"disk": "ssd"}, "serviceAccountName": "web", "hostNetwork": false,
    "securityContext": {"fsGroup": 2000}, "imagePullSecrets": [{"name": "regcred"}],
    "affinity": {"nodeAffinity": {}}, "schedulerName": "default-scheduler",
    "tolerations": [{"key": "k", "operator": "Exists"}], "runtimeClassName": "gvisor"
  },
  "status": {
    "phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.1.0.5",
    "podIPs": [{"ip": "10.1.0.5"}], "startTime": "2026-01-02T03:04:05Z",
    "conditions": [{"type": "Ready", "status": "True",
                    "lastTransitionTime": "2026-01-02T03:04:06Z", "futureCond": 1}],
    "containerStatuses": [{
      "name": "web", "ready": true, "started": true, "restartCount": 2, "image": "nginx:1.25",
      "imageID": "docker://sha", "containerID": "containerd://abc",
      "state": {"running": {"startedAt": "2026-01-02T03:04:05Z"}},
      "lastState": {"terminated": {"exitCode": 137, "signal": 9, "reason": "OOMKilled",
                                   "startedAt": "2026-01-02T03:00:00Z",
                                   "finishedAt": "2026-01-02T03:04:00Z", "futureTerm": "x"}},
      "allocatedResources": {"cpu": "1"}
    }],
    "qosClass": "Burstable", "futureStatus": [1, 2]
  }
})";

TEST(PodCodecTest, RoundTripKeepsUnknownFieldsAtEveryDepth) {
  json::Value in = ParseJson(kPod);
  FieldErrors errors;
  Pod pod = Decode<Pod>(in, &errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : ToString(errors[0]));
  EXPECT_EQ(Encode(pod), in) << json::WritePretty(Encode(pod));

  // Unknown members landed in the `extra` of the struct at their depth.
  EXPECT_TRUE(pod.extra.Contains("futureTopLevel"));
  EXPECT_TRUE(pod.spec.extra.Contains("runtimeClassName"));
  const Container& c = pod.spec.containers.at(0);
  EXPECT_TRUE(c.extra.Contains("stdin"));
  EXPECT_TRUE(c.ports.at(0).extra.Contains("appProtocol"));
  EXPECT_TRUE(c.env.at(1).value_from->field_ref->extra.Contains("futureRef"));
  EXPECT_TRUE(c.readiness_probe->http_get->extra.Contains("futureHttp"));
  EXPECT_TRUE(c.resources.extra.Contains("claims"));
  EXPECT_TRUE(pod.status.conditions.at(0).extra.Contains("futureCond"));
  EXPECT_TRUE(
      pod.status.container_statuses.at(0).last_state.terminated->extra.Contains("futureTerm"));
}

TEST(PodCodecTest, DecodesTypedFields) {
  Pod pod = Decode<Pod>(ParseJson(kPod));
  const Container& c = pod.spec.containers.at(0);
  EXPECT_EQ(c.ports.at(0).container_port, 8080);
  EXPECT_EQ(c.readiness_probe->http_get->port, IntOrString("http"));
  EXPECT_EQ(c.readiness_probe->period_seconds, 5);
  EXPECT_EQ(c.readiness_probe->failure_threshold, 0) << "an explicit 0 is kept";
  EXPECT_EQ(c.readiness_probe->timeout_seconds, std::nullopt);
  EXPECT_EQ(c.liveness_probe->tcp_socket->port, IntOrString(int64_t{8080}));
  EXPECT_EQ(c.resources.limits.at("memory"), Quantity::MustParse("1024Mi"));
  EXPECT_EQ(c.resources.requests.at("cpu"), Quantity::MustParse("250m"));
  EXPECT_EQ(c.env.at(2).value_from->secret_key_ref->optional, false);
  EXPECT_EQ(pod.spec.termination_grace_period_seconds, 0) << "a Go pointer keeps an explicit 0";
  EXPECT_EQ(pod.status.container_statuses.at(0).restart_count, 2);
  EXPECT_EQ(pod.status.container_statuses.at(0).last_state.terminated->exit_code, 137);
  EXPECT_EQ(pod.status.start_time.value, ParseRfc3339("2026-01-02T03:04:05Z").value());
}

struct TypeErrorRow {
  const char* name;
  const char* json;
  const char* want;  // the rendered error
};

TEST(PodCodecTest, ReportsTypeErrorsWithTheirPaths) {
  const TypeErrorRow rows[] = {
      {"port name where a number belongs",
       R"({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "i",
           "ports": [{"containerPort": "http"}]}]}}}})",
       "spec.template.spec.containers[0].ports[0].containerPort: must be an integer, got string "
       "\"http\""},
      {"bad quantity",
       R"({"spec": {"template": {"spec": {"containers": [{"resources":
           {"limits": {"memory": "1GB"}}}]}}}})",
       "spec.template.spec.containers[0].resources.limits.memory: must be a quantity"},
      {"command not a list",
       R"({"spec": {"template": {"spec": {"containers": [{"command": "sh -c x"}]}}}})",
       "spec.template.spec.containers[0].command: must be a list, got string \"sh -c x\""},
      {"probe number as string",
       R"({"spec": {"template": {"spec": {"initContainers": [{"readinessProbe":
           {"periodSeconds": "5"}}]}}}})",
       "spec.template.spec.initContainers[0].readinessProbe.periodSeconds: must be an integer, "
       "got string \"5\""},
      {"labels not a map", R"({"spec": {"template": {"metadata": {"labels": ["a"]}}}})",
       "spec.template.metadata.labels: must be a map, got array"},
      {"replicas as string", R"({"spec": {"replicas": "3"}})",
       "spec.replicas: must be an integer, got string \"3\""},
  };
  for (const TypeErrorRow& row : rows) {
    FieldErrors errors;
    Decode<ReplicaSet>(ParseJson(row.json), &errors);
    ASSERT_EQ(errors.size(), 1u) << row.name;
    std::string got = ToString(errors[0]);
    EXPECT_EQ(got.substr(0, std::string(row.want).size()), row.want) << row.name << ": " << got;
  }
}

TEST(PodCodecTest, CollectsEveryTypeError) {
  FieldErrors errors;
  Decode<Pod>(ParseJson(R"({"spec": {"containers": [{"ports": [{"containerPort": "a"},
      {"hostPort": true}]}], "restartPolicy": 1}})"),
              &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].path.str(), "spec.containers[0].ports[0].containerPort");
  EXPECT_EQ(errors[1].path.str(), "spec.containers[0].ports[1].hostPort");
  EXPECT_EQ(errors[2].path.str(), "spec.restartPolicy");
}

TEST(PodCodecTest, EncodesInFieldOrderAndOmitsEmptyFields) {
  Container c;
  c.name = "web";
  c.image = "nginx";
  c.ports.push_back(ContainerPort{.container_port = 80});
  EXPECT_EQ(json::Write(EncodeValue(c)),
            R"({"name":"web","image":"nginx","ports":[{"containerPort":80}]})");
}

}  // namespace
}  // namespace devflow::api
