#include "cli/provider_config_check.h"

#include <gtest/gtest.h>

#include "common/json_reader.h"

namespace devflow::cli {
namespace {

json::Value Template(const std::string& provider, const std::string& kind = "AnalysisTemplate") {
  Result<json::Value> parsed =
      json::Parse(R"({"apiVersion": "argoproj.io/v1alpha1", "kind": ")" + kind +
                  R"(", "metadata": {"name": "t"}, "spec": {"metrics": [
         {"name": "fine", "provider": {"web": {"url": "http://x"}}},
         {"name": "checked", "provider": )" +
                  provider + "}]}}");
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : json::Value();
}

std::vector<std::string> Rendered(const api::FieldErrors& errors) {
  std::vector<std::string> rendered;
  for (const api::FieldError& e : errors) rendered.push_back(api::ToString(e));
  return rendered;
}

TEST(CheckProviderConfigsTest, GivenABadHaproxyWindowThenItsFullPathIsNamed) {
  const api::FieldErrors errors = CheckProviderConfigs(Template(
      R"({"haproxy": {"service": "web", "metric": "errorRate", "window": "10 minutes"}})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path.str(), "spec.metrics[1].provider.haproxy.window");
}

TEST(CheckProviderConfigsTest, GivenAGoodHaproxyConfigThenNothing) {
  EXPECT_TRUE(
      CheckProviderConfigs(
          Template(R"({"haproxy": {"service": "web", "metric": "errorRate", "window": "10s"}})"))
          .empty());
}

TEST(CheckProviderConfigsTest, GivenATemplatedConfigThenItIsLeftToMeasurementTime) {
  EXPECT_TRUE(CheckProviderConfigs(Template(R"({"haproxy": {"podTemplateHash": "{{args.h}}",
                                                 "metric": "errorRate", "window": "{{args.w}}"}})"))
                  .empty());
}

TEST(CheckProviderConfigsTest, GivenABadJudgeThresholdThenItsFullPathIsNamed) {
  const std::vector<std::string> errors = Rendered(CheckProviderConfigs(
      Template(R"({"judge": {"thresholds": {"pass": 120}}})", "ClusterAnalysisTemplate")));
  ASSERT_FALSE(errors.empty());
  bool named = false;
  for (const std::string& e : errors) {
    named |= e.starts_with("spec.metrics[1].provider.judge.thresholds.pass: ");
  }
  EXPECT_TRUE(named) << ::testing::PrintToString(errors);
}

TEST(CheckProviderConfigsTest, GivenAnotherKindThenNothingIsChecked) {
  EXPECT_TRUE(CheckProviderConfigs(Template(R"({"haproxy": {"window": 3}})", "Rollout")).empty());
}

}  // namespace
}  // namespace devflow::cli
