// kill -9 of a writing process: every acknowledged write is there after a restart, nothing
// unacknowledged is half there, and versions continue above the last acknowledged one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "apiserver/sqlite_store.h"
#include "apiserver/sqlite_store_testing.h"
#include "common/json_reader.h"

namespace devflow::apiserver {
namespace {

// What the writer reports after each acknowledged pair of writes.
struct Ack {
  int64_t index;
  int64_t created_version;  // Of pods/default/obj-<index>, created and never changed.
  int64_t counter_version;  // Of pods/default/counter, updated to spec.value = index.
};

const ObjectKey kCounter{"pods", "default", "counter"};

ObjectKey Numbered(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "obj-%08lld", static_cast<long long>(index));
  return ObjectKey{"pods", "default", name};
}

// The child: writes until killed, reporting each acknowledged iteration on `fd`. Never returns;
// exits with a distinct code on an unexpected failure.
[[noreturn]] void RunWriter(const std::string& path, int64_t start, int fd) {
  auto opened = SqliteStore::Open({.path = path});
  if (!opened.ok()) _exit(2);
  SqliteStore& store = **opened;
  int64_t counter_version = 0;
  if (auto counter = store.Get(kCounter); counter.ok()) {
    counter_version = counter->resource_version;
  } else {
    auto created = store.Create(kCounter, Doc(kCounter, -1));
    if (!created.ok()) _exit(3);
    counter_version = created->resource_version;
  }
  for (int64_t i = start;; ++i) {
    auto created = store.Create(Numbered(i), Doc(Numbered(i), i, {{"index", std::to_string(i)}}));
    if (!created.ok()) _exit(4);
    auto updated = store.Update(kCounter, Doc(kCounter, i), {.resource_version = counter_version});
    if (!updated.ok()) _exit(5);
    counter_version = updated->resource_version;
    const Ack ack{i, created->resource_version, counter_version};
    if (write(fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) _exit(6);
  }
}

// Reads acknowledgements until `count` arrived or the writer closed the pipe.
std::vector<Ack> ReadAcks(int fd, int count) {
  std::vector<Ack> acks;
  while (static_cast<int>(acks.size()) < count) {
    Ack ack;
    size_t got = 0;
    while (got < sizeof ack) {
      const ssize_t n = read(fd, reinterpret_cast<char*>(&ack) + got, sizeof ack - got);
      if (n <= 0) return acks;
      got += static_cast<size_t>(n);
    }
    acks.push_back(ack);
  }
  return acks;
}

int64_t SpecValue(const StoredObject& object) {
  return json::Parse(object.json)->Find("spec")->Find("value")->as_int();
}

TEST(SqliteStoreCrashTest, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  const unsigned seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);

  std::vector<Ack> acked;  // Over every round.
  int64_t next_index = 0;
  int64_t version_before_round = 1;
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunWriter(path, next_index, fds[1]);
    }
    close(fds[1]);
    // Kill after a random number of acknowledgements: the writer runs ahead of the reader, so
    // the signal lands at an arbitrary point of some later write.
    const int target = std::uniform_int_distribution<int>(1, 60)(random);
    const std::vector<Ack> acks = ReadAcks(fds[0], target);
    kill(pid, SIGKILL);
    int wait_status = 0;
    ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
    close(fds[0]);
    ASSERT_EQ(static_cast<int>(acks.size()), target)
        << "the writer stopped early: exit code "
        << (WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);
    // Versions continued above everything acknowledged before the restart.
    EXPECT_GT(acks.front().created_version, version_before_round);
    acked.insert(acked.end(), acks.begin(), acks.end());

    auto store = OpenOrDie(path);
    const Ack& last = acked.back();
    // Every acknowledged write is present, at its acknowledged version.
    for (const Ack& ack : acked) {
      auto object = store->Get(Numbered(ack.index));
      ASSERT_TRUE(object.ok()) << "acknowledged obj " << ack.index << ": " << object.error();
      EXPECT_EQ(object->resource_version, ack.created_version);
      EXPECT_EQ(SpecValue(*object), ack.index);
    }
    auto counter = store->Get(kCounter);
    ASSERT_TRUE(counter.ok()) << counter.error();
    EXPECT_GE(counter->resource_version, last.counter_version);
    EXPECT_GE(SpecValue(*counter), last.index);
    // Nothing is half there: the numbered objects are a gap-free prefix, each whole, with the
    // version its JSON says; the counter shows the last of them.
    auto list = store->List({.resource = "pods", .namespace_ = "default"});
    ASSERT_TRUE(list.ok()) << list.error();
    int64_t count = 0;
    for (const StoredObject& item : list->items) {
      if (item.key == kCounter) continue;
      ASSERT_EQ(item.key, Numbered(count));
      auto doc = json::Parse(item.json);
      ASSERT_TRUE(doc.ok()) << item.json;
      EXPECT_EQ(*doc->Find("metadata")->Find("resourceVersion"),
                json::Value(std::to_string(item.resource_version)));
      EXPECT_EQ(item.labels, (Labels{{"index", std::to_string(count)}}));
      ++count;
    }
    EXPECT_GE(count, last.index + 1);
    // The counter follows the last object, unless the kill fell between the two writes.
    EXPECT_TRUE(SpecValue(*counter) == count - 1 || SpecValue(*counter) == count - 2)
        << "counter " << SpecValue(*counter) << " after " << count << " objects";
    // The history holds one event per version up to the current one.
    const StoreVersions versions = store->Versions();
    EXPECT_GE(versions.current, last.counter_version);
    auto events = store->EventsSince("", "", versions.compacted);
    ASSERT_TRUE(events.ok()) << events.error();
    ASSERT_EQ(static_cast<int64_t>(events->size()), versions.current - versions.compacted);
    for (size_t i = 0; i < events->size(); ++i) {
      EXPECT_EQ((*events)[i].object.resource_version,
                versions.compacted + 1 + static_cast<int64_t>(i));
    }
    next_index = count;
    version_before_round = versions.current;
  }
}

}  // namespace
}  // namespace devflow::apiserver
