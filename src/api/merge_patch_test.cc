#include "api/merge_patch.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/json_reader.h"

namespace devflow::api {
namespace {

json::Value J(const char* text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.value_or(json::Value());
}

struct ApplyRow {
  const char* name;
  const char* target;
  const char* patch;
  const char* want;
};

// The test cases of RFC 7386 appendix A, one row each, plus the rules they do not exercise.
TEST(MergePatchTest, AppliesAsRfc7386Says) {
  const ApplyRow rows[] = {
      {"a member is replaced", R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {"a member is added", R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {"null deletes the only member", R"({"a":"b"})", R"({"a":null})", "{}"},
      {"null deletes one member of two", R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {"a scalar replaces an array", R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {"an array replaces a scalar", R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {"objects merge recursively", R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})",
       R"({"a":{"b":"d"}})"},
      {"arrays are replaced, not merged", R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {"an array patch replaces an array", R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {"an array patch replaces an object", R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {"a null patch replaces everything", R"({"a":"foo"})", "null", "null"},
      {"a string patch replaces everything", R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {"null members of the target are left alone", R"({"e":null})", R"({"a":1})",
       R"({"e":null,"a":1})"},
      {"an object patch on an array starts from {}", "[1,2]", R"({"a":"b","c":null})",
       R"({"a":"b"})"},
      {"nulls in new objects are dropped", "{}", R"({"a":{"bb":{"ccc":null}}})",
       R"({"a":{"bb":{}}})"},
      {"deleting an absent member is no error", R"({"a":1})", R"({"z":null})", R"({"a":1})"},
      {"an empty patch changes nothing", R"({"a":{"b":[1,2]}})", "{}", R"({"a":{"b":[1,2]}})"},
      {"integers and doubles stay apart", R"({"a":1})", R"({"a":1.0})", R"({"a":1.0})"},
      {"the string 25 replaces the number 25", R"({"maxSurge":25})", R"({"maxSurge":"25"})",
       R"({"maxSurge":"25"})"},
      {"an object replaces a scalar member", R"({"a":5})", R"({"a":{"b":null,"c":1}})",
       R"({"a":{"c":1}})"},
  };
  for (const ApplyRow& row : rows) {
    Result<json::Value> got = ApplyMergePatch(J(row.target), J(row.patch));
    ASSERT_TRUE(got.ok()) << row.name << ": " << got.status();
    EXPECT_EQ(*got, J(row.want)) << row.name << ": got " << json::Write(*got);
  }
}

TEST(MergePatchTest, KeepsTheTargetsMemberOrderAndAppendsNewMembers) {
  Result<json::Value> got =
      ApplyMergePatch(J(R"({"a":1,"b":2,"c":3})"), J(R"({"d":4,"b":20,"a":null})"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(json::Write(*got), R"({"b":20,"c":3,"d":4})");
}

struct CreateRow {
  const char* name;
  const char* original;
  const char* modified;
  const char* want_patch;
};

TEST(MergePatchTest, CreatesTheMinimalPatch) {
  const CreateRow rows[] = {
      {"equal objects give {}", R"({"a":{"b":[1]}})", R"({"a":{"b":[1]}})", "{}"},
      {"a changed member", R"({"a":1,"b":2})", R"({"a":1,"b":3})", R"({"b":3})"},
      {"a removed member becomes null", R"({"a":1,"b":2})", R"({"a":1})", R"({"b":null})"},
      {"a new member", R"({"a":1})", R"({"a":1,"c":{"d":true}})", R"({"c":{"d":true}})"},
      {"nested changes only", R"({"spec":{"replicas":2,"paused":false}})",
       R"({"spec":{"replicas":3,"paused":false}})", R"({"spec":{"replicas":3}})"},
      {"an array that differs is sent whole", R"({"a":[1,2,3]})", R"({"a":[1,2,4]})",
       R"({"a":[1,2,4]})"},
      {"an object replaced by a scalar", R"({"a":{"b":1}})", R"({"a":7})", R"({"a":7})"},
      {"a member set to null in modified is deleted", R"({"a":1})", R"({"a":null})",
       R"({"a":null})"},
      {"a new null member cannot be expressed", "{}", R"({"a":null})", "{}"},
      {"a non-object modified replaces everything", R"({"a":1})", "[1]", "[1]"},
      {"an int changed to the equal double is a change", R"({"a":1})", R"({"a":1.0})",
       R"({"a":1.0})"},
  };
  for (const CreateRow& row : rows) {
    json::Value patch = CreateMergePatch(J(row.original), J(row.modified));
    EXPECT_EQ(patch, J(row.want_patch)) << row.name << ": got " << json::Write(patch);
  }
}

// Random documents for round trips: objects, arrays, every scalar type, a few levels deep, keys
// from a small alphabet so that two documents share many members.
class RandomDocuments {
 public:
  explicit RandomDocuments(uint32_t seed) : rng_(seed) {}

  json::Value Document() { return Object(3); }

  // A copy of `doc` with random members added, removed, changed and retyped.
  json::Value Mutate(const json::Value& doc, int depth = 3) {
    if (!doc.is_object()) {
      return Pick(3) == 0 ? Value(depth) : doc;
    }
    json::Object out;
    for (const json::Member& m : doc.as_object()) {
      switch (Pick(6)) {
        case 0:
          break;  // removed
        case 1:
          out.Set(m.key, Value(depth - 1));
          break;
        default:
          out.Set(m.key, Mutate(m.value, depth - 1));
      }
    }
    for (int i = Pick(3); i > 0; --i) {
      out.Set(Key(), Value(depth - 1));
    }
    return out;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Key() { return std::string(1, static_cast<char>('a' + Pick(6))); }

  json::Value Object(int depth) {
    json::Object o;
    for (int i = Pick(5); i > 0; --i) {
      o.Set(Key(), Value(depth - 1));
    }
    return o;
  }

  // Any value but a null object member (merge patches cannot express those).
  json::Value Value(int depth) {
    switch (Pick(depth > 0 ? 8 : 6)) {
      case 0:
        return Pick(2) == 0;
      case 1:
        return Pick(100);
      case 2:
        return Pick(100) / 4.0;
      case 3:
        return std::string("s") + std::to_string(Pick(4));
      case 4:
        return std::to_string(Pick(3));  // strings that look like numbers
      case 5:
        return json::Array{Pick(3), nullptr, "x"};
      default:
        return Object(depth);
    }
  }

  std::mt19937 rng_;
};

TEST(MergePatchTest, CreateThenApplyGivesModifiedForRandomPairs) {
  RandomDocuments gen(7);
  for (int i = 0; i < 2000; ++i) {
    json::Value original = gen.Document();
    json::Value modified = gen.Mutate(original);
    json::Value patch = CreateMergePatch(original, modified);
    Result<json::Value> got = ApplyMergePatch(original, patch);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(*got, modified) << "pair " << i << "\noriginal " << json::Write(original)
                              << "\nmodified " << json::Write(modified) << "\npatch "
                              << json::Write(patch) << "\ngot " << json::Write(*got);
    // Minimal: nothing to send between equal documents, and a patch is never bigger than needed
    // to turn modified back into itself.
    ASSERT_EQ(CreateMergePatch(modified, modified), json::Object()) << "pair " << i;
  }
}

struct ThreeWayRow {
  const char* name;
  const char* last_applied;
  const char* desired;
  const char* live;
  const char* want_patch;
  const char* want_live_after;
};

TEST(MergePatchTest, ThreeWayPatchAsKubectlApplySendsIt) {
  const ThreeWayRow rows[] = {
      {"field removed from the file is deleted", R"({"spec":{"a":1,"b":2}})", R"({"spec":{"a":1}})",
       R"({"spec":{"a":1,"b":2}})", R"({"spec":{"b":null}})", R"({"spec":{"a":1}})"},
      {"field added by someone else survives", R"({"spec":{"a":1}})", R"({"spec":{"a":2}})",
       R"({"spec":{"a":1,"paused":true},"status":{"phase":"Healthy"}})", R"({"spec":{"a":2}})",
       R"({"spec":{"a":2,"paused":true},"status":{"phase":"Healthy"}})"},
      {"a change someone made to a field in the file is reverted", R"({"spec":{"replicas":3}})",
       R"({"spec":{"replicas":3}})", R"({"spec":{"replicas":5}})", R"({"spec":{"replicas":3}})",
       R"({"spec":{"replicas":3}})"},
      {"nothing to do gives {}", R"({"spec":{"a":1}})", R"({"spec":{"a":1}})",
       R"({"spec":{"a":1,"b":9}})", "{}", R"({"spec":{"a":1,"b":9}})"},
      {"removing a parent deletes what others added beneath it",
       R"({"spec":{"a":1,"extra":{"x":1}}})", R"({"spec":{"a":1}})",
       R"({"spec":{"a":1,"extra":{"x":1,"y":2}}})", R"({"spec":{"extra":null}})",
       R"({"spec":{"a":1}})"},
      {"removing a nested field deletes only it", R"({"m":{"labels":{"app":"web","tier":"fe"}}})",
       R"({"m":{"labels":{"app":"web"}}})",
       R"({"m":{"labels":{"app":"web","tier":"fe","team":"x"}}})",
       R"({"m":{"labels":{"tier":null}}})", R"({"m":{"labels":{"app":"web","team":"x"}}})"},
      {"an array that differs from live is sent whole", R"({"args":["a"]})", R"({"args":["a"]})",
       R"({"args":["a","added-by-hand"]})", R"({"args":["a"]})", R"({"args":["a"]})"},
      {"an array equal to live is not sent", R"({"args":["a"]})", R"({"args":["a","b"]})",
       R"({"args":["a","b"]})", "{}", R"({"args":["a","b"]})"},
      {"without last applied nothing is deleted", "null", R"({"a":1})", R"({"a":1,"b":2})", "{}",
       R"({"a":1,"b":2})"},
      {"a null in the file deletes even what it never applied", R"({"a":1})", R"({"a":1,"b":null})",
       R"({"a":1,"b":2})", R"({"b":null})", R"({"a":1})"},
      {"a deletion already done is not sent again", R"({"a":1,"b":2})", R"({"a":1})", R"({"a":1})",
       "{}", R"({"a":1})"},
      {"a new object is sent without its nulls", R"({})", R"({"spec":{"x":{"y":null,"z":1}}})",
       R"({})", R"({"spec":{"x":{"z":1}}})", R"({"spec":{"x":{"z":1}}})"},
      {"an object where live has a scalar is sent whole", R"({})", R"({"a":{"b":1}})",
       R"({"a":"old"})", R"({"a":{"b":1}})", R"({"a":{"b":1}})"},
      {"live that does not exist yet gets desired", "null", R"({"a":1,"b":null})", "null",
       R"({"a":1})", R"({"a":1})"},
      {"a last-applied scalar turned object deletes nothing beneath", R"({"a":5})",
       R"({"a":{"b":1}})", R"({"a":{"b":1,"c":2}})", "{}", R"({"a":{"b":1,"c":2}})"},
  };
  for (const ThreeWayRow& row : rows) {
    json::Value patch = CreateThreeWayMergePatch(J(row.last_applied), J(row.desired), J(row.live));
    EXPECT_EQ(patch, J(row.want_patch)) << row.name << ": got " << json::Write(patch);
    Result<json::Value> after = ApplyMergePatch(J(row.live), patch);
    ASSERT_TRUE(after.ok()) << row.name;
    EXPECT_EQ(*after, J(row.want_live_after)) << row.name << ": got " << json::Write(*after);
  }
}

// After applying the three-way patch, live holds everything the file says, for random documents
// (with the file's last version as last_applied and a live object others have changed).
TEST(MergePatchTest, ThreeWayPatchMakesLiveMatchTheFileForRandomDocuments) {
  RandomDocuments gen(11);
  for (int i = 0; i < 1000; ++i) {
    json::Value last_applied = gen.Document();
    json::Value live = gen.Mutate(last_applied);
    json::Value desired = gen.Mutate(last_applied);
    json::Value patch = CreateThreeWayMergePatch(last_applied, desired, live);
    Result<json::Value> after = ApplyMergePatch(live, patch);
    ASSERT_TRUE(after.ok());
    // Every member of desired is in live now: a merge patch of after onto desired changes
    // nothing that desired names.
    json::Value check = CreateThreeWayMergePatch(desired, desired, *after);
    ASSERT_EQ(check, json::Object()) << "case " << i << "\nlast " << json::Write(last_applied)
                                     << "\ndesired " << json::Write(desired) << "\nlive "
                                     << json::Write(live) << "\nafter " << json::Write(*after);
  }
}

}  // namespace
}  // namespace devflow::api
