#include "apiserver/object_meta_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

json::Value Parse(const std::string& text) {
  Result<json::Value> value = json::Parse(text);
  EXPECT_TRUE(value.ok()) << text;
  return value.ok() ? *value : json::Value();
}

ResourceInfo Info(bool namespaced, bool status_subresource, std::string plural = "things") {
  ResourceInfo info;
  info.group = plural == "namespaces" ? "" : "example.com";
  info.version = "v1";
  info.kind = "Thing";
  info.plural = std::move(plural);
  info.namespaced = namespaced;
  info.status_subresource = status_subresource;
  return info;
}

const CreateFields kFields{"11111111-2222-4333-8444-555555555555", "2026-11-23T10:00:00Z", "b2c4d"};

TEST(ObjectMetaRulesTest, TracksGenerationAsKubeApiserverDoes) {
  struct Row {
    const char* group;
    bool custom;
    bool want;
  };
  const Row rows[] = {{"", false, false},
                      {"coordination.k8s.io", false, false},
                      {"events.k8s.io", false, false},
                      {"apps", false, true},
                      {"batch", false, true},
                      {"networking.k8s.io", false, true},
                      {"argoproj.io", false, true},
                      {"gateway.networking.k8s.io", false, true},
                      {"example.com", true, true}};
  for (const Row& row : rows) {
    ResourceInfo info;
    info.group = row.group;
    info.custom = row.custom;
    EXPECT_EQ(TracksGeneration(info), row.want) << "group \"" << row.group << "\"";
  }
}

TEST(ObjectMetaRulesTest, PrepareForCreate) {
  struct Row {
    std::string name;
    ResourceInfo info;
    std::string in;
    std::string want;
  };
  const std::vector<Row> rows = {
      {"system fields set, generation 1", Info(true, false),
       R"({"kind":"Thing","metadata":{"name":"a","namespace":"ns"},"spec":{"x":1}})",
       R"({"kind":"Thing","metadata":{"name":"a","namespace":"ns",)"
       R"("uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"},"spec":{"x":1}})"},
      {"client's system fields are replaced or cleared", Info(true, false),
       R"({"metadata":{"name":"a","uid":"mine","resourceVersion":"9","generation":7,)"
       R"("creationTimestamp":"2000-01-01T00:00:00Z","deletionTimestamp":"2000-01-01T00:00:00Z",)"
       R"("deletionGracePeriodSeconds":30}})",
       R"({"metadata":{"name":"a","uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"}})"},
      {"generateName gets the suffix", Info(true, false), R"({"metadata":{"generateName":"web-"}})",
       R"({"metadata":{"name":"web-b2c4d","generateName":"web-",)"
       R"("uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"}})"},
      {"a name wins over generateName", Info(true, false),
       R"({"metadata":{"name":"given","generateName":"web-"}})",
       R"({"metadata":{"name":"given","generateName":"web-",)"
       R"("uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"}})"},
      {"status dropped with a status subresource", Info(true, true),
       R"({"metadata":{"name":"a"},"spec":{},"status":{"phase":"Done"}})",
       R"({"metadata":{"name":"a","uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"},"spec":{}})"},
      {"status kept without a status subresource", Info(true, false),
       R"({"metadata":{"name":"a"},"status":{"phase":"Done"}})",
       R"({"metadata":{"name":"a","uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"},"status":{"phase":"Done"}})"},
      {"cluster-scoped loses its namespace", Info(false, false),
       R"({"metadata":{"name":"a","namespace":"ns"}})",
       R"({"metadata":{"name":"a","uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z"}})"},
      {"metadata created when missing", Info(true, false), R"({"kind":"Thing"})",
       R"({"kind":"Thing","metadata":{"uid":"11111111-2222-4333-8444-555555555555",)"
       R"("generation":1,"creationTimestamp":"2026-11-23T10:00:00Z"}})"},
      {"unknown metadata members kept after the known ones", Info(true, false),
       R"({"metadata":{"zzz":1,"labels":{"a":"b"},"name":"a"}})",
       R"({"metadata":{"name":"a","uid":"11111111-2222-4333-8444-555555555555","generation":1,)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z","labels":{"a":"b"},"zzz":1}})"},
      {"namespace gets its finalizer, phase and name label", Info(false, true, "namespaces"),
       R"({"metadata":{"name":"prod"},"status":{"phase":"Terminating"}})",
       R"({"metadata":{"name":"prod","uid":"11111111-2222-4333-8444-555555555555",)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z",)"
       R"("labels":{"kubernetes.io/metadata.name":"prod"}},)"
       R"("spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})"},
      {"namespace keeps other spec finalizers and adds kubernetes", Info(false, true, "namespaces"),
       R"({"metadata":{"name":"prod","labels":{"team":"a"}},"spec":{"finalizers":["x/y"]}})",
       R"({"metadata":{"name":"prod","uid":"11111111-2222-4333-8444-555555555555",)"
       R"("creationTimestamp":"2026-11-23T10:00:00Z",)"
       R"("labels":{"team":"a","kubernetes.io/metadata.name":"prod"}},)"
       R"("spec":{"finalizers":["x/y","kubernetes"]},"status":{"phase":"Active"}})"},
  };
  for (const Row& row : rows) {
    const json::Value got = PrepareForCreate(Parse(row.in), row.info, kFields);
    EXPECT_EQ(json::Write(got), json::Write(Parse(row.want))) << row.name;
  }
}

TEST(ObjectMetaRulesTest, GeneratedNamesKeepWithinADnsLabel) {
  EXPECT_EQ(GeneratedName("web-", "abcde"), "web-abcde");
  const std::string long_prefix(70, 'a');
  const std::string name = GeneratedName(long_prefix, "xyz12");
  EXPECT_EQ(name.size(), 63u);
  EXPECT_EQ(name.substr(58), "xyz12");
}

TEST(ObjectMetaRulesTest, FormatsVersion4Uuids) {
  unsigned char bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = 0xff;
  EXPECT_EQ(FormatUuidV4(bytes), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(i);
  EXPECT_EQ(FormatUuidV4(bytes), "00010203-0405-4607-8809-0a0b0c0d0e0f");
}

// The stored object every update row starts from.
constexpr char kStored[] =
    R"({"metadata":{"name":"a","namespace":"ns",)"
    R"("uid":"u-1","resourceVersion":"5","generation":3,"creationTimestamp":)"
    R"("2020-01-01T00:00:00Z","labels":{"l":"1"}},"spec":{"x":1},"status":{"s":1}})";

TEST(ObjectMetaRulesTest, PrepareForUpdate) {
  struct Row {
    std::string name;
    ResourceInfo info;
    std::string stored;
    std::string in;
    std::string want;
    std::vector<StatusCause> causes;
  };
  const std::vector<Row> rows = {
      {"spec change bumps generation",
       Info(true, true),
       kStored,
       R"({"metadata":{"name":"a","namespace":"ns","resourceVersion":"5","labels":{"l":"1"}},)"
       R"("spec":{"x":2}})",
       R"({"metadata":{"name":"a","namespace":"ns","resourceVersion":"5","labels":{"l":"1"},)"
       R"("uid":"u-1","creationTimestamp":"2020-01-01T00:00:00Z","generation":4},)"
       R"("spec":{"x":2},"status":{"s":1}})",
       {}},
      {"metadata-only change keeps generation",
       Info(true, true),
       kStored,
       R"({"metadata":{"name":"a","labels":{"l":"2"}},"spec":{"x":1},"status":{"s":1}})",
       R"({"metadata":{"name":"a","labels":{"l":"2"},"namespace":"ns","uid":"u-1",)"
       R"("creationTimestamp":"2020-01-01T00:00:00Z","generation":3},)"
       R"("spec":{"x":1},"status":{"s":1}})",
       {}},
      {"status subresource: main write keeps stored status, no bump",
       Info(true, true),
       kStored,
       R"({"metadata":{"name":"a"},"spec":{"x":1},"status":{"s":99}})",
       R"({"metadata":{"name":"a","namespace":"ns","uid":"u-1",)"
       R"("creationTimestamp":"2020-01-01T00:00:00Z","generation":3},)"
       R"("spec":{"x":1},"status":{"s":1}})",
       {}},
      {"without status subresource status is written and bumps",
       Info(true, false),
       kStored,
       R"({"metadata":{"name":"a"},"spec":{"x":1},"status":{"s":99}})",
       R"({"metadata":{"name":"a","namespace":"ns","uid":"u-1",)"
       R"("creationTimestamp":"2020-01-01T00:00:00Z","generation":4},)"
       R"("spec":{"x":1},"status":{"s":99}})",
       {}},
      {"immutable timestamps and namespace come from the stored object",
       Info(true, false),
       kStored,
       R"({"metadata":{"name":"a","namespace":"other","creationTimestamp":"1999-01-01T00:00:00Z",)"
       R"("deletionTimestamp":"2030-01-01T00:00:00Z","deletionGracePeriodSeconds":5},)"
       R"("spec":{"x":1},"status":{"s":1}})",
       R"({"metadata":{"name":"a","namespace":"ns","creationTimestamp":"2020-01-01T00:00:00Z",)"
       R"("uid":"u-1","generation":3},"spec":{"x":1},"status":{"s":1}})",
       {}},
      {"changed uid is immutable",
       Info(true, false),
       kStored,
       R"({"metadata":{"name":"a","uid":"other"},"spec":{"x":1},"status":{"s":1}})",
       R"({"metadata":{"name":"a","uid":"other","namespace":"ns",)"
       R"("creationTimestamp":"2020-01-01T00:00:00Z","generation":3},)"
       R"("spec":{"x":1},"status":{"s":1}})",
       {{"FieldValueInvalid", "Invalid value: \"other\": field is immutable", "metadata.uid"}}},
      {"marked object may drop finalizers",
       Info(true, false),
       R"({"metadata":{"name":"a","finalizers":["a/x","b/y"],)"
       R"("deletionTimestamp":"2026-01-01T00:00:00Z","deletionGracePeriodSeconds":0}})",
       R"({"metadata":{"name":"a","finalizers":["a/x"]}})",
       R"({"metadata":{"name":"a","finalizers":["a/x"],)"
       R"("deletionTimestamp":"2026-01-01T00:00:00Z","deletionGracePeriodSeconds":0}})",
       {}},
      {"marked object may not gain finalizers",
       Info(true, false),
       R"({"metadata":{"name":"a","finalizers":["a/x"],)"
       R"("deletionTimestamp":"2026-01-01T00:00:00Z"}})",
       R"({"metadata":{"name":"a","finalizers":["z/new","a/x","b/new"]}})",
       R"({"metadata":{"name":"a","finalizers":["z/new","a/x","b/new"],)"
       R"("deletionTimestamp":"2026-01-01T00:00:00Z"}})",
       {{"FieldValueForbidden",
         "Forbidden: no new finalizers can be added if the object is being deleted, found new "
         "finalizers []string{\"b/new\", \"z/new\"}",
         "metadata.finalizers"}}},
      {"unmarked object may gain finalizers",
       Info(true, false),
       R"({"metadata":{"name":"a"}})",
       R"({"metadata":{"name":"a","finalizers":["a/x"]}})",
       R"({"metadata":{"name":"a","finalizers":["a/x"]}})",
       {}},
      {"namespace main write keeps spec.finalizers and the name label",
       Info(false, true, "namespaces"),
       R"({"metadata":{"name":"p","labels":{"kubernetes.io/metadata.name":"p"}},)"
       R"("spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})",
       R"({"metadata":{"name":"p","labels":{"team":"x"}},"spec":{},"status":{"phase":"Gone"}})",
       R"({"metadata":{"name":"p","labels":{"team":"x","kubernetes.io/metadata.name":"p"}},)"
       R"("spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})",
       {}},
  };
  for (const Row& row : rows) {
    UpdatePreparation got = PrepareForUpdate(Parse(row.in), Parse(row.stored), row.info);
    EXPECT_EQ(json::Write(got.object), json::Write(Parse(row.want))) << row.name;
    EXPECT_EQ(got.causes, row.causes) << row.name;
  }
}

TEST(ObjectMetaRulesTest, StatusUpdateChangesOnlyStatus) {
  const json::Value stored = Parse(kStored);
  const json::Value updated =
      Parse(R"({"metadata":{"name":"a","labels":{"changed":"yes"},"generation":100},)"
            R"("spec":{"x":99},"status":{"s":2}})");
  json::Value want = stored;
  want.as_object().Set("status", json::Object{{"s", 2}});
  EXPECT_EQ(PrepareForStatusUpdate(updated, stored), want);

  json::Value without = stored;
  without.as_object().Erase("status");
  EXPECT_EQ(PrepareForStatusUpdate(Parse(R"({"metadata":{"name":"a"}})"), stored), without)
      << "a status update without status removes it";
}

TEST(ObjectMetaRulesTest, FinalizeChangesOnlySpecFinalizers) {
  const json::Value stored =
      Parse(R"({"metadata":{"name":"p","deletionTimestamp":"2026-01-01T00:00:00Z"},)"
            R"("spec":{"finalizers":["kubernetes"]},"status":{"phase":"Terminating"}})");
  EXPECT_EQ(json::Write(PrepareForFinalize(
                Parse(R"({"metadata":{"name":"p","labels":{"a":"b"}},"spec":{"finalizers":[]},)"
                      R"("status":{"phase":"Active"}})"),
                stored)),
            json::Write(Parse(R"({"metadata":{"name":"p","deletionTimestamp":)"
                              R"("2026-01-01T00:00:00Z"},"spec":{"finalizers":[]},)"
                              R"("status":{"phase":"Terminating"}})")));
  EXPECT_EQ(json::Write(PrepareForFinalize(Parse(R"({"metadata":{"name":"p"}})"), stored)),
            json::Write(Parse(R"({"metadata":{"name":"p","deletionTimestamp":)"
                              R"("2026-01-01T00:00:00Z"},"spec":{},)"
                              R"("status":{"phase":"Terminating"}})")));
}

TEST(ObjectMetaRulesTest, SpecEquality) {
  const json::Value a = Parse(R"({"metadata":{"x":1},"spec":{"a":1},"status":{"s":1}})");
  EXPECT_TRUE(
      SpecEqual(a, Parse(R"({"metadata":{"x":2},"spec":{"a":1},"status":{"s":1}})"), false));
  EXPECT_FALSE(SpecEqual(a, Parse(R"({"spec":{"a":1},"status":{"s":2}})"), false));
  EXPECT_TRUE(SpecEqual(a, Parse(R"({"spec":{"a":1},"status":{"s":2}})"), true));
  EXPECT_FALSE(SpecEqual(a, Parse(R"({"spec":{"a":1},"status":{"s":1},"extra":1})"), true));
  EXPECT_FALSE(SpecEqual(a, Parse(R"({"status":{"s":1}})"), true));
}

}  // namespace
}  // namespace devflow::apiserver
