#include "analysis/template_flattening.h"

#include <gtest/gtest.h>

#include <map>

#include "api/analysis_codec.h"
#include "api/codec_testing.h"

namespace devflow::analysis {
namespace {

api::AnalysisTemplateSpec Spec(std::string_view json) {
  return api::testing::DecodeJsonText<api::AnalysisTemplateSpec>(json);
}

// The templates a row's lookup finds.
using World = std::map<TemplateKey, api::AnalysisTemplateSpec>;

const TemplateKey kA{"a", false};
const TemplateKey kB{"b", false};
const TemplateKey kC{"c", false};
const TemplateKey kClusterA{"a", true};
const TemplateKey kClusterC{"c", true};

// Either the flattened spec or an error: its code, field path and a part of its message.
struct Want {
  std::optional<api::AnalysisTemplateSpec> spec;
  StatusCode code = StatusCode::kOk;
  std::string path;
  std::string message_part;
};

Want Flat(std::string_view json) { return Want{Spec(json)}; }
Want Error(StatusCode code, std::string path, std::string message_part) {
  return Want{std::nullopt, code, std::move(path), std::move(message_part)};
}

TEST(FlattenTemplatesTest, Table) {
  const std::string refs_path = "spec.strategy.canary.steps[1].analysis.templates";
  struct Row {
    std::string name;
    World world;
    std::vector<TemplateKey> refs;
    Want want;
  };
  const std::vector<Row> rows = {
      {"given one template, when flattened, then its metrics, args and rules are the result",
       {{kA, Spec(R"({"metrics":[{"name":"m1"}],"args":[{"name":"x","value":"1"}],
                      "dryRun":[{"metricName":"m1"}],
                      "measurementRetention":[{"metricName":"m1","limit":3}]})")}},
       {kA},
       Flat(R"({"metrics":[{"name":"m1"}],"args":[{"name":"x","value":"1"}],
                "dryRun":[{"metricName":"m1"}],
                "measurementRetention":[{"metricName":"m1","limit":3}]})")},
      {"given a cluster template named before a namespaced one, when flattened, then the "
       "namespaced template's metrics come first",
       {{kClusterC, Spec(R"({"metrics":[{"name":"from-cluster"}]})")},
        {kA, Spec(R"({"metrics":[{"name":"from-namespace"}]})")}},
       {kClusterC, kA},
       Flat(R"({"metrics":[{"name":"from-namespace"},{"name":"from-cluster"}]})")},
      {"given a template including another, when flattened, then the included metrics follow "
       "the includer's and its templates[] is resolved away",
       {{kA, Spec(R"({"metrics":[{"name":"outer"}],"templates":[{"templateName":"b"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"inner"}]})")}},
       {kA},
       Flat(R"({"metrics":[{"name":"outer"},{"name":"inner"}]})")},
      {"given a cluster template including a namespaced one, when flattened, then the "
       "namespaced one still comes first",
       {{kClusterC, Spec(R"({"metrics":[{"name":"c"}],"templates":[{"templateName":"b"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}]})")}},
       {kClusterC},
       Flat(R"({"metrics":[{"name":"b"},{"name":"c"}]})")},
      {"given two templates both including a third, when flattened, then the third is merged "
       "once",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"templates":[{"templateName":"c"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"templates":[{"templateName":"c"}]})")},
        {kC, Spec(R"({"metrics":[{"name":"c"}]})")}},
       {kA, kB},
       Flat(R"({"metrics":[{"name":"a"},{"name":"c"},{"name":"b"}]})")},
      {"given the same template named twice, when flattened, then it is merged once",
       {{kA, Spec(R"({"metrics":[{"name":"a"}]})")}},
       {kA, kA},
       Flat(R"({"metrics":[{"name":"a"}]})")},
      {"given a namespaced and a cluster template of one name, when flattened, then both are "
       "merged",
       {{kA, Spec(R"({"metrics":[{"name":"ns"}]})")},
        {kClusterA, Spec(R"({"metrics":[{"name":"cluster"}]})")}},
       {kClusterA, kA},
       Flat(R"({"metrics":[{"name":"ns"},{"name":"cluster"}]})")},
      {"given a reference to a missing template, when flattened, then NotFound at that "
       "reference",
       {{kA, Spec(R"({"metrics":[{"name":"a"}]})")}},
       {kA, kB},
       Error(StatusCode::kNotFound, refs_path + "[1]", "AnalysisTemplate \"b\" not found")},
      {"given a missing included template, when flattened, then NotFound names the include "
       "chain",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],
                      "templates":[{"templateName":"b"},{"templateName":"c","clusterScope":true}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}]})")}},
       {kA},
       Error(StatusCode::kNotFound, refs_path + "[0]",
             "ClusterAnalysisTemplate \"c\" not found (included by AnalysisTemplate \"a\" "
             "spec.templates[1])")},
      {"given two templates including each other, when flattened, then a cycle error",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"templates":[{"templateName":"b"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"templates":[{"templateName":"a"}]})")}},
       {kA},
       Error(StatusCode::kInvalidArgument, refs_path + "[0]",
             "AnalysisTemplate \"a\" includes itself: AnalysisTemplate \"a\" spec.templates[0] "
             "-> AnalysisTemplate \"b\" spec.templates[0] -> AnalysisTemplate \"a\"")},
      {"given a template including itself, when flattened, then a cycle error",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"templates":[{"templateName":"a"}]})")}},
       {kA},
       Error(StatusCode::kInvalidArgument, refs_path + "[0]", "includes itself")},
      {"given two templates defining one metric name, when flattened, then an error names both",
       {{kA, Spec(R"({"metrics":[{"name":"rate"}]})")},
        {kClusterC, Spec(R"({"metrics":[{"name":"rate"}]})")}},
       {kA, kClusterC},
       Error(StatusCode::kInvalidArgument, refs_path + "[1]",
             "two metrics have the same name \"rate\": in AnalysisTemplate \"a\" and "
             "ClusterAnalysisTemplate \"c\"")},
      {"given one template defining a metric twice, when flattened, then an error",
       {{kA, Spec(R"({"metrics":[{"name":"rate"},{"name":"rate"}]})")}},
       {kA},
       Error(StatusCode::kInvalidArgument, refs_path + "[0]", "two metrics have the same name")},
      {"given two templates with one argument of equal values, when flattened, then it is "
       "kept once",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"args":[{"name":"x","value":"1"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"args":[{"name":"x","value":"1"}]})")}},
       {kA, kB},
       Flat(R"({"metrics":[{"name":"a"},{"name":"b"}],"args":[{"name":"x","value":"1"}]})")},
      {"given two templates with one argument of different values, when flattened, then an "
       "error names both values",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"args":[{"name":"x","value":"1"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"args":[{"name":"x","value":"2"}]})")}},
       {kA, kB},
       Error(StatusCode::kInvalidArgument, refs_path + "[1]",
             "argument \"x\" has two values: \"1\" in AnalysisTemplate \"a\" and \"2\" in "
             "AnalysisTemplate \"b\"")},
      {"given an argument without a value and a later one with a value, when flattened, then "
       "the later one takes its place",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"args":[{"name":"x"},{"name":"y"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"args":[{"name":"x","value":"2"}]})")}},
       {kA, kB},
       Flat(R"({"metrics":[{"name":"a"},{"name":"b"}],
                "args":[{"name":"x","value":"2"},{"name":"y"}]})")},
      {"given an argument with a value and a later one without, when flattened, then the value "
       "stays",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"args":[{"name":"x","value":"1"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],
                      "args":[{"name":"x","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]})")}},
       {kA, kB},
       Flat(R"({"metrics":[{"name":"a"},{"name":"b"}],"args":[{"name":"x","value":"1"}]})")},
      {"given dryRun rules in two templates, when flattened, then they are concatenated",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"dryRun":[{"metricName":"a"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"dryRun":[{"metricName":"b"}]})")}},
       {kA, kB},
       Flat(R"({"metrics":[{"name":"a"},{"name":"b"}],
                "dryRun":[{"metricName":"a"},{"metricName":"b"}]})")},
      {"given two dryRun rules for one metricName, when flattened, then an error",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],"dryRun":[{"metricName":".*"}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],"dryRun":[{"metricName":".*"}]})")}},
       {kA, kB},
       Error(StatusCode::kInvalidArgument, refs_path + "[1]",
             "two dryRun rules have the same metricName \".*\": in AnalysisTemplate \"a\" and "
             "AnalysisTemplate \"b\"")},
      {"given two measurementRetention rules for one metricName, when flattened, then an error",
       {{kA, Spec(R"({"metrics":[{"name":"a"}],
                      "measurementRetention":[{"metricName":"a","limit":1}]})")},
        {kB, Spec(R"({"metrics":[{"name":"b"}],
                      "measurementRetention":[{"metricName":"a","limit":2}]})")}},
       {kA, kB},
       Error(StatusCode::kInvalidArgument, refs_path + "[1]",
             "two measurementRetention rules have the same metricName \"a\"")},
  };
  for (const Row& row : rows) {
    TemplateLookup lookup = [&row](const TemplateKey& key) -> const api::AnalysisTemplateSpec* {
      auto it = row.world.find(key);
      return it == row.world.end() ? nullptr : &it->second;
    };
    Result<api::AnalysisTemplateSpec> got =
        FlattenTemplates(row.refs, lookup, FieldPath::FromRenderedForTest(refs_path));
    if (row.want.spec) {
      ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
      EXPECT_TRUE(*got == *row.want.spec)
          << row.name << "\n got: " << json::Write(api::Encode(*got))
          << "\nwant: " << json::Write(api::Encode(*row.want.spec));
      continue;
    }
    ASSERT_FALSE(got.ok()) << row.name;
    EXPECT_EQ(got.error().code(), row.want.code) << row.name << ": " << got.error();
    EXPECT_EQ(got.error().field_path(), row.want.path) << row.name;
    EXPECT_NE(got.error().message().find(row.want.message_part), std::string::npos)
        << row.name << ": " << got.error();
  }
}

TEST(TemplateKeysOfTest, GivenRolloutRefsWhenReadThenClusterScopeDefaultsToFalse) {
  api::RolloutAnalysis analysis;
  analysis.templates = {{.template_name = "a"},
                        {.template_name = "b", .cluster_scope = true},
                        {.template_name = "c", .cluster_scope = false}};
  EXPECT_EQ(TemplateKeysOf(analysis),
            (std::vector<TemplateKey>{{"a", false}, {"b", true}, {"c", false}}));
}

}  // namespace
}  // namespace devflow::analysis
