// SqliteStore: the ObjectStore on one SQLite database file.
//
// Durability. The database runs in WAL mode with synchronous=FULL and one transaction per write;
// the version counter is updated in the write's own transaction. A write returns only after its
// commit record is in the WAL and fsync'ed, so an acknowledged write survives kill -9 of the
// process and a power loss of the machine, and a write that did not return is either wholly
// present or wholly absent after a restart (never half-visible). The cost is one fsync per
// write (WAL mode makes it a sequential append; synchronous=NORMAL would skip it and survive
// kill -9 but not a power loss). Batching several writes into one transaction would amortise
// it; the write path is built so that a batch can be added without changing the schema.
//
// Ownership. The store opens the file in exclusive locking mode and holds the lock until it is
// destroyed: a second store (in this or another process) on the same file fails to open, so two
// servers can never interleave versions. The lock dies with the process, so a store killed with
// kill -9 reopens at once.
//
// Storage (why, in more detail: the comment atop sqlite_store.cc). One table of revisions, as
// etcd's MVCC: a row is one state of one object, valid from its `version` until its
// `successor` (the version of the key's next write; empty while current). Snapshot lists read
// the rows valid at their version, the watch history is the rows ordered by version, and
// compaction deletes the rows superseded at or before the compacted version. Disk use is
// therefore the live objects plus the states written within the history window.
//
// Thread safety: every method may be called from any thread. One mutex serialises all calls
// on the single connection; listeners run under it (see ObjectStore::Subscribe).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apiserver/object_store.h"

namespace devflow::apiserver {

struct SqliteStoreOptions {
  // The database file; created with its schema when absent. SQLite keeps `<path>-wal` beside
  // it. The directory must exist.
  std::string path;
  // Versions of watch history kept: EventsSince(v) and lists at v succeed for
  // v >= current - history_window. kube-apiserver keeps about 5 minutes of etcd history and a
  // watch cache of 100..1000 events per resource; 10,000 versions covers both on one machine.
  // Must be at least 1.
  int64_t history_window = 10000;
};

class SqliteStore final : public ObjectStore {
 public:
  // Opens (or creates) the store at options.path.
  // Errors: InvalidArgument for a bad option; FailedPrecondition when another store holds the
  // file, when the file is not a devflow store, or when its schema is newer than this binary's;
  // Unavailable/Internal when SQLite cannot open or read it.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);

  // Closes the database (SQLite checkpoints the WAL into the file) and drops the listeners.
  // REQUIRES: no call is running on another thread.
  ~SqliteStore() override;

  Result<StoredObject> Create(const ObjectKey& key, std::string_view json) override;
  Result<StoredObject> Get(const ObjectKey& key) override;
  Result<StoredObject> Update(const ObjectKey& key, std::string_view json,
                              const Preconditions& preconditions) override;
  Result<StoredObject> Delete(const ObjectKey& key, const Preconditions& preconditions) override;
  Result<ListResult> List(const ListOptions& options) override;
  Result<std::vector<Event>> EventsSince(std::string_view resource, std::string_view namespace_,
                                         int64_t version) override;
  StoreVersions Versions() override;
  SubscriptionId Subscribe(EventListener listener) override;
  void Unsubscribe(SubscriptionId id) override;

 private:
  class Db;  // The SQLite connection and its prepared statements (sqlite_store.cc).
  struct Write;

  SqliteStore(std::unique_ptr<Db> db, int64_t history_window, StoreVersions versions);

  // Runs one write in its own transaction, then tells the listeners.
  Result<Event> Commit(Write write);
  // REQUIRES: mu_ held and a transaction open. Returns the write's event; `version` is the
  // version it takes. An unchanged update writes nothing and returns the stored object at its
  // own version. Stamps write.parsed in place.
  Result<Event> ApplyLocked(Write& write, int64_t version);
  // REQUIRES: mu_ held, so the page reads one state of the database.
  Result<ListResult> ListLocked(const ListOptions& options);

  std::mutex mu_;
  const std::unique_ptr<Db> db_;  // Guarded by mu_.
  const int64_t history_window_;
  StoreVersions versions_;  // Guarded by mu_; equal to what the database holds.
  std::vector<std::pair<SubscriptionId, EventListener>> listeners_;  // Guarded by mu_.
  SubscriptionId next_subscription_ = 1;                             // Guarded by mu_.
};

}  // namespace devflow::apiserver
