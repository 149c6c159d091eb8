// The status rules both strategies share, one row per rule.
#include "core/rollout_status_rules.h"

#include <gtest/gtest.h>

#include "core/rollout_conditions.h"

namespace devflow::core {
namespace {

const api::Time kNow{api::TimePoint{std::chrono::seconds(1'800'000'000)}};

api::ReplicaSet WithFailure(const std::string& name, const std::string& status,
                            const std::string& message) {
  api::ReplicaSet rs;
  rs.metadata.name = name;
  if (!status.empty()) {
    rs.status.conditions.push_back(
        {.type = "ReplicaFailure", .status = status, .reason = "FailedCreate", .message = message});
  }
  return rs;
}

TEST(SyncReplicaFailureConditionTest, Table) {
  struct Row {
    std::string name;
    api::ReplicaSet new_rs;
    std::vector<api::ReplicaSet> all;
    std::string want;  // the condition's message, "" for none
  };
  const api::ReplicaSet healthy = WithFailure("new", "", "");
  const api::ReplicaSet new_failing = WithFailure("new", "True", "new: quota exceeded");
  const api::ReplicaSet old_failing = WithFailure("old", "True", "old: quota exceeded");
  const api::ReplicaSet old_recovered = WithFailure("old", "False", "old: recovered");
  const std::vector<Row> rows = {
      {"none fails", healthy, {healthy, old_recovered}, ""},
      {"an old one fails", healthy, {healthy, old_failing}, "old: quota exceeded"},
      {"the new one is preferred", new_failing, {old_failing, new_failing}, "new: quota exceeded"},
  };
  for (const Row& row : rows) {
    api::RolloutStatus status;
    SyncReplicaFailureCondition(status, row.new_rs, row.all, kNow);
    const api::RolloutCondition* condition = FindCondition(status.conditions, "ReplicaFailure");
    EXPECT_EQ(condition ? condition->message : "", row.want) << row.name;
    if (condition) {
      EXPECT_EQ(condition->reason, "FailedCreate") << row.name;
    }
  }
  api::RolloutStatus had;
  SyncReplicaFailureCondition(had, new_failing, {new_failing}, kNow);
  SyncReplicaFailureCondition(had, healthy, {healthy}, kNow);
  EXPECT_EQ(FindCondition(had.conditions, "ReplicaFailure"), nullptr) << "removed once none fails";
}

}  // namespace
}  // namespace devflow::core
