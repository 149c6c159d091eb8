// SqliteStore: writes, reads, their errors, opening and restart. Lists are in
// sqlite_store_list_test.cc, the watch history in sqlite_store_watch_test.cc, kill -9 in
// sqlite_store_crash_test.cc.
#include "apiserver/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <functional>
#include <optional>

#include "apiserver/sqlite_store_testing.h"
#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

TEST(ObjectStoreTest, NamesResourcesAsKubernetesMessagesDo) {
  EXPECT_EQ(QualifiedResource("apps/replicasets"), "replicasets.apps");
  EXPECT_EQ(QualifiedResource("argoproj.io/rollouts"), "rollouts.argoproj.io");
  EXPECT_EQ(QualifiedResource("pods"), "pods");
  EXPECT_EQ(QualifiedResource("/pods"), "pods");
  EXPECT_EQ(ToString(kWeb), "replicasets.apps/default/web");
  EXPECT_EQ(ToString(ObjectKey{"namespaces", "", "default"}), "namespaces/default");
  EXPECT_EQ(EventTypeName(EventType::kAdded), "ADDED");
  EXPECT_EQ(EventTypeName(EventType::kModified), "MODIFIED");
  EXPECT_EQ(EventTypeName(EventType::kDeleted), "DELETED");
}

// Every row starts from a store holding kWeb (uid "uid-1") at version 2, runs one operation and
// checks its outcome. A failed operation must leave the store as it was: same version, no event.
TEST(SqliteStoreTest, OperationsAndTheirErrors) {
  const ObjectKey other_ns{"apps/replicasets", "prod", "web"};
  const ObjectKey other_resource{"argoproj.io/rollouts", "default", "web"};
  const ObjectKey cluster{"namespaces", "", "prod"};
  const ObjectKey missing{"apps/replicasets", "default", "nope"};
  const ObjectKey missing_pod{"pods", "default", "p"};
  struct Row {
    std::string name;
    std::function<Result<StoredObject>(ObjectStore&)> op;
    StatusCode code;
    std::string message;     // The exact message, when not empty.
    std::string field_path;  // The error's field path.
    int64_t version = 0;     // For success: the returned object's version.
  };
  const Row rows[] = {
      {"create new", [&](ObjectStore& s) { return s.Create(missing, Doc(missing)); },
       StatusCode::kOk, "", "", 3},
      {"create existing", [&](ObjectStore& s) { return s.Create(kWeb, Doc(kWeb)); },
       StatusCode::kAlreadyExists, "replicasets.apps \"web\" already exists"},
      {"create same name in another namespace",
       [&](ObjectStore& s) { return s.Create(other_ns, Doc(other_ns)); }, StatusCode::kOk, "", "",
       3},
      {"create same name in another resource",
       [&](ObjectStore& s) { return s.Create(other_resource, Doc(other_resource)); },
       StatusCode::kOk, "", "", 3},
      {"create cluster-scoped", [&](ObjectStore& s) { return s.Create(cluster, Doc(cluster)); },
       StatusCode::kOk, "", "", 3},
      {"create without resource",
       [&](ObjectStore& s) {
         return s.Create(ObjectKey{"", "default", "x"}, Doc(ObjectKey{"", "default", "x"}));
       },
       StatusCode::kInvalidArgument},
      {"create without name",
       [&](ObjectStore& s) {
         return s.Create(ObjectKey{"pods", "default", ""}, Doc(ObjectKey{"pods", "default", ""}));
       },
       StatusCode::kInvalidArgument, "", "metadata.name"},
      {"create malformed JSON", [&](ObjectStore& s) { return s.Create(missing, "{\"a\":"); },
       StatusCode::kInvalidArgument},
      {"create JSON array", [&](ObjectStore& s) { return s.Create(missing, "[]"); },
       StatusCode::kInvalidArgument},
      {"create without metadata",
       [&](ObjectStore& s) { return s.Create(missing, R"({"kind":"Thing"})"); },
       StatusCode::kInvalidArgument, "", "metadata"},
      {"create with another name", [&](ObjectStore& s) { return s.Create(missing, Doc(kWeb)); },
       StatusCode::kInvalidArgument, "", "metadata.name"},
      {"create with another namespace",
       [&](ObjectStore& s) { return s.Create(other_ns, Doc(kWeb)); }, StatusCode::kInvalidArgument,
       "", "metadata.namespace"},
      {"create cluster-scoped with a namespace",
       [&](ObjectStore& s) {
         return s.Create(ObjectKey{"namespaces", "", "web"}, Doc(kWeb));
       },
       StatusCode::kInvalidArgument, "", "metadata.namespace"},
      {"create with a label that is not a string",
       [&](ObjectStore& s) {
         return s.Create(missing, R"({"metadata":{"name":"nope","namespace":"default",)"
                                  R"("labels":{"app":1}}})");
       },
       StatusCode::kInvalidArgument, "", "metadata.labels.app"},
      {"get", [&](ObjectStore& s) { return s.Get(kWeb); }, StatusCode::kOk, "", "", 2},
      {"get missing", [&](ObjectStore& s) { return s.Get(missing); }, StatusCode::kNotFound,
       "replicasets.apps \"nope\" not found"},
      {"get missing core object", [&](ObjectStore& s) { return s.Get(missing_pod); },
       StatusCode::kNotFound, "pods \"p\" not found"},
      {"get from another namespace", [&](ObjectStore& s) { return s.Get(other_ns); },
       StatusCode::kNotFound},
      {"update", [&](ObjectStore& s) { return s.Update(kWeb, Doc(kWeb, 7), {}); }, StatusCode::kOk,
       "", "", 3},
      {"update missing", [&](ObjectStore& s) { return s.Update(missing, Doc(missing), {}); },
       StatusCode::kNotFound, "replicasets.apps \"nope\" not found"},
      {"update at the current version",
       [&](ObjectStore& s) { return s.Update(kWeb, Doc(kWeb, 7), {.resource_version = 2}); },
       StatusCode::kOk, "", "", 3},
      {"update at a stale version",
       [&](ObjectStore& s) { return s.Update(kWeb, Doc(kWeb, 7), {.resource_version = 1}); },
       StatusCode::kConflict,
       "Operation cannot be fulfilled on replicasets.apps \"web\": the object has been "
       "modified; please apply your changes to the latest version and try again"},
      {"update with the uid",
       [&](ObjectStore& s) { return s.Update(kWeb, Doc(kWeb, 7), {.uid = "uid-1"}); },
       StatusCode::kOk, "", "", 3},
      {"update with another uid",
       [&](ObjectStore& s) { return s.Update(kWeb, Doc(kWeb, 7), {.uid = "uid-2"}); },
       StatusCode::kConflict,
       "Operation cannot be fulfilled on replicasets.apps \"web\": Precondition failed: UID in "
       "precondition: uid-2, UID in object meta: uid-1"},
      {"update with a bad document",
       [&](ObjectStore& s) { return s.Update(kWeb, Doc(missing), {}); },
       StatusCode::kInvalidArgument, "", "metadata.name"},
      {"delete", [&](ObjectStore& s) { return s.Delete(kWeb, {}); }, StatusCode::kOk, "", "", 3},
      {"delete missing", [&](ObjectStore& s) { return s.Delete(missing, {}); },
       StatusCode::kNotFound, "replicasets.apps \"nope\" not found"},
      {"delete at the current version",
       [&](ObjectStore& s) { return s.Delete(kWeb, {.resource_version = 2}); }, StatusCode::kOk, "",
       "", 3},
      {"delete at a stale version",
       [&](ObjectStore& s) { return s.Delete(kWeb, {.resource_version = 3}); },
       StatusCode::kConflict},
      {"delete with another uid", [&](ObjectStore& s) { return s.Delete(kWeb, {.uid = "x"}); },
       StatusCode::kConflict},
      {"delete without name",
       [&](ObjectStore& s) {
         return s.Delete(ObjectKey{"pods", "default", ""}, {});
       },
       StatusCode::kInvalidArgument},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    TempDir dir;
    auto store = OpenOrDie(dir.File("store.db"));
    ASSERT_TRUE(store->Create(kWeb, Doc(kWeb, 1, {}, "uid-1")).ok());
    Result<StoredObject> got = row.op(*store);
    EXPECT_EQ(got.status().code(), row.code) << got.status();
    if (!row.message.empty()) {
      EXPECT_EQ(got.status().message(), row.message);
    }
    if (!row.field_path.empty()) {
      EXPECT_EQ(got.status().field_path(), row.field_path);
    }
    if (got.ok()) {
      EXPECT_EQ(got->resource_version, row.version);
    } else {
      EXPECT_EQ(store->Versions().current, 2);
      auto events = store->EventsSince("", "", 2);
      ASSERT_TRUE(events.ok());
      EXPECT_TRUE(events->empty());
    }
  }
}

TEST(SqliteStoreTest, StoresDocumentsAsReceivedWithTheirVersion) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  // Unknown members at every depth, a stale resourceVersion (replaced), a double, unicode.
  const std::string text =
      R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web",)"
      R"("namespace":"default","resourceVersion":"999","labels":{"app":"web","tier":"front"},)"
      R"("futureMeta":{"x":[1,2.5,"é"]}},"spec":{"replicas":3,"unknownField":{"deep":true}}})";
  auto created = store->Create(kWeb, text);
  ASSERT_TRUE(created.ok()) << created.error();
  const std::string expected =
      R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web",)"
      R"("namespace":"default","resourceVersion":"2","labels":{"app":"web","tier":"front"},)"
      R"("futureMeta":{"x":[1,2.5,"é"]}},"spec":{"replicas":3,"unknownField":{"deep":true}}})";
  const StoredObject want{kWeb, 2, expected, {{"app", "web"}, {"tier", "front"}}};
  EXPECT_EQ(*created, want);
  auto got = store->Get(kWeb);
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(*got, want);
}

TEST(SqliteStoreTest, OneGlobalVersionIncrementedByEveryWrite) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  EXPECT_EQ(store->Versions(), (StoreVersions{.current = 1, .compacted = 1}));
  const ObjectKey pod{"pods", "default", "p"};
  EXPECT_EQ(store->Create(kWeb, Doc(kWeb))->resource_version, 2);
  EXPECT_EQ(store->Create(pod, Doc(pod))->resource_version, 3);
  EXPECT_EQ(store->Update(kWeb, Doc(kWeb, 1), {})->resource_version, 4);
  EXPECT_EQ(store->Delete(pod, {})->resource_version, 5);
  EXPECT_EQ(store->Create(pod, Doc(pod))->resource_version, 6);
  EXPECT_EQ(store->Versions().current, 6);
  // A failed write spends no version.
  EXPECT_FALSE(store->Create(pod, Doc(pod)).ok());
  EXPECT_EQ(store->Create(ObjectKey{"pods", "default", "q"}, Doc(ObjectKey{"pods", "default", "q"}))
                ->resource_version,
            7);
}

TEST(SqliteStoreTest, UnchangedUpdateWritesNothing) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  ASSERT_TRUE(store->Create(kWeb, Doc(kWeb, 1)).ok());
  auto same = store->Update(kWeb, Doc(kWeb, 1), {.resource_version = 2});
  ASSERT_TRUE(same.ok()) << same.error();
  EXPECT_EQ(same->resource_version, 2);
  EXPECT_EQ(*same, *store->Get(kWeb));
  EXPECT_EQ(store->Versions().current, 2);
  EXPECT_TRUE(store->EventsSince("", "", 2)->empty());
  // Preconditions still apply to an unchanged update.
  EXPECT_EQ(store->Update(kWeb, Doc(kWeb, 1), {.resource_version = 1}).status().code(),
            StatusCode::kConflict);
  // A changed label is a change.
  auto changed = store->Update(kWeb, Doc(kWeb, 1, {{"app", "web"}}), {});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->resource_version, 3);
  EXPECT_EQ(changed->labels, (Labels{{"app", "web"}}));
}

TEST(SqliteStoreTest, DeleteReturnsTheObjectAtTheDeletionsVersion) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  ASSERT_TRUE(store->Create(kWeb, Doc(kWeb, 1, {{"app", "web"}})).ok());
  auto deleted = store->Delete(kWeb, {.resource_version = 2});
  ASSERT_TRUE(deleted.ok()) << deleted.error();
  EXPECT_EQ(deleted->resource_version, 3);
  EXPECT_EQ(deleted->labels, (Labels{{"app", "web"}}));
  auto doc = json::Parse(deleted->json);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc->Find("metadata")->Find("resourceVersion"), json::Value("3"));
  EXPECT_EQ(*doc->Find("spec")->Find("value"), json::Value(1));
  EXPECT_EQ(store->Get(kWeb).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Delete(kWeb, {}).status().code(), StatusCode::kNotFound);
  // The name is free again.
  auto again = store->Create(kWeb, Doc(kWeb, 2));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->resource_version, 4);
}

TEST(SqliteStoreTest, PersistsAcrossRestart) {
  TempDir dir;
  const ObjectKey pod{"pods", "default", "p"};
  {
    auto store = OpenOrDie(dir.File("store.db"), 100);
    ASSERT_TRUE(store->Create(kWeb, Doc(kWeb, 1)).ok());
    ASSERT_TRUE(store->Create(pod, Doc(pod)).ok());
    ASSERT_TRUE(store->Update(kWeb, Doc(kWeb, 2), {}).ok());
    ASSERT_TRUE(store->Delete(pod, {}).ok());
  }
  auto store = OpenOrDie(dir.File("store.db"), 100);
  EXPECT_EQ(store->Versions(), (StoreVersions{.current = 5, .compacted = 1}));
  auto web = store->Get(kWeb);
  ASSERT_TRUE(web.ok()) << web.error();
  EXPECT_EQ(web->resource_version, 4);
  EXPECT_EQ(web->json, Stamped(Doc(kWeb, 2), 4));
  EXPECT_EQ(store->Get(pod).status().code(), StatusCode::kNotFound);
  auto events = store->EventsSince("", "", 1);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 4u);
  EXPECT_EQ(events->back().type, EventType::kDeleted);
  EXPECT_EQ(store->Create(pod, Doc(pod))->resource_version, 6);
}

TEST(SqliteStoreTest, OpenRejectsBadOptionsAndForeignFiles) {
  TempDir dir;
  {
    std::ofstream(dir.File("text.db")) << "this is not a database, just some text\n";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("foreign.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    ASSERT_EQ(sqlite3_open(dir.File("plain.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  struct Row {
    std::string name;
    SqliteStoreOptions options;
    StatusCode code;
  };
  const Row rows[] = {
      {"no path", {.path = ""}, StatusCode::kInvalidArgument},
      {"zero history window",
       {.path = dir.File("a.db"), .history_window = 0},
       StatusCode::kInvalidArgument},
      {"missing directory", {.path = dir.File("no/such/dir.db")}, StatusCode::kUnavailable},
      {"a text file", {.path = dir.File("text.db")}, StatusCode::kFailedPrecondition},
      {"another application's database",
       {.path = dir.File("plain.db")},
       StatusCode::kFailedPrecondition},
      {"a newer schema", {.path = dir.File("foreign.db")}, StatusCode::kFailedPrecondition},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto store = SqliteStore::Open(row.options);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error().code(), row.code) << store.error();
  }
}

TEST(SqliteStoreTest, SecondStoreOnTheSameFileIsRefused) {
  TempDir dir;
  auto first = OpenOrDie(dir.File("store.db"));
  auto second = SqliteStore::Open({.path = dir.File("store.db")});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), StatusCode::kFailedPrecondition) << second.error();
  EXPECT_NE(second.error().message().find("in use"), std::string::npos) << second.error();
  // The first store is unaffected; once it is closed the file opens again.
  EXPECT_TRUE(first->Create(kWeb, Doc(kWeb)).ok());
  first.reset();
  auto third = SqliteStore::Open({.path = dir.File("store.db")});
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_EQ((*third)->Versions().current, 2);
}

}  // namespace
}  // namespace devflow::apiserver
