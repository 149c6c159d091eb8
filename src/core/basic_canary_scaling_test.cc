// The basic canary's pod moves: the spec's worked examples as single passes, then a simulation
// over many sizes, weights and budgets that checks the budgets hold on every pass and the desired
// counts are reached.
#include "core/basic_canary_scaling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace devflow::core {
namespace {

TEST(BasicCanaryPassTest, TheSpecsWorkedExamples) {
  struct Row {
    int32_t replicas, weight, surge, unavailable;
    CanaryStableCounts start, want;
  };
  const std::vector<Row> rows = {
      {10, 10, 1, 1, {0, 10}, {1, 9}},
      {10, 30, 3, 0, {0, 10}, {3, 10}},
      {10, 30, 0, 5, {0, 10}, {0, 7}},  // the stable is scaled down first
      {1, 5, 1, 0, {0, 1}, {1, 1}},
  };
  for (const Row& row : rows) {
    const ScalingBudget budget{row.replicas, row.surge, row.unavailable};
    const CanaryStableCounts desired = BasicCanaryCounts(row.replicas, row.weight, 100, row.surge);
    EXPECT_EQ(BasicCanaryPass(budget, desired, {row.start.canary, row.start.canary},
                              ReplicaSetCounts{row.start.stable, row.start.stable}, 0),
              row.want)
        << row.replicas << " pods, " << row.weight << "%, surge " << row.surge << ", unavailable "
        << row.unavailable;
  }
}

TEST(BasicCanaryPassTest, GivenOldReplicaSetsWithPodsThenOnlyScaleUpHappens) {
  const CanaryStableCounts next = BasicCanaryPass({4, 1, 1}, {2, 2}, {0, 0}, ReplicaSetCounts{4, 4},
                                                  /*others_spec=*/1);
  EXPECT_EQ(next, (CanaryStableCounts{0, 4})) << "no room: 4 + 1 old = N + surge";
}

TEST(BasicCanaryPassTest, GivenNoStableThenTheCanaryTakesEveryPod) {
  EXPECT_EQ(BasicCanaryPass({3, 1, 0}, {1, 2}, {0, 0}, std::nullopt, 0),
            (CanaryStableCounts{3, 0}));
}

TEST(BasicCanaryOldPassTest, Table) {
  // N=4, unavailable 1: 3 must stay available.
  EXPECT_EQ(BasicCanaryOldPass({4, 1, 1}, 6, {{2, 2}, {1, 1}}), (std::vector<int32_t>{0, 0}))
      << "6 available, 3 may go: newest first";
  EXPECT_EQ(BasicCanaryOldPass({4, 1, 1}, 4, {{2, 2}, {1, 1}}), (std::vector<int32_t>{1, 1}))
      << "only 1 may go";
  EXPECT_EQ(BasicCanaryOldPass({4, 1, 1}, 3, {{2, 1}}), (std::vector<int32_t>{1}))
      << "an unavailable pod goes whatever the budget";
}

// A world in which scaled-up pods become available one pass later.
struct Pods {
  ReplicaSetCounts canary, stable;
  int32_t total_spec() const { return canary.spec + stable.spec; }
  int32_t total_available() const { return canary.available + stable.available; }
};

void Resize(ReplicaSetCounts& rs, int32_t spec) {
  rs.spec = spec;
  rs.available = std::min(rs.available, spec);  // scaling down removes unavailable pods first
}

TEST(BasicCanaryPassTest, GivenAnySizeWeightAndBudgetThenBudgetsHoldAndDesiredIsReached) {
  for (int32_t n = 1; n <= 12; ++n) {
    for (int32_t surge = 0; surge <= 3; ++surge) {
      for (int32_t unavailable = 0; unavailable <= 3; ++unavailable) {
        if (surge == 0 && unavailable == 0) continue;  // resolved to unavailable 1 upstream
        for (int32_t weight : {0, 5, 10, 25, 33, 50, 75, 90, 100}) {
          const std::string where = "N=" + std::to_string(n) + " w=" + std::to_string(weight) +
                                    " surge=" + std::to_string(surge) +
                                    " unavailable=" + std::to_string(unavailable);
          const ScalingBudget budget{n, surge, unavailable};
          const CanaryStableCounts desired = BasicCanaryCounts(n, weight, 100, surge);
          Pods pods{{0, 0}, {n, n}};
          bool reached = false;
          for (int pass = 0; pass < 4 * n + 10 && !reached; ++pass) {
            const CanaryStableCounts next =
                BasicCanaryPass(budget, desired, pods.canary, pods.stable, 0);
            Resize(pods.canary, next.canary);
            Resize(pods.stable, next.stable);
            ASSERT_LE(pods.total_spec(), n + surge) << where << " pass " << pass;
            ASSERT_GE(pods.total_available(), std::min(n - unavailable, n))
                << where << " pass " << pass;
            pods.canary.available = pods.canary.spec;  // the new pods become available
            pods.stable.available = pods.stable.spec;
            reached = next == desired;
          }
          EXPECT_TRUE(reached) << where << ": stuck at canary " << pods.canary.spec << ", stable "
                               << pods.stable.spec << "; desired " << desired.canary << "/"
                               << desired.stable;
        }
      }
    }
  }
}

}  // namespace
}  // namespace devflow::core
