// End-to-end: `devflow apply`, `get` and `delete` against the real `devflow
// serve`.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "command_runner.h"
#include "serve_process.h"

namespace devflow {
namespace {

using testing::CommandOutput;
using testing::RunCommand;
using testing::ServeProcess;

const std::string kDevflow = DEVFLOW_BINARY;
const std::string kSource = DEVFLOW_SOURCE_DIR;

// The commands against the API server alone (--no-controllers): these tests play the
// controller where they need one (status writes), so no reconcile may change what they check.
class ObjectCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start("--no-controllers")) << server_.log();
    // The bluegreen example lives in namespace production.
    CommandOutput ns =
        Devflow("apply -f -", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n");
    ASSERT_EQ(ns.exit_code, 0) << ns.err;
  }
  CommandOutput Devflow(const std::string& args, const std::string& input = "") {
    return RunCommand(kDevflow + " --kubeconfig " + server_.kubeconfig() + " " + args, input);
  }
  ServeProcess server_;
};

TEST_F(ObjectCommandsTest, ApplyCreatesThenReportsUnchangedThenConfigured) {
  CommandOutput first = Devflow("apply -f " + kSource + "/examples/bluegreen");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out,
            "rollout.argoproj.io/my-app created\n"
            "service/my-app-active created\n"
            "service/my-app-preview created\n");
  CommandOutput again = Devflow("apply -f " + kSource + "/examples/bluegreen");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out,
            "rollout.argoproj.io/my-app unchanged\n"
            "service/my-app-active unchanged\n"
            "service/my-app-preview unchanged\n");

  CommandOutput live = Devflow("-n production get rollout my-app -o json");
  ASSERT_EQ(live.exit_code, 0) << live.err;
  // Changing the file's replicas changes only that.
  std::string changed = testing::ReadFileForTest(kSource + "/examples/bluegreen/rollout.yaml");
  size_t at = changed.find("replicas: ");
  ASSERT_NE(at, std::string::npos);
  changed.replace(at, changed.find('\n', at) - at, "replicas: 7");
  CommandOutput configured = Devflow("apply -f -", changed);
  ASSERT_EQ(configured.exit_code, 0) << configured.err;
  EXPECT_EQ(configured.out, "rollout.argoproj.io/my-app configured\n");
  CommandOutput replicas = Devflow("-n production get ro my-app -o json");
  EXPECT_NE(replicas.out.find("\"replicas\": 7"), std::string::npos) << replicas.out;
}

TEST_F(ObjectCommandsTest, InvalidFileAppliesNothing) {
  const std::string manifests =
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: good\nspec:\n  "
      "ports:\n  - port: 80\n"
      "---\n"
      "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: "
      "bad\nspec:\n"
      "  strategy:\n    canary:\n      steps:\n      - setWeight: 120\n";
  CommandOutput applied = Devflow("apply -f -", manifests);
  EXPECT_EQ(applied.exit_code, 1);
  EXPECT_EQ(applied.out, "");
  EXPECT_NE(applied.err.find("-:17:"), std::string::npos) << applied.err;
  EXPECT_NE(applied.err.find("spec.strategy.canary.steps[0].setWeight"), std::string::npos)
      << applied.err;
  EXPECT_NE(applied.err.find("nothing applied"), std::string::npos) << applied.err;
  CommandOutput services = Devflow("get services -A -o name");
  EXPECT_EQ(services.out, "") << services.out;
}

TEST_F(ObjectCommandsTest, GetFormatsAndDelete) {
  ASSERT_EQ(Devflow("apply -f " + kSource + "/examples/canary").exit_code, 0);
  CommandOutput table = Devflow("get ro");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.substr(0, table.out.find('\n')).find("NAME"), 0u) << table.out;
  EXPECT_NE(table.out.find("notifications-service-canary"), std::string::npos);

  CommandOutput yaml = Devflow("get rollouts.argoproj.io notifications-service-canary -o yaml");
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("kind: Rollout\n"), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("  - setWeight: 25\n"), std::string::npos) << yaml.out;

  CommandOutput names = Devflow("get namespaces -o name");
  EXPECT_NE(names.out.find("namespace/default\n"), std::string::npos) << names.out;

  CommandOutput deleted = Devflow("delete -f " + kSource + "/examples/canary");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "rollout.argoproj.io \"notifications-service-canary\" deleted\n");
  CommandOutput missing = Devflow("delete ro notifications-service-canary");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;
  EXPECT_EQ(Devflow("delete ro notifications-service-canary --ignore-not-found").exit_code, 0);
}

TEST_F(ObjectCommandsTest, UnknownResourceTypeIsNamed) {
  CommandOutput r = Devflow("get frobnicators");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: the server doesn't have a resource type \"frobnicators\"\n");
}

TEST_F(ObjectCommandsTest, ServeRestartKeepsTokenAndObjects) {
  ASSERT_EQ(Devflow("apply -f " + kSource + "/examples/canary").exit_code, 0);
  const std::string token = testing::ReadFileForTest(server_.data_dir() + "/token");
  server_.Kill(SIGKILL);
  ASSERT_TRUE(server_.Start("--no-controllers")) << server_.log();
  EXPECT_EQ(testing::ReadFileForTest(server_.data_dir() + "/token"), token);
  CommandOutput r = Devflow("get ro -o name");
  EXPECT_EQ(r.out, "rollout.argoproj.io/notifications-service-canary\n") << r.err;
}

}  // namespace
}  // namespace devflow

namespace devflow {
namespace {

TEST_F(ObjectCommandsTest, SetImageChangesTheRolloutTemplateAsArgosPluginDoes) {
  ASSERT_EQ(Devflow("apply -f " + kSource + "/examples/bluegreen").exit_code, 0);
  CommandOutput set =
      Devflow("-n production set image my-app my-app=registry.example.com/my-app:v3");
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "rollout.argoproj.io/my-app image updated\n");
  CommandOutput image = Devflow("-n production get rollout my-app -o json");
  EXPECT_NE(image.out.find(R"("image": "registry.example.com/my-app:v3")"), std::string::npos)
      << image.out;

  EXPECT_EQ(
      Devflow("-n production set image rollout/my-app my-app=registry.example.com/my-app:v3").out,
      "rollout.argoproj.io/my-app image unchanged\n");
  CommandOutput missing = Devflow("-n production set image my-app web=nginx:1");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "devflow set image: unable to find container named \"web\"\n");
  CommandOutput not_found = Devflow("-n production set image nope app=nginx:1");
  EXPECT_EQ(not_found.exit_code, 1);
  EXPECT_EQ(not_found.err, "devflow set image: rollouts.argoproj.io \"nope\" not found\n");
  CommandOutput service = Devflow("-n production set image svc/my-app-active app=nginx:1");
  EXPECT_EQ(service.exit_code, 1);
  EXPECT_EQ(service.err, "devflow set image: Service has no pod template\n");
}

}  // namespace
}  // namespace devflow

namespace devflow {
namespace {

TEST_F(ObjectCommandsTest, SetImageOfARolloutWithAWorkloadRefChangesTheDeployment) {
  CommandOutput applied = Devflow("-n production apply -f -", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 0
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  workloadRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  strategy:
    canary: {}
)");
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  CommandOutput set = Devflow("-n production set image web web=nginx:1.27");
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "deployment.apps/web image updated\n");
  EXPECT_NE(
      Devflow("-n production get deployment web -o json").out.find(R"("image": "nginx:1.27")"),
      std::string::npos);
}

}  // namespace
}  // namespace devflow

namespace devflow {
namespace {

// The actions patch the Rollout as Argo's plugin does; no controller runs here, so what is
// checked is what was written.
TEST_F(ObjectCommandsTest, RolloutActionsPatchTheRollout) {
  ASSERT_EQ(Devflow("apply -f " + kSource + "/examples/canary").exit_code, 0);
  auto rollout = [&] { return Devflow("get rollout notifications-service-canary -o json").out; };
  CommandOutput pause = Devflow("pause notifications-service-canary");
  EXPECT_EQ(pause.out, "rollout 'notifications-service-canary' paused\n") << pause.err;
  EXPECT_NE(rollout().find(R"("paused": true)"), std::string::npos);

  CommandOutput promote = Devflow("promote notifications-service-canary");
  EXPECT_EQ(promote.out, "rollout 'notifications-service-canary' promoted\n") << promote.err;
  EXPECT_NE(rollout().find(R"("paused": false)"), std::string::npos);
  EXPECT_NE(rollout().find(R"("currentStepIndex": 1)"), std::string::npos) << rollout();

  CommandOutput abort = Devflow("abort notifications-service-canary");
  EXPECT_EQ(abort.out, "rollout 'notifications-service-canary' aborted\n") << abort.err;
  EXPECT_NE(rollout().find(R"("abort": true)"), std::string::npos);
  CommandOutput retry = Devflow("retry rollout notifications-service-canary");
  EXPECT_EQ(retry.out, "rollout 'notifications-service-canary' retried\n") << retry.err;
  EXPECT_NE(rollout().find(R"("abort": false)"), std::string::npos);

  CommandOutput restart = Devflow("restart notifications-service-canary --in 1h");
  EXPECT_EQ(restart.out, "rollout 'notifications-service-canary' restarts in 3600s\n")
      << restart.err;
  EXPECT_NE(rollout().find(R"("restartAt": ")"), std::string::npos);

  CommandOutput undo = Devflow("undo notifications-service-canary");
  EXPECT_EQ(undo.exit_code, 1);
  EXPECT_EQ(undo.err, "devflow: no revision found for rollout \"notifications-service-canary\"\n");
  CommandOutput missing = Devflow("abort notifications-service-canary nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "rollout 'notifications-service-canary' aborted\n");
  EXPECT_EQ(missing.err, "devflow: rollouts.argoproj.io \"nope\" not found\n");
}

}  // namespace
}  // namespace devflow

namespace devflow {
namespace {

// No controller runs here: the status the test writes is what `status` reads.
TEST_F(ObjectCommandsTest, StatusPrintsThePhaseAndExitsAsArgosPluginDoes) {
  ASSERT_EQ(Devflow("apply -f " + kSource + "/examples/canary").exit_code, 0);
  const std::string name = "notifications-service-canary";
  CommandOutput unobserved = Devflow("status " + name + " --watch=false");
  EXPECT_EQ(unobserved.exit_code, 0) << unobserved.err;
  EXPECT_EQ(unobserved.out, "Progressing - waiting for rollout spec update to be observed\n");

  CommandOutput timed_out = Devflow("status " + name + " --timeout 1s");
  EXPECT_EQ(timed_out.exit_code, 1);
  EXPECT_EQ(timed_out.err, "Error: Rollout status watch exceeded timeout\n");

  auto set_status = [&](const std::string& status) {
    CommandOutput patched =
        RunCommand("kubectl --kubeconfig " + server_.kubeconfig() + " patch rollout " + name +
                   " --subresource=status --type=merge -p '" + status + "'");
    ASSERT_EQ(patched.exit_code, 0) << patched.err;
  };
  if (RunCommand("kubectl version --client").exit_code != 0) GTEST_SKIP() << "no kubectl";
  set_status(R"({"status":{"observedGeneration":"1","phase":"Healthy"}})");
  CommandOutput healthy = Devflow("status " + name);
  EXPECT_EQ(healthy.exit_code, 0) << healthy.err;
  EXPECT_EQ(healthy.out, "Healthy\n");

  set_status(R"({"status":{"phase":"Degraded","message":"RolloutAborted: Rollout aborted"}})");
  CommandOutput degraded = Devflow("status " + name + " --watch=false");
  EXPECT_EQ(degraded.exit_code, 1);
  EXPECT_EQ(degraded.out, "Degraded\n");
  EXPECT_EQ(degraded.err,
            "Error: The rollout is in a degraded state with message: RolloutAborted: Rollout "
            "aborted\n");
}

}  // namespace
}  // namespace devflow
