#include "apiserver/request_target.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace devflow::apiserver {

// Found by GoogleTest through argument-dependent lookup: readable failures.
void PrintTo(const ResourcePath& p, std::ostream* os) {
  *os << "{group=" << p.group << " version=" << p.version << " ns=" << p.namespace_
      << " plural=" << p.plural << " name=" << p.name << " sub=" << p.subresource
      << " watch=" << p.watch_prefix << "}";
}

namespace {

TEST(RequestTargetTest, ParsesResourcePaths) {
  struct Row {
    std::string name;
    std::string path;
    std::optional<ResourcePath> want;
  };
  const std::vector<Row> rows = {
      {"core collection", "/api/v1/pods", ResourcePath{"", "v1", "", "pods", "", "", false}},
      {"core namespaced collection", "/api/v1/namespaces/default/pods",
       ResourcePath{"", "v1", "default", "pods", "", "", false}},
      {"core object", "/api/v1/namespaces/default/pods/web",
       ResourcePath{"", "v1", "default", "pods", "web", "", false}},
      {"core status", "/api/v1/namespaces/default/pods/web/status",
       ResourcePath{"", "v1", "default", "pods", "web", "status", false}},
      {"namespace collection", "/api/v1/namespaces",
       ResourcePath{"", "v1", "", "namespaces", "", "", false}},
      {"a namespace itself", "/api/v1/namespaces/prod",
       ResourcePath{"", "v1", "", "namespaces", "prod", "", false}},
      {"namespace status is the namespace's subresource", "/api/v1/namespaces/prod/status",
       ResourcePath{"", "v1", "", "namespaces", "prod", "status", false}},
      {"namespace finalize", "/api/v1/namespaces/prod/finalize",
       ResourcePath{"", "v1", "", "namespaces", "prod", "finalize", false}},
      {"group object", "/apis/argoproj.io/v1alpha1/namespaces/default/rollouts/web",
       ResourcePath{"argoproj.io", "v1alpha1", "default", "rollouts", "web", "", false}},
      {"cluster-scoped group object",
       "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y.z",
       ResourcePath{"apiextensions.k8s.io", "v1", "", "customresourcedefinitions", "x.y.z", "",
                    false}},
      {"trailing slash", "/apis/apps/v1/replicasets/",
       ResourcePath{"apps", "v1", "", "replicasets", "", "", false}},
      {"legacy watch prefix", "/api/v1/watch/namespaces/default/pods",
       ResourcePath{"", "v1", "default", "pods", "", "", true}},
      {"legacy watch of one object", "/apis/apps/v1/watch/namespaces/a/replicasets/web",
       ResourcePath{"apps", "v1", "a", "replicasets", "web", "", true}},
      {"discovery root is not a resource", "/api", std::nullopt},
      {"group version alone is not a resource", "/apis/apps/v1", std::nullopt},
      {"core group only serves v1", "/api/v2/pods", std::nullopt},
      {"not an API path", "/metrics", std::nullopt},
      {"relative path", "api/v1/pods", std::nullopt},
      {"empty segment", "/api/v1//pods", std::nullopt},
      {"too many segments", "/api/v1/namespaces/a/pods/b/status/extra", std::nullopt},
      {"too many segments without namespace", "/api/v1/pods/a/b/c", std::nullopt},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ParseResourcePath(row.path), row.want) << row.name << ": " << row.path;
  }
}

TEST(RequestTargetTest, MapsMethodsToVerbs) {
  const ResourcePath collection{"", "v1", "default", "pods", "", "", false};
  const ResourcePath object{"", "v1", "default", "pods", "web", "", false};
  const ResourcePath status{"", "v1", "default", "pods", "web", "status", false};
  const ResourcePath watch_collection{"", "v1", "default", "pods", "", "", true};
  const ResourcePath watch_object{"", "v1", "default", "pods", "web", "", true};
  struct Row {
    std::string name;
    std::string method;
    ResourcePath path;
    bool watch_query;
    std::optional<Verb> want;
  };
  const std::vector<Row> rows = {
      {"GET collection lists", "GET", collection, false, Verb::kList},
      {"GET collection with watch watches", "GET", collection, true, Verb::kWatch},
      {"GET under the watch prefix watches", "GET", watch_collection, false, Verb::kWatch},
      {"GET object", "GET", object, false, Verb::kGet},
      {"watch query on an object is a get", "GET", object, true, Verb::kGet},
      {"GET object under the watch prefix watches it", "GET", watch_object, false, Verb::kWatch},
      {"GET status", "GET", status, false, Verb::kGet},
      {"POST collection creates", "POST", collection, false, Verb::kCreate},
      {"POST object is not allowed", "POST", object, false, std::nullopt},
      {"PUT object updates", "PUT", object, false, Verb::kUpdate},
      {"PUT status updates", "PUT", status, false, Verb::kUpdate},
      {"PUT collection is not allowed", "PUT", collection, false, std::nullopt},
      {"PATCH object", "PATCH", object, false, Verb::kPatch},
      {"PATCH collection is not allowed", "PATCH", collection, false, std::nullopt},
      {"DELETE object", "DELETE", object, false, Verb::kDelete},
      {"DELETE collection", "DELETE", collection, false, Verb::kDeleteCollection},
      {"writes under the watch prefix are not allowed", "POST", watch_collection, false,
       std::nullopt},
      {"unknown method", "OPTIONS", object, false, std::nullopt},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(VerbFor(row.method, row.path, row.watch_query), row.want) << row.name;
  }
}

TEST(RequestTargetTest, NamesVerbsAsKubernetes) {
  EXPECT_EQ(VerbName(Verb::kGet), "get");
  EXPECT_EQ(VerbName(Verb::kList), "list");
  EXPECT_EQ(VerbName(Verb::kWatch), "watch");
  EXPECT_EQ(VerbName(Verb::kCreate), "create");
  EXPECT_EQ(VerbName(Verb::kUpdate), "update");
  EXPECT_EQ(VerbName(Verb::kPatch), "patch");
  EXPECT_EQ(VerbName(Verb::kDelete), "delete");
  EXPECT_EQ(VerbName(Verb::kDeleteCollection), "deletecollection");
}

TEST(RequestTargetTest, ReadsQueryFlagsAsGoParseBool) {
  for (const char* yes : {"1", "t", "T", "true", "True", "TRUE"}) {
    EXPECT_TRUE(QueryFlag(std::string(yes))) << yes;
  }
  for (const char* no : {"", "0", "false", "yes", "on"}) {
    EXPECT_FALSE(QueryFlag(std::string(no))) << no;
  }
  EXPECT_FALSE(QueryFlag(std::nullopt));
}

}  // namespace
}  // namespace devflow::apiserver
