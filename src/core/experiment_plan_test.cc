#include "core/experiment_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "api/codec_testing.h"
#include "api/analysis_codec.h"
#include "api/experiment_codec.h"
#include "core/experiment_templates.h"

namespace devflow::core {
namespace {

api::Time At(int seconds) { return api::Time{api::TimePoint{std::chrono::seconds(seconds)}}; }

// Two templates (baseline and canary, the canary with a Service) and, when `analyses` is set,
// its analyses list.
api::Experiment ExperimentWith(const std::string& extra_spec) {
  return api::testing::DecodeJsonText<api::Experiment>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
    "metadata": {"name": "exp", "namespace": "default", "uid": "exp-uid",
                 "labels": {"argo-rollouts.argoproj.io/controller-instance-id": "one"}},
    "spec": {
      "templates": [
        {"name": "baseline", "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
         "template": {"metadata": {"labels": {"app": "web"}},
                      "spec": {"containers": [{"name": "app", "image": "demo:blue"}]}}},
        {"name": "canary", "selector": {"matchLabels": {"app": "web"}}, "service": {},
         "template": {"metadata": {"labels": {"app": "web"}},
                      "spec": {"containers": [{"name": "app", "image": "demo:green",
                                               "ports": [{"name": "http", "containerPort": 8080}]}]}}}
      ])" + extra_spec + R"(}})");
}

constexpr char kAnalysis[] = R"(,
      "analyses": [{"name": "compare", "templateName": "judge", "requiredForCompletion": true,
                    "args": [{"name": "baseline-hash",
                              "value": "{{templates.baseline.podTemplateHash}}"},
                             {"name": "canary-rs", "value": "{{ templates.canary.replicaset.name }}"}]}])";

api::AnalysisTemplateSpec JudgeTemplate() {
  return api::testing::DecodeJsonText<api::AnalysisTemplate>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
    "metadata": {"name": "judge"},
    "spec": {"args": [{"name": "baseline-hash"}, {"name": "canary-rs"}],
             "metrics": [{"name": "m", "provider": {"web": {"url": "http://x/{{args.canary-rs}}"}}}]}})")
      .spec;
}

// Plays the API server and the ReplicaSet controller: performs a plan on the snapshot.
void Perform(ExperimentSnapshot& snapshot, const ExperimentPlan& plan) {
  int next_uid = static_cast<int>(snapshot.replica_sets.size() + snapshot.services.size() +
                                  snapshot.analysis_runs.size());
  for (api::ReplicaSet rs : plan.create_replica_sets) {
    rs.metadata.uid = "uid-" + std::to_string(++next_uid);
    snapshot.replica_sets.push_back(std::move(rs));
  }
  for (const ReplicaSetChange& change : plan.replica_set_changes) {
    for (api::ReplicaSet& rs : snapshot.replica_sets) {
      if (rs.metadata.name != change.name) continue;
      if (change.replicas) rs.spec.replicas = *change.replicas;
      for (const auto& [key, value] : change.annotations) {
        if (value) {
          rs.metadata.annotations[key] = *value;
        } else {
          rs.metadata.annotations.erase(key);
        }
      }
    }
  }
  for (api::Service service : plan.create_services) {
    service.metadata.uid = "uid-" + std::to_string(++next_uid);
    snapshot.services.push_back(std::move(service));
  }
  for (const auto& [name, uid] : plan.delete_services) {
    std::erase_if(snapshot.services, [&](const auto& s) { return s.metadata.name == name; });
  }
  for (api::AnalysisRun run : plan.create_analysis_runs) {
    run.metadata.uid = "uid-" + std::to_string(++next_uid);
    snapshot.analysis_runs.push_back(std::move(run));
  }
  for (const auto& [name, uid] : plan.terminate_analysis_runs) {
    for (api::AnalysisRun& run : snapshot.analysis_runs) {
      if (run.metadata.name == name) run.spec.terminate = true;
    }
  }
  if (plan.status) snapshot.experiment.status = *plan.status;
}

// Every ReplicaSet's pods come up (or go) at once.
void PodsSettle(ExperimentSnapshot& snapshot) {
  for (api::ReplicaSet& rs : snapshot.replica_sets) {
    const int32_t n = rs.spec.replicas.value_or(1);
    rs.status.replicas = rs.status.ready_replicas = rs.status.available_replicas = n;
  }
}

const api::ExperimentTemplateStatus& TemplateStatus(const ExperimentSnapshot& snapshot,
                                                    const std::string& name) {
  const api::ExperimentTemplateStatus* found = FindTemplateStatus(snapshot.experiment.status, name);
  if (found == nullptr) ADD_FAILURE() << "no status for template " << name;
  static const api::ExperimentTemplateStatus kNone;
  return found != nullptr ? *found : kNone;
}

const api::ReplicaSet& ReplicaSetNamed(const ExperimentSnapshot& snapshot,
                                       const std::string& name) {
  for (const api::ReplicaSet& rs : snapshot.replica_sets) {
    if (rs.metadata.name == name) return rs;
  }
  ADD_FAILURE() << "no ReplicaSet " << name;
  static const api::ReplicaSet kNone;
  return kNone;
}

ExperimentPlan Pass(ExperimentSnapshot& snapshot, int at) {
  snapshot.now = At(at);
  ExperimentPlan plan = PlanExperiment(snapshot);
  Perform(snapshot, plan);
  return plan;
}

bool HasEvent(const ExperimentPlan& plan, const std::string& reason) {
  return std::any_of(plan.events.begin(), plan.events.end(),
                     [&](const PlannedEvent& e) { return e.reason == reason; });
}

TEST(
    ExperimentPlanTest,
    GivenAnExperimentWithARequiredAnalysisWhenItsRunSucceedsThenItCompletesAndScalesDownAfterTheDelay) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith(kAnalysis);
  snapshot.analysis_templates["judge"] = JudgeTemplate();

  // 1. Pending, and a ReplicaSet per template at its size.
  ExperimentPlan plan = Pass(snapshot, 100);
  EXPECT_EQ(snapshot.experiment.status.phase, "Pending");
  ASSERT_EQ(plan.create_replica_sets.size(), 2u);
  const api::ReplicaSet& baseline = ReplicaSetNamed(snapshot, "exp-baseline");
  EXPECT_EQ(baseline.spec.replicas, 2);
  EXPECT_EQ(baseline.metadata.annotations.at("experiment.argoproj.io/template-name"), "baseline");
  EXPECT_EQ(baseline.metadata.owner_references.at(0).uid, "exp-uid");
  const std::string hash = baseline.metadata.labels.at("rollouts-pod-template-hash");
  EXPECT_EQ(baseline.spec.selector.match_labels.at("rollouts-pod-template-hash"), hash);
  EXPECT_EQ(baseline.spec.template_.metadata.labels.at("rollouts-pod-template-hash"), hash);
  EXPECT_NE(
      hash,
      ReplicaSetNamed(snapshot, "exp-canary").metadata.labels.at("rollouts-pod-template-hash"));
  EXPECT_EQ(TemplateStatus(snapshot, "baseline").status, "Progressing");
  EXPECT_TRUE(HasEvent(plan, "NewReplicaSetCreated"));

  // 2. Pods not up yet: still Pending; the canary's Service is made from its container port.
  plan = Pass(snapshot, 101);
  EXPECT_EQ(snapshot.experiment.status.phase, "Pending");
  ASSERT_EQ(plan.create_services.size(), 1u);
  EXPECT_EQ(plan.create_services[0].metadata.name, "exp-canary");
  EXPECT_EQ(plan.create_services[0].spec.ports.at(0).port, 8080);
  EXPECT_EQ(
      plan.create_services[0].spec.selector.at("rollouts-pod-template-hash"),
      ReplicaSetNamed(snapshot, "exp-canary").metadata.labels.at("rollouts-pod-template-hash"));
  EXPECT_EQ(TemplateStatus(snapshot, "canary").service_name, "exp-canary");
  EXPECT_FALSE(snapshot.experiment.status.available_at);
  EXPECT_TRUE(plan.create_analysis_runs.empty()) << "no run before the templates are available";

  // 3. Pods up: Running, availableAt now.
  PodsSettle(snapshot);
  plan = Pass(snapshot, 110);
  EXPECT_EQ(TemplateStatus(snapshot, "baseline").status, "Running");
  EXPECT_EQ(snapshot.experiment.status.phase, "Running");
  EXPECT_EQ(snapshot.experiment.status.available_at, At(110));
  EXPECT_TRUE(plan.create_analysis_runs.empty());

  // 4. The analysis starts, its args resolved from the templates' ReplicaSets.
  plan = Pass(snapshot, 111);
  ASSERT_EQ(plan.create_analysis_runs.size(), 1u);
  const api::AnalysisRun& run = plan.create_analysis_runs[0];
  EXPECT_EQ(run.metadata.name, "exp-compare");
  EXPECT_EQ(run.metadata.owner_references.at(0).kind, "Experiment");
  EXPECT_EQ(run.metadata.labels.at("argo-rollouts.argoproj.io/controller-instance-id"), "one");
  ASSERT_EQ(run.spec.args.size(), 2u);
  EXPECT_EQ(run.spec.args[0].value, hash);
  EXPECT_EQ(run.spec.args[1].value, "exp-canary");
  EXPECT_EQ(snapshot.experiment.status.analysis_runs.at(0).phase, "Pending");
  EXPECT_EQ(snapshot.experiment.status.analysis_runs.at(0).analysis_run, "exp-compare");

  // 5. The run runs, then succeeds: the experiment is Successful.
  snapshot.analysis_runs.at(0).status.phase = "Running";
  Pass(snapshot, 112);
  EXPECT_EQ(snapshot.experiment.status.phase, "Running");
  snapshot.analysis_runs.at(0).status.phase = "Successful";
  plan = Pass(snapshot, 120);
  EXPECT_EQ(snapshot.experiment.status.phase, "Successful");
  EXPECT_EQ(snapshot.experiment.status.message, "Required AnalysisRuns completed");
  ASSERT_FALSE(snapshot.experiment.status.conditions.empty());
  EXPECT_EQ(snapshot.experiment.status.conditions.back().reason, "ExperimentCompleted");
  EXPECT_TRUE(HasEvent(plan, "AnalysisRunSuccessful"));

  // 6. Ended: the templates are Successful and wait out scaleDownDelaySeconds (30 s).
  plan = Pass(snapshot, 121);
  EXPECT_EQ(TemplateStatus(snapshot, "canary").status, "Successful");
  EXPECT_EQ(ReplicaSetNamed(snapshot, "exp-baseline").spec.replicas, 2);
  EXPECT_EQ(
      ReplicaSetNamed(snapshot, "exp-baseline").metadata.annotations.at("scale-down-deadline"),
      "1970-01-01T00:02:31Z");
  EXPECT_EQ(plan.requeue_at, At(151));
  plan = Pass(snapshot, 140);
  EXPECT_EQ(ReplicaSetNamed(snapshot, "exp-baseline").spec.replicas, 2);

  // 7. Past the deadline: scaled to 0; the Service goes once no pod is available.
  plan = Pass(snapshot, 152);
  EXPECT_EQ(ReplicaSetNamed(snapshot, "exp-baseline").spec.replicas, 0);
  EXPECT_EQ(ReplicaSetNamed(snapshot, "exp-canary").spec.replicas, 0);
  EXPECT_TRUE(HasEvent(plan, "ScalingReplicaSet"));
  PodsSettle(snapshot);
  plan = Pass(snapshot, 153);
  ASSERT_EQ(plan.delete_services.size(), 1u);
  EXPECT_EQ(plan.delete_services[0].first, "exp-canary");
  EXPECT_EQ(snapshot.experiment.status.phase, "Successful");
  EXPECT_EQ(TemplateStatus(snapshot, "canary").service_name, "");
  // 8. Converged: nothing more to do.
  plan = Pass(snapshot, 154);
  EXPECT_EQ(plan, ExperimentPlan{});
}

TEST(ExperimentPlanTest,
     GivenADurationAndNoAnalysesThenTheExperimentSucceedsOnceTheDurationHasPassed) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith(R"(, "duration": "30s")");
  Pass(snapshot, 0);
  Pass(snapshot, 1);
  PodsSettle(snapshot);
  ExperimentPlan plan = Pass(snapshot, 10);
  EXPECT_EQ(snapshot.experiment.status.phase, "Running");
  EXPECT_EQ(plan.requeue_at, At(41)) << "the duration's end (10 + 30), and a second past it";
  plan = Pass(snapshot, 20);
  EXPECT_EQ(snapshot.experiment.status.phase, "Running");
  EXPECT_EQ(snapshot.experiment.status.conditions.back().reason, "NewReplicaSetAvailable");
  plan = Pass(snapshot, 41);
  EXPECT_EQ(TemplateStatus(snapshot, "baseline").status, "Successful");
  EXPECT_EQ(snapshot.experiment.status.phase, "Successful");
}

TEST(ExperimentPlanTest, GivenATemplateThatNeverBecomesAvailableThenItFailsAtItsProgressDeadline) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith(R"(, "progressDeadlineSeconds": 60)");
  Pass(snapshot, 0);
  ExperimentPlan plan = Pass(snapshot, 1);
  EXPECT_EQ(plan.requeue_at, At(61)) << "the deadline counts from the ReplicaSet's creation";
  Pass(snapshot, 30);
  EXPECT_EQ(snapshot.experiment.status.phase, "Pending");
  plan = Pass(snapshot, 61);
  EXPECT_EQ(TemplateStatus(snapshot, "baseline").status, "Failed");
  EXPECT_EQ(snapshot.experiment.status.phase, "Failed");
  EXPECT_EQ(snapshot.experiment.status.message,
            "Template 'baseline' exceeded its progressDeadlineSeconds (60)");
  EXPECT_TRUE(HasEvent(plan, "TemplateFailed"));
  // Failed ends it: the templates scale down after the delay.
  plan = Pass(snapshot, 62);
  EXPECT_EQ(
      ReplicaSetNamed(snapshot, "exp-canary").metadata.annotations.count("scale-down-deadline"),
      1u);
}

TEST(ExperimentPlanTest,
     GivenAFailedAnalysisThenTheExperimentFailsWithItsMessageAndOtherRunsAreTerminated) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith(R"(,
      "analyses": [{"name": "a", "templateName": "t"}, {"name": "b", "templateName": "t"}])");
  snapshot.analysis_templates["t"] = api::testing::DecodeJsonText<api::AnalysisTemplate>(R"({
    "metadata": {"name": "t"},
    "spec": {"metrics": [{"name": "m", "provider": {"web": {"url": "http://x"}}}]}})")
                                         .spec;
  Pass(snapshot, 0);
  Pass(snapshot, 1);
  PodsSettle(snapshot);
  Pass(snapshot, 2);
  ExperimentPlan plan = Pass(snapshot, 3);
  ASSERT_EQ(plan.create_analysis_runs.size(), 2u);
  snapshot.analysis_runs[0].status.phase = "Failed";
  snapshot.analysis_runs[0].status.message = "Metric \"m\" assessed Failed";
  snapshot.analysis_runs[1].status.phase = "Running";
  plan = Pass(snapshot, 4);
  EXPECT_EQ(snapshot.experiment.status.phase, "Failed");
  EXPECT_EQ(snapshot.experiment.status.message, "Metric \"m\" assessed Failed");
  plan = Pass(snapshot, 5);
  ASSERT_EQ(plan.terminate_analysis_runs.size(), 1u);
  EXPECT_EQ(plan.terminate_analysis_runs[0].first, "exp-b");
}

TEST(ExperimentPlanTest, GivenAMissingAnalysisTemplateThenTheExperimentErrorsBeforeStartingIt) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith(R"(,
      "analyses": [{"name": "a", "templateName": "gone"}])");
  Pass(snapshot, 0);
  Pass(snapshot, 1);
  EXPECT_EQ(snapshot.experiment.status.phase, "Error");
  EXPECT_EQ(snapshot.experiment.status.message,
            "AnalysisTemplate verification failed for analysis 'a': "
            "analysistemplate.argoproj.io \"gone\" not found");
}

TEST(ExperimentPlanTest, GivenATerminatedExperimentThenItsTemplatesSucceedAndNoRunStarts) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith(R"(, "scaleDownDelaySeconds": 0)");
  Pass(snapshot, 0);
  Pass(snapshot, 1);
  PodsSettle(snapshot);
  Pass(snapshot, 2);
  EXPECT_EQ(snapshot.experiment.status.phase, "Running");
  snapshot.experiment.spec.terminate = true;
  ExperimentPlan plan = Pass(snapshot, 3);
  EXPECT_EQ(ReplicaSetNamed(snapshot, "exp-baseline").spec.replicas, 0)
      << "scaleDownDelaySeconds 0 scales down at once";
  PodsSettle(snapshot);
  Pass(snapshot, 4);
  EXPECT_EQ(TemplateStatus(snapshot, "baseline").status, "Successful");
  EXPECT_EQ(snapshot.experiment.status.phase, "Successful");
}

TEST(ExperimentPlanTest,
     GivenAReplicaSetNameTakenByAnotherOwnerThenTheTemplateWaitsInsteadOfAdoptingIt) {
  ExperimentSnapshot snapshot;
  snapshot.experiment = ExperimentWith("");
  api::ReplicaSet foreign;
  foreign.metadata.name = "exp-baseline";
  foreign.metadata.uid = "foreign";
  snapshot.replica_sets.push_back(foreign);
  Pass(snapshot, 0);
  ExperimentPlan plan = Pass(snapshot, 1);
  EXPECT_TRUE(plan.create_replica_sets.empty());
  EXPECT_EQ(TemplateStatus(snapshot, "baseline").status, "Progressing");
  EXPECT_NE(TemplateStatus(snapshot, "baseline").message.find("not controlled by this experiment"),
            std::string::npos);
}

TEST(ExperimentPlanTest, GivenAnInvalidSpecThenOnlyTheInvalidSpecConditionIsWritten) {
  api::Experiment experiment = ExperimentWith("");
  api::FieldError error;
  error.message = "must not be empty";
  const ExperimentPlan plan = PlanInvalidExperiment(experiment, {error}, At(5));
  ASSERT_TRUE(plan.status);
  EXPECT_EQ(plan.status->conditions.at(0).type, "InvalidSpec");
  EXPECT_TRUE(plan.create_replica_sets.empty());
  experiment.status = *plan.status;
  EXPECT_FALSE(PlanInvalidExperiment(experiment, {error}, At(6)).status) << "written once";
}

}  // namespace
}  // namespace devflow::core
