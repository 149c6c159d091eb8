#include "apiserver/deletion_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

json::Value Parse(const std::string& text) {
  Result<json::Value> value = json::Parse(text);
  EXPECT_TRUE(value.ok()) << text;
  return value.ok() ? *value : json::Value();
}

constexpr std::string_view kNow = "2026-11-23T10:00:00Z";

struct PlanRow {
  std::string name;
  std::string object;
  PropagationPolicy policy;
  bool remove_now;
  std::string marked;  // when !remove_now
};

TEST(DeletionRulesTest, PlanDelete) {
  const std::vector<PlanRow> rows = {
      {"plain background delete removes at once", R"({"metadata":{"name":"a"}})",
       PropagationPolicy::kBackground, true, ""},
      {"user finalizer marks", R"({"metadata":{"name":"a","finalizers":["x/y"]}})",
       PropagationPolicy::kBackground, false,
       R"({"metadata":{"name":"a","finalizers":["x/y"],"deletionTimestamp":"2026-11-23T10:00:00Z",)"
       R"("deletionGracePeriodSeconds":0}})"},
      {"foreground adds its finalizer", R"({"metadata":{"name":"a"}})",
       PropagationPolicy::kForeground, false,
       R"({"metadata":{"name":"a","finalizers":["foregroundDeletion"],)"
       R"("deletionTimestamp":"2026-11-23T10:00:00Z","deletionGracePeriodSeconds":0}})"},
      {"orphan adds its finalizer", R"({"metadata":{"name":"a"}})", PropagationPolicy::kOrphan,
       false,
       R"({"metadata":{"name":"a","finalizers":["orphan"],)"
       R"("deletionTimestamp":"2026-11-23T10:00:00Z","deletionGracePeriodSeconds":0}})"},
      {"second delete keeps the first timestamp",
       R"({"metadata":{"name":"a","finalizers":["x/y"],"deletionTimestamp":"2020-01-01T00:00:00Z"}})",
       PropagationPolicy::kBackground, false,
       R"({"metadata":{"name":"a","finalizers":["x/y"],"deletionTimestamp":"2020-01-01T00:00:00Z"}})"},
      {"foreground replaces orphan",
       R"({"metadata":{"name":"a","finalizers":["orphan"],"deletionTimestamp":"2020-01-01T00:00:00Z"}})",
       PropagationPolicy::kForeground, false,
       R"({"metadata":{"name":"a","finalizers":["foregroundDeletion"],)"
       R"("deletionTimestamp":"2020-01-01T00:00:00Z"}})"},
      {"background releases an object waiting in the foreground",
       R"({"metadata":{"name":"a","finalizers":["foregroundDeletion"],)"
       R"("deletionTimestamp":"2020-01-01T00:00:00Z"}})",
       PropagationPolicy::kBackground, true, ""},
  };
  for (const PlanRow& row : rows) {
    DeletePlan plan = PlanDelete(Parse(row.object), row.policy, kNow);
    EXPECT_EQ(plan.remove_now, row.remove_now) << row.name;
    if (!row.remove_now) {
      EXPECT_EQ(plan.marked, Parse(row.marked)) << row.name << ": " << json::Write(plan.marked);
    }
  }
}

TEST(DeletionRulesTest, ReadyToRemoveNeedsMarkAndNoFinalizers) {
  EXPECT_FALSE(ReadyToRemove(Parse(R"({"metadata":{"name":"a"}})")));
  EXPECT_FALSE(
      ReadyToRemove(Parse(R"({"metadata":{"deletionTimestamp":"t","finalizers":["f"]}})")));
  EXPECT_TRUE(ReadyToRemove(Parse(R"({"metadata":{"deletionTimestamp":"t"}})")));
  EXPECT_TRUE(ReadyToRemove(Parse(R"({"metadata":{"deletionTimestamp":"t","finalizers":[]}})")));
}

TEST(DeletionRulesTest, WithoutFinalizerDropsEmptyList) {
  EXPECT_EQ(WithoutFinalizer(Parse(R"({"metadata":{"finalizers":["a","b"]}})"), "a"),
            Parse(R"({"metadata":{"finalizers":["b"]}})"));
  EXPECT_EQ(WithoutFinalizer(Parse(R"({"metadata":{"finalizers":["a"]}})"), "a"),
            Parse(R"({"metadata":{}})"));
  EXPECT_EQ(WithoutFinalizer(Parse(R"({"metadata":{}})"), "a"), Parse(R"({"metadata":{}})"));
}

TEST(DeletionRulesTest, ParsePropagationPolicy) {
  EXPECT_EQ(*ParsePropagationPolicy(""), PropagationPolicy::kBackground);
  EXPECT_EQ(*ParsePropagationPolicy("Background"), PropagationPolicy::kBackground);
  EXPECT_EQ(*ParsePropagationPolicy("Foreground"), PropagationPolicy::kForeground);
  EXPECT_EQ(*ParsePropagationPolicy("Orphan"), PropagationPolicy::kOrphan);
  Result<PropagationPolicy> bad = ParsePropagationPolicy("background");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field_path(), "propagationPolicy");
}

}  // namespace
}  // namespace devflow::apiserver

namespace devflow::apiserver {
namespace {

TEST(DeletionRulesTest, PlanGracefulPodDelete) {
  const auto now =
      std::chrono::sys_days(std::chrono::year(2026) / 11 / 23) + std::chrono::hours(10);
  struct Row {
    const char* name;
    const char* pod;
    std::optional<int64_t> requested;
    const char* want;  // "" = delete at once (nullopt)
  };
  const Row rows[] = {
      {"unbound goes at once", R"({"metadata":{"name":"p"},"spec":{}})", std::nullopt, ""},
      {"default grace 30", R"({"metadata":{"name":"p"},"spec":{"nodeName":"n"}})", std::nullopt,
       R"({"metadata":{"name":"p","deletionTimestamp":"2026-11-23T10:00:30Z",)"
       R"("deletionGracePeriodSeconds":30},"spec":{"nodeName":"n"}})"},
      {"spec grace", R"({"metadata":{},"spec":{"nodeName":"n","terminationGracePeriodSeconds":3}})",
       std::nullopt,
       R"({"metadata":{"deletionTimestamp":"2026-11-23T10:00:03Z","deletionGracePeriodSeconds":3},)"
       R"("spec":{"nodeName":"n","terminationGracePeriodSeconds":3}})"},
      {"requested wins", R"({"metadata":{},"spec":{"nodeName":"n"}})", 7,
       R"({"metadata":{"deletionTimestamp":"2026-11-23T10:00:07Z","deletionGracePeriodSeconds":7},)"
       R"("spec":{"nodeName":"n"}})"},
      {"requested zero goes at once", R"({"metadata":{},"spec":{"nodeName":"n"}})", 0, ""},
      {"negative request means default", R"({"metadata":{},"spec":{"nodeName":"n"}})", -1,
       R"({"metadata":{"deletionTimestamp":"2026-11-23T10:00:30Z","deletionGracePeriodSeconds":30},)"
       R"("spec":{"nodeName":"n"}})"},
      {"succeeded goes at once",
       R"({"metadata":{},"spec":{"nodeName":"n"},"status":{"phase":"Succeeded"}})", std::nullopt,
       ""},
      {"failed goes at once",
       R"({"metadata":{},"spec":{"nodeName":"n"},"status":{"phase":"Failed"}})", std::nullopt, ""},
      {"longer request keeps the mark",
       R"({"metadata":{"deletionTimestamp":"2026-11-23T09:59:55Z","deletionGracePeriodSeconds":5},)"
       R"("spec":{"nodeName":"n"}})",
       60,
       R"({"metadata":{"deletionTimestamp":"2026-11-23T09:59:55Z","deletionGracePeriodSeconds":5},)"
       R"("spec":{"nodeName":"n"}})"},
      {"shorter request shortens",
       R"({"metadata":{"deletionTimestamp":"2026-11-23T10:00:30Z","deletionGracePeriodSeconds":30},)"
       R"("spec":{"nodeName":"n"}})",
       2,
       R"({"metadata":{"deletionTimestamp":"2026-11-23T10:00:02Z","deletionGracePeriodSeconds":2},)"
       R"("spec":{"nodeName":"n"}})"},
  };
  for (const Row& row : rows) {
    std::optional<json::Value> got =
        PlanGracefulPodDelete(json::Parse(row.pod).value(), row.requested, now);
    if (std::string(row.want).empty()) {
      EXPECT_FALSE(got.has_value()) << row.name << ": " << json::Write(*got);
    } else {
      ASSERT_TRUE(got.has_value()) << row.name;
      EXPECT_EQ(json::Write(*got), row.want) << row.name;
    }
  }
}

}  // namespace
}  // namespace devflow::apiserver
