#include "analysis/rollout_analysis_run.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "api/analysis_codec.h"
#include "api/codec_testing.h"
#include "api/rollout_codec.h"

namespace devflow::analysis {
namespace {

// A canary Rollout whose step 1 and background analysis use template "rate", with the
// analysis' parts given as JSON members (`step_analysis` inside steps[1].analysis).
api::Rollout Canary(std::string_view step_analysis = "",
                    std::string_view rollout_labels = R"("app":"web")") {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout",
          "metadata":{"name":"web","namespace":"shop","uid":"u-1","labels":{)" +
      std::string(rollout_labels) + R"(}},
          "spec":{"selector":{"matchLabels":{"app":"web"}},
            "strategy":{"canary":{
              "analysis":{"templates":[{"templateName":"rate"}],
                          "args":[{"name":"svc","value":"web-bg"}]},
              "steps":[{"setWeight":20},
                       {"analysis":{"templates":[{"templateName":"rate"}],
                                    "args":[{"name":"svc","value":"web-canary"}])" +
      std::string(step_analysis) + R"(}}]}}}})");
}

api::Rollout BlueGreen() {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata":{"name":"shop","namespace":"prod","uid":"u-2"},
          "spec":{"selector":{"matchLabels":{"app":"shop"}},
            "strategy":{"blueGreen":{"activeService":"a",
              "prePromotionAnalysis":{"templates":[{"templateName":"rate"}],
                                      "args":[{"name":"svc","value":"preview"}]},
              "postPromotionAnalysis":{"templates":[{"templateName":"rate"}],
                                       "args":[{"name":"svc","value":"active"}]}}}}})");
}

api::AnalysisTemplateSpec RateTemplate() {
  return api::testing::DecodeJsonText<api::AnalysisTemplateSpec>(
      R"({"metrics":[{"name":"success-rate","interval":"1m","successCondition":"result[0] > 0.9",
                      "provider":{"prometheus":{"query":"rate{svc=\"{{args.svc}}\"}"}}}],
          "args":[{"name":"svc"},{"name":"window","value":"5m"}],
          "dryRun":[{"metricName":"from-template"}],
          "measurementRetention":[{"metricName":"success-rate","limit":20}]})");
}

TemplateLookup LookupIn(const std::map<TemplateKey, api::AnalysisTemplateSpec>& world) {
  return [&world](const TemplateKey& key) -> const api::AnalysisTemplateSpec* {
    auto it = world.find(key);
    return it == world.end() ? nullptr : &it->second;
  };
}

RolloutAnalysisRunRequest Step(int32_t index) {
  return {RolloutAnalysisType::kStep, index, {"new5", "old7"}, 3};
}
RolloutAnalysisRunRequest OfType(RolloutAnalysisType type) {
  return {type, 0, {"new5", "old7"}, 3};
}

TEST(NewRolloutAnalysisRunTest, GivenAStepAnalysisWhenBuiltThenTheWholeRunIsAsArgoWritesIt) {
  const std::map<TemplateKey, api::AnalysisTemplateSpec> world = {{{"rate"}, RateTemplate()}};
  const api::Rollout rollout = Canary(
      R"(,"dryRun":[{"metricName":"from-rollout"}],
          "measurementRetention":[{"metricName":"other","limit":5}],
          "analysisRunMetadata":{"labels":{"team":"pay"},"annotations":{"note":"hi"}})");
  Result<api::AnalysisRun> got = NewRolloutAnalysisRun(rollout, Step(1), LookupIn(world));
  ASSERT_TRUE(got.ok()) << got.status();
  const api::AnalysisRun want = api::testing::DecodeJsonText<api::AnalysisRun>(R"({
    "apiVersion":"argoproj.io/v1alpha1","kind":"AnalysisRun",
    "metadata":{"name":"web-new5-3-1","namespace":"shop",
      "labels":{"rollout-type":"Step","step-index":"1","rollouts-pod-template-hash":"new5",
                "team":"pay","app":"web"},
      "annotations":{"rollout.argoproj.io/revision":"3","note":"hi"},
      "ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","name":"web",
                          "uid":"u-1","controller":true,"blockOwnerDeletion":true}]},
    "spec":{
      "metrics":[{"name":"success-rate","interval":"1m","successCondition":"result[0] > 0.9",
                  "provider":{"prometheus":{"query":"rate{svc=\"{{args.svc}}\"}"}}}],
      "args":[{"name":"svc","value":"web-canary"},{"name":"window","value":"5m"}],
      "dryRun":[{"metricName":"from-rollout"},{"metricName":"from-template"}],
      "measurementRetention":[{"metricName":"other","limit":5},
                              {"metricName":"success-rate","limit":20}]}})");
  EXPECT_TRUE(*got == want) << " got: " << json::Write(api::Encode(*got))
                            << "\nwant: " << json::Write(api::Encode(want));
}

TEST(RolloutAnalysisRunNameTest, Table) {
  struct Row {
    std::string name;
    api::Rollout rollout;
    RolloutAnalysisRunRequest request;
    std::string want_name;
    std::string want_path;
  };
  const std::vector<Row> rows = {
      {"given a step analysis, then <rollout>-<hash>-<revision>-<index>", Canary(), Step(1),
       "web-new5-3-1", "spec.strategy.canary.steps[1].analysis"},
      {"given background analysis, then no suffix", Canary(),
       OfType(RolloutAnalysisType::kBackground), "web-new5-3", "spec.strategy.canary.analysis"},
      {"given pre-promotion analysis, then -pre", BlueGreen(),
       OfType(RolloutAnalysisType::kPrePromotion), "shop-new5-3-pre",
       "spec.strategy.blueGreen.prePromotionAnalysis"},
      {"given post-promotion analysis, then -post", BlueGreen(),
       OfType(RolloutAnalysisType::kPostPromotion), "shop-new5-3-post",
       "spec.strategy.blueGreen.postPromotionAnalysis"},
  };
  const std::map<TemplateKey, api::AnalysisTemplateSpec> world = {{{"rate"}, RateTemplate()}};
  for (const Row& row : rows) {
    EXPECT_EQ(RolloutAnalysisRunName(row.rollout, row.request), row.want_name) << row.name;
    EXPECT_EQ(RolloutAnalysisPath(row.request).str(), row.want_path) << row.name;
    Result<api::AnalysisRun> run = NewRolloutAnalysisRun(row.rollout, row.request, LookupIn(world));
    ASSERT_TRUE(run.ok()) << row.name << ": " << run.status();
    EXPECT_EQ(run->metadata.name, row.want_name) << row.name;
  }
}

TEST(FindRolloutAnalysisTest, Table) {
  const api::Rollout canary = Canary();
  const api::Rollout blue_green = BlueGreen();
  struct Row {
    std::string name;
    const api::Rollout* rollout;
    RolloutAnalysisRunRequest request;
    const api::RolloutAnalysis* want;
  };
  const std::vector<Row> rows = {
      {"given an analysis step, then its analysis", &canary, Step(1),
       &*canary.spec.strategy.canary->steps[1].analysis},
      {"given a step without analysis, then none", &canary, Step(0), nullptr},
      {"given a step past the end, then none", &canary, Step(2), nullptr},
      {"given a negative step, then none", &canary, Step(-1), nullptr},
      {"given background on a canary, then canary.analysis", &canary,
       OfType(RolloutAnalysisType::kBackground), &*canary.spec.strategy.canary->analysis},
      {"given pre-promotion on a canary, then none", &canary,
       OfType(RolloutAnalysisType::kPrePromotion), nullptr},
      {"given pre-promotion on blue/green, then prePromotionAnalysis", &blue_green,
       OfType(RolloutAnalysisType::kPrePromotion),
       &*blue_green.spec.strategy.blue_green->pre_promotion_analysis},
      {"given post-promotion on blue/green, then postPromotionAnalysis", &blue_green,
       OfType(RolloutAnalysisType::kPostPromotion),
       &*blue_green.spec.strategy.blue_green->post_promotion_analysis},
      {"given a step on blue/green, then none", &blue_green, Step(0), nullptr},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FindRolloutAnalysis(*row.rollout, row.request), row.want) << row.name;
  }
}

TEST(RolloutAnalysisRunLabelsTest, Table) {
  const std::map<TemplateKey, api::AnalysisTemplateSpec> world = {{{"rate"}, RateTemplate()}};
  using Labels = std::map<std::string, std::string>;
  struct Row {
    std::string name;
    api::Rollout rollout;
    RolloutAnalysisRunRequest request;
    Labels want;
  };
  const std::vector<Row> rows = {
      {"given a background run, then rollout-type Background and no step-index",
       Canary(),
       OfType(RolloutAnalysisType::kBackground),
       {{"rollout-type", "Background"}, {"rollouts-pod-template-hash", "new5"}, {"app", "web"}}},
      {"given a pre-promotion run, then rollout-type PrePromotion",
       BlueGreen(),
       OfType(RolloutAnalysisType::kPrePromotion),
       {{"rollout-type", "PrePromotion"}, {"rollouts-pod-template-hash", "new5"}, {"app", "shop"}}},
      {"given a post-promotion run, then rollout-type PostPromotion",
       BlueGreen(),
       OfType(RolloutAnalysisType::kPostPromotion),
       {{"rollout-type", "PostPromotion"},
        {"rollouts-pod-template-hash", "new5"},
        {"app", "shop"}}},
      {"given a Rollout with a controller instance id, then the run carries it",
       Canary("", R"("app":"web","argo-rollouts.argoproj.io/controller-instance-id":"blue")"),
       Step(1),
       {{"rollout-type", "Step"},
        {"step-index", "1"},
        {"rollouts-pod-template-hash", "new5"},
        {"app", "web"},
        {"argo-rollouts.argoproj.io/controller-instance-id", "blue"}}},
      {"given analysisRunMetadata labels, then they override the type labels",
       Canary(R"(,"analysisRunMetadata":{"labels":{"rollout-type":"Mine","x":"1"}})"),
       Step(1),
       {{"rollout-type", "Mine"},
        {"step-index", "1"},
        {"rollouts-pod-template-hash", "new5"},
        {"app", "web"},
        {"x", "1"}}},
      {"given analysisRunMetadata naming a selector label, then the selector's value wins",
       Canary(R"(,"analysisRunMetadata":{"labels":{"app":"other"}})"),
       Step(1),
       {{"rollout-type", "Step"},
        {"step-index", "1"},
        {"rollouts-pod-template-hash", "new5"},
        {"app", "web"}}},
  };
  for (const Row& row : rows) {
    Result<api::AnalysisRun> run = NewRolloutAnalysisRun(row.rollout, row.request, LookupIn(world));
    ASSERT_TRUE(run.ok()) << row.name << ": " << run.status();
    EXPECT_EQ(run->metadata.labels, row.want) << row.name;
  }
}

TEST(RolloutAnalysisRunAnnotationsTest,
     GivenMetadataAnnotationsWhenBuiltThenTheyFollowAndMayOverrideTheRevision) {
  const std::map<TemplateKey, api::AnalysisTemplateSpec> world = {{{"rate"}, RateTemplate()}};
  Result<api::AnalysisRun> run = NewRolloutAnalysisRun(
      Canary(R"(,"analysisRunMetadata":{"annotations":{"rollout.argoproj.io/revision":"9"}})"),
      Step(1), LookupIn(world));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->metadata.annotations,
            (std::map<std::string, std::string>{{"rollout.argoproj.io/revision", "9"}}));
}

TEST(RolloutAnalysisRunArgsTest, GivenHashAndFieldArgsWhenBuiltThenTheRunHoldsTheirValues) {
  std::map<TemplateKey, api::AnalysisTemplateSpec> world = {{{"rate"}, RateTemplate()}};
  world[{"rate"}].args.push_back(api::Argument{.name = "stable"});
  world[{"rate"}].args.push_back(api::Argument{.name = "ns"});
  api::Rollout rollout = Canary();
  auto& step_args = rollout.spec.strategy.canary->steps[1].analysis->args;
  step_args.push_back({.name = "stable", .value_from = {{.pod_template_hash_value = "Stable"}}});
  step_args.push_back(
      {.name = "ns", .value_from = {{.field_ref = {{.field_path = "metadata.namespace"}}}}});
  Result<api::AnalysisRun> run = NewRolloutAnalysisRun(rollout, Step(1), LookupIn(world));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->spec.args, (std::vector<api::Argument>{{.name = "svc", .value = "web-canary"},
                                                        {.name = "window", .value = "5m"},
                                                        {.name = "stable", .value = "old7"},
                                                        {.name = "ns", .value = "shop"}}));
}

TEST(NewRolloutAnalysisRunTest, ErrorTable) {
  const std::map<TemplateKey, api::AnalysisTemplateSpec> world = {{{"rate"}, RateTemplate()}};
  const std::string step = "spec.strategy.canary.steps[1].analysis";
  RolloutAnalysisRunRequest no_hash = Step(1);
  no_hash.hashes.latest = "";
  api::Rollout missing_template = Canary();
  missing_template.spec.strategy.canary->steps[1].analysis->templates[0].template_name = "gone";
  api::Rollout unresolved = Canary();
  unresolved.spec.strategy.canary->steps[1].analysis->args.clear();
  api::Rollout bad_field = Canary();
  bad_field.spec.strategy.canary->steps[1].analysis->args.push_back(
      {.name = "x", .value_from = {{.field_ref = {{.field_path = "spec.nope"}}}}});
  struct Row {
    std::string name;
    api::Rollout rollout;
    RolloutAnalysisRunRequest request;
    StatusCode code;
    std::string path;
    std::string message_part;
  };
  const std::vector<Row> rows = {
      {"given a step without analysis, then FailedPrecondition at the step", Canary(), Step(0),
       StatusCode::kFailedPrecondition, "spec.strategy.canary.steps[0].analysis",
       "has no Step analysis"},
      {"given no new pod-template hash, then FailedPrecondition", Canary(), no_hash,
       StatusCode::kFailedPrecondition, "", "no pod-template hash"},
      {"given a missing template, then NotFound at its reference", missing_template, Step(1),
       StatusCode::kNotFound, step + ".templates[0]", "AnalysisTemplate \"gone\" not found"},
      {"given a template argument the Rollout does not supply, then not resolved at its args",
       unresolved, Step(1), StatusCode::kInvalidArgument, step + ".args",
       "args.svc was not resolved"},
      {"given a fieldRef that does not resolve, then an error at its fieldPath", bad_field, Step(1),
       StatusCode::kInvalidArgument, step + ".args[1].valueFrom.fieldRef.fieldPath",
       "the Rollout has no field \"spec.nope\""},
      {"given a dryRun metricName the template also has, then an error at the Rollout's rule",
       Canary(R"(,"dryRun":[{"metricName":"a"},{"metricName":"from-template"}])"), Step(1),
       StatusCode::kInvalidArgument, step + ".dryRun[1]",
       "two dryRun rules have the same metricName \"from-template\" (here and in a template)"},
      {"given one metricName twice in the Rollout's retention, then an error at the second",
       Canary(R"(,"measurementRetention":[{"metricName":"a","limit":1},{"metricName":"b","limit":1},
                                          {"metricName":"a","limit":2}])"),
       Step(1), StatusCode::kInvalidArgument, step + ".measurementRetention[2]",
       "two measurementRetention rules have the same metricName \"a\""},
  };
  for (const Row& row : rows) {
    Result<api::AnalysisRun> got = NewRolloutAnalysisRun(row.rollout, row.request, LookupIn(world));
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.code) << row.name << ": " << got.error();
    EXPECT_EQ(got.error().field_path(), row.path) << row.name << ": " << got.error();
    EXPECT_NE(got.error().message().find(row.message_part), std::string::npos)
        << row.name << ": " << got.error();
  }
}

TEST(IsSemanticallyEqualTest, Table) {
  api::AnalysisRunSpec base;
  base.metrics = {api::Metric{.name = "m"}};
  base.args = {api::Argument{.name = "a", .value = "1"}};
  base.dry_run = {api::DryRun{.metric_name = "m"}};
  base.measurement_retention = {api::MeasurementRetention{.metric_name = "m", .limit = 2}};
  struct Row {
    std::string name;
    std::function<void(api::AnalysisRunSpec&)> change;
    bool want;
  };
  const std::vector<Row> rows = {
      {"given the same spec, then equal", [](api::AnalysisRunSpec&) {}, true},
      {"given only terminate set, then still equal",
       [](api::AnalysisRunSpec& s) { s.terminate = true; }, true},
      {"given only a ttlStrategy, then still equal",
       [](api::AnalysisRunSpec& s) { s.ttl_strategy = api::TtlStrategy{}; }, true},
      {"given another metric, then different",
       [](api::AnalysisRunSpec& s) { s.metrics[0].interval = "1m"; }, false},
      {"given another argument value, then different",
       [](api::AnalysisRunSpec& s) { s.args[0].value = "2"; }, false},
      {"given another dryRun, then different", [](api::AnalysisRunSpec& s) { s.dry_run.clear(); },
       false},
      {"given another retention, then different",
       [](api::AnalysisRunSpec& s) { s.measurement_retention[0].limit = 3; }, false},
  };
  for (const Row& row : rows) {
    api::AnalysisRunSpec changed = base;
    row.change(changed);
    EXPECT_EQ(IsSemanticallyEqual(base, changed), row.want) << row.name;
  }
}

TEST(ChooseAnalysisRunNameTest, Table) {
  api::AnalysisRun desired;
  desired.metadata.name = "web-new5-3-1";
  desired.metadata.owner_references = {{.uid = "u-1", .controller = true}};
  desired.spec.metrics = {api::Metric{.name = "m"}};
  // An existing run named `name` in `phase`, equal to desired unless `differs`, controlled by
  // `owner_uid`.
  auto existing = [&desired](std::string name, std::string phase, bool differs = false,
                             std::string owner_uid = "u-1") {
    api::AnalysisRun run = desired;
    run.metadata.name = std::move(name);
    run.status.phase = std::move(phase);
    if (differs) run.spec.metrics[0].name = "other";
    run.metadata.owner_references[0].uid = std::move(owner_uid);
    return run;
  };
  struct Row {
    std::string name;
    std::vector<api::AnalysisRun> existing;
    AnalysisRunNameChoice want;
  };
  const std::vector<Row> rows = {
      {"given no runs, then create the name", {}, {"web-new5-3-1", false}},
      {"given runs of other names only, then create the name",
       {existing("web-new5-3-2", "Running"), existing("web-new5-3", "Running")},
       {"web-new5-3-1", false}},
      {"given the name running, equal and ours, then reuse it",
       {existing("web-new5-3-1", "Running")},
       {"web-new5-3-1", true}},
      {"given the name just created (no phase yet), equal and ours, then reuse it",
       {existing("web-new5-3-1", "")},
       {"web-new5-3-1", true}},
      {"given the name completed, then create .1",
       {existing("web-new5-3-1", "Successful")},
       {"web-new5-3-1.1", false}},
      {"given the name running with another spec, then create .1",
       {existing("web-new5-3-1", "Running", true)},
       {"web-new5-3-1.1", false}},
      {"given the name running but owned by another Rollout, then create .1",
       {existing("web-new5-3-1", "Running", false, "u-9")},
       {"web-new5-3-1.1", false}},
      {"given the name and .1 failed, then create .2",
       {existing("web-new5-3-1.1", "Failed"), existing("web-new5-3-1", "Error")},
       {"web-new5-3-1.2", false}},
      {"given the name failed and .1 running and ours, then reuse .1",
       {existing("web-new5-3-1", "Failed"), existing("web-new5-3-1.1", "Pending")},
       {"web-new5-3-1.1", true}},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ChooseAnalysisRunName(desired, row.existing), row.want) << row.name;
  }
}

TEST(ChooseAnalysisRunNameTest, GivenADesiredRunWithoutControllerThenNothingIsReused) {
  api::AnalysisRun desired;
  desired.metadata.name = "r";
  api::AnalysisRun same = desired;
  same.status.phase = "Running";
  EXPECT_EQ(ChooseAnalysisRunName(desired, {same}), (AnalysisRunNameChoice{"r.1", false}));
}

}  // namespace
}  // namespace devflow::analysis
