#include "api/rollout_defaults.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace devflow::api {
namespace {

using Mutation = std::function<void(Rollout&)>;

Rollout Make(const Mutation& mutate) {
  Rollout r;
  mutate(r);
  return r;
}

CanaryStrategy& Canary(Rollout& r) {
  if (!r.spec.strategy.canary) r.spec.strategy.canary.emplace();
  return *r.spec.strategy.canary;
}
CanaryStrategy& RoutedCanary(Rollout& r) {
  CanaryStrategy& c = Canary(r);
  if (!c.traffic_routing) c.traffic_routing.emplace();
  return c;
}
BlueGreenStrategy& BlueGreen(Rollout& r) {
  if (!r.spec.strategy.blue_green) r.spec.strategy.blue_green.emplace();
  return *r.spec.strategy.blue_green;
}

// One table shape for every int32 getter: a named Rollout and the value expected.
struct IntRow {
  std::string name;
  Mutation mutate;
  int32_t want;
};

void RunIntTable(const std::vector<IntRow>& rows, int32_t (*getter)(const Rollout&)) {
  for (const IntRow& row : rows) {
    EXPECT_EQ(getter(Make(row.mutate)), row.want) << "row: " << row.name;
  }
}

const Mutation kEmpty = [](Rollout&) {};

TEST(RolloutDefaultsTest, Replicas) {
  RunIntTable({{"absent", kEmpty, 1},
               {"set", [](Rollout& r) { r.spec.replicas = 5; }, 5},
               {"zero is kept", [](Rollout& r) { r.spec.replicas = 0; }, 0}},
              ReplicasOrDefault);
}

TEST(RolloutDefaultsTest, RevisionHistoryLimit) {
  RunIntTable({{"absent", kEmpty, 10},
               {"set", [](Rollout& r) { r.spec.revision_history_limit = 2; }, 2},
               {"zero is kept", [](Rollout& r) { r.spec.revision_history_limit = 0; }, 0}},
              RevisionHistoryLimitOrDefault);
}

TEST(RolloutDefaultsTest, ProgressDeadlineSeconds) {
  RunIntTable({{"absent", kEmpty, 600},
               {"set", [](Rollout& r) { r.spec.progress_deadline_seconds = 120; }, 120}},
              ProgressDeadlineSecondsOrDefault);
}

TEST(RolloutDefaultsTest, RunHistoryLimits) {
  RunIntTable(
      {{"no analysis block", kEmpty, 5},
       {"block without the field",
        [](Rollout& r) { r.spec.analysis.emplace().unsuccessful_run_history_limit = 1; }, 5},
       {"set", [](Rollout& r) { r.spec.analysis.emplace().successful_run_history_limit = 2; }, 2}},
      SuccessfulRunHistoryLimitOrDefault);
  RunIntTable(
      {{"no analysis block", kEmpty, 5},
       {"block without the field",
        [](Rollout& r) { r.spec.analysis.emplace().successful_run_history_limit = 1; }, 5},
       {"set", [](Rollout& r) { r.spec.analysis.emplace().unsuccessful_run_history_limit = 3; },
        3}},
      UnsuccessfulRunHistoryLimitOrDefault);
}

TEST(RolloutDefaultsTest, AutoPromotionEnabled) {
  struct Row {
    std::string name;
    Mutation mutate;
    bool want;
  };
  const std::vector<Row> rows = {
      {"no strategy", kEmpty, true},
      {"canary", [](Rollout& r) { Canary(r); }, true},
      {"blue/green, absent", [](Rollout& r) { BlueGreen(r); }, true},
      {"blue/green, false", [](Rollout& r) { BlueGreen(r).auto_promotion_enabled = false; }, false},
      {"blue/green, true", [](Rollout& r) { BlueGreen(r).auto_promotion_enabled = true; }, true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(AutoPromotionEnabledOrDefault(Make(row.mutate)), row.want) << "row: " << row.name;
  }
}

TEST(RolloutDefaultsTest, ScaleDownDelaySeconds) {
  RunIntTable(
      {{"no strategy", kEmpty, 0},
       {"blue/green, absent", [](Rollout& r) { BlueGreen(r); }, 30},
       {"blue/green, set", [](Rollout& r) { BlueGreen(r).scale_down_delay_seconds = 5; }, 5},
       {"blue/green, zero", [](Rollout& r) { BlueGreen(r).scale_down_delay_seconds = 0; }, 0},
       {"basic canary, absent", [](Rollout& r) { Canary(r); }, 0},
       {"basic canary ignores the field",
        [](Rollout& r) { Canary(r).scale_down_delay_seconds = 90; }, 0},
       {"routed canary, absent", [](Rollout& r) { RoutedCanary(r); }, 30},
       {"routed canary, set", [](Rollout& r) { RoutedCanary(r).scale_down_delay_seconds = 90; },
        90}},
      ScaleDownDelaySecondsOrDefault);
}

TEST(RolloutDefaultsTest, AbortScaleDownDelaySeconds) {
  RunIntTable(
      {{"no strategy", kEmpty, 0},
       {"blue/green, absent", [](Rollout& r) { BlueGreen(r); }, 30},
       {"blue/green, set", [](Rollout& r) { BlueGreen(r).abort_scale_down_delay_seconds = 7; }, 7},
       {"blue/green, zero", [](Rollout& r) { BlueGreen(r).abort_scale_down_delay_seconds = 0; }, 0},
       {"basic canary, absent", [](Rollout& r) { Canary(r); }, 0},
       {"basic canary ignores the field",
        [](Rollout& r) { Canary(r).abort_scale_down_delay_seconds = 9; }, 0},
       {"routed canary, absent", [](Rollout& r) { RoutedCanary(r); }, 30},
       {"routed canary, set",
        [](Rollout& r) { RoutedCanary(r).abort_scale_down_delay_seconds = 9; }, 9}},
      AbortScaleDownDelaySecondsOrDefault);
}

TEST(RolloutDefaultsTest, HasExplicitAbortScaleDownDelay) {
  struct Row {
    std::string name;
    Mutation mutate;
    bool want;
  };
  const std::vector<Row> rows = {
      {"blue/green, absent", [](Rollout& r) { BlueGreen(r); }, false},
      {"blue/green, zero", [](Rollout& r) { BlueGreen(r).abort_scale_down_delay_seconds = 0; },
       false},
      {"blue/green, set", [](Rollout& r) { BlueGreen(r).abort_scale_down_delay_seconds = 5; },
       true},
      {"basic canary, set", [](Rollout& r) { Canary(r).abort_scale_down_delay_seconds = 5; },
       false},
      {"routed canary, set", [](Rollout& r) { RoutedCanary(r).abort_scale_down_delay_seconds = 5; },
       true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(HasExplicitAbortScaleDownDelay(Make(row.mutate)), row.want) << "row: " << row.name;
  }
}

TEST(RolloutDefaultsTest, ScaleDownDelayRevisionLimit) {
  const int32_t unlimited = std::numeric_limits<int32_t>::max();
  RunIntTable(
      {{"no strategy", kEmpty, unlimited},
       {"blue/green, absent", [](Rollout& r) { BlueGreen(r); }, unlimited},
       {"blue/green, set", [](Rollout& r) { BlueGreen(r).scale_down_delay_revision_limit = 2; }, 2},
       {"canary, absent", [](Rollout& r) { Canary(r); }, unlimited},
       {"canary, set", [](Rollout& r) { Canary(r).scale_down_delay_revision_limit = 1; }, 1}},
      ScaleDownDelayRevisionLimitOrDefault);
}

TEST(RolloutDefaultsTest, MaxSurgeAndMaxUnavailable) {
  struct Row {
    std::string name;
    Mutation mutate;
    IntOrString surge;
    IntOrString unavailable;
  };
  const std::vector<Row> rows = {
      {"no strategy: the string \"25\"", kEmpty, "25", "25"},
      {"canary, absent", [](Rollout& r) { Canary(r); }, "25", "25"},
      {"canary, set",
       [](Rollout& r) {
         Canary(r).max_surge = IntOrString(int64_t{2});
         Canary(r).max_unavailable = "10%";
       },
       int64_t{2}, "10%"},
      {"blue/green: surge default, unavailable its own",
       [](Rollout& r) { BlueGreen(r).max_unavailable = int64_t{1}; }, "25", int64_t{1}},
  };
  for (const Row& row : rows) {
    Rollout r = Make(row.mutate);
    EXPECT_EQ(MaxSurgeOrDefault(r), row.surge) << "row: " << row.name;
    EXPECT_EQ(MaxUnavailableOrDefault(r), row.unavailable) << "row: " << row.name;
  }
}

TEST(RolloutDefaultsTest, ResolveSurgeAndUnavailable) {
  struct Row {
    std::string name;
    Mutation mutate;
    SurgeAndUnavailable want;
  };
  auto canary = [](int32_t replicas, IntOrString surge, IntOrString unavailable) {
    return [=](Rollout& r) {
      r.spec.replicas = replicas;
      Canary(r).max_surge = surge;
      Canary(r).max_unavailable = unavailable;
    };
  };
  const std::vector<Row> rows = {
      {"defaults on 1 replica: 25% up is 1, down is 0", kEmpty, {1, 0}},
      {"defaults on 10 replicas", [](Rollout& r) { r.spec.replicas = 10; }, {3, 2}},
      {"defaults on 4 replicas", [](Rollout& r) { r.spec.replicas = 4; }, {1, 1}},
      {"integers are counts", canary(10, int64_t{3}, int64_t{0}), {3, 0}},
      {"a string without % is a percentage", canary(10, "1", "50"), {1, 5}},
      {"percent rounding", canary(3, "50%", "50%"), {2, 1}},
      {"both zero: unavailable forced to 1", canary(10, int64_t{0}, "0%"), {0, 1}},
      {"both round to zero", canary(2, "10%", "10%"), {1, 0}},
      {"zero replicas", canary(0, "25%", "25%"), {0, 1}},
      {"blue/green reads its own maxUnavailable",
       [](Rollout& r) {
         r.spec.replicas = 10;
         BlueGreen(r).max_unavailable = "50%";
       },
       {3, 5}},
  };
  for (const Row& row : rows) {
    Result<SurgeAndUnavailable> got = ResolveSurgeAndUnavailable(Make(row.mutate));
    ASSERT_TRUE(got.ok()) << "row: " << row.name << ": " << got.error().ToString();
    EXPECT_EQ(*got, row.want) << "row: " << row.name << ": got {" << got->surge << ", "
                              << got->unavailable << "}";
  }
}

TEST(RolloutDefaultsTest, ResolveSurgeAndUnavailableRejectsNonNumbers) {
  Rollout surge = Make([](Rollout& r) { Canary(r).max_surge = "lots"; });
  Result<SurgeAndUnavailable> got = ResolveSurgeAndUnavailable(surge);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field_path(), "spec.strategy.canary.maxSurge");

  Rollout unavailable = Make([](Rollout& r) { BlueGreen(r).max_unavailable = "x%"; });
  got = ResolveSurgeAndUnavailable(unavailable);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field_path(), "spec.strategy.blueGreen.maxUnavailable");
}

TEST(RolloutDefaultsTest, MaxTrafficWeight) {
  RunIntTable(
      {{"no strategy", kEmpty, 100},
       {"basic canary", [](Rollout& r) { Canary(r); }, 100},
       {"routed, absent", [](Rollout& r) { RoutedCanary(r); }, 100},
       {"routed, set",
        [](Rollout& r) { RoutedCanary(r).traffic_routing->max_traffic_weight = 1000; }, 1000}},
      MaxTrafficWeightOrDefault);
}

TEST(RolloutDefaultsTest, NginxAnnotationPrefix) {
  EXPECT_EQ(NginxAnnotationPrefixOrDefault(Rollout{}), "nginx.ingress.kubernetes.io");
  Rollout empty_prefix = Make([](Rollout& r) { RoutedCanary(r).traffic_routing->nginx.emplace(); });
  EXPECT_EQ(NginxAnnotationPrefixOrDefault(empty_prefix), "nginx.ingress.kubernetes.io");
  Rollout custom = Make([](Rollout& r) {
    RoutedCanary(r).traffic_routing->nginx.emplace().annotation_prefix = "custom.io";
  });
  EXPECT_EQ(NginxAnnotationPrefixOrDefault(custom), "custom.io");
}

}  // namespace
}  // namespace devflow::api
