#include "cli/experiment_printer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/experiment_templates.h"

namespace devflow::cli {
namespace {

api::Time At(int second) {
  return api::Time{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} +
                   std::chrono::hours{10} + std::chrono::seconds{second}};
}

api::ExperimentTemplate Template(std::string name, std::vector<std::string> images,
                                 std::optional<int32_t> replicas = std::nullopt) {
  api::ExperimentTemplate t;
  t.name = std::move(name);
  t.replicas = replicas;
  for (std::string& image : images) {
    api::Container container;
    container.name = "app";
    container.image = std::move(image);
    t.template_.spec.containers.push_back(std::move(container));
  }
  return t;
}

api::ExperimentAnalysisTemplateRef Analysis(std::string name, bool required) {
  api::ExperimentAnalysisTemplateRef ref;
  ref.name = std::move(name);
  ref.template_name = "success-rate";
  ref.required_for_completion = required;
  return ref;
}

// web-exp: templates baseline (nginx:1.25) and canary (nginx:1.27, 2 replicas), analyses
// success-rate (required) and errors.
api::Experiment NewExperiment() {
  api::Experiment e;
  e.metadata.name = "web-exp";
  e.metadata.namespace_ = "default";
  e.metadata.uid = "uid-1";
  e.spec.templates = {Template("baseline", {"nginx:1.25"}), Template("canary", {"nginx:1.27"}, 2)};
  e.spec.analyses = {Analysis("success-rate", true), Analysis("errors", false)};
  return e;
}

api::ExperimentTemplateStatus TemplateStatus(std::string name, std::string status, int32_t n,
                                             std::string hash) {
  api::ExperimentTemplateStatus s;
  s.name = std::move(name);
  s.status = std::move(status);
  s.replicas = s.updated_replicas = s.ready_replicas = s.available_replicas = n;
  s.pod_template_hash = std::move(hash);
  return s;
}

api::ReplicaSet TemplateReplicaSet(std::string name, std::string template_name) {
  api::ReplicaSet rs;
  rs.metadata.name = std::move(name);
  rs.metadata.annotations[std::string(core::kExperimentTemplateNameAnnotation)] =
      std::move(template_name);
  return rs;
}

// A run with one metric, success-rate, measured twice.
api::AnalysisRun Run(std::string name, std::string phase) {
  api::AnalysisRun run;
  run.metadata.name = std::move(name);
  run.metadata.namespace_ = "default";
  api::Metric metric;
  metric.name = "success-rate";
  run.spec.metrics = {metric};
  run.status.phase = phase;
  api::MetricResult result;
  result.name = "success-rate";
  result.phase = phase;
  result.successful = 2;
  for (int second : {0, 1}) {
    api::Measurement m;
    m.phase = "Successful";
    m.started_at = At(second);
    m.value = second == 0 ? "0.99" : "0.98";
    result.measurements.push_back(m);
  }
  run.status.metric_results = {result};
  return run;
}

struct Case {
  std::string name;
  api::Experiment experiment;
  std::vector<api::ReplicaSet> replica_sets;
  std::vector<api::AnalysisRun> runs;
  std::string want;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;

  cases.push_back({"GivenANewExperimentWithoutStatusThenEverythingPending",
                   NewExperiment(),
                   {},
                   {},
                   "Name:       web-exp\n"
                   "Namespace:  default\n"
                   "Status:     Pending\n"
                   "Images:     nginx:1.25 (baseline)\n"
                   "            nginx:1.27 (canary)\n"
                   "\n"
                   "Templates:\n"
                   "  NAME      STATUS   REPLICAS  UPDATED  READY  AVAILABLE  HASH  SERVICE  "
                   "REPLICASET  MESSAGE\n"
                   "  baseline  Pending  0/1       0        0      0          -     -        -\n"
                   "  canary    Pending  0/2       0        0      0          -     -        -\n"
                   "\n"
                   "Analyses:\n"
                   "  success-rate\n"
                   "    Phase:        Pending\n"
                   "    Required:     yes\n"
                   "    AnalysisRun:  -\n"
                   "\n"
                   "  errors\n"
                   "    Phase:        Pending\n"
                   "    Required:     no\n"
                   "    AnalysisRun:  -\n"});

  {
    // Both templates run one image: one Images line naming both, sorted. Only the ReplicaSet
    // annotated for a template is shown in its row.
    api::Experiment e = NewExperiment();
    e.spec.templates = {Template("canary", {"nginx:1.25"}), Template("baseline", {"nginx:1.25"})};
    e.spec.analyses.clear();
    e.spec.duration = "1h";
    e.spec.terminate = true;
    e.status.phase = "Running";
    e.status.message = "waiting for\n  the duration";
    e.status.available_at = At(5);
    e.status.template_statuses = {TemplateStatus("canary", "Running", 1, "6c8d9b"),
                                  TemplateStatus("baseline", "Running", 1, "5f4b8c")};
    e.status.template_statuses[1].service_name = "web-exp-baseline";
    e.status.template_statuses[1].message = "ready";
    cases.push_back({"GivenRunningTemplatesWithReplicaSetsThenStatusesAndReplicaSetsPerTemplate",
                     e,
                     {TemplateReplicaSet("web-exp-canary", "canary"),
                      TemplateReplicaSet("web-exp-baseline", "baseline"),
                      TemplateReplicaSet("other", "unknown")},
                     {},
                     "Name:          web-exp\n"
                     "Namespace:     default\n"
                     "Status:        Running\n"
                     "Message:       waiting for the duration\n"
                     "Available at:  2026-11-23T10:00:05Z\n"
                     "Duration:      1h\n"
                     "Terminate:     requested\n"
                     "Images:        nginx:1.25 (baseline, canary)\n"
                     "\n"
                     "Templates:\n"
                     "  NAME      STATUS   REPLICAS  UPDATED  READY  AVAILABLE  HASH    SERVICE    "
                     "       REPLICASET        MESSAGE\n"
                     "  canary    Running  1/1       1        1      1          6c8d9b  -          "
                     "       web-exp-canary\n"
                     "  baseline  Running  1/1       1        1      1          5f4b8c  "
                     "web-exp-baseline  web-exp-baseline  ready\n"});
  }

  {
    // success-rate's run is named in the status; errors' run is found by the controller's name
    // for it before the status records it. Runs of other analyses are not shown.
    api::Experiment e = NewExperiment();
    e.spec.templates = {Template("baseline", {"nginx:1.25"})};
    e.status.phase = "Successful";
    e.status.template_statuses = {TemplateStatus("baseline", "Successful", 0, "5f4b8c")};
    api::ExperimentAnalysisRunStatus success;
    success.name = "success-rate";
    success.analysis_run = "web-exp-success-rate-x";
    success.phase = "Successful";
    success.message = "all good";
    e.status.analysis_runs = {success};
    cases.push_back(
        {"GivenAnalysesWithRunsThenEachRunsMetricsAndMeasurementsIndented",
         e,
         {},
         {Run("web-exp-success-rate-x", "Successful"), Run("web-exp-errors", "Running"),
          Run("web-exp-other", "Failed")},
         "Name:       web-exp\n"
         "Namespace:  default\n"
         "Status:     Successful\n"
         "Images:     nginx:1.25 (baseline)\n"
         "\n"
         "Templates:\n"
         "  NAME      STATUS      REPLICAS  UPDATED  READY  AVAILABLE  HASH    SERVICE  REPLICASET "
         " MESSAGE\n"
         "  baseline  Successful  0/1       0        0      0          5f4b8c  -        -\n"
         "\n"
         "Analyses:\n"
         "  success-rate\n"
         "    Phase:        Successful\n"
         "    Message:      all good\n"
         "    Required:     yes\n"
         "    AnalysisRun:  web-exp-success-rate-x\n"
         "      Name:       web-exp-success-rate-x\n"
         "      Namespace:  default\n"
         "      Phase:      Successful\n"
         "\n"
         "      Metric: success-rate\n"
         "        Phase:   Successful\n"
         "        Counts:  successful 2, failed 0, inconclusive 0, error 0\n"
         "        Measurements (oldest first):\n"
         "          TIME                  PHASE       VALUE  MESSAGE\n"
         "          2026-11-23T10:00:00Z  Successful  0.99\n"
         "          2026-11-23T10:00:01Z  Successful  0.98\n"
         "\n"
         "  errors\n"
         "    Phase:        Pending\n"
         "    Required:     no\n"
         "    AnalysisRun:  web-exp-errors\n"
         "      Name:       web-exp-errors\n"
         "      Namespace:  default\n"
         "      Phase:      Running\n"
         "\n"
         "      Metric: success-rate\n"
         "        Phase:   Running\n"
         "        Counts:  successful 2, failed 0, inconclusive 0, error 0\n"
         "        Measurements (oldest first):\n"
         "          TIME                  PHASE       VALUE  MESSAGE\n"
         "          2026-11-23T10:00:00Z  Successful  0.99\n"
         "          2026-11-23T10:00:01Z  Successful  0.98\n"});
  }

  {
    // The spec lost a template and an analysis the status still records: they follow the spec's.
    api::Experiment e = NewExperiment();
    e.spec.templates = {Template("baseline", {"nginx:1.25"})};
    e.spec.analyses.clear();
    e.status.phase = "Failed";
    e.status.template_statuses = {TemplateStatus("old", "Failed", 0, "")};
    api::ExperimentAnalysisRunStatus gone;
    gone.name = "gone";
    gone.phase = "Error";
    e.status.analysis_runs = {gone};
    cases.push_back({"GivenStatusEntriesTheSpecLacksThenTheyFollowTheSpecsEntries",
                     e,
                     {},
                     {},
                     "Name:       web-exp\n"
                     "Namespace:  default\n"
                     "Status:     Failed\n"
                     "Images:     nginx:1.25 (baseline)\n"
                     "\n"
                     "Templates:\n"
                     "  NAME      STATUS   REPLICAS  UPDATED  READY  AVAILABLE  HASH  SERVICE  "
                     "REPLICASET  MESSAGE\n"
                     "  baseline  Pending  0/1       0        0      0          -     -        -\n"
                     "  old       Failed   0/-       0        0      0          -     -        -\n"
                     "\n"
                     "Analyses:\n"
                     "  gone\n"
                     "    Phase:        Error\n"
                     "    Required:     no\n"
                     "    AnalysisRun:  -\n"});
  }
  return cases;
}

TEST(FormatExperimentTest, EachRowPrintsItsLayout) {
  for (const Case& c : Cases()) {
    EXPECT_EQ(FormatExperiment(c.experiment, c.replica_sets, c.runs), c.want) << "row " << c.name;
  }
}

TEST(FormatExperimentTest, GivenNoAnalysesInSpecOrStatusWhenPrintedThenNoAnalysesSection) {
  api::Experiment e = NewExperiment();
  e.spec.analyses.clear();
  EXPECT_EQ(FormatExperiment(e, {}, {}).find("Analyses:"), std::string::npos);
}

}  // namespace
}  // namespace devflow::cli
