// SqliteStore watch history: EventsSince, compaction to a bounded window, Gone, listeners.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/sqlite_store.h"
#include "apiserver/sqlite_store_testing.h"

namespace devflow::apiserver {
namespace {

struct Summary {
  EventType type;
  std::string name;
  int64_t version;
  int64_t previous_version;  // 0 when there is no previous object.
  friend bool operator==(const Summary&, const Summary&) = default;
};

std::ostream& operator<<(std::ostream& os, const Summary& s) {
  return os << EventTypeName(s.type) << " " << s.name << "@" << s.version << " (was "
            << s.previous_version << ")";
}

std::vector<Summary> Summarise(const std::vector<Event>& events) {
  std::vector<Summary> out;
  for (const Event& e : events) {
    out.push_back({e.type, e.object.key.name, e.object.resource_version,
                   e.previous ? e.previous->resource_version : 0});
  }
  return out;
}

TEST(SqliteStoreWatchTest, EventsSinceReturnsEveryWriteInOrder) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  const ObjectKey a{"apps/replicasets", "default", "a"};
  const ObjectKey b{"apps/replicasets", "prod", "b"};
  const ObjectKey p{"pods", "default", "p"};
  ASSERT_TRUE(store->Create(a, Doc(a, 1, {{"app", "a"}})).ok());      // 2
  ASSERT_TRUE(store->Create(b, Doc(b, 1)).ok());                      // 3
  ASSERT_TRUE(store->Create(p, Doc(p, 1)).ok());                      // 4
  ASSERT_TRUE(store->Update(a, Doc(a, 2, {{"app", "A"}}), {}).ok());  // 5
  ASSERT_TRUE(store->Delete(b, {}).ok());                             // 6
  ASSERT_TRUE(store->Update(a, Doc(a, 3), {}).ok());                  // 7

  struct Row {
    std::string name;
    std::string resource;
    std::string ns;
    int64_t since;
    std::vector<Summary> want;
  };
  const Row rows[] = {
      {"everything",
       "",
       "",
       1,
       {{EventType::kAdded, "a", 2, 0},
        {EventType::kAdded, "b", 3, 0},
        {EventType::kAdded, "p", 4, 0},
        {EventType::kModified, "a", 5, 2},
        {EventType::kDeleted, "b", 6, 3},
        {EventType::kModified, "a", 7, 5}}},
      {"after a version",
       "",
       "",
       5,
       {{EventType::kDeleted, "b", 6, 3}, {EventType::kModified, "a", 7, 5}}},
      {"one resource",
       "apps/replicasets",
       "",
       1,
       {{EventType::kAdded, "a", 2, 0},
        {EventType::kAdded, "b", 3, 0},
        {EventType::kModified, "a", 5, 2},
        {EventType::kDeleted, "b", 6, 3},
        {EventType::kModified, "a", 7, 5}}},
      {"one namespace",
       "apps/replicasets",
       "prod",
       1,
       {{EventType::kAdded, "b", 3, 0}, {EventType::kDeleted, "b", 6, 3}}},
      {"one namespace of every resource",
       "",
       "default",
       3,
       {{EventType::kAdded, "p", 4, 0},
        {EventType::kModified, "a", 5, 2},
        {EventType::kModified, "a", 7, 5}}},
      {"at the current version", "", "", 7, {}},
      {"beyond the current version", "", "", 100, {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto events = store->EventsSince(row.resource, row.ns, row.since);
    ASSERT_TRUE(events.ok()) << events.error();
    EXPECT_EQ(Summarise(*events), row.want);
  }

  // The objects themselves: each event carries the state after the write and the one before.
  auto events = store->EventsSince("", "", 4);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  const Event& modified = (*events)[0];
  EXPECT_EQ(modified.object,
            (StoredObject{a, 5, Stamped(Doc(a, 2, {{"app", "A"}}), 5), {{"app", "A"}}}));
  EXPECT_EQ(modified.previous,
            (StoredObject{a, 2, Stamped(Doc(a, 1, {{"app", "a"}}), 2), {{"app", "a"}}}));
  const Event& deleted = (*events)[1];
  EXPECT_EQ(deleted.object, (StoredObject{b, 6, Stamped(Doc(b, 1), 6), {}}));
  EXPECT_EQ(deleted.previous, (StoredObject{b, 3, Stamped(Doc(b, 1), 3), {}}));
}

TEST(SqliteStoreWatchTest, KeepsABoundedWindowThenAnswersGone) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"), 5);
  const ObjectKey a{"pods", "default", "a"};
  ASSERT_TRUE(store->Create(a, Doc(a)).ok());                                       // 2
  for (int i = 1; i <= 11; ++i) ASSERT_TRUE(store->Update(a, Doc(a, i), {}).ok());  // 3..13
  EXPECT_EQ(store->Versions(), (StoreVersions{.current = 13, .compacted = 8}));

  struct Row {
    std::string name;
    int64_t since;
    StatusCode code;
    size_t events;
    std::string message;
  };
  const Row rows[] = {
      {"oldest kept predecessor", 8, StatusCode::kOk, 5, ""},
      {"inside the window", 10, StatusCode::kOk, 3, ""},
      {"current", 13, StatusCode::kOk, 0, ""},
      {"compacted", 7, StatusCode::kGone, 0, "too old resource version: 7 (8)"},
      {"zero", 0, StatusCode::kGone, 0, "too old resource version: 0 (8)"},
      {"negative", -1, StatusCode::kInvalidArgument, 0, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto events = store->EventsSince("pods", "", row.since);
    EXPECT_EQ(events.status().code(), row.code) << events.status();
    if (events.ok()) {
      EXPECT_EQ(events->size(), row.events);
    }
    if (!row.message.empty()) {
      EXPECT_EQ(events.status().message(), row.message);
    }
  }
}

// The previous object of a kept event survives compaction even when it was written before the
// compacted version.
TEST(SqliteStoreWatchTest, PreviousObjectOutlivesTheWindow) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"), 3);
  const ObjectKey a{"pods", "default", "a"};
  ASSERT_TRUE(store->Create(a, Doc(a, 1)).ok());  // 2
  for (int i = 0; i < 5; ++i) {
    const ObjectKey other{"pods", "default", "o" + std::to_string(i)};
    ASSERT_TRUE(store->Create(other, Doc(other)).ok());  // 3..7
  }
  ASSERT_TRUE(store->Update(a, Doc(a, 2), {}).ok());  // 8
  ASSERT_TRUE(store->Delete(a, {}).ok());             // 9
  EXPECT_EQ(store->Versions().compacted, 6);
  auto events = store->EventsSince("pods", "", 6);
  ASSERT_TRUE(events.ok()) << events.error();
  EXPECT_EQ(Summarise(*events), (std::vector<Summary>{{EventType::kAdded, "o4", 7, 0},
                                                      {EventType::kModified, "a", 8, 2},
                                                      {EventType::kDeleted, "a", 9, 8}}));
  EXPECT_EQ((*events)[1].previous->json, Stamped(Doc(a, 1), 2));
}

// Compaction deletes superseded states: the file holds the live objects plus the window, however
// many writes there were.
TEST(SqliteStoreWatchTest, CompactionBoundsTheStoredHistory) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  {
    auto store = OpenOrDie(path, 20);
    for (int k = 0; k < 10; ++k) {
      const ObjectKey key{"pods", "default", "p" + std::to_string(k)};
      ASSERT_TRUE(store->Create(key, Doc(key)).ok());
      for (int i = 1; i <= 50; ++i) ASSERT_TRUE(store->Update(key, Doc(key, i), {}).ok());
      if (k % 2 == 1) {
        ASSERT_TRUE(store->Delete(key, {}).ok());
      }
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM revisions", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const int64_t rows = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  // Of 515 writes (versions 2..516, compacted to 496) the file keeps: the 20 states written in
  // the window (p9's last updates and its tombstone), the state the first of them superseded
  // (p9 at 496, still valid at 496), and the current states of the five live objects.
  EXPECT_EQ(rows, 20 + 1 + 5);
}

TEST(SqliteStoreWatchTest, ListenersSeeExactlyTheHistoryInOrder) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  std::vector<Event> seen;
  const SubscriptionId id = store->Subscribe([&](const Event& e) { seen.push_back(e); });
  const ObjectKey a{"pods", "default", "a"};
  ASSERT_TRUE(store->Create(a, Doc(a)).ok());
  ASSERT_TRUE(store->Update(a, Doc(a, 1), {}).ok());
  ASSERT_TRUE(store->Update(a, Doc(a, 1), {}).ok());                        // Unchanged: no event.
  ASSERT_FALSE(store->Update(a, Doc(a, 2), {.resource_version = 2}).ok());  // Failed: no event.
  ASSERT_TRUE(store->Delete(a, {}).ok());
  auto history = store->EventsSince("", "", 1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(seen, *history);
  EXPECT_EQ(seen.size(), 3u);

  store->Unsubscribe(id);
  store->Unsubscribe(id + 100);  // Unknown ids are ignored.
  ASSERT_TRUE(store->Create(a, Doc(a)).ok());
  EXPECT_EQ(seen.size(), 3u);
}

TEST(SqliteStoreWatchTest, ConcurrentWritersAreSerialisedInVersionOrder) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("store.db"));
  std::vector<int64_t> versions;  // Appended by listeners, which run under the store's lock.
  const SubscriptionId first =
      store->Subscribe([&](const Event& e) { versions.push_back(e.object.resource_version); });
  int64_t second_calls = 0;
  store->Subscribe([&](const Event&) { ++second_calls; });
  constexpr int kThreads = 4;
  constexpr int kWrites = 40;
  std::vector<std::thread> threads;
  std::mutex failures_mu;
  std::vector<std::string> failures;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const ObjectKey key{"pods", "t" + std::to_string(t), "p" + std::to_string(i)};
        Status status = store->Create(key, Doc(key)).status();
        if (status.ok()) status = store->Get(key).status();
        if (!status.ok()) {
          std::lock_guard<std::mutex> lock(failures_mu);
          failures.push_back(status.ToString());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  ASSERT_EQ(versions.size(), static_cast<size_t>(kThreads * kWrites));
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i], static_cast<int64_t>(i) + 2);
  EXPECT_EQ(second_calls, kThreads * kWrites);
  store->Unsubscribe(first);
  EXPECT_EQ(store->List({.resource = "pods"})->items.size(),
            static_cast<size_t>(kThreads * kWrites));
}

TEST(SqliteStoreWatchTest, HistoryResumesAfterRestart) {
  TempDir dir;
  const ObjectKey a{"pods", "default", "a"};
  {
    auto store = OpenOrDie(dir.File("store.db"), 4);
    ASSERT_TRUE(store->Create(a, Doc(a)).ok());
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(store->Update(a, Doc(a, i), {}).ok());  // ..7
  }
  auto store = OpenOrDie(dir.File("store.db"), 4);
  EXPECT_EQ(store->Versions(), (StoreVersions{.current = 7, .compacted = 3}));
  EXPECT_EQ(store->EventsSince("", "", 2).status().code(), StatusCode::kGone);
  auto events = store->EventsSince("", "", 5);
  ASSERT_TRUE(events.ok()) << events.error();
  EXPECT_EQ(Summarise(*events), (std::vector<Summary>{{EventType::kModified, "a", 6, 5},
                                                      {EventType::kModified, "a", 7, 6}}));
  ASSERT_TRUE(store->Update(a, Doc(a, 9), {}).ok());
  EXPECT_EQ(store->Versions(), (StoreVersions{.current = 8, .compacted = 4}));
}

}  // namespace
}  // namespace devflow::apiserver
