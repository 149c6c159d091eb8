#include "api/experiment_validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "api/decode.h"
#include "api/experiment_codec.h"
#include "common/json_reader.h"

namespace devflow::api {
namespace {

// A valid experiment: two templates (baseline and canary) and one analysis comparing them.
constexpr std::string_view kExperiment = R"({
  "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "web-exp"},
  "spec": {
    "duration": "30m",
    "templates": [
      {"name": "baseline", "replicas": 1,
       "selector": {"matchLabels": {"app": "web", "role": "baseline"}},
       "template": {"metadata": {"labels": {"app": "web", "role": "baseline"}},
                    "spec": {"containers": [{"name": "web", "image": "web:1"}]}}},
      {"name": "canary",
       "selector": {"matchLabels": {"app": "web", "role": "canary"}},
       "template": {"metadata": {"labels": {"app": "web", "role": "canary"}},
                    "spec": {"containers": [{"name": "web", "image": "web:2"}]}},
       "service": {}}
    ],
    "analyses": [{"name": "compare", "templateName": "judge", "requiredForCompletion": true,
                  "args": [{"name": "baseline-hash",
                            "value": "{{templates.baseline.podTemplateHash}}"}]}]
  }
})";

Experiment Base() {
  Result<json::Value> v = json::Parse(kExperiment);
  EXPECT_TRUE(v.ok());
  FieldErrors errors;
  Experiment e = Decode<Experiment>(*v, &errors);
  EXPECT_TRUE(errors.empty());
  return e;
}

struct Want {
  std::string path;
  std::string message;  // "*": any message (another validator's wording)
};

std::string Render(const FieldErrors& errors) {
  std::string out;
  for (const FieldError& e : errors) out += "  " + ToString(e) + "\n";
  return out.empty() ? "  (none)\n" : out;
}

bool Matches(const FieldErrors& got, const std::vector<Want>& want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].path.str() != want[i].path) return false;
    if (want[i].message != "*" && got[i].message != want[i].message) return false;
  }
  return true;
}

ExperimentTemplate& T0(Experiment& e) { return e.spec.templates[0]; }

TEST(ExperimentValidationTest, Rules) {
  struct Row {
    const char* name;
    std::function<void(Experiment&)> mutate;
    std::vector<Want> want;
  };
  const Row rows[] = {
      {"base experiment is valid", [](Experiment&) {}, {}},
      {"no duration, no analyses",
       [](Experiment& e) {
         e.spec.duration.clear();
         e.spec.analyses.clear();
       },
       {}},
      // ---- templates ----
      {"no templates",
       [](Experiment& e) { e.spec.templates.clear(); },
       {{"spec.templates", "must list at least one template (a pod template to run)"}}},
      {"template without name",
       [](Experiment& e) { T0(e).name.clear(); },
       {{"spec.templates[0].name", "is required"}}},
      {"duplicate template name",
       [](Experiment& e) { e.spec.templates[1].name = "baseline"; },
       {{"spec.templates[1].name", "duplicate template name \"baseline\""}}},
      {"replicas negative",
       [](Experiment& e) { T0(e).replicas = -1; },
       {{"spec.templates[0].replicas", "must be >= 0, got -1"}}},
      {"replicas zero", [](Experiment& e) { T0(e).replicas = 0; }, {}},
      {"minReadySeconds negative",
       [](Experiment& e) { T0(e).min_ready_seconds = -5; },
       {{"spec.templates[0].minReadySeconds", "must be >= 0, got -5"}}},
      {"selector missing",
       [](Experiment& e) { T0(e).selector.reset(); },
       {{"spec.templates[0].selector", "*"}}},
      {"selector not matching the template's labels",
       [](Experiment& e) { T0(e).selector->match_labels["role"] = "canary"; },
       {{"spec.templates[0].template.metadata.labels", "*"}}},
      {"pod template invalid",
       [](Experiment& e) { T0(e).template_.spec.containers.clear(); },
       {{"spec.templates[0].template.spec.containers", "*"}}},
      {"pod template not restarting Always",
       [](Experiment& e) { T0(e).template_.spec.restart_policy = "Never"; },
       {{"spec.templates[0].template.spec.restartPolicy", "*"}}},
      // ---- timing ----
      {"duration not a duration",
       [](Experiment& e) { e.spec.duration = "1 hour"; },
       {{"spec.duration",
         "must be a duration like \"30s\", \"1m30s\", \"2h\" or \"300ms\", got \"1 hour\""}}},
      {"duration negative",
       [](Experiment& e) { e.spec.duration = "-1h"; },
       {{"spec.duration", "must not be negative, got \"-1h\""}}},
      {"progressDeadlineSeconds zero",
       [](Experiment& e) { e.spec.progress_deadline_seconds = 0; },
       {{"spec.progressDeadlineSeconds", "must be > 0, got 0"}}},
      {"scaleDownDelaySeconds negative",
       [](Experiment& e) { e.spec.scale_down_delay_seconds = -1; },
       {{"spec.scaleDownDelaySeconds", "must be >= 0, got -1"}}},
      {"scaleDownDelaySeconds zero",
       [](Experiment& e) { e.spec.scale_down_delay_seconds = 0; },
       {}},
      // ---- analyses ----
      {"analysis without name",
       [](Experiment& e) { e.spec.analyses[0].name.clear(); },
       {{"spec.analyses[0].name", "is required"}}},
      {"duplicate analysis name",
       [](Experiment& e) { e.spec.analyses.push_back(e.spec.analyses[0]); },
       {{"spec.analyses[1].name", "duplicate analysis name \"compare\""}}},
      {"analysis without templateName",
       [](Experiment& e) { e.spec.analyses[0].template_name.clear(); },
       {{"spec.analyses[0].templateName",
         "is required: the name of the AnalysisTemplate (or ClusterAnalysisTemplate) to run"}}},
      {"analysis args validated",
       [](Experiment& e) { e.spec.analyses[0].args.push_back({.name = "baseline-hash"}); },
       {{"spec.analyses[0].args[1].name", "duplicate arg name \"baseline-hash\""}}},
      // ---- dryRun, measurementRetention (the metrics are not known here) ----
      {"dryRun for a metric of a template",
       [](Experiment& e) { e.spec.dry_run.push_back({"^latency$"}); },
       {}},
      {"dryRun regex does not compile",
       [](Experiment& e) { e.spec.dry_run.push_back({"*"}); },
       {{"spec.dryRun[0].metricName", "*"}}},
      {"retention limit 0",
       [](Experiment& e) {
         e.spec.measurement_retention.push_back({.metric_name = ".*", .limit = 0});
       },
       {{"spec.measurementRetention[0].limit",
         "must be > 0 (measurements kept per metric), got 0"}}},
  };
  for (const Row& row : rows) {
    Experiment e = Base();
    row.mutate(e);
    FieldErrors got = Validate(e);
    EXPECT_TRUE(Matches(got, row.want)) << "row \"" << row.name << "\"\n got:\n" << Render(got);
  }
}

}  // namespace
}  // namespace devflow::api
