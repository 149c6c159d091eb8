#include "api/pod_validation.h"

#include <gtest/gtest.h>

#include <functional>

namespace devflow::api {
namespace {

Container ValidContainer() {
  Container c;
  c.name = "web";
  c.image = "nginx:1.25";
  c.ports = {ContainerPort{.name = "http", .container_port = 8080}};
  c.env = {EnvVar{.name = "MODE", .value = "prod"}};
  c.resources.limits["cpu"] = Quantity::MustParse("1");
  c.resources.requests["cpu"] = Quantity::MustParse("500m");
  Probe probe;
  probe.http_get = HttpGetAction{.path = "/healthz", .port = IntOrString("http")};
  probe.period_seconds = 5;
  c.readiness_probe = probe;
  return c;
}

PodTemplateSpec ValidTemplate() {
  PodTemplateSpec t;
  t.metadata.labels = {{"app", "web"}};
  t.spec.containers = {ValidContainer()};
  return t;
}

struct Row {
  const char* name;
  std::function<void(PodTemplateSpec&)> mutate;
  const char* path;     // relative to "spec.template"
  const char* message;  // a part of the expected message
};

// Each row breaks one rule of a valid template and expects exactly that error.
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {"no containers", [](PodTemplateSpec& t) { t.spec.containers.clear(); }, "spec.containers",
       "at least one container"},
      {"container name missing", [](PodTemplateSpec& t) { t.spec.containers[0].name = ""; },
       "spec.containers[0].name", "must not be empty"},
      {"container name not a DNS label",
       [](PodTemplateSpec& t) { t.spec.containers[0].name = "Web_1"; }, "spec.containers[0].name",
       "lowercase letters"},
      {"duplicate container names",
       [](PodTemplateSpec& t) { t.spec.containers.push_back(ValidContainer()); },
       "spec.containers[1].name", "must be unique"},
      {"init container name clashes",
       [](PodTemplateSpec& t) { t.spec.init_containers.push_back(ValidContainer()); },
       "spec.containers[0].name", "must be unique among containers and initContainers"},
      {"image missing", [](PodTemplateSpec& t) { t.spec.containers[0].image = ""; },
       "spec.containers[0].image", "must not be empty"},
      {"image with spaces", [](PodTemplateSpec& t) { t.spec.containers[0].image = " nginx"; },
       "spec.containers[0].image", "whitespace"},
      {"container port 0",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].container_port = 0; },
       "spec.containers[0].ports[0].containerPort", "1..65535, got 0"},
      {"container port too big",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].container_port = 70000; },
       "spec.containers[0].ports[0].containerPort", "1..65535, got 70000"},
      {"host port too big",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].host_port = 65536; },
       "spec.containers[0].ports[0].hostPort", "1..65535"},
      {"bad protocol", [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].protocol = "HTTP"; },
       "spec.containers[0].ports[0].protocol", "must be TCP, UDP or SCTP, got \"HTTP\""},
      {"port name too long",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].name = "a-very-long-port-name"; },
       "spec.containers[0].ports[0].name", "1..15 characters"},
      {"port name uppercase",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].name = "HTTP"; },
       "spec.containers[0].ports[0].name", "lowercase"},
      {"port name digits only",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].name = "8080"; },
       "spec.containers[0].ports[0].name", "at least one letter"},
      {"port name double hyphen",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].name = "a--b"; },
       "spec.containers[0].ports[0].name", "consecutive hyphens"},
      {"port name edge hyphen",
       [](PodTemplateSpec& t) { t.spec.containers[0].ports[0].name = "http-"; },
       "spec.containers[0].ports[0].name", "begin or end with a hyphen"},
      {"duplicate port names",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].ports.push_back(ContainerPort{.name = "http", .container_port = 1});
       },
       "spec.containers[0].ports[1].name", "must be unique in the container"},
      {"probe without handler",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->http_get.reset(); },
       "spec.containers[0].readinessProbe", "must specify a handler"},
      {"probe with two handlers",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].readiness_probe->exec = ExecAction{.command = {"true"}};
       },
       "spec.containers[0].readinessProbe",
       "exactly one handler (httpGet, tcpSocket, exec or "
       "grpc), got httpGet, exec"},
      {"grpc and tcpSocket handlers",
       [](PodTemplateSpec& t) {
         Probe p;
         p.tcp_socket = TcpSocketAction{.port = int64_t{80}};
         p.grpc = json::Value(json::Object{{"port", 9090}});
         t.spec.containers[0].liveness_probe = p;
       },
       "spec.containers[0].livenessProbe", "got tcpSocket, grpc"},
      {"negative period",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->period_seconds = -1; },
       "spec.containers[0].readinessProbe.periodSeconds", "must be >= 0, got -1"},
      {"negative initial delay",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->initial_delay_seconds = -5; },
       "spec.containers[0].readinessProbe.initialDelaySeconds", "must be >= 0"},
      {"negative timeout",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->timeout_seconds = -1; },
       "spec.containers[0].readinessProbe.timeoutSeconds", "must be >= 0"},
      {"negative success threshold",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->success_threshold = -1; },
       "spec.containers[0].readinessProbe.successThreshold", "must be >= 0"},
      {"negative failure threshold",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->failure_threshold = -2; },
       "spec.containers[0].readinessProbe.failureThreshold", "must be >= 0"},
      {"liveness success threshold above 1",
       [](PodTemplateSpec& t) {
         Probe p;
         p.exec = ExecAction{.command = {"true"}};
         p.success_threshold = 2;
         t.spec.containers[0].liveness_probe = p;
       },
       "spec.containers[0].livenessProbe.successThreshold", "must be 1 for liveness"},
      {"readiness probe grace period",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].readiness_probe->termination_grace_period_seconds = 5;
       },
       "spec.containers[0].readinessProbe.terminationGracePeriodSeconds",
       "must not be set for readiness"},
      {"startup probe grace period 0",
       [](PodTemplateSpec& t) {
         Probe p;
         p.exec = ExecAction{.command = {"true"}};
         p.termination_grace_period_seconds = 0;
         t.spec.containers[0].startup_probe = p;
       },
       "spec.containers[0].startupProbe.terminationGracePeriodSeconds", "must be >= 1"},
      {"probe port out of range",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].readiness_probe->http_get->port = int64_t{0};
       },
       "spec.containers[0].readinessProbe.httpGet.port", "1..65535, got 0"},
      {"probe port bad name",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].readiness_probe->http_get->port = IntOrString("Http_Port");
       },
       "spec.containers[0].readinessProbe.httpGet.port", "or a port name"},
      {"probe scheme",
       [](PodTemplateSpec& t) { t.spec.containers[0].readiness_probe->http_get->scheme = "ftp"; },
       "spec.containers[0].readinessProbe.httpGet.scheme", "must be HTTP or HTTPS"},
      {"probe header without name",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].readiness_probe->http_get->http_headers = {HttpHeader{}};
       },
       "spec.containers[0].readinessProbe.httpGet.httpHeaders[0].name", "must not be empty"},
      {"exec without command",
       [](PodTemplateSpec& t) {
         Probe p;
         p.exec = ExecAction{};
         t.spec.containers[0].startup_probe = p;
       },
       "spec.containers[0].startupProbe.exec.command", "must not be empty"},
      {"grpc port missing",
       [](PodTemplateSpec& t) {
         Probe p;
         p.grpc = json::Value(json::Object{{"service", "x"}});
         t.spec.containers[0].liveness_probe = p;
       },
       "spec.containers[0].livenessProbe.grpc.port", "port number"},
      {"tcp port out of range",
       [](PodTemplateSpec& t) {
         Probe p;
         p.tcp_socket = TcpSocketAction{.port = int64_t{99999}};
         t.spec.containers[0].liveness_probe = p;
       },
       "spec.containers[0].livenessProbe.tcpSocket.port", "1..65535"},
      {"env name empty", [](PodTemplateSpec& t) { t.spec.containers[0].env[0].name = ""; },
       "spec.containers[0].env[0].name", "must not be empty"},
      {"env name with =", [](PodTemplateSpec& t) { t.spec.containers[0].env[0].name = "A=B"; },
       "spec.containers[0].env[0].name", "other than '='"},
      {"env value and valueFrom",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].env[0].value_from =
             EnvVarSource{.field_ref = ObjectFieldSelector{.field_path = "metadata.name"}};
       },
       "spec.containers[0].env[0].valueFrom", "use one of value or valueFrom"},
      {"valueFrom with no source",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].env[0].value = "";
         t.spec.containers[0].env[0].value_from = EnvVarSource{};
       },
       "spec.containers[0].env[0].valueFrom", "exactly one of fieldRef"},
      {"fieldRef without path",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].env[0].value = "";
         t.spec.containers[0].env[0].value_from = EnvVarSource{.field_ref = ObjectFieldSelector{}};
       },
       "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "must not be empty"},
      {"secretKeyRef without key",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].env[0].value = "";
         t.spec.containers[0].env[0].value_from =
             EnvVarSource{.secret_key_ref = KeySelector{.name = "s"}};
       },
       "spec.containers[0].env[0].valueFrom.secretKeyRef.key", "must not be empty"},
      {"request above limit",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].resources.requests["cpu"] = Quantity::MustParse("1.5");
       },
       "spec.containers[0].resources.requests.cpu",
       "less than or equal to the cpu limit of \"1\", got \"1.5\""},
      {"negative limit",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].resources.limits["memory"] = Quantity::MustParse("-1Mi");
       },
       "spec.containers[0].resources.limits.memory", "must be >= 0"},
      {"negative request",
       [](PodTemplateSpec& t) {
         t.spec.containers[0].resources.requests["memory"] = Quantity::MustParse("-1");
       },
       "spec.containers[0].resources.requests.memory", "must be >= 0"},
      {"restartPolicy Never in a template",
       [](PodTemplateSpec& t) { t.spec.restart_policy = "Never"; }, "spec.restartPolicy",
       "must be Always"},
      {"bad dnsPolicy", [](PodTemplateSpec& t) { t.spec.dns_policy = "Cluster"; }, "spec.dnsPolicy",
       "must be ClusterFirst, ClusterFirstWithHostNet, Default or None"},
      {"bad imagePullPolicy",
       [](PodTemplateSpec& t) { t.spec.containers[0].image_pull_policy = "Sometimes"; },
       "spec.containers[0].imagePullPolicy", "must be Always, IfNotPresent or Never"},
      {"bad terminationMessagePolicy",
       [](PodTemplateSpec& t) { t.spec.containers[0].termination_message_policy = "Logs"; },
       "spec.containers[0].terminationMessagePolicy", "File or FallbackToLogsOnError"},
      {"negative grace period",
       [](PodTemplateSpec& t) { t.spec.termination_grace_period_seconds = -1; },
       "spec.terminationGracePeriodSeconds", "must be >= 0"},
      {"zero active deadline", [](PodTemplateSpec& t) { t.spec.active_deadline_seconds = 0; },
       "spec.activeDeadlineSeconds", "must be >= 1"},
      {"bad service account", [](PodTemplateSpec& t) { t.spec.service_account_name = "Web"; },
       "spec.serviceAccountName", "lowercase"},
      {"bad nodeSelector value", [](PodTemplateSpec& t) { t.spec.node_selector["disk"] = "-ssd"; },
       "spec.nodeSelector.disk", "starting and ending"},
      {"bad template label key", [](PodTemplateSpec& t) { t.metadata.labels["bad key"] = "x"; },
       "metadata.labels[bad key]", "key:"},
      {"bad template label value", [](PodTemplateSpec& t) { t.metadata.labels["app"] = "web!"; },
       "metadata.labels.app", "starting and ending"},
      {"bad init container",
       [](PodTemplateSpec& t) {
         t.spec.init_containers.push_back(ValidContainer());
         t.spec.init_containers[0].name = "init";
         t.spec.init_containers[0].image = "";
       },
       "spec.initContainers[0].image", "must not be empty"},
  };
  return rows;
}

TEST(PodValidationTest, ValidTemplatePasses) {
  FieldErrors errors;
  ValidatePodTemplate(ValidTemplate(), FieldPath("spec").Child("template"), &errors);
  EXPECT_TRUE(errors.empty()) << ToString(errors.at(0));
}

TEST(PodValidationTest, ExplicitZerosAndFullProbesPass) {
  PodTemplateSpec t = ValidTemplate();
  Probe& p = *t.spec.containers[0].readiness_probe;
  p.period_seconds = 0;  // Kubernetes defaults 0 to 10.
  p.success_threshold = 0;
  p.failure_threshold = 0;
  p.http_get->scheme = "HTTPS";
  t.spec.restart_policy = "Always";
  t.spec.termination_grace_period_seconds = 0;
  t.spec.dns_policy = "None";
  t.spec.containers[0].ports.push_back(ContainerPort{.container_port = 9090, .protocol = "UDP"});
  t.spec.containers[0].env.push_back(EnvVar{
      .name = "POD_IP",
      .value_from = EnvVarSource{.field_ref = ObjectFieldSelector{.field_path = "status.podIP"}}});
  FieldErrors errors;
  ValidatePodTemplate(t, FieldPath("spec").Child("template"), &errors);
  EXPECT_TRUE(errors.empty()) << ToString(errors.at(0));
}

TEST(PodValidationTest, EachRuleRejectsItsRow) {
  for (const Row& row : Rows()) {
    PodTemplateSpec t = ValidTemplate();
    row.mutate(t);
    FieldErrors errors;
    ValidatePodTemplate(t, FieldPath("spec").Child("template"), &errors);
    ASSERT_EQ(errors.size(), 1u) << row.name << (errors.empty() ? "" : ": " + ToString(errors[0]));
    EXPECT_EQ(errors[0].path.str(), std::string("spec.template.") + row.path) << row.name;
    EXPECT_NE(errors[0].message.find(row.message), std::string::npos)
        << row.name << ": " << errors[0].message;
  }
}

TEST(PodValidationTest, CollectsEveryError) {
  PodTemplateSpec t = ValidTemplate();
  t.spec.containers[0].image = "";
  t.spec.containers[0].ports[0].container_port = 0;
  t.spec.restart_policy = "Never";
  FieldErrors errors;
  ValidatePodTemplate(t, FieldPath("spec").Child("template"), &errors);
  EXPECT_EQ(errors.size(), 3u);
}

TEST(PodValidationTest, RestartPolicyDependsOnTheOwner) {
  struct PolicyRow {
    const char* name;
    RestartPolicyRule rule;
    const char* policy;
    bool valid;
  };
  const PolicyRow rows[] = {
      {"template unset", RestartPolicyRule::kAlwaysOnly, "", true},
      {"template Always", RestartPolicyRule::kAlwaysOnly, "Always", true},
      {"template OnFailure", RestartPolicyRule::kAlwaysOnly, "OnFailure", false},
      {"job unset means Always", RestartPolicyRule::kNotAlways, "", false},
      {"job Always", RestartPolicyRule::kNotAlways, "Always", false},
      {"job OnFailure", RestartPolicyRule::kNotAlways, "OnFailure", true},
      {"job Never", RestartPolicyRule::kNotAlways, "Never", true},
      {"pod Never", RestartPolicyRule::kAny, "Never", true},
      {"pod OnFailure", RestartPolicyRule::kAny, "OnFailure", true},
      {"pod unknown", RestartPolicyRule::kAny, "Sometimes", false},
  };
  for (const PolicyRow& row : rows) {
    PodTemplateSpec t = ValidTemplate();
    t.spec.restart_policy = row.policy;
    FieldErrors errors;
    ValidatePodTemplate(t, FieldPath("spec").Child("template"), &errors, row.rule);
    EXPECT_EQ(errors.empty(), row.valid) << row.name;
    if (!errors.empty()) {
      EXPECT_EQ(errors[0].path.str(), "spec.template.spec.restartPolicy") << row.name;
    }
  }
}

TEST(PodValidationTest, PodValidatesItsSpec) {
  Pod pod;
  pod.spec = ValidTemplate().spec;
  pod.spec.restart_policy = "Never";
  EXPECT_TRUE(Validate(pod).empty());
  pod.spec.containers.clear();
  FieldErrors errors = Validate(pod);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(ToString(errors[0]), "spec.containers: must have at least one container");
}

}  // namespace
}  // namespace devflow::api
