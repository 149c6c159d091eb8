#include "api/core_kinds_codec.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/decode.h"
#include "api/manifest_reader.h"

namespace devflow::api {
namespace {

using testing::Parse;
using testing::RoundTrip;

TEST(CoreKindsCodecTest, ServiceRoundTripsWithUnknownFields) {
  Service svc = RoundTrip<Service>(R"(
apiVersion: v1
kind: Service
x-top: 1
metadata:
  name: bluegreen-demo
  labels: {app: bluegreen-demo}
  managedFields: [{manager: kubectl}]
spec:
  type: LoadBalancer
  ports:
  - port: 80
    targetPort: http
    protocol: TCP
    name: http
    nodePort: 30080
    appProtocol: http
    x-port: {deep: [1, 2]}
  - port: 9090
    targetPort: 9090
    name: metrics
  selector:
    app: bluegreen-demo
    rollouts-pod-template-hash: 7d6459646d
  clusterIP: 10.0.0.12
  clusterIPs: [10.0.0.12]
  ipFamilies: [IPv4]
  sessionAffinity: None
  externalTrafficPolicy: Local
  publishNotReadyAddresses: true
status:
  loadBalancer:
    ingress: [{ip: 192.0.2.1}]
  conditions: [{type: Ready, status: "True"}]
  x-status: yes
)");
  EXPECT_EQ(svc.api_version, "v1");
  EXPECT_EQ(svc.metadata.name, "bluegreen-demo");
  ASSERT_EQ(svc.spec.ports.size(), 2u);
  EXPECT_EQ(svc.spec.ports[0].target_port, IntOrString("http"));
  EXPECT_EQ(svc.spec.ports[1].target_port, IntOrString(9090));
  EXPECT_EQ(svc.spec.ports[0].node_port, 30080);
  EXPECT_EQ(svc.spec.ports[0].app_protocol, "http");
  EXPECT_TRUE(svc.spec.ports[0].extra.Contains("x-port"));
  EXPECT_EQ(svc.spec.selector.at("rollouts-pod-template-hash"), "7d6459646d");
  EXPECT_EQ(svc.spec.cluster_ips, std::vector<std::string>{"10.0.0.12"});
  EXPECT_TRUE(svc.spec.extra.Contains("ipFamilies"));
  EXPECT_TRUE(svc.spec.publish_not_ready_addresses);
  EXPECT_TRUE(svc.status.load_balancer.is_object());
  EXPECT_EQ(svc.status.conditions.size(), 1u);
  EXPECT_TRUE(svc.status.extra.Contains("x-status"));
  EXPECT_TRUE(svc.extra.Contains("x-top"));
}

TEST(CoreKindsCodecTest, NamespaceAndSecretRoundTrip) {
  Namespace ns = RoundTrip<Namespace>(R"(
apiVersion: v1
kind: Namespace
metadata: {name: argo-rollouts}
spec: {finalizers: [kubernetes], x-spec: 1}
status: {phase: Active, conditions: [{type: NamespaceDeletionDiscoveryFailure}]}
)");
  EXPECT_EQ(ns.spec.finalizers, std::vector<std::string>{"kubernetes"});
  EXPECT_EQ(ns.status.phase, "Active");
  EXPECT_TRUE(ns.spec.extra.Contains("x-spec"));

  Secret secret = RoundTrip<Secret>(R"(
apiVersion: v1
kind: Secret
metadata: {name: prometheus-auth, namespace: default}
type: kubernetes.io/basic-auth
immutable: false
data:
  username: YWRtaW4=
stringData:
  password: s3cr3t
x-top: [1]
)");
  EXPECT_EQ(secret.type, "kubernetes.io/basic-auth");
  EXPECT_EQ(secret.immutable, false);
  EXPECT_EQ(secret.data.at("username"), "YWRtaW4=");
  EXPECT_EQ(SecretValue(secret, "username").value_or(""), "admin");
  EXPECT_EQ(SecretValue(secret, "password").value_or(""), "s3cr3t");
  EXPECT_TRUE(secret.extra.Contains("x-top"));
}

TEST(CoreKindsCodecTest, EventAndLeaseRoundTripWithMicroTimes) {
  Event event = RoundTrip<Event>(R"(
apiVersion: v1
kind: Event
metadata: {name: web.17a, namespace: default}
involvedObject:
  kind: Rollout
  namespace: default
  name: web
  uid: abc-1234
  apiVersion: argoproj.io/v1alpha1
  resourceVersion: "42"
  fieldPath: spec
  x-ref: 1
reason: RolloutUpdated
message: Rollout updated to revision 2
source: {component: rollouts-controller, host: node-1, x-src: 2}
firstTimestamp: "2024-01-02T03:04:05Z"
lastTimestamp: "2024-01-02T03:05:05Z"
count: 3
type: Normal
eventTime: "2024-01-02T03:04:05.123456Z"
series: {count: 2, lastObservedTime: "2024-01-02T03:05:05.000001Z"}
action: Update
related: {kind: ReplicaSet, name: web-7d6459646d}
reportingComponent: rollouts-controller
reportingInstance: rollouts-controller-abc
)");
  EXPECT_EQ(event.involved_object.kind, "Rollout");
  EXPECT_EQ(event.involved_object.uid, "abc-1234");
  EXPECT_TRUE(event.involved_object.extra.Contains("x-ref"));
  EXPECT_TRUE(event.source.extra.Contains("x-src"));
  EXPECT_EQ(event.count, 3);
  EXPECT_EQ(event.type, "Normal");
  ASSERT_TRUE(event.related.has_value());
  EXPECT_EQ(event.related->name, "web-7d6459646d");
  EXPECT_EQ(FormatRfc3339(event.event_time.value, true), "2024-01-02T03:04:05.123456Z");
  EXPECT_LT(event.first_timestamp, event.last_timestamp);

  Lease lease = RoundTrip<Lease>(R"(
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: argo-rollouts-controller-lock, namespace: argo-rollouts}
spec:
  holderIdentity: controller-0
  leaseDurationSeconds: 15
  acquireTime: "2024-01-02T03:04:05.000000Z"
  renewTime: "2024-01-02T03:04:20.500000Z"
  leaseTransitions: 0
  strategy: OldestEmulationVersion
)");
  EXPECT_EQ(lease.spec.holder_identity, "controller-0");
  EXPECT_EQ(lease.spec.lease_duration_seconds, 15);
  // A pointer field set to zero survives the round trip (checked by RoundTrip) and reads as set.
  EXPECT_EQ(lease.spec.lease_transitions, 0);
  ASSERT_TRUE(lease.spec.renew_time.has_value());
  EXPECT_EQ(FormatRfc3339(lease.spec.renew_time->value, true), "2024-01-02T03:04:20.500000Z");
  EXPECT_TRUE(lease.spec.extra.Contains("strategy"));
}

TEST(CoreKindsCodecTest, ReportsWrongTypesWithTheirPaths) {
  struct Row {
    const char* name;
    const char* yaml;
    const char* path;
    const char* message;
  } rows[] = {
      {"port as string", "kind: Service\nspec: {ports: [{port: \"80\"}]}\n", "spec.ports[0].port",
       "must be an integer"},
      {"selector not a map", "kind: Service\nspec: {selector: [app]}\n", "spec.selector",
       "must be a map"},
      {"secret data not strings", "kind: Secret\ndata: {a: 1}\n", "data.a", "must be a string"},
      {"lease duration as string", "kind: Lease\nspec: {leaseDurationSeconds: fifteen}\n",
       "spec.leaseDurationSeconds", "must be an integer"},
      {"event count as bool", "kind: Event\ncount: true\n", "count", "must be an integer"},
  };
  for (const Row& row : rows) {
    json::Value in = Parse(row.yaml);
    FieldErrors errors;
    std::string kind = in.Find("kind")->as_string();
    if (kind == "Service") {
      (void)Decode<Service>(in, &errors);
    } else if (kind == "Secret") {
      (void)Decode<Secret>(in, &errors);
    } else if (kind == "Lease") {
      (void)Decode<Lease>(in, &errors);
    } else {
      (void)Decode<Event>(in, &errors);
    }
    ASSERT_EQ(errors.size(), 1u) << row.name;
    EXPECT_EQ(errors[0].path.str(), row.path) << row.name;
    EXPECT_NE(errors[0].message.find(row.message), std::string::npos)
        << row.name << ": " << errors[0].message;
  }
}

}  // namespace
}  // namespace devflow::api
