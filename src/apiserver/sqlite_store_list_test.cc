// SqliteStore lists: key order, namespaces, filters, paging with consistent snapshots, lists at
// an exact version, and Gone once the list's version is compacted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apiserver/sqlite_store.h"
#include "apiserver/sqlite_store_testing.h"

namespace devflow::apiserver {
namespace {

const char* const kRs = "apps/replicasets";

ObjectKey Rs(const std::string& ns, const std::string& name) { return {kRs, ns, name}; }

std::vector<ObjectKey> Keys(const std::vector<StoredObject>& items) {
  std::vector<ObjectKey> keys;
  for (const StoredObject& item : items) keys.push_back(item.key);
  return keys;
}

// Reads every page of a list; fails the test on an error.
std::vector<StoredObject> ListAll(ObjectStore& store, ListOptions options,
                                  int64_t* version = nullptr) {
  std::vector<StoredObject> all;
  while (true) {
    auto page = store.List(options);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return all;
    if (version != nullptr) *version = page->resource_version;
    all.insert(all.end(), page->items.begin(), page->items.end());
    if (page->continue_token.empty()) return all;
    options.continue_token = page->continue_token;
    options.resource_version.reset();  // The token carries it.
  }
}

TEST(SqliteStoreListTest, ListsInKeyOrderByNamespace) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  for (const ObjectKey& key :
       {Rs("prod", "b"), Rs("default", "z"), Rs("prod", "a"), Rs("default", "a"),
        ObjectKey{"pods", "default", "p"}, ObjectKey{"namespaces", "", "prod"}}) {
    ASSERT_TRUE(store->Create(key, Doc(key)).ok());
  }
  ASSERT_TRUE(store->Delete(Rs("default", "z"), {}).ok());
  struct Row {
    std::string name;
    ListOptions options;
    std::vector<ObjectKey> want;
  };
  const Row rows[] = {
      {"all namespaces", {.resource = kRs}, {Rs("default", "a"), Rs("prod", "a"), Rs("prod", "b")}},
      {"one namespace",
       {.resource = kRs, .namespace_ = "prod"},
       {Rs("prod", "a"), Rs("prod", "b")}},
      {"empty namespace", {.resource = kRs, .namespace_ = "test"}, {}},
      {"other resource", {.resource = "pods"}, {ObjectKey{"pods", "default", "p"}}},
      {"cluster-scoped", {.resource = "namespaces"}, {ObjectKey{"namespaces", "", "prod"}}},
      {"unknown resource", {.resource = "widgets"}, {}},
      {"filtered by label-like predicate",
       {.resource = kRs, .filter = [](const StoredObject& o) { return o.key.name == "a"; }},
       {Rs("default", "a"), Rs("prod", "a")}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto list = store->List(row.options);
    ASSERT_TRUE(list.ok()) << list.error();
    EXPECT_EQ(Keys(list->items), row.want);
    EXPECT_EQ(list->resource_version, 8);
    EXPECT_EQ(list->continue_token, "");
  }
}

TEST(SqliteStoreListTest, ListItemsEqualWhatGetReturns) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  ASSERT_TRUE(store->Create(kWeb, Doc(kWeb, 1, {{"app", "web"}})).ok());
  ASSERT_TRUE(store->Update(kWeb, Doc(kWeb, 2, {{"app", "web"}}), {}).ok());
  auto list = store->List({.resource = kWeb.resource});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0], *store->Get(kWeb));
}

// A large list read in pages, with writes between the pages: every page shows the state at the
// first page's version, so the pages together equal the list at that version.
TEST(SqliteStoreListTest, PagesShowOneSnapshotDespiteWritesBetweenPages) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  for (int i = 0; i < 300; ++i) {
    const ObjectKey key = Rs(i % 3 == 0 ? "prod" : "default", "rs-" + std::to_string(1000 + i));
    ASSERT_TRUE(store->Create(key, Doc(key, i)).ok());
  }
  int writes = 0;
  for (const std::string& ns : {std::string(), std::string("default")}) {
    SCOPED_TRACE("namespace '" + ns + "'");
    const ListOptions all{.resource = kRs, .namespace_ = ns};
    auto before = store->List(all);
    ASSERT_TRUE(before.ok());

    ListOptions paged{.resource = kRs, .namespace_ = ns, .limit = 37};
    std::vector<StoredObject> got;
    int pages = 0;
    while (true) {
      auto page = store->List(paged);
      ASSERT_TRUE(page.ok()) << page.error();
      ++pages;
      EXPECT_EQ(page->resource_version, before->resource_version);
      EXPECT_LE(page->items.size(), 37u);
      got.insert(got.end(), page->items.begin(), page->items.end());
      if (page->continue_token.empty()) break;
      paged.continue_token = page->continue_token;
      // Between pages: create keys before and after the cursor, update and delete items of
      // later pages (rs-1290 - 3k is in "default"), and re-create some deleted ones.
      const std::string n = std::to_string(writes++);
      const ObjectKey early = Rs("default", "aa-new-" + n);
      const ObjectKey late = Rs("default", "zz-new-" + n);
      ASSERT_TRUE(store->Create(early, Doc(early)).ok());
      ASSERT_TRUE(store->Create(late, Doc(late)).ok());
      ASSERT_TRUE(
          store->Update(Rs("default", "rs-1298"), Doc(Rs("default", "rs-1298"), 1000 + writes), {})
              .ok());
      const ObjectKey doomed = Rs("default", "rs-" + std::to_string(1290 - writes * 3));
      ASSERT_TRUE(store->Delete(doomed, {}).ok());
      if (writes % 2 == 0) {
        ASSERT_TRUE(store->Create(doomed, Doc(doomed, -1)).ok());
      }
    }
    EXPECT_EQ(pages, (static_cast<int>(before->items.size()) + 36) / 37);
    EXPECT_EQ(got, before->items);
    // The writes happened: a fresh list sees them.
    auto after = store->List(all);
    ASSERT_TRUE(after.ok());
    EXPECT_NE(after->items, before->items);
    EXPECT_GT(after->resource_version, before->resource_version);
  }
}

TEST(SqliteStoreListTest, FilterAppliesBeforeTheLimit) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  for (int i = 0; i < 20; ++i) {
    const ObjectKey key = Rs("default", "rs-" + std::to_string(10 + i));
    ASSERT_TRUE(store->Create(key, Doc(key, i, {{"app", i % 4 == 0 ? "web" : "db"}})).ok());
  }
  // Matches rs-10, 14, 18, 22, 26: the last match is followed by non-matching items only.
  ListOptions options{.resource = kRs, .limit = 2, .filter = [](const StoredObject& o) {
                        return o.labels.at("app") == "web";
                      }};
  std::vector<std::vector<std::string>> pages;
  while (true) {
    auto page = store->List(options);
    ASSERT_TRUE(page.ok()) << page.error();
    std::vector<std::string> names;
    for (const auto& item : page->items) names.push_back(item.key.name);
    pages.push_back(names);
    if (page->continue_token.empty()) break;
    options.continue_token = page->continue_token;
  }
  const std::vector<std::vector<std::string>> want = {
      {"rs-10", "rs-14"}, {"rs-18", "rs-22"}, {"rs-26"}};
  EXPECT_EQ(pages, want);
}

TEST(SqliteStoreListTest, LimitWithoutMoreItemsHasNoContinue) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  for (const char* name : {"a", "b"})
    ASSERT_TRUE(store->Create(Rs("default", name), Doc(Rs("default", name))).ok());
  auto exact = store->List({.resource = kRs, .limit = 2});
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->items.size(), 2u);
  EXPECT_EQ(exact->continue_token, "");
  auto one = store->List({.resource = kRs, .limit = 1});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Keys(one->items), std::vector<ObjectKey>{Rs("default", "a")});
  EXPECT_NE(one->continue_token, "");
}

TEST(SqliteStoreListTest, ListsAtAnExactVersion) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"), 5);
  const ObjectKey a = Rs("default", "a");
  const ObjectKey b = Rs("default", "b");
  const ObjectKey c = Rs("default", "c");
  ASSERT_TRUE(store->Create(a, Doc(a, 1)).ok());  // 2
  ASSERT_TRUE(store->Create(b, Doc(b, 1)).ok());  // 3
  const std::vector<StoredObject> at3 = store->List({.resource = kRs})->items;
  ASSERT_TRUE(store->Update(a, Doc(a, 2), {}).ok());  // 4
  ASSERT_TRUE(store->Delete(b, {}).ok());             // 5
  ASSERT_TRUE(store->Create(c, Doc(c, 1)).ok());      // 6
  ASSERT_TRUE(store->Create(b, Doc(b, 2)).ok());      // 7

  auto list = store->List({.resource = kRs, .resource_version = 3});
  ASSERT_TRUE(list.ok()) << list.error();
  EXPECT_EQ(list->resource_version, 3);
  EXPECT_EQ(list->items, at3);
  auto at5 = store->List({.resource = kRs, .resource_version = 5});
  ASSERT_TRUE(at5.ok());
  ASSERT_EQ(Keys(at5->items), std::vector<ObjectKey>{a});
  EXPECT_EQ(at5->items[0].resource_version, 4);
  // Paging at an exact version keeps to it.
  std::vector<StoredObject> paged =
      ListAll(*store, {.resource = kRs, .limit = 1, .resource_version = 3});
  EXPECT_EQ(paged, at3);

  struct Row {
    std::string name;
    int64_t version;
    StatusCode code;
    std::string message;
  };
  const Row rows[] = {
      {"current", 7, StatusCode::kOk, ""},
      {"oldest kept", 2, StatusCode::kOk, ""},
      {"compacted", 1, StatusCode::kGone, "too old resource version: 1 (2)"},
      {"future", 8, StatusCode::kUnavailable, "too large resource version: 8, current: 7"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto got = store->List({.resource = kRs, .resource_version = row.version});
    EXPECT_EQ(got.status().code(), row.code) << got.status();
    if (!row.message.empty()) {
      EXPECT_EQ(got.status().message(), row.message);
    }
  }
}

TEST(SqliteStoreListTest, ContinueFromACompactedVersionIsGone) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"), 10);
  for (int i = 0; i < 5; ++i) {
    const ObjectKey key = Rs("default", "rs-" + std::to_string(i));
    ASSERT_TRUE(store->Create(key, Doc(key)).ok());
  }
  auto first = store->List({.resource = kRs, .limit = 2});
  ASSERT_TRUE(first.ok());
  ASSERT_NE(first->continue_token, "");
  // Ten writes keep version 6 (the list's) just inside the window; the eleventh compacts it.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store->Update(Rs("default", "rs-0"), Doc(Rs("default", "rs-0"), i + 1), {}).ok());
  }
  auto second = store->List({.resource = kRs, .limit = 2, .continue_token = first->continue_token});
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->resource_version, 6);
  ASSERT_TRUE(store->Update(Rs("default", "rs-0"), Doc(Rs("default", "rs-0"), 99), {}).ok());
  auto third = store->List({.resource = kRs, .limit = 2, .continue_token = second->continue_token});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code(), StatusCode::kGone) << third.error();
}

TEST(SqliteStoreListTest, RejectsBadOptions) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  for (int i = 0; i < 3; ++i) {
    const ObjectKey key = Rs("default", "rs-" + std::to_string(i));
    ASSERT_TRUE(store->Create(key, Doc(key)).ok());
  }
  const std::string token = store->List({.resource = kRs, .limit = 1})->continue_token;
  const std::string ns_token =
      store->List({.resource = kRs, .namespace_ = "default", .limit = 1})->continue_token;
  ASSERT_NE(token, "");
  struct Row {
    std::string name;
    ListOptions options;
    std::string field_path;
  };
  const Row rows[] = {
      {"no resource", {.resource = ""}, ""},
      {"negative limit", {.resource = kRs, .limit = -1}, "limit"},
      {"token not base64", {.resource = kRs, .continue_token = "!!!"}, "continue"},
      {"token not JSON", {.resource = kRs, .continue_token = "bm90IGpzb24"}, "continue"},
      {"token of another resource", {.resource = "pods", .continue_token = token}, "continue"},
      {"token of another namespace",
       {.resource = kRs, .namespace_ = "prod", .continue_token = ns_token},
       "continue"},
      {"token of all namespaces used for one",
       {.resource = kRs, .namespace_ = "default", .continue_token = token},
       "continue"},
      {"token with a resource version",
       {.resource = kRs, .continue_token = token, .resource_version = 2},
       "resourceVersion"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto got = store->List(row.options);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), StatusCode::kInvalidArgument) << got.error();
    EXPECT_EQ(got.error().field_path(), row.field_path);
  }
  // The same token continues its own list.
  auto continued = store->List({.resource = kRs, .limit = 1, .continue_token = token});
  ASSERT_TRUE(continued.ok()) << continued.error();
  EXPECT_EQ(Keys(continued->items), std::vector<ObjectKey>{Rs("default", "rs-1")});
}

}  // namespace
}  // namespace devflow::apiserver
