#include "core/invalid_spec.h"

#include <gtest/gtest.h>

#include "api/codec_testing.h"
#include "api/rollout_codec.h"
#include "core/rollout_conditions.h"

namespace devflow::core {
namespace {

const api::Time kNow{api::TimePoint{std::chrono::seconds(1'800'000'000)}};

api::Rollout Rollout() {
  return api::testing::DecodeJsonText<api::Rollout>(
      R"({"metadata": {"name": "web", "generation": 3}, "spec": {"strategy": {"blueGreen": {}}}})");
}

api::FieldErrors Errors(const std::string& path, const std::string& message) {
  api::FieldError error;
  error.path = FieldPath::FromRenderedForTest(path);
  error.message = message;
  return {error};
}

TEST(PlanInvalidSpecTest, GivenAnInvalidSpecThenDegradedWithTheFieldAndOneEvent) {
  const RolloutPlan plan =
      PlanInvalidSpec(Rollout(), Errors("spec.strategy.blueGreen.activeService", "required"), kNow);
  ASSERT_TRUE(plan.status);
  EXPECT_EQ(plan.status->phase, "Degraded");
  EXPECT_EQ(plan.status->message, "InvalidSpec: spec.strategy.blueGreen.activeService: required");
  EXPECT_EQ(plan.status->observed_generation, "3");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "InvalidSpec");
  EXPECT_FALSE(plan.create_replica_set) << "nothing else is done";
  EXPECT_TRUE(plan.replica_set_changes.empty());
  EXPECT_TRUE(plan.service_changes.empty());
}

TEST(PlanInvalidSpecTest, GivenTheSameErrorAgainThenNothingIsWritten) {
  api::Rollout rollout = Rollout();
  const api::FieldErrors errors = Errors("spec.replicas", "must be >= 0");
  rollout.status = *PlanInvalidSpec(rollout, errors, kNow).status;
  const RolloutPlan again = PlanInvalidSpec(rollout, errors, kNow);
  EXPECT_FALSE(again.status);
  EXPECT_TRUE(again.events.empty());
}

TEST(PlanInvalidSpecTest, GivenAnotherErrorThenTheMessageChanges) {
  api::Rollout rollout = Rollout();
  rollout.status = *PlanInvalidSpec(rollout, Errors("spec.replicas", "must be >= 0"), kNow).status;
  const RolloutPlan other = PlanInvalidSpec(rollout, Errors("spec.selector", "required"), kNow);
  ASSERT_TRUE(other.status);
  EXPECT_EQ(FindCondition(other.status->conditions, "InvalidSpec")->message,
            "spec.selector: required");
}

}  // namespace
}  // namespace devflow::core
