#include "core/experiment_phase.h"

#include <gtest/gtest.h>

namespace devflow::core {
namespace {

api::ExperimentSpec Spec(int templates, std::vector<bool> required) {
  api::ExperimentSpec spec;
  for (int i = 0; i < templates; ++i) spec.templates.push_back({.name = "t" + std::to_string(i)});
  for (size_t i = 0; i < required.size(); ++i) {
    spec.analyses.push_back(
        {.name = "a" + std::to_string(i), .required_for_completion = required[i]});
  }
  return spec;
}

api::ExperimentStatus Status(std::vector<std::string> templates, std::vector<std::string> runs) {
  api::ExperimentStatus status;
  for (size_t i = 0; i < templates.size(); ++i) {
    if (templates[i].empty()) continue;  // no status yet
    status.template_statuses.push_back({.name = "t" + std::to_string(i),
                                        .status = templates[i],
                                        .message = "msg t" + std::to_string(i)});
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    status.analysis_runs.push_back({.name = "a" + std::to_string(i),
                                    .phase = runs[i],
                                    .message = "msg a" + std::to_string(i)});
  }
  return status;
}

TEST(ExperimentPhaseTest, TheTemplatesVerdictIsTheWorstTemplateStatusAsAPhase) {
  struct Row {
    std::vector<std::string> templates;
    std::string phase;
    std::string message;
  };
  const std::vector<Row> rows = {
      {{"Running", "Running"}, "Running", "msg t0"},
      {{"Running", ""}, "Pending", "msg t0"},  // no status counts as Progressing
      {{"Running", "Progressing"}, "Pending", "msg t1"},
      {{"Successful", "Successful"}, "Successful", ""},
      {{"Successful", "Running"}, "Running", "msg t1"},
      {{"Error", "Failed"}, "Failed", "msg t1"},
      {{"Failed", "Error"}, "Failed", "msg t0"},
      {{"Progressing", "Error"}, "Error", "msg t1"},
  };
  for (const Row& row : rows) {
    const auto [phase, message] = AssessTemplates(Spec(static_cast<int>(row.templates.size()), {}),
                                                  Status(row.templates, {}));
    EXPECT_EQ(phase, row.phase) << ::testing::PrintToString(row.templates);
    EXPECT_EQ(message, row.message) << ::testing::PrintToString(row.templates);
  }
}

TEST(ExperimentPhaseTest, TheAnalysesVerdictIsTheWorstRunPhaseUnlessTheRequiredOnesSucceeded) {
  struct Row {
    std::vector<bool> required;
    std::vector<std::string> runs;
    std::string phase;
    std::string message;
  };
  const std::vector<Row> rows = {
      {{}, {}, "Successful", ""},
      {{false}, {"Pending"}, "Running", "msg a0"},
      {{false, false}, {"Running", "Inconclusive"}, "Inconclusive", "msg a1"},
      {{false, false}, {"Failed", "Error"}, "Failed", "msg a0"},
      {{true}, {"Successful"}, "Successful", "Required AnalysisRuns completed"},
      // A non-required run still running keeps the verdict Running.
      {{true, false}, {"Successful", "Running"}, "Running", "msg a1"},
      {{true, false}, {"Successful", "Failed"}, "Failed", "msg a1"},
      {{false}, {"Successful"}, "Successful", ""},
  };
  for (const Row& row : rows) {
    const auto [phase, message] =
        AssessAnalyses(Spec(1, row.required), Status({"Running"}, row.runs));
    EXPECT_EQ(phase, row.phase) << ::testing::PrintToString(row.runs);
    EXPECT_EQ(message, row.message) << ::testing::PrintToString(row.runs);
  }
}

TEST(ExperimentPhaseTest,
     ThePhaseFollowsTemplatesUntilTheAnalysesDecideAndNeverLeavesACompletedPhase) {
  struct Row {
    std::string name;
    std::string phase_before;
    std::vector<std::string> templates;
    std::vector<bool> required;
    std::vector<std::string> runs;
    std::string phase;
  };
  const std::vector<Row> rows = {
      {"first pass", "", {"Progressing"}, {}, {}, "Pending"},
      {"templates running", "Pending", {"Running"}, {false}, {"Running"}, "Running"},
      {"an analysis failed while running", "Running", {"Running"}, {false}, {"Failed"}, "Failed"},
      {"inconclusive ends it too",
       "Running",
       {"Running"},
       {false},
       {"Inconclusive"},
       "Inconclusive"},
      {"required succeeded", "Running", {"Running"}, {true}, {"Successful"}, "Successful"},
      {"duration passed, run still going",
       "Running",
       {"Successful"},
       {false},
       {"Running"},
       "Successful"},
      {"duration passed, required run going",
       "Running",
       {"Successful"},
       {true},
       {"Running"},
       "Running"},
      {"template failed", "Running", {"Failed"}, {false}, {"Running"}, "Failed"},
      {"completed stays", "Failed", {"Running"}, {false}, {"Successful"}, "Failed"},
  };
  for (const Row& row : rows) {
    api::Experiment before;
    before.metadata.name = "exp";
    before.spec = Spec(1, row.required);
    api::ExperimentStatus next = Status(row.templates, row.runs);
    next.phase = row.phase_before;
    const api::ExperimentStatus decided = DecideExperimentStatus(before, next, api::Time{});
    EXPECT_EQ(decided.phase, row.phase) << row.name;
  }
}

}  // namespace
}  // namespace devflow::core
