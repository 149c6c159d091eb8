#include "node/container_env.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace devflow::node {
namespace {

TEST(ContainerEnvTest, ExpandVariables) {
  const std::map<std::string, std::string> vars = {{"A", "alpha"}, {"B", "$(A)"}, {"E", ""}};
  auto lookup = [&](std::string_view name) -> const std::string* {
    auto found = vars.find(std::string(name));
    return found == vars.end() ? nullptr : &found->second;
  };
  struct Row {
    const char* name;
    const char* input;
    const char* expected;
  };
  const Row rows[] = {
      {"no reference", "plain text", "plain text"},
      {"one reference", "$(A)", "alpha"},
      {"reference inside text", "x-$(A)-y", "x-alpha-y"},
      {"two references", "$(A)$(A)", "alphaalpha"},
      {"a value is not expanded again", "$(B)", "$(A)"},
      {"empty value", "[$(E)]", "[]"},
      {"unknown stays literal", "$(NOPE)", "$(NOPE)"},
      {"escaped reference", "$$(A)", "$(A)"},
      {"double dollar alone", "a$$b", "a$b"},
      {"triple dollar expands after the escape", "$$$(A)", "$alpha"},
      {"dollar before other character", "$A", "$A"},
      {"dollar at the end", "cost$", "cost$"},
      {"incomplete reference", "$(A", "$(A"},
      {"a reference runs to the first )", "$($(A)", "$($(A)"},
      {"empty name stays", "$()", "$()"},
      {"shell syntax untouched", "${A} $A", "${A} $A"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ExpandVariables(row.input, lookup), row.expected) << row.name;
  }
}

TEST(ContainerEnvTest, ImageTagAndProgram) {
  struct Row {
    const char* image;
    const char* tag;
    const char* program;
  };
  const Row rows[] = {
      {"rollouts-demo:green", "green", "rollouts-demo"},
      {"rollouts-demo", "latest", "rollouts-demo"},
      {"argoproj/rollouts-demo:blue", "blue", "rollouts-demo"},
      {"registry.local:5000/team/app", "latest", "app"},
      {"registry.local:5000/team/app:v2", "v2", "app"},
      {"app@sha256:0123abcd", "sha256:0123abcd", "app"},
      {"registry.local:5000/app:v1@sha256:0123abcd", "sha256:0123abcd", "app"},
      {"", "latest", ""},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ImageTag(row.image), row.tag) << row.image;
    EXPECT_EQ(ImageProgram(row.image), row.program) << row.image;
  }
}

api::Pod TestPod() {
  api::Pod pod;
  pod.metadata.name = "web-abcde";
  pod.metadata.namespace_ = "shop";
  pod.metadata.uid = "uid-1";
  pod.metadata.labels = {{"app", "web"}, {"rollouts-pod-template-hash", "7f9c"}};
  pod.metadata.annotations = {{"team", "payments"}};
  pod.spec.node_name = "node-1";
  pod.spec.service_account_name = "builder";
  return pod;
}

TEST(ContainerEnvTest, FieldRefValue) {
  const api::Pod pod = TestPod();
  ContainerEnvContext context{.pod_ip = "127.0.0.1", .host_ip = "127.0.0.2"};
  struct Row {
    const char* path;
    const char* expected;  // nullptr: an error
  };
  const Row rows[] = {
      {"metadata.name", "web-abcde"},
      {"metadata.namespace", "shop"},
      {"metadata.uid", "uid-1"},
      {"metadata.labels['app']", "web"},
      {"metadata.labels['rollouts-pod-template-hash']", "7f9c"},
      {"metadata.labels['missing']", ""},
      {"metadata.annotations['team']", "payments"},
      {"spec.nodeName", "node-1"},
      {"spec.serviceAccountName", "builder"},
      {"status.podIP", "127.0.0.1"},
      {"status.podIPs", "127.0.0.1"},
      {"status.hostIP", "127.0.0.2"},
      {"status.hostIPs", "127.0.0.2"},
      {"metadata.labels", nullptr},
      {"metadata.generation", nullptr},
      {"spec.containers['web']", nullptr},
      {"metadata.labels[app]", nullptr},
  };
  for (const Row& row : rows) {
    Result<std::string> value = FieldRefValue(pod, row.path, context);
    if (row.expected == nullptr) {
      ASSERT_FALSE(value.ok()) << row.path;
      EXPECT_NE(value.error().message().find(row.path), std::string::npos) << value.error();
    } else {
      ASSERT_TRUE(value.ok()) << row.path << ": " << value.error();
      EXPECT_EQ(*value, row.expected) << row.path;
    }
  }
}

api::EnvVar Value(std::string name, std::string value) {
  return api::EnvVar{.name = std::move(name), .value = std::move(value)};
}

api::EnvVar FieldRef(std::string name, std::string path) {
  return api::EnvVar{.name = std::move(name),
                     .value_from = api::EnvVarSource{
                         .field_ref = api::ObjectFieldSelector{.field_path = std::move(path)}}};
}

struct SpecRow {
  std::string name;
  api::Container container;
  // Expected argv and the env entries checked (an empty value "<absent>" means absent).
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
};

constexpr char kAbsent[] = "<absent>";

TEST(ContainerEnvTest, BuildProcessSpec) {
  const api::Pod pod = TestPod();
  const ContainerEnvContext context{
      .host_ports = {{8080, 41000}, {9090, 41001}, {7000, 41002}},
      .inherited = {{"HOME", "/home/devflow"}, {"PATH", "/usr/bin:/bin"}, {"SECRET", "leak"}},
      .restart_count = 2};
  const std::vector<api::ContainerPort> two_ports = {{.name = "http", .container_port = 8080},
                                                     {.name = "admin-api", .container_port = 9090}};

  const std::vector<SpecRow> rows = {
      {"image program with args expanded from env and devflow variables",
       api::Container{.name = "web",
                      .image = "argoproj/rollouts-demo:green",
                      .args = {"--color", "$(DEVFLOW_IMAGE_TAG)", "--port=$(PORT)", "$(NOPE)"},
                      .ports = two_ports},
       {"rollouts-demo", "--color", "green", "--port=41000", "$(NOPE)"},
       {{"PORT", "41000"},
        {"PORT_HTTP", "41000"},
        {"PORT_ADMIN_API", "41001"},
        {"DEVFLOW_IMAGE", "argoproj/rollouts-demo:green"},
        {"DEVFLOW_IMAGE_TAG", "green"},
        {"HOME", "/home/devflow"},
        {"PATH", "/usr/bin:/bin"},
        {"SECRET", kAbsent}}},
      {"first port unnamed gives PORT only",
       api::Container{.name = "web",
                      .image = "app",
                      .command = {"/bin/app"},
                      .ports = {{.container_port = 7000}, {.name = "m", .container_port = 9090}}},
       {"/bin/app"},
       {{"PORT", "41002"}, {"PORT_M", "41001"}, {"DEVFLOW_IMAGE_TAG", "latest"}}},
      {"no ports: no PORT",
       api::Container{.name = "job", .image = "tool:1", .command = {"sh", "-c", "exit 0"}},
       {"sh", "-c", "exit 0"},
       {{"PORT", kAbsent}, {"DEVFLOW_IMAGE", "tool:1"}}},
      {"env refers to earlier entries only, and to devflow variables",
       api::Container{.name = "web",
                      .image = "app:v1",
                      .command = {"app"},
                      .ports = two_ports,
                      .env = {Value("LATER_REF", "$(FIRST)"), Value("FIRST", "one"),
                              Value("BOTH", "$(FIRST)-$(PORT_HTTP)"), Value("ESCAPED", "$$(FIRST)"),
                              Value("EMPTY", "")}},
       {"app"},
       {{"LATER_REF", "$(FIRST)"},
        {"FIRST", "one"},
        {"BOTH", "one-41000"},
        {"ESCAPED", "$(FIRST)"},
        {"EMPTY", ""}}},
      {"command and args see the whole environment",
       api::Container{.name = "web",
                      .image = "app:v1",
                      .command = {"$(BIN)"},
                      .args = {"$(FIRST)", "$(HOME)", "$$(FIRST)"},
                      .env = {Value("BIN", "/opt/app"), Value("FIRST", "one")}},
       {"/opt/app", "one", "/home/devflow", "$(FIRST)"},
       {}},
      {"pod env overrides devflow variables and inherited ones",
       api::Container{.name = "web",
                      .image = "app:v1",
                      .command = {"app"},
                      .ports = two_ports,
                      .env = {Value("PORT", "80"), Value("PATH", "/opt/bin"), Value("A", "1"),
                              Value("A", "2")}},
       {"app"},
       {{"PORT", "80"}, {"PORT_HTTP", "41000"}, {"PATH", "/opt/bin"}, {"A", "2"}}},
      {"fieldRef values",
       api::Container{
           .name = "web",
           .image = "app:v1",
           .command = {"app", "--name=$(POD)"},
           .env = {FieldRef("POD", "metadata.name"), FieldRef("NS", "metadata.namespace"),
                   FieldRef("APP", "metadata.labels['app']"), FieldRef("NODE", "spec.nodeName"),
                   FieldRef("IP", "status.podIP")}},
       {"app", "--name=web-abcde"},
       {{"POD", "web-abcde"},
        {"NS", "shop"},
        {"APP", "web"},
        {"NODE", "node-1"},
        {"IP", "127.0.0.1"}}},
  };
  for (const SpecRow& row : rows) {
    Result<ProcessSpec> spec = BuildProcessSpec(pod, row.container, context);
    ASSERT_TRUE(spec.ok()) << row.name << ": " << spec.error();
    EXPECT_EQ(spec->argv, row.argv) << row.name;
    for (const auto& [name, value] : row.env) {
      auto found = spec->env.find(name);
      if (value == kAbsent) {
        EXPECT_EQ(found, spec->env.end()) << row.name << ": " << name;
      } else if (found == spec->env.end()) {
        ADD_FAILURE() << row.name << ": " << name << " is missing";
      } else {
        EXPECT_EQ(found->second, value) << row.name << ": " << name;
      }
    }
    EXPECT_EQ(spec->key, (ContainerKey{"uid-1", row.container.name})) << row.name;
    EXPECT_EQ(spec->pod_namespace, "shop") << row.name;
    EXPECT_EQ(spec->pod_name, "web-abcde") << row.name;
    EXPECT_EQ(spec->restart_count, 2) << row.name;
  }
}

TEST(ContainerEnvTest, ProcessSpecKeepsOwnPortsAndWorkingDir) {
  const api::Pod pod = TestPod();
  const ContainerEnvContext context{.host_ports = {{8080, 41000}, {9090, 41001}}};
  api::Container container{.name = "web",
                           .image = "app",
                           .working_dir = "/srv/app",
                           .ports = {{.container_port = 9090}}};
  Result<ProcessSpec> spec = BuildProcessSpec(pod, container, context);
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec->host_ports, (HostPorts{{9090, 41001}}));
  EXPECT_EQ(spec->working_dir, "/srv/app");
}

TEST(ContainerEnvTest, BuildProcessSpecErrors) {
  const api::Pod pod = TestPod();
  const ContainerEnvContext context{.host_ports = {{8080, 41000}}};
  auto with_env = [](api::EnvVar var) {
    return api::Container{.name = "web", .image = "app", .env = {std::move(var)}};
  };
  struct Row {
    std::string name;
    api::Container container;
    std::string message_part;
  };
  const std::vector<Row> rows = {
      {"secretKeyRef",
       with_env(api::EnvVar{
           .name = "PASSWORD",
           .value_from = api::EnvVarSource{.secret_key_ref = api::KeySelector{.name = "s"}}}),
       "env \"PASSWORD\": valueFrom.secretKeyRef is not supported"},
      {"configMapKeyRef",
       with_env(api::EnvVar{
           .name = "CONF",
           .value_from = api::EnvVarSource{.config_map_key_ref = api::KeySelector{.name = "c"}}}),
       "env \"CONF\": valueFrom.configMapKeyRef is not supported"},
      {"resourceFieldRef",
       with_env(api::EnvVar{
           .name = "CPU",
           .value_from =
               api::EnvVarSource{.resource_field_ref = json::Object{{"resource", "limits.cpu"}}}}),
       "env \"CPU\": valueFrom.resourceFieldRef is not supported"},
      {"unsupported fieldRef path", with_env(FieldRef("GEN", "metadata.generation")),
       "env \"GEN\": valueFrom.fieldRef.fieldPath \"metadata.generation\" is not supported"},
      {"fieldRef of another apiVersion",
       with_env(
           api::EnvVar{.name = "N",
                       .value_from = api::EnvVarSource{.field_ref =
                                                           api::ObjectFieldSelector{
                                                               .api_version = "v2",
                                                               .field_path = "metadata.name"}}}),
       "apiVersion \"v2\" is not supported"},
      {"envFrom",
       api::Container{
           .name = "web",
           .image = "app",
           .env_from = json::Array{json::Object{{"configMapRef", json::Object{{"name", "c"}}}}}},
       "envFrom is not supported"},
      {"containerPort without host port",
       api::Container{.name = "web", .image = "app", .ports = {{.container_port = 9999}}},
       "containerPort 9999 has no host port"},
      {"init containers", api::Container{.name = "web", .image = "app", .command = {"app"}},
       "initContainers are not supported"},
      {"no command and no program in the image",
       api::Container{.name = "web", .image = "registry.local:5000/"}, "no command"},
  };
  for (const Row& row : rows) {
    api::Pod pod_of_row = pod;
    if (row.name == "init containers") pod_of_row.spec.init_containers = {{.name = "migrate"}};
    Result<ProcessSpec> spec = BuildProcessSpec(pod_of_row, row.container, context);
    ASSERT_FALSE(spec.ok()) << row.name;
    EXPECT_EQ(spec.error().code(), StatusCode::kInvalidArgument) << row.name;
    EXPECT_NE(spec.error().message().find(row.message_part), std::string::npos)
        << row.name << ": " << spec.error().message();
    EXPECT_NE(spec.error().message().find("shop/web-abcde"), std::string::npos)
        << row.name << ": " << spec.error().message();
  }
}

}  // namespace
}  // namespace devflow::node
