// Informer: keeps an ObjectCache of one resource in step with the API server and tells handlers
// what changed, as client-go's shared informer does.
//
// Its thread lists the resource (in pages), then watches from the list's resourceVersion with
// bookmarks, applying each event to the cache and calling the handlers:
//   - a watch that ends normally (the server's timeout) is reopened from the last version seen,
//     unless it ended within a second without delivering anything (then it counts as failed);
//   - a watch or list answered Gone (410: the version is older than the server keeps) relists.
//     Objects in the cache but absent from the new list were deleted while the informer was not
//     watching: they are removed and handlers get OnDelete for them, so no deletion is missed;
//   - other failures are retried after a jittered exponential backoff (initial_backoff doubling
//     up to max_backoff; each wait is the delay times 1 + a random number in [0, 1)), reset by
//     the next success;
//   - every resync_period, handlers get OnUpdate(object, object) for every cached object, so a
//     controller re-examines objects whose reconcile depended on something else.
//
// Handlers run on the informer's thread, one event at a time and in order, after the cache has
// been updated: a handler that reads the cache sees the new state. Handlers must be quick (a
// controller only adds a key to its WorkQueue) and must not call Stop or AddEventHandler.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/json_value.h"
#include "common/status.h"
#include "kube/api_types.h"
#include "kube/clock.h"
#include "kube/list_watcher.h"
#include "kube/object_cache.h"

namespace devflow::kube {

class ApiClient;

// What a handler is told. Any member may be left empty.
struct EventHandlers {
  // An object appeared (in the initial list, a later list, or an ADDED/MODIFIED event of an
  // object not cached).
  std::function<void(const json::Value& object)> on_add;
  // A cached object changed, or a resync passed it (then old_object == new_object).
  std::function<void(const json::Value& old_object, const json::Value& new_object)> on_update;
  // An object was deleted: its last state (from the DELETED event, or the cached one when the
  // deletion was found by a relist).
  std::function<void(const json::Value& object)> on_delete;
};

struct InformerOptions {
  // Names the informer in messages ("rollouts").
  std::string name;
  // Objects per list page (ListRequest.limit); 0 lists in one request.
  int64_t page_size = 500;
  // How often handlers get OnUpdate for every cached object; 0 disables resync.
  std::chrono::milliseconds resync_period{0};
  // Backoff after a failed list or watch (client-go's reflector: 800 ms up to 30 s).
  std::chrono::milliseconds initial_backoff{800};
  std::chrono::milliseconds max_backoff{30000};
  // The timeout asked of each watch (WatchRequest.timeout); 0 picks a random 5 to 10 minutes per
  // watch, as client-go does, so that many informers do not reconnect at once.
  std::chrono::seconds watch_timeout{0};
  // The longest one WatchStream::Next waits before the informer checks for resync.
  std::chrono::milliseconds poll_interval{1000};
  // Time for backoff and resync; null means SystemClock(). Must outlive the informer.
  const Clock* clock = nullptr;
  // Jitter for backoff and watch timeouts; empty means DefaultRandomSource().
  RandomSource random;
};

// Thread-safe. Owns its thread and its ListerWatcher. REQUIRES: Stop (or the destructor) is not
// called from a handler.
class Informer {
 public:
  Informer(std::unique_ptr<ListerWatcher> lister_watcher, InformerOptions options = {});
  ~Informer();  // Stops.
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // The cache the informer fills. Add custom indexes before Start; read it at any time (it is
  // complete once HasSynced).
  ObjectCache& cache() { return cache_; }
  const ObjectCache& cache() const { return cache_; }

  // Adds handlers. Added while the informer runs, they first get OnAdd for every cached object
  // (in key order), then every later event, with nothing missed or repeated in between.
  void AddEventHandler(EventHandlers handlers);

  // Starts the informer's thread. REQUIRES: not started before.
  void Start();
  // Stops the thread: cancels the open watch, waits for a running handler, joins. Idempotent.
  void Stop();

  // True once the first complete list has been stored in the cache and handed to handlers.
  bool HasSynced() const;
  // Blocks until HasSynced (true), or until `timeout` has passed on the informer's clock or the
  // informer is stopped (false).
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  // The resourceVersion the next watch starts from: the last list's, then each event's.
  std::string LastSyncResourceVersion() const;
  // The most recent list or watch failure, with the informer's name; ok after a later success.
  Status LastError() const;

 private:
  void Run();
  // List every page and store the result; on Gone of a continue token, one unpaged list.
  Status ListAndSync();
  Result<ObjectList> ListAll();
  void ReplaceAll(const ObjectList& list);
  // Watches from the last version until the watch ends (Ok), fails, or Stop.
  Status WatchOnce(bool* delivered);
  void Apply(const WatchEvent& event);
  void ResyncIfDue();
  // Waits `d` on the clock, resyncing when due; false when stopped meanwhile.
  bool Sleep(std::chrono::nanoseconds d);
  std::chrono::nanoseconds NextBackoff();
  void SetError(Status status);
  bool stopping() const;

  // Dispatch to every handler; REQUIRES: dispatch_mu_ held.
  void DispatchAdd(const json::Value& object);
  void DispatchUpdate(const json::Value& old_object, const json::Value& new_object);
  void DispatchDelete(const json::Value& object);

  const std::unique_ptr<ListerWatcher> lister_watcher_;
  const InformerOptions options_;
  const Clock& clock_;
  const RandomSource random_;
  ObjectCache cache_;

  // Held while the cache is updated and handlers run, and while a new handler catches up, so
  // that every handler sees one ordered stream of events.
  std::mutex dispatch_mu_;
  std::vector<EventHandlers> handlers_;  // guarded by dispatch_mu_

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // signalled on Stop and on sync
  bool started_ = false;                // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  bool synced_ = false;                 // guarded by mu_
  std::string last_resource_version_;   // guarded by mu_
  Status last_error_;                   // guarded by mu_
  WatchStream* open_watch_ = nullptr;   // guarded by mu_; cancelled by Stop
  int backoff_steps_ = 0;               // informer thread only
  Clock::TimePoint next_resync_{};      // informer thread only
  std::thread thread_;
};

// The informers of one process, shared: one per (resource, namespace), however many controllers
// ask for it, as client-go's SharedInformerFactory. Thread-safe; owns the informers.
class InformerFactory {
 public:
  // `client` must outlive the factory. `defaults` apply to every informer (its name is set to
  // the resource's plural).
  InformerFactory(ApiClient& client, InformerOptions defaults = {});
  ~InformerFactory();  // Stops every informer.
  InformerFactory(const InformerFactory&) = delete;
  InformerFactory& operator=(const InformerFactory&) = delete;

  // The informer of `resource` in `ns` ("" for all namespaces), created on the first call. It
  // starts with the next Start (or at once when Start was called before).
  Informer& For(const ResourceRef& resource, const std::string& ns = "");
  // Starts every informer created so far, and later ones as they are created.
  void Start();
  // True once every informer has synced; false when `timeout` passes first.
  bool WaitForSync(std::chrono::milliseconds timeout);
  void Stop();

 private:
  ApiClient& client_;
  const InformerOptions defaults_;
  std::mutex mu_;
  bool started_ = false;  // guarded by mu_
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Informer>> informers_;  // by mu_
};

}  // namespace devflow::kube
