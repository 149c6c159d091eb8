#include "core/rollout_conditions.h"

#include <gtest/gtest.h>

#include "api/decode.h"
#include "api/rollout_codec.h"
#include "common/json_reader.h"

namespace devflow::core {
namespace {

api::Time At(const std::string& text) { return api::Time{*api::ParseRfc3339(text)}; }

api::RolloutCondition Condition(std::string type, std::string status, std::string reason,
                                std::string message = "m") {
  return api::RolloutCondition{.type = std::move(type),
                               .status = std::move(status),
                               .reason = std::move(reason),
                               .message = std::move(message)};
}

TEST(SetConditionTest, Table) {
  const api::Time t0 = At("2026-11-23T10:00:00Z");
  const api::Time t1 = At("2026-11-23T10:05:00Z");
  std::vector<api::RolloutCondition> conditions;

  EXPECT_TRUE(
      SetCondition(conditions, Condition("Progressing", "True", "NewReplicaSetCreated"), t0));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].last_transition_time, t0);
  EXPECT_EQ(conditions[0].last_update_time, t0);

  // Same status and reason: nothing changes, not even the message.
  EXPECT_FALSE(SetCondition(conditions,
                            Condition("Progressing", "True", "NewReplicaSetCreated", "new"), t1));
  EXPECT_EQ(conditions[0].message, "m");
  EXPECT_EQ(conditions[0].last_update_time, t0);

  // A new reason with the same status keeps the transition time.
  EXPECT_TRUE(SetCondition(conditions, Condition("Progressing", "True", "ReplicaSetUpdated"), t1));
  EXPECT_EQ(conditions[0].reason, "ReplicaSetUpdated");
  EXPECT_EQ(conditions[0].last_transition_time, t0);
  EXPECT_EQ(conditions[0].last_update_time, t1);

  // A new status is a transition.
  EXPECT_TRUE(SetCondition(conditions, Condition("Progressing", "False", "RolloutAborted"), t1));
  EXPECT_EQ(conditions[0].last_transition_time, t1);

  // Other types are separate.
  EXPECT_TRUE(SetCondition(conditions, Condition("Paused", "True", "RolloutPaused"), t1));
  EXPECT_EQ(conditions.size(), 2u);
  EXPECT_NE(FindCondition(conditions, "Paused"), nullptr);
  EXPECT_TRUE(RemoveCondition(conditions, "Paused"));
  EXPECT_FALSE(RemoveCondition(conditions, "Paused"));
  EXPECT_EQ(FindCondition(conditions, "Paused"), nullptr);
}

api::Rollout WithProgressing(const std::string& reason, const std::string& updated,
                             const std::string& deadline = "") {
  Result<json::Value> value = json::Parse(
      R"({"spec":{)" + (deadline.empty() ? "" : R"("progressDeadlineSeconds":)" + deadline + ",") +
      R"("strategy":{"canary":{}}},"status":{"conditions":[{"type":"Progressing","status":"True",)"
      R"("reason":")" +
      reason + R"(","lastUpdateTime":")" + updated + R"("}]}})");
  EXPECT_TRUE(value.ok());
  return api::Decode<api::Rollout>(*value);
}

TEST(ProgressDeadlinePassedTest, Table) {
  const api::Time now = At("2026-11-23T10:10:01Z");
  struct Row {
    std::string name;
    api::Rollout rollout;
    bool indefinite, healthy, want;
  };
  const std::vector<Row> rows = {
      {"default 600 s passed", WithProgressing("ReplicaSetUpdated", "2026-11-23T10:00:00Z"), false,
       false, true},
      {"not yet", WithProgressing("ReplicaSetUpdated", "2026-11-23T10:00:02Z"), false, false,
       false},
      {"a custom deadline", WithProgressing("ReplicaSetUpdated", "2026-11-23T10:09:00Z", "60"),
       false, false, true},
      {"an indefinite step", WithProgressing("ReplicaSetUpdated", "2026-11-23T10:00:00Z"), true,
       false, false},
      {"healthy", WithProgressing("NewReplicaSetAvailable", "2026-11-23T10:00:00Z"), false, true,
       false},
      {"aborted", WithProgressing("RolloutAborted", "2026-11-23T10:00:00Z"), false, false, false},
      {"paused", WithProgressing("RolloutPaused", "2026-11-23T10:00:00Z"), false, false, false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ProgressDeadlinePassed(row.rollout, row.indefinite, row.healthy, now), row.want)
        << row.name;
  }
  EXPECT_EQ(ProgressDeadlineCheckAt(WithProgressing("ReplicaSetUpdated", "2026-11-23T10:00:00Z")),
            At("2026-11-23T10:10:01Z"));
}

}  // namespace
}  // namespace devflow::core
