#include "analysis/analysis_arguments.h"

#include <gtest/gtest.h>

#include "api/analysis_codec.h"
#include "api/codec_testing.h"
#include "api/rollout_codec.h"

namespace devflow::analysis {
namespace {

api::Rollout Web() {
  return api::testing::DecodeJsonText<api::Rollout>(R"({
    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1",
                 "labels": {"team": "pay", "app": "web"},
                 "annotations": {"owner": "ops \"on call\""}},
    "spec": {"replicas": 3, "paused": true,
             "template": {"spec": {"containers": [{"name": "main", "image": "web:2"}]}},
             "strategy": {"canary": {"steps": [{"setWeight": 20}]}}}})");
}

std::vector<api::Argument> Args(std::string_view json_list) {
  return api::testing::DecodeJsonText<api::AnalysisTemplateSpec>(R"({"args":)" +
                                                                 std::string(json_list) + "}")
      .args;
}

// An expected Result<T>: the value, or the error's path and a part of its message.
template <class T>
struct Want {
  std::optional<T> value;
  std::string path;
  std::string message_part;
};

template <class T>
void Check(const std::string& row, const Result<T>& got, const Want<T>& want) {
  if (want.value) {
    ASSERT_TRUE(got.ok()) << row << ": " << got.status();
    EXPECT_TRUE(*got == *want.value) << row;
    return;
  }
  ASSERT_FALSE(got.ok()) << row;
  EXPECT_EQ(got.error().field_path(), want.path) << row << ": " << got.error();
  EXPECT_NE(got.error().message().find(want.message_part), std::string::npos)
      << row << ": " << got.error();
}

TEST(RolloutFieldValueTest, Table) {
  struct Row {
    std::string name;
    std::string field_path;
    Want<std::string> want;
  };
  const std::vector<Row> rows = {
      {"given metadata.name, when read, then the Rollout's name", "metadata.name", {"web"}},
      {"given metadata.namespace, when read, then its namespace", "metadata.namespace", {"shop"}},
      {"given metadata.uid, when read, then its uid", "metadata.uid", {"u-1"}},
      {"given a label subscript, when read, then that label", "metadata.labels['team']", {"pay"}},
      {"given an annotation subscript, when read, then that annotation",
       "metadata.annotations['owner']",
       {"ops \"on call\""}},
      {"given a subscript of an absent label, when read, then empty",
       "metadata.labels['none']",
       {""}},
      {"given metadata.labels, when read, then every label as k=\"v\" sorted by key",
       "metadata.labels",
       {"app=\"web\"\nteam=\"pay\""}},
      {"given metadata.annotations, when read, then quoted values are escaped",
       "metadata.annotations",
       {"owner=\"ops \\\"on call\\\"\""}},
      {"given a metadata field the downward API lacks, when read, then an error",
       "metadata.generation",
       {std::nullopt, "", "unsupported metadata field \"metadata.generation\""}},
      {"given a subscript on metadata.name, when read, then an error",
       "metadata.name['x']",
       {std::nullopt, "", "\"metadata.name\" takes no subscript"}},
      {"given a path into a list, when read, then the element's field",
       "spec.template.spec.containers[0].image",
       {"web:2"}},
      {"given dotted list indexes, when read, then they work as brackets",
       "spec.template.spec.containers.0.name",
       {"main"}},
      {"given a number, when read, then its decimal text", "spec.replicas", {"3"}},
      {"given a bool, when read, then true or false", "spec.paused", {"true"}},
      {"given an index past the end, when read, then an out-of-range error",
       "spec.template.spec.containers[1].image",
       {std::nullopt, "", "index 1 of \"spec.template.spec.containers\" is out of range"}},
      {"given a name where a list needs an index, when read, then an error",
       "spec.template.spec.containers.main",
       {std::nullopt, "", "\"main\" is not an index"}},
      {"given an absent member, when read, then an error naming it",
       "spec.template.spec.nodeName",
       {std::nullopt, "", "no field \"spec.template.spec.nodeName\""}},
      {"given a path ending in an object, when read, then it must end in a primitive",
       "spec.template.spec.containers[0]",
       {std::nullopt, "", "must end in a string, number or bool, not an object"}},
      {"given a path ending in a list, when read, then it must end in a primitive",
       "spec.template.spec.containers",
       {std::nullopt, "", "not an array"}},
  };
  const api::Rollout rollout = Web();
  for (const Row& row : rows) Check(row.name, RolloutFieldValue(rollout, row.field_path), row.want);
}

TEST(ResolveRolloutArgumentsTest, Table) {
  const std::string args_path = "spec.strategy.canary.steps[1].analysis.args";
  auto rollout_args = [](std::string_view json_list) {
    return api::testing::DecodeJsonText<api::RolloutAnalysis>(R"({"args":)" +
                                                              std::string(json_list) + "}")
        .args;
  };
  struct Row {
    std::string name;
    std::vector<api::RolloutAnalysisArgument> args;
    Want<std::vector<api::Argument>> want;
  };
  const std::vector<Row> rows = {
      {"given literal values, when resolved, then they are kept (an empty one too)",
       rollout_args(R"([{"name":"a","value":"1"},{"name":"b","value":""}])"),
       {Args(R"([{"name":"a","value":"1"},{"name":"b","value":""}])")}},
      {"given podTemplateHashValue Latest and Stable, when resolved, then the new and stable "
       "hashes",
       rollout_args(R"([{"name":"canary","valueFrom":{"podTemplateHashValue":"Latest"}},
                        {"name":"stable","valueFrom":{"podTemplateHashValue":"Stable"}}])"),
       {Args(R"([{"name":"canary","value":"new5"},{"name":"stable","value":"old7"}])")}},
      {"given another podTemplateHashValue, when resolved, then an error at that field",
       rollout_args(R"([{"name":"a","value":"1"},
                        {"name":"h","valueFrom":{"podTemplateHashValue":"Canary"}}])"),
       {std::nullopt, args_path + "[1].valueFrom.podTemplateHashValue",
        "must be Stable or Latest, got \"Canary\""}},
      {"given fieldRefs into metadata and the spec, when resolved, then their values",
       rollout_args(R"([{"name":"ns","valueFrom":{"fieldRef":{"fieldPath":"metadata.namespace"}}},
                        {"name":"image","valueFrom":{"fieldRef":
                          {"fieldPath":"spec.template.spec.containers[0].image"}}}])"),
       {Args(R"([{"name":"ns","value":"shop"},{"name":"image","value":"web:2"}])")}},
      {"given a fieldRef that does not resolve, when resolved, then an error at its fieldPath",
       rollout_args(R"([{"name":"a","value":"1"},
                        {"name":"image","valueFrom":{"fieldRef":{"fieldPath":"spec.nope"}}}])"),
       {std::nullopt, args_path + "[1].valueFrom.fieldRef.fieldPath",
        "the Rollout has no field \"spec.nope\""}},
      {"given an argument without value or valueFrom, when resolved, then it stays without "
       "value",
       rollout_args(R"([{"name":"a"}])"),
       {Args(R"([{"name":"a"}])")}},
  };
  const api::Rollout rollout = Web();
  for (const Row& row : rows) {
    Check(row.name,
          ResolveRolloutArguments(rollout, row.args, PodTemplateHashes{"new5", "old7"},
                                  FieldPath::FromRenderedForTest(args_path)),
          row.want);
  }
}

TEST(MergeArgumentsTest, Table) {
  const std::string caller_path = "spec.strategy.canary.steps[1].analysis.args";
  struct Row {
    std::string name;
    std::vector<api::Argument> caller;
    std::vector<api::Argument> template_args;
    Want<std::vector<api::Argument>> want;
  };
  const std::vector<Row> rows = {
      {"given a template default and no caller value, when merged, then the default",
       {},
       Args(R"([{"name":"a","value":"d"}])"),
       {Args(R"([{"name":"a","value":"d"}])")}},
      {"given a caller value, when merged, then it replaces the template's value",
       Args(R"([{"name":"a","value":"c"}])"),
       Args(R"([{"name":"a","value":"d"}])"),
       {Args(R"([{"name":"a","value":"c"}])")}},
      {"given a caller value over a template's secret, when merged, then the value replaces the "
       "valueFrom",
       Args(R"([{"name":"a","value":"c"}])"),
       Args(R"([{"name":"a","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}])"),
       {Args(R"([{"name":"a","value":"c"}])")}},
      {"given a caller valueFrom, when merged, then it replaces the template's valueFrom",
       Args(R"([{"name":"a","valueFrom":{"secretKeyRef":{"name":"mine","key":"k"}}}])"),
       Args(R"([{"name":"a"}])"),
       {Args(R"([{"name":"a","valueFrom":{"secretKeyRef":{"name":"mine","key":"k"}}}])")}},
      {"given caller args the template does not declare, when merged, then they are dropped and "
       "the template's order kept",
       Args(R"([{"name":"extra","value":"x"},{"name":"b","value":"2"},{"name":"a","value":"1"}])"),
       Args(R"([{"name":"a"},{"name":"b"}])"),
       {Args(R"([{"name":"a","value":"1"},{"name":"b","value":"2"}])")}},
      {"given a template argument nobody supplies, when merged, then not resolved",
       Args(R"([{"name":"a","value":"1"}])"),
       Args(R"([{"name":"a"},{"name":"service"}])"),
       {std::nullopt, caller_path, "args.service was not resolved"}},
      {"given a caller argument without a value, when merged, then it supplies nothing",
       Args(R"([{"name":"a"}])"),
       Args(R"([{"name":"a"}])"),
       {std::nullopt, caller_path, "args.a was not resolved"}},
  };
  for (const Row& row : rows) {
    Check(
        row.name,
        MergeArguments(row.caller, row.template_args, FieldPath::FromRenderedForTest(caller_path)),
        row.want);
  }
}

TEST(ResolveArgumentValuesTest, Table) {
  // The lookup: secret "db" has key "password"; anything else is not found.
  SecretLookup secrets = [](const api::SecretKeyRef& ref) -> Result<std::string> {
    if (ref.name == "db" && ref.key == "password") return std::string("hunter2");
    return NotFoundError("secrets \"" + ref.name + "\" not found");
  };
  struct Row {
    std::string name;
    std::vector<api::Argument> args;
    Want<ResolvedArguments> want;
    StatusCode code = StatusCode::kInvalidArgument;
  };
  const std::vector<Row> rows = {
      {"given literal values, when resolved, then the map of them and no secrets",
       Args(R"([{"name":"a","value":"1"},{"name":"b","value":""}])"),
       {ResolvedArguments{{{"a", "1"}, {"b", ""}}, {}}}},
      {"given a secretKeyRef, when resolved, then its value, reported as a secret",
       Args(R"([{"name":"a","value":"1"},
                {"name":"pw","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}])"),
       {ResolvedArguments{{{"a", "1"}, {"pw", "hunter2"}}, {"hunter2"}}}},
      {"given both a value and a secretKeyRef, when resolved, then the secret wins",
       Args(R"([{"name":"pw","value":"plain",
                 "valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}])"),
       {ResolvedArguments{{{"pw", "hunter2"}}, {"hunter2"}}}},
      {"given a value beside an empty valueFrom (as Argo writes), when resolved, then the value",
       Args(R"([{"name":"a","value":"1","valueFrom":{}}])"),
       {ResolvedArguments{{{"a", "1"}}, {}}}},
      {"given a missing secret, when resolved, then the lookup's error at the secretKeyRef",
       Args(R"([{"name":"a","value":"1"},
                {"name":"pw","valueFrom":{"secretKeyRef":{"name":"gone","key":"k"}}}])"),
       {std::nullopt, "spec.args[1].valueFrom.secretKeyRef", "args.pw: secrets \"gone\" not found"},
       StatusCode::kNotFound},
      {"given an argument without value, when resolved, then not resolved",
       Args(R"([{"name":"a"}])"),
       {std::nullopt, "spec.args[0]", "args.a was not resolved"}},
      {"given a fieldRef left in a run, when resolved, then not resolved at its valueFrom",
       Args(R"([{"name":"a","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}])"),
       {std::nullopt, "spec.args[0].valueFrom", "args.a was not resolved"}},
  };
  for (const Row& row : rows) {
    Result<ResolvedArguments> got =
        ResolveArgumentValues(row.args, secrets, FieldPath::FromRenderedForTest("spec.args"));
    Check(row.name, got, row.want);
    if (!row.want.value && !got.ok()) {
      EXPECT_EQ(got.error().code(), row.code) << row.name;
    }
  }
}

TEST(MaskSecretValuesTest, Table) {
  struct Row {
    std::string name;
    std::string message;
    std::vector<std::string> secrets;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"given no secrets, when masked, then unchanged", "token abc", {}, "token abc"},
      {"given a secret appearing twice, when masked, then both are hidden",
       "abc and abc",
       {"abc"},
       "***** and *****"},
      {"given a secret containing another, when masked, then the longer is hidden whole",
       "key=abcdef",
       {"abc", "abcdef"},
       "key=*****"},
      {"given an empty secret, when masked, then nothing is inserted", "ab", {""}, "ab"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(MaskSecretValues(row.message, row.secrets), row.want) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis
