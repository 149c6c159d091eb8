// ControllerLoop: the part every controller shares (client-go's "controller" pattern): a
// WorkQueue of object keys, `workers` threads that wait for the informers to sync and then take
// keys one at a time (one key never on two workers at once), call the controller's sync, and
//   - on failure: remember the error (LastError, with "syncing <resource>/<key>: " in front) and
//     queue the key again with the queue's per-key exponential backoff;
//   - on success: forget the key's failures, remember the sync's warning (or clear the error),
//     and queue the key again at the time the sync asked for, if any.
// What a controller adds is its sync function and the informer handlers that call Add;
// ObjectHandlers and WhileRunning (below) build those handlers.
//
// Thread-safety: every method may be called from any thread. The sync function runs on the
// worker threads, concurrently for different keys.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "kube/clock.h"
#include "kube/informer.h"
#include "kube/work_queue.h"

namespace devflow::json {
class Value;
}  // namespace devflow::json

namespace devflow::kube {

// What a successful sync leaves behind.
struct SyncOutcome {
  // Look at the key again at this wall time (unset: only on events).
  std::optional<Clock::WallTime> requeue_at;
  // A problem that did not fail the sync, reported through LastError (e.g. a provider's garbage
  // collection that the next sync retries anyway).
  Status warning;
};

using SyncFunction = std::function<Result<SyncOutcome>(const std::string& key)>;

struct ControllerLoopOptions {
  // The plural resource in error messages ("rollouts").
  std::string resource;
  int workers = 1;  // at least 1
  // Time for requeues and the queue's backoff; null means SystemClock(). Must outlive the loop.
  const Clock* clock = nullptr;
  kube::RateLimitOptions rate_limit;
  // Workers start taking keys once every one of these has synced. Must outlive the loop.
  std::vector<const Informer*> informers;
};

class ControllerLoop {
 public:
  ControllerLoop(ControllerLoopOptions options, SyncFunction sync);
  ~ControllerLoop();  // Stop()s.
  ControllerLoop(const ControllerLoop&) = delete;
  ControllerLoop& operator=(const ControllerLoop&) = delete;

  // Starts the workers. Call once, after the informer handlers are registered.
  void Start();
  // Stops taking keys (keys still queued are dropped), lets the syncs under way finish and joins
  // the workers. Idempotent.
  void Stop();
  bool stopping() const;

  // Queues `key` now.
  void Add(const std::string& key);
  // Queues the key of `object` (its "namespace/name", or "name" for a cluster-scoped one).
  void AddObject(const json::Value& object);

  // The most recent failed sync ("syncing <resource>/<key>: ..."), or the warning of the most
  // recent sync; ok once a later sync succeeds without one. For diagnostics and tests.
  Status LastError() const;
  // Syncs completed (successful or not).
  uint64_t Syncs() const;

 private:
  void RunWorker();
  bool WaitForInformers();
  void SetLastError(Status status);

  const Clock& clock_;
  const std::string resource_;
  const int workers_count_;
  const std::vector<const Informer*> informers_;
  const SyncFunction sync_;
  WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> syncs_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  Status last_error_;      // guarded by mu_
};

// Which objects an update event hands to the function of ObjectHandlers.
enum class UpdateObjects {
  // The object as it is now: enough when the function looks at the object itself.
  kNew,
  // As it is now, then as it was: for a child object whose controlling owner may have changed,
  // so that the old owner also hears that it lost the child. (When the owner did not change the
  // same key is queued twice, which the queue folds into one.)
  kNewAndOld,
};

// Handlers that call `on_object` with every object an event carries: an added or deleted object
// (its last state), an updated one as `update` says. For controllers whose reaction to an object
// does not depend on the kind of event (queue its key, or its owner's). An empty `on_object`
// gives empty handlers.
EventHandlers ObjectHandlers(std::function<void(const json::Value& object)> on_object,
                             UpdateObjects update = UpdateObjects::kNew);

// Returns `handlers` (empty members stay empty) made safe to register on a shared informer, which
// may outlive the controller and call a handler at any time: each call first takes a reference
// to `owner` and is dropped when the owner is gone or `loop` is stopping, so a handler never runs
// on a destroyed or stopping controller. The handlers may therefore capture the owner by raw
// pointer. REQUIRES: `loop` lives as long as `owner` (typically it is a member of it).
EventHandlers WhileRunning(std::weak_ptr<const void> owner, const ControllerLoop& loop,
                           EventHandlers handlers);

}  // namespace devflow::kube
