#include "api/core_kinds_validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/core_kinds_codec.h"
#include "api/decode.h"
#include "api/manifest_reader.h"
#include "api/validation_testing.h"

namespace devflow::api {
namespace {

using testing::ExpectValid;
using testing::FromYaml;
using testing::Row;
using testing::RunRows;

// The Services of seed 002 (blue/green by hand, then with Argo Rollouts).
constexpr const char* kBlueService = R"(
apiVersion: v1
kind: Service
metadata:
  name: blue-service
  labels:
    app: blue
spec:
  ports:
  - protocol: TCP
    port: 80
    targetPort: 8080
  selector:
    app: blue
  type: ClusterIP
)";

constexpr const char* kBluegreenDemoService = R"(
apiVersion: v1
kind: Service
metadata:
  name: bluegreen-demo
  labels:
    app: bluegreen-demo
spec:
  ports:
  - port: 80
    targetPort: http
    protocol: TCP
    name: http
  selector:
    app: bluegreen-demo
)";

ServicePort Port(std::string name, int32_t port) {
  ServicePort p;
  p.name = std::move(name);
  p.port = port;
  return p;
}

TEST(CoreKindsValidationTest, ValidServices) {
  ExpectValid("blue-service", FromYaml<Service>(kBlueService));
  ExpectValid("bluegreen-demo", FromYaml<Service>(kBluegreenDemoService));
  ExpectValid("two ports, NodePort", FromYaml<Service>(R"(
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  sessionAffinity: ClientIP
  clusterIP: 10.96.0.12
  clusterIPs: [10.96.0.12, "fd00::12"]
  ports:
  - {name: http, port: 80, targetPort: 8080, nodePort: 30080}
  - {name: dns, port: 80, protocol: UDP, targetPort: dns}
  selector: {app.kubernetes.io/name: web, rollouts-pod-template-hash: 7d6459646d}
)"));
  ExpectValid("headless without ports", FromYaml<Service>(R"(
kind: Service
metadata: {name: db}
spec: {clusterIP: None, selector: {app: db}}
)"));
  ExpectValid("ExternalName", FromYaml<Service>(R"(
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: db.example.com.}
)"));
}

TEST(CoreKindsValidationTest, ServiceRules) {
  using R = Row<Service>;
  RunRows<Service>(
      "Service", FromYaml<Service>(kBluegreenDemoService),
      {
          R{"unknown type", [](Service& s) { s.spec.type = "Internal"; }, "spec.type",
            "must be ClusterIP, NodePort, LoadBalancer or ExternalName, got \"Internal\""},
          R{"no ports", [](Service& s) { s.spec.ports.clear(); }, "spec.ports",
            "is required: at least one port"},
          R{"ExternalName without name", [](Service& s) { s.spec.type = "ExternalName"; },
            "spec.externalName", "is required when type is ExternalName"},
          R{"bad externalName",
            [](Service& s) {
              s.spec.type = "ExternalName";
              s.spec.external_name = "db_host";
            },
            "spec.externalName", "lowercase letters, digits, '-' and '.'"},
          R{"port out of range", [](Service& s) { s.spec.ports[0].port = 70000; },
            "spec.ports[0].port", "must be 1..65535, got 70000"},
          R{"second port unnamed", [](Service& s) { s.spec.ports.push_back(Port("", 443)); },
            "spec.ports[1].name", "is required when the Service has more than one port"},
          R{"port name not a DNS label", [](Service& s) { s.spec.ports[0].name = "HTTP"; },
            "spec.ports[0].name", "lowercase letters, digits and '-'"},
          R{"duplicate port name", [](Service& s) { s.spec.ports.push_back(Port("http", 443)); },
            "spec.ports[1].name", "duplicate port name \"http\""},
          R{"bad protocol", [](Service& s) { s.spec.ports[0].protocol = "HTTP"; },
            "spec.ports[0].protocol", "must be TCP, UDP or SCTP, got \"HTTP\""},
          R{"duplicate port and protocol",
            [](Service& s) { s.spec.ports.push_back(Port("https", 80)); }, "spec.ports[1]",
            "duplicate port 80/TCP"},
          R{"targetPort out of range", [](Service& s) { s.spec.ports[0].target_port = 70000; },
            "spec.ports[0].targetPort", "must be 1..65535, got 70000"},
          R{"targetPort bad name", [](Service& s) { s.spec.ports[0].target_port = "HTTP_PORT"; },
            "spec.ports[0].targetPort", "must be a port number 1..65535 or a port name"},
          R{"nodePort on ClusterIP", [](Service& s) { s.spec.ports[0].node_port = 30080; },
            "spec.ports[0].nodePort", "may only be set when type is NodePort or LoadBalancer"},
          R{"nodePort out of range",
            [](Service& s) {
              s.spec.type = "NodePort";
              s.spec.ports[0].node_port = 70000;
            },
            "spec.ports[0].nodePort", "must be 1..65535, got 70000"},
          R{"selector key invalid", [](Service& s) { s.spec.selector["bad key"] = "x"; },
            "spec.selector[bad key]", "name of at most 63"},
          R{"selector value invalid", [](Service& s) { s.spec.selector["app"] = "blue green"; },
            "spec.selector.app", "must be empty or at most 63"},
          R{"sessionAffinity", [](Service& s) { s.spec.session_affinity = "Sticky"; },
            "spec.sessionAffinity", "must be None or ClientIP, got \"Sticky\""},
          R{"externalTrafficPolicy on ClusterIP",
            [](Service& s) { s.spec.external_traffic_policy = "Local"; },
            "spec.externalTrafficPolicy", "may only be set when type is NodePort or LoadBalancer"},
          R{"externalTrafficPolicy value",
            [](Service& s) {
              s.spec.type = "LoadBalancer";
              s.spec.external_traffic_policy = "Global";
            },
            "spec.externalTrafficPolicy", "must be Cluster or Local, got \"Global\""},
          R{"clusterIP not an IP", [](Service& s) { s.spec.cluster_ip = "10.0.0.300"; },
            "spec.clusterIP", "must be empty (allocate), \"None\" (headless) or an IP address"},
          R{"clusterIPs disagree",
            [](Service& s) {
              s.spec.cluster_ip = "10.0.0.10";
              s.spec.cluster_ips = {"10.0.0.11"};
            },
            "spec.clusterIPs[0]", "must equal spec.clusterIP \"10.0.0.10\""},
      });
}

TEST(CoreKindsValidationTest, CollectsEveryError) {
  Service s = FromYaml<Service>(kBlueService);
  s.spec.type = "Internal";
  s.spec.ports[0].port = 0;
  s.spec.ports[0].protocol = "ICMP";
  s.spec.session_affinity = "Sticky";
  EXPECT_EQ(Validate(s).size(), 4u);
}

TEST(CoreKindsValidationTest, NamespaceRules) {
  using R = Row<Namespace>;
  RunRows<Namespace>(
      "Namespace",
      FromYaml<Namespace>(
          "kind: Namespace\nmetadata: {name: team-a}\nspec: {finalizers: [kubernetes, "
          "example.com/cleanup]}\nstatus: {phase: Active}\n"),
      {
          R{"finalizer not qualified", [](Namespace& n) { n.spec.finalizers.push_back("a/b/c"); },
            "spec.finalizers[2]", "must be [prefix/]name"},
          R{"finalizer not standard", [](Namespace& n) { n.spec.finalizers.push_back("custom"); },
            "spec.finalizers[2]", "must be a standard finalizer"},
          R{"phase", [](Namespace& n) { n.status.phase = "Gone"; }, "status.phase",
            "must be Active or Terminating, got \"Gone\""},
      });
}

TEST(CoreKindsValidationTest, SecretRules) {
  using R = Row<Secret>;
  RunRows<Secret>(
      "Secret", FromYaml<Secret>(R"(
kind: Secret
metadata: {name: web-tls}
type: kubernetes.io/tls
data: {tls.crt: Y2VydA==, tls.key: a2V5}
stringData: {.note: plain text}
)"),
      {
          R{"data key invalid", [](Secret& s) { s.data["a/b"] = "YQ=="; }, "data[a/b]",
            "must be 1..253 letters, digits, '-', '_' or '.'"},
          R{"stringData key invalid", [](Secret& s) { s.string_data["a b"] = "x"; },
            "stringData[a b]", "must be 1..253 letters"},
          R{"data value not base64", [](Secret& s) { s.data["tls.key"] = "abc"; }, "data[tls.key]",
            "is not valid base64"},
          R{"too large", [](Secret& s) { s.string_data["big"] = std::string((1 << 20) + 1, 'x'); },
            "data", "must be at most 1048576 (1 MiB)"},
          R{"tls without key", [](Secret& s) { s.data.erase("tls.key"); }, "data[tls.key]",
            "is required for type \"kubernetes.io/tls\""},
          R{"dockerconfigjson without config",
            [](Secret& s) { s.type = "kubernetes.io/dockerconfigjson"; }, "data[.dockerconfigjson]",
            "is required for type"},
      });
}

TEST(CoreKindsValidationTest, EventRules) {
  using R = Row<Event>;
  RunRows<Event>(
      "Event", FromYaml<Event>(R"(
kind: Event
metadata: {name: web.17a, namespace: default}
involvedObject: {kind: Rollout, namespace: default, name: web}
reason: RolloutUpdated
message: Rollout updated to revision 2
type: Normal
count: 1
)"),
      {
          R{"type", [](Event& e) { e.type = "Error"; }, "type",
            "must be Normal or Warning, got \"Error\""},
          R{"no involved kind", [](Event& e) { e.involved_object.kind.clear(); },
            "involvedObject.kind", "is required"},
          R{"namespace mismatch", [](Event& e) { e.involved_object.namespace_ = "other"; },
            "involvedObject.namespace", "must be empty or the event's own namespace"},
          R{"reason too long", [](Event& e) { e.reason = std::string(129, 'R'); }, "reason",
            "must be at most 128 characters, got 129"},
          R{"action too long", [](Event& e) { e.action = std::string(129, 'a'); }, "action",
            "must be at most 128 characters"},
          R{"reportingComponent too long",
            [](Event& e) { e.reporting_component = std::string(200, 'c'); }, "reportingComponent",
            "must be at most 128 characters, got 200"},
          R{"negative count", [](Event& e) { e.count = -1; }, "count", "must be >= 0, got -1"},
      });
}

TEST(CoreKindsValidationTest, LeaseRules) {
  using R = Row<Lease>;
  RunRows<Lease>("Lease",
                 FromYaml<Lease>("kind: Lease\nmetadata: {name: lock}\nspec: {holderIdentity: c-0, "
                                 "leaseDurationSeconds: 15, leaseTransitions: 0}\n"),
                 {
                     R{"zero duration", [](Lease& l) { l.spec.lease_duration_seconds = 0; },
                       "spec.leaseDurationSeconds", "must be >= 1, got 0"},
                     R{"negative transitions", [](Lease& l) { l.spec.lease_transitions = -1; },
                       "spec.leaseTransitions", "must be >= 0, got -1"},
                 });
}

TEST(CoreKindsValidationTest, Dns1035Label) {
  EXPECT_EQ(CheckDns1035Label("web-canary"), "");
  EXPECT_EQ(CheckDns1035Label("a1"), "");
  for (const char* bad : {"", "1web", "web-", "Web", "web.canary", "-web"}) {
    EXPECT_NE(CheckDns1035Label(bad), "") << bad;
  }
  EXPECT_NE(CheckDns1035Label(std::string(64, 'a')), "");
}

}  // namespace
}  // namespace devflow::api
