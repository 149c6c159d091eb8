// StoreWorker: the loop beneath the embedded API server's background controllers (the garbage
// collector and the namespace controller): one thread that consumes the store's events and runs
// keyed work items, each at most once at a time, retrying failed items with exponential backoff.
//
// It plays the part of client-go's informer plus rate-limited work queue for a controller that
// sits in the server's process and reads the ObjectStore directly:
// - The store's listener only copies the event into a queue (it runs under the store's lock and
//   must not call the store); the worker thread hands events to `on_event` in version order.
// - Items are de-duplicated while they wait: enqueueing an item that is already waiting does
//   nothing; enqueueing an item that is running makes it run again afterwards.
// - Events are handed to `on_event` before the next item runs, so an item sees every write that
//   committed before it started reflected in the controller's own state.
// - An item whose `process` returns an error is run again after a delay that doubles with each
//   consecutive failure of that item (retry_base_delay, then twice that, up to retry_max_delay);
//   it is never dropped. Success forgets its failures. Waiting for some state (an object with a
//   user finalizer) is not a failure: the controller re-enqueues the item from the event that
//   ends the wait.
// - Stop() drops waiting items. That loses no work: a controller's Start() scans the store and
//   enqueues whatever is unfinished, so a new worker converges after a crash or a restart.
//
// Thread-safety: Enqueue and WaitForIdleForTest may be called from any thread (the handlers
// included); Start and Stop from one owning thread, never from a handler.
#pragma once

#include <chrono>
#include <compare>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "apiserver/object_store.h"
#include "common/status.h"

namespace devflow::apiserver {

// A unit of work: what to do (`action`, chosen by the controller) to which object.
struct WorkItem {
  int action = 0;
  ObjectKey key;
  friend auto operator<=>(const WorkItem&, const WorkItem&) = default;
};

struct StoreWorkerOptions {
  // Delay before the first retry of a failed item; doubled per consecutive failure.
  std::chrono::milliseconds retry_base_delay{5};
  // Upper bound of the retry delay.
  std::chrono::milliseconds retry_max_delay{10000};
};

class StoreWorker {
 public:
  // Called on the worker thread with each store event, in version order. May call Enqueue; may
  // call the store.
  using EventHandler = std::function<void(const Event&)>;
  // Called on the worker thread for each item; a non-ok result schedules a retry.
  using ItemHandler = std::function<Status(const WorkItem&)>;

  // `store` must outlive the worker.
  StoreWorker(ObjectStore& store, StoreWorkerOptions options, EventHandler on_event,
              ItemHandler process);
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;
  // Stops the worker.
  ~StoreWorker();

  // Subscribes to the store, then runs `scan` on the calling thread (it typically lists the
  // store, builds the controller's state and enqueues unfinished work), then starts the thread.
  // Events committed after the subscription wait in the queue and are handed to `on_event`
  // after the scan, so the scan may have seen their effect already: `on_event` must tolerate
  // events older than the state it listed (compare resource versions).
  // Returns scan's error (the worker is then stopped and may be started again), or
  // FailedPrecondition when already running.
  Status Start(const std::function<Status()>& scan);

  // Unsubscribes, lets the running handler finish, and joins the thread; waiting items are
  // dropped. Does nothing when not running.
  void Stop();

  // Queues `item` (see the de-duplication rules above). Ignored when not running.
  void Enqueue(const WorkItem& item);

  // Blocks until the worker is idle: no event waiting, no item waiting, running or scheduled
  // for a retry. Returns false when `timeout` passed first. For tests that must show that
  // something did NOT happen.
  bool WaitForIdleForTest(std::chrono::milliseconds timeout);

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  // REQUIRES: mu_ held.
  bool IdleLocked() const;
  // REQUIRES: mu_ held. Queues the item unless it is already waiting.
  void EnqueueLocked(const WorkItem& item);

  ObjectStore& store_;
  const StoreWorkerOptions options_;
  const EventHandler on_event_;
  const ItemHandler process_;

  std::mutex mu_;
  std::condition_variable wake_;                        // Work arrived, or stop.
  std::condition_variable idle_;                        // The worker became idle.
  bool running_ = false;                                // Guarded by mu_.
  bool stopping_ = false;                               // Guarded by mu_.
  bool busy_ = false;                                   // Guarded by mu_: a handler is running.
  std::deque<Event> events_;                            // Guarded by mu_.
  std::deque<WorkItem> ready_;                          // Guarded by mu_.
  std::set<WorkItem> waiting_;                          // Guarded by mu_: the items in ready_.
  std::multimap<Clock::time_point, WorkItem> retries_;  // Guarded by mu_.
  std::map<WorkItem, int> failures_;                    // Guarded by mu_.
  std::optional<SubscriptionId> subscription_;          // Owning thread only.
  std::thread thread_;                                  // Owning thread only.
};

}  // namespace devflow::apiserver
