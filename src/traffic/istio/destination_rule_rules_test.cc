#include "traffic/istio/destination_rule_rules.h"

#include <gtest/gtest.h>

#include <functional>

#include "traffic/istio/istio_testing.h"

namespace devflow::traffic::istio {
namespace {

using testing::Dr;
using testing::Pretty;
using testing::Targets;

const api::IstioDestinationRuleRef kRule{
    .name = "dr", .canary_subset_name = "canary", .stable_subset_name = "stable"};

api::DestinationRule Annotated(api::DestinationRule rule) {
  rule.metadata.annotations["argo-rollouts.argoproj.io/managed-by-rollouts"] = "web";
  return rule;
}

TEST(DesiredDestinationRuleTest, GivenSubsetsWhenApplyingHashesThenEachSideSelectsItsPods) {
  struct Row {
    std::string name;
    std::string current;
    std::function<void(TrafficTargets&)> edit;
    std::string want;  // spec; the managed-by annotation is always expected
    std::string want_error_path;
  };
  auto none = [](TrafficTargets&) {};
  const std::vector<Row> rows = {
      {"given subsets without hashes, when applying, then canary and stable get their hash "
       "label and the other labels, subsets and policies stay",
       R"(host: web
trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
subsets:
- name: canary
  labels: {app: web}
- name: stable
  labels: {app: web}
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
- name: legacy
  labels: {app: web, version: v0}
)",
       none,
       R"(host: web
trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
subsets:
- name: canary
  labels: {app: web, rollouts-pod-template-hash: new}
- name: stable
  labels: {app: web, rollouts-pod-template-hash: old}
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
- name: legacy
  labels: {app: web, version: v0}
)",
       ""},
      {"given promotion, when both hashes are the new one, then both subsets select it",
       R"(host: web
subsets:
- name: canary
  labels: {rollouts-pod-template-hash: new}
- name: stable
  labels: {rollouts-pod-template-hash: old}
)",
       [](TrafficTargets& t) { t.stable_hash = "new"; },
       R"(host: web
subsets:
- name: canary
  labels: {rollouts-pod-template-hash: new}
- name: stable
  labels: {rollouts-pod-template-hash: new}
)",
       ""},
      {"given an empty canary hash, when applying, then the canary's hash label is removed",
       R"(host: web
subsets:
- name: canary
  labels: {app: web, rollouts-pod-template-hash: new}
- name: stable
  labels: {app: web}
)",
       [](TrafficTargets& t) { t.canary_hash = ""; },
       R"(host: web
subsets:
- name: canary
  labels: {app: web}
- name: stable
  labels: {app: web, rollouts-pod-template-hash: old}
)",
       ""},
      {"given no canary subset, when applying, then canarySubsetName is named",
       R"(host: web
subsets:
- name: stable
)",
       none, "", "spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName"},
      {"given no stable subset, when applying, then stableSubsetName is named",
       R"(host: web
subsets:
- name: canary
)",
       none, "", "spec.strategy.canary.trafficRouting.istio.destinationRule.stableSubsetName"},
  };
  for (const Row& row : rows) {
    TrafficTargets targets = Targets();
    row.edit(targets);
    Result<api::DestinationRule> got = DesiredDestinationRule(Dr(row.current), kRule, targets);
    if (!row.want_error_path.empty()) {
      ASSERT_FALSE(got.ok()) << row.name;
      EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << row.name;
      EXPECT_EQ(got.error().field_path(), row.want_error_path) << row.name;
      EXPECT_NE(got.error().message().find("DestinationRule default/dr has no subset named"),
                std::string::npos)
          << row.name << ": " << got.error();
      continue;
    }
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.error();
    api::DestinationRule want = Annotated(Dr(row.want));
    EXPECT_EQ(*got, want) << row.name << "\n got: " << Pretty(*got) << "\nwant: " << Pretty(want);
  }
}

}  // namespace
}  // namespace devflow::traffic::istio
