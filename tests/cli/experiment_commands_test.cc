// `devflow terminate analysisrun|experiment`, `retry experiment` and `get experiment NAME`: the
// requests (a table), then end to end against the real `devflow serve`.
#include "cli/experiment_commands.h"

#include <gtest/gtest.h>

#include <string>

#include "command_runner.h"
#include "serve_process.h"

namespace devflow {
namespace {

using testing::CommandOutput;
using testing::RunCommand;
using testing::ServeProcess;

const std::string kDevflow = DEVFLOW_BINARY;

TEST(ExperimentActionRequestTest, EachActionSendsArgosPatchAndMessage) {
  const json::Value terminate = json::Object{{"spec", json::Object{{"terminate", true}}}};
  struct Row {
    std::string name;
    cli::ExperimentAction action;
    std::string plural;
    json::Value patch;
    bool status_first;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"TerminateAnalysisRunSetsSpecTerminate", cli::ExperimentAction::kTerminateAnalysisRun,
       "analysisruns", terminate, false, "analysisRun 'web' terminated"},
      {"TerminateExperimentSaysTerminatedNotArgosRetried",
       cli::ExperimentAction::kTerminateExperiment, "experiments", terminate, false,
       "experiment 'web' terminated"},
      {"RetryExperimentNullsTheStatus", cli::ExperimentAction::kRetryExperiment, "experiments",
       json::Object{{"status", nullptr}}, true, "experiment 'web' retried"},
  };
  for (const Row& row : rows) {
    cli::ExperimentActionRequest request = cli::RequestFor(row.action, "web");
    EXPECT_EQ(request.resource.group, "argoproj.io") << row.name;
    EXPECT_EQ(request.resource.plural, row.plural) << row.name;
    EXPECT_EQ(request.patch, row.patch) << row.name;
    EXPECT_EQ(request.status_first, row.status_first) << row.name;
    EXPECT_EQ(request.message, row.message) << row.name;
  }
}

// An Experiment with one template and one analysis, and the status a controller would have
// written (devflow's Experiment has no status subresource, so apply stores it).
const char kExperiment[] = R"(apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata:
  name: web-exp
spec:
  duration: 1h
  templates:
  - name: baseline
    selector:
      matchLabels: {app: web, variant: baseline}
    template:
      metadata:
        labels: {app: web, variant: baseline}
      spec:
        containers:
        - name: web
          image: nginx:1.25
  analyses:
  - name: success-rate
    templateName: success-rate
    requiredForCompletion: true
status:
  phase: Running
  availableAt: "2026-11-23T10:00:05Z"
  templateStatuses:
  - name: baseline
    status: Running
    replicas: 1
    updatedReplicas: 1
    readyReplicas: 1
    availableReplicas: 1
    podTemplateHash: 5f4b8c
  analysisRuns:
  - name: success-rate
    analysisRun: web-exp-success-rate
    phase: Running
)";

// An AnalysisRun named NAME; with OWNER_UID set, controlled by web-exp.
std::string AnalysisRunManifest(const std::string& name, const std::string& owner_uid) {
  std::string owner;
  if (!owner_uid.empty()) {
    owner =
        "  ownerReferences:\n  - apiVersion: argoproj.io/v1alpha1\n    kind: Experiment\n"
        "    name: web-exp\n    uid: " +
        owner_uid + "\n    controller: true\n";
  }
  return R"(apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: )" +
         name + "\n" + owner + R"(spec:
  metrics:
  - name: success-rate
    provider:
      web:
        url: http://127.0.0.1:9/
status:
  phase: Running
  metricResults:
  - name: success-rate
    phase: Running
    successful: 1
    measurements:
    - phase: Successful
      startedAt: "2026-11-23T10:00:06Z"
      value: "0.99"
)";
}

// A ReplicaSet annotated for template baseline; with OWNER_UID set, controlled by web-exp.
std::string ReplicaSetManifest(const std::string& name, const std::string& owner_uid) {
  std::string owner;
  if (!owner_uid.empty()) {
    owner =
        "  ownerReferences:\n  - apiVersion: argoproj.io/v1alpha1\n    kind: Experiment\n"
        "    name: web-exp\n    uid: " +
        owner_uid + "\n    controller: true\n";
  }
  return R"(apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: )" +
         name + R"(
  annotations:
    experiment.argoproj.io/template-name: baseline
)" + owner +
         R"(spec:
  replicas: 0
  selector:
    matchLabels: {app: web, variant: baseline}
  template:
    metadata:
      labels: {app: web, variant: baseline}
    spec:
      containers:
      - name: web
        image: nginx:1.25
)";
}

// The API server alone (--no-controllers): no controller rewrites what these tests set, so
// every assertion is on what a command wrote.
class ExperimentCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start("--no-controllers")) << server_.log();
    CommandOutput applied = Devflow("apply -f -", kExperiment);
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
  }
  CommandOutput Devflow(const std::string& args, const std::string& input = "") {
    return RunCommand(kDevflow + " --kubeconfig " + server_.kubeconfig() + " " + args, input);
  }
  std::string ExperimentJson() { return Devflow("get experiment web-exp -o json").out; }
  ServeProcess server_;
};

TEST_F(ExperimentCommandsTest, GivenAnExperimentWhenTerminatedThenSpecTerminateIsTrue) {
  ASSERT_EQ(ExperimentJson().find(R"("terminate": true)"), std::string::npos);
  CommandOutput terminated = Devflow("terminate experiment web-exp");
  EXPECT_EQ(terminated.exit_code, 0) << terminated.err;
  EXPECT_EQ(terminated.out, "experiment 'web-exp' terminated\n");
  EXPECT_NE(ExperimentJson().find(R"("terminate": true)"), std::string::npos) << ExperimentJson();
  // The alias, and a second terminate, change nothing more and still succeed.
  CommandOutput again = Devflow("terminate exp web-exp");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "experiment 'web-exp' terminated\n");
}

TEST_F(ExperimentCommandsTest, GivenAnExperimentWithStatusWhenRetriedThenTheStatusIsCleared) {
  ASSERT_NE(ExperimentJson().find(R"("templateStatuses")"), std::string::npos) << ExperimentJson();
  CommandOutput retried = Devflow("retry experiment web-exp");
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, "experiment 'web-exp' retried\n");
  const std::string after = ExperimentJson();
  EXPECT_EQ(after.find(R"("templateStatuses")"), std::string::npos) << after;
  EXPECT_EQ(after.find(R"("phase": "Running")"), std::string::npos) << after;
  // The spec is untouched.
  EXPECT_NE(after.find(R"("duration": "1h")"), std::string::npos) << after;
  // `retry rollout` still resolves to the rollout action.
  CommandOutput rollout = Devflow("retry rollout web-exp");
  EXPECT_EQ(rollout.exit_code, 1);
  EXPECT_EQ(rollout.err, "devflow: rollouts.argoproj.io \"web-exp\" not found\n");
}

TEST_F(ExperimentCommandsTest, GivenAMissingNameWhenActedOnThenExit1NamingItAfterTheOthers) {
  CommandOutput terminate = Devflow("terminate experiment web-exp nope");
  EXPECT_EQ(terminate.exit_code, 1);
  EXPECT_EQ(terminate.out, "experiment 'web-exp' terminated\n");
  EXPECT_EQ(terminate.err, "devflow: experiments.argoproj.io \"nope\" not found\n");

  CommandOutput retry = Devflow("retry experiment nope");
  EXPECT_EQ(retry.exit_code, 1);
  EXPECT_EQ(retry.out, "");
  EXPECT_EQ(retry.err, "devflow: experiments.argoproj.io \"nope\" not found\n");

  CommandOutput run = Devflow("terminate analysisrun nope");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "devflow: analysisruns.argoproj.io \"nope\" not found\n");

  CommandOutput other_namespace = Devflow("-n kube-system terminate experiment web-exp");
  EXPECT_EQ(other_namespace.exit_code, 1);
  EXPECT_EQ(other_namespace.err, "devflow: experiments.argoproj.io \"web-exp\" not found\n");
}

TEST_F(ExperimentCommandsTest, GivenAnAnalysisRunWhenTerminatedThenSpecTerminateIsTrue) {
  CommandOutput applied = Devflow("apply -f -", AnalysisRunManifest("web-run", ""));
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  CommandOutput terminated = Devflow("terminate analysisrun web-run");
  EXPECT_EQ(terminated.exit_code, 0) << terminated.err;
  EXPECT_EQ(terminated.out, "analysisRun 'web-run' terminated\n");
  CommandOutput run = Devflow("get analysisrun web-run -o json");
  EXPECT_NE(run.out.find(R"("terminate": true)"), std::string::npos) << run.out;
}

TEST_F(ExperimentCommandsTest, GivenOwnedObjectsWhenGetExperimentThenTheSummaryShowsOnlyThose) {
  CommandOutput uid = Devflow("get experiment web-exp -o json");
  const size_t at = uid.out.find(R"("uid": ")");
  ASSERT_NE(at, std::string::npos) << uid.out;
  const size_t start = at + 8;
  const std::string experiment_uid = uid.out.substr(start, uid.out.find('"', start) - start);

  // Owned: shown. Not owned, though annotated or named like the experiment's: not shown.
  CommandOutput applied =
      Devflow("apply -f -", AnalysisRunManifest("web-exp-success-rate", experiment_uid) + "---\n" +
                                ReplicaSetManifest("web-exp-baseline", experiment_uid) + "---\n" +
                                ReplicaSetManifest("stranger", ""));
  ASSERT_EQ(applied.exit_code, 0) << applied.err;

  CommandOutput summary = Devflow("get experiment web-exp");
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_EQ(summary.out,
            "Name:          web-exp\n"
            "Namespace:     default\n"
            "Status:        Running\n"
            "Available at:  2026-11-23T10:00:05Z\n"
            "Duration:      1h\n"
            "Images:        nginx:1.25 (baseline)\n"
            "\n"
            "Templates:\n"
            "  NAME      STATUS   REPLICAS  UPDATED  READY  AVAILABLE  HASH    SERVICE  REPLICASET "
            "       "
            "MESSAGE\n"
            "  baseline  Running  1/1       1        1      1          5f4b8c  -        "
            "web-exp-baseline\n"
            "\n"
            "Analyses:\n"
            "  success-rate\n"
            "    Phase:        Running\n"
            "    Required:     yes\n"
            "    AnalysisRun:  web-exp-success-rate\n"
            "      Name:       web-exp-success-rate\n"
            "      Namespace:  default\n"
            "      Phase:      Running\n"
            "\n"
            "      Metric: success-rate\n"
            "        Phase:   Running\n"
            "        Counts:  successful 1, failed 0, inconclusive 0, error 0\n"
            "        Measurements (oldest first):\n"
            "          TIME                  PHASE       VALUE  MESSAGE\n"
            "          2026-11-23T10:00:06Z  Successful  0.99\n");

  // The short name resolves too; -o keeps printing the object.
  CommandOutput yaml = Devflow("get exp web-exp -o yaml");
  EXPECT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_NE(yaml.out.find("kind: Experiment\n"), std::string::npos) << yaml.out;
  CommandOutput missing = Devflow("get experiments nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("\"nope\" not found"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace devflow
